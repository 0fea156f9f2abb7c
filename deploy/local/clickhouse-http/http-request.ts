// Translates a ClickHouse HTTP-interface request (URL parameters + body) into what the
// embedded engine runs: the SQL text, bound query parameters, per-query settings and the
// output format. Mirrors the real server's rules: the URL `query` and the body are joined by a
// newline (so `INSERT ... FORMAT X` in the URL plus rows in the body is one statement).

// URL parameters that are part of the HTTP protocol, not ClickHouse settings.
const PROTOCOL_PARAMS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'enable_http_compression',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_zlib_compression_level',
  'http_response_buffer_size',
  'role',
]);

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^}]+)\}/g;
// Types whose text form is read with the server's "escaped" rules (\t, \n, \\ ...).
const ESCAPED_TEXT_TYPE =
  /^(LowCardinality\()?(Nullable\()?(String|FixedString|UUID|Enum|Date|DateTime|IPv[46])/;

export interface EngineRequest {
  sql: string;
  params: Record<string, string>;
  settings: Record<string, string>;
  database: string | null;
  format: string;
  queryId: string | null;
  gzipResponse: boolean;
}

export class BadRequestError extends Error {}

function unescapeText(value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => {
    switch (c) {
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'r':
        return '\r';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case '0':
        return '\0';
      default:
        return c;
    }
  });
}

function placeholderTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of sql.matchAll(PLACEHOLDER)) types.set(match[1] as string, (match[2] as string).trim());
  return types;
}

export function parseEngineRequest(url: URL, body: string, acceptEncoding: string): EngineRequest {
  const urlQuery = url.searchParams.get('query') ?? '';
  const sql = [urlQuery, body].filter((part) => part.length > 0).join('\n');
  if (sql.trim().length === 0) throw new BadRequestError('Empty query');
  const types = placeholderTypes(sql);
  const params: Record<string, string> = {};
  const settings: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key.startsWith('param_')) {
      const name = key.slice('param_'.length);
      params[name] = ESCAPED_TEXT_TYPE.test(types.get(name) ?? '') ? unescapeText(value) : value;
    } else if (!PROTOCOL_PARAMS.has(key) && !key.startsWith('http_')) {
      if (!SETTING_NAME.test(key)) throw new BadRequestError(`Invalid setting name ${JSON.stringify(key)}`);
      settings[key] = value;
    }
  }
  return {
    sql,
    params,
    settings,
    database: url.searchParams.get('database'),
    format: url.searchParams.get('default_format') ?? 'TabSeparated',
    queryId: url.searchParams.get('query_id'),
    gzipResponse: url.searchParams.get('enable_http_compression') === '1' && /\bgzip\b/.test(acceptEncoding),
  };
}

// Settings are session state in the embedded engine: set them for one statement, then put
// every one back to its default, so nothing (a dedup token above all) leaks into the next query.
export function settingStatements(settings: Record<string, string>): { set: string[]; reset: string[] } {
  const set: string[] = [];
  const reset: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    set.push(`SET ${name} = '${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
    reset.push(`SET ${name} = DEFAULT`);
  }
  return { set, reset };
}
