// Readable terminal tables and a progress bar for the demo report.

export function formatTable(
  title: string,
  rows: ReadonlyArray<Record<string, unknown>>,
  columns?: string[],
): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  if (rows.length === 0) return `\n${title}\n  (no rows)\n`;
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 3 : 1);
    if (Array.isArray(v) || typeof v === 'object') return JSON.stringify(v);
    return String(v);
  };
  const text = rows.map((r) => cols.map((c) => cell(r[c]).slice(0, 60)));
  const widths = cols.map((c, i) => Math.max(c.length, ...text.map((t) => (t[i] as string).length)));
  const line = (cells: string[]): string =>
    `  ${cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ')}`;
  return (
    [`\n${title}`, line(cols), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n') + '\n'
  );
}

export function progressBar(label: string, done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} (${Math.round(ratio * 100)}%)`;
}
