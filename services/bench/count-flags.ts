// The side benchmarks' flags (`make bench-collect`, `make bench-kafka-clients`): `--name N` counts
// only, parsed strictly with node:util parseArgs — an unknown flag, a missing value or one that is
// not a positive integer stops the run with the usage, instead of benchmarking NaN.
import { parseArgs } from 'node:util';

export function countFlags<K extends string>(
  defaults: Record<K, number>,
  usage: string,
  argv: string[] = process.argv.slice(2),
): Record<K, number> {
  const names = Object.keys(defaults) as K[];
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new Error(`${(err as Error).message}\nusage: ${usage}`);
  }
  const out = { ...defaults };
  for (const name of names) {
    const raw = values[name];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (typeof raw !== 'string' || !/^\d+$/.test(raw.replace(/_/g, '')) || !Number.isSafeInteger(n) || n <= 0)
      throw new Error(`--${name} must be a positive integer, not ${JSON.stringify(raw)}\nusage: ${usage}`);
    out[name] = n;
  }
  return out;
}
