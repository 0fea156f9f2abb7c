// Secrets come from the environment or from mounted files: FOO, or FOO_FILE naming a file whose
// content (trimmed) is the value. Every secret read is registered so loggers can mask it; so is the
// password inside any URL variable (`https://user:pass@host`), in every form it can take.
import { maskUrlPasswordsInText, urlSecretForms } from './url-credentials.ts';

const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

/** Registers the userinfo password of a URL (as written, decoded, and as a basic-auth header). */
export function registerUrlSecret(url: string | undefined): void {
  for (const form of urlSecretForms(url ?? '')) registerSecret(form);
}

/** Every registered secret, and any password inside a URL, replaced by `***`. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join('***');
  return maskUrlPasswordsInText(out);
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
  // A list of secrets (the collector's keys): each one is masked on its own too.
  for (const part of value?.split(',') ?? []) registerSecret(part.trim());
  return value;
}
