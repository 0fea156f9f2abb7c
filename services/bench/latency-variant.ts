// A variant of `make bench-latency` (latency-main.ts): a name and the pipeline environment it
// overrides, from `NAME=KEY=V,KEY=V` on the command line (`NAME` alone: the defaults).
export interface Variant {
  name: string;
  env: Record<string, string>;
}

export function parseVariant(text: string): Variant {
  const [name, ...rest] = text.split('=');
  const spec = rest.join('=');
  if (!name) throw new Error(`--variant ${text}: no name`);
  const env: Record<string, string> = {};
  for (const pair of spec ? spec.split(',') : []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--variant ${text}: "${pair}" is not KEY=VALUE`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { name, env };
}
