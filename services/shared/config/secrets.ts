// Secrets come from the environment or from mounted files: FOO, or FOO_FILE naming a file whose
// content (trimmed) is the value. Every secret read is registered so loggers can mask it.

const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

export function maskSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join('***');
  return out;
}

export type EnvSource = Record<string, string | undefined>;

export function readSecret(
  env: EnvSource,
  name: string,
  readFile: (path: string) => string,
): string | undefined {
  const file = env[`${name}_FILE`];
  const value = file ? readFile(file).trim() : env[name];
  registerSecret(value);
  return value;
}
