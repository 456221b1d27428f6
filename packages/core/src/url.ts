import { ConfigurationError } from './errors.js';

/** The URL with its password replaced by `***`, safe for messages and logs. */
export function redactUrl(url: URL | string): string {
  if (typeof url === 'string') {
    try {
      url = new URL(url);
    } catch {
      return '<malformed URL>';
    }
  }
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

/**
 * Parses a broker URL. Node's URL error keeps the raw input (password included) in `input`, so the error is not
 * kept as cause: the message says what is wrong without echoing the string.
 */
export function parseUrl(raw: string): URL {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConfigurationError(
      'A broker URL is required, such as "memory://" or "amqp://guest:guest@localhost:5672/".',
    );
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigurationError(
      `Malformed broker URL "${describeMalformed(raw)}": write it as scheme://user:password@host:port/path, such as "amqp://guest:guest@localhost:5672/". Percent-encode special characters in the user name and password.`,
    );
  }
  return url;
}

/** What can be shown of a URL that does not parse: the scheme and host part, never what looks like a password. */
function describeMalformed(raw: string): string {
  const at = raw.lastIndexOf('@');
  const schemeEnd = raw.indexOf('://');
  if (at !== -1 && schemeEnd !== -1 && at > schemeEnd) return `${raw.slice(0, schemeEnd + 3)}***@${raw.slice(at + 1)}`;
  return raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
}

/** The scheme of a URL without the trailing colon, lower case. */
export function schemeOf(url: URL): string {
  return url.protocol.replace(/:$/, '').toLowerCase();
}

/** URL query parameters as a plain object (a repeated parameter keeps its last value). */
export function queryParameters(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) out[key] = value;
  return out;
}
