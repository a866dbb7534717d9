/** Query parameters whose values are credentials: `?token=…`, `access_token`, `apiKey`, `password` … */
const SECRET_PARAM = /^(.*token.*|.*key.*|auth.*|jwt|password|secret|signature|sig|code)$/i;

/** The parsed query with credential-like values replaced (pino-http logs it beside the URL). */
export function redactQuery<T>(query: T): T {
  if (!query || typeof query !== 'object') return query;
  return Object.fromEntries(
    Object.entries(query).map(([name, value]) => [name, SECRET_PARAM.test(name) ? '[REDACTED]' : value]),
  ) as T;
}

/**
 * The URL with the value of every credential-like query parameter replaced by `[REDACTED]`, for
 * logs: a token someone put in a URL (against the advice) must not end up in them verbatim.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[REDACTED]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}
