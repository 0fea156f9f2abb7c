// Credentials inside URLs (`https://user:pass@host`): the userinfo password of a URL is a secret
// like any *_PASSWORD variable. Parsed by hand rather than with `new URL`, so a value that is not
// a valid URL (and so appears in a configuration error) is still recognised and masked.

export interface UrlCredentials {
  /** As written in the URL (percent-encoded). */
  username: string;
  password: string;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** The userinfo of `value` when it is `scheme://user:password@…` with a non-empty password. */
export function urlCredentials(value: string): UrlCredentials | null {
  const scheme = SCHEME.exec(value);
  if (!scheme) return null;
  const rest = value.slice(scheme[0].length);
  // The authority ends at the path, query or fragment; userinfo is everything before its last '@'
  // (as WHATWG URL parsing does with an unencoded '@' in the password).
  const authority = rest.slice(0, rest.search(/[/?#]|$/));
  const at = authority.lastIndexOf('@');
  if (at < 0) return null;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0 || colon === userinfo.length - 1) return null;
  return { username: userinfo.slice(0, colon), password: userinfo.slice(colon + 1) };
}

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Every form in which a URL's password can reach the wire or a log: as written, decoded, and in
 *  the basic-auth header a client builds from the URL (base64 of `user:password`). */
export function urlSecretForms(value: string): string[] {
  const credentials = urlCredentials(value);
  if (!credentials) return [];
  const password = decode(credentials.password);
  return [
    ...new Set([
      credentials.password,
      password,
      Buffer.from(`${decode(credentials.username)}:${password}`).toString('base64'),
    ]),
  ];
}

/** `value` with the password of its userinfo replaced by `***` (the user name stays: it names who). */
export function maskUrlPassword(value: string): string {
  const credentials = urlCredentials(value);
  if (!credentials) return value;
  const scheme = SCHEME.exec(value)![0];
  const from = scheme.length + credentials.username.length + 1;
  return `${value.slice(0, from)}***${value.slice(from + credentials.password.length)}`;
}

/** Any `scheme://user:password@` inside free text (log lines, error messages), masked. */
export function maskUrlPasswordsInText(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:"'\\]*:)[^\s/?#"'\\]*@/g, '$1***@');
}
