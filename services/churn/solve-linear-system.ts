// Solves A x = b by Gaussian elimination with partial pivoting: the Newton step of fitWeights
// (a dozen unknowns, so no library is worth it). Pure; inputs are not modified.

/** x with A x = b, or null when A is singular (a pivot below `epsilon` times the largest entry). */
export function solveLinearSystem(
  a: readonly (readonly number[])[],
  b: readonly number[],
  epsilon = 1e-12,
): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  const scale = Math.max(1e-300, ...m.flatMap((row) => row.slice(0, n).map(Math.abs)));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) <= epsilon * scale) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const top = m[col]!;
    for (let r = col + 1; r < n; r++) {
      const row = m[r]!;
      const factor = row[col]! / top[col]!;
      if (factor === 0) continue;
      for (let c = col; c <= n; c++) row[c] = row[c]! - factor * top[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = m[r]!;
    let sum = row[n]!;
    for (let c = r + 1; c < n; c++) sum -= row[c]! * x[c]!;
    x[r] = sum / row[r]!;
  }
  return x;
}
