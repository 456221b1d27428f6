/**
 * Broker availability for test files that need a real broker.
 *
 * ```ts
 * const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
 * describe.skipIf(!(await requireBroker('RabbitMQ', AMQP_URL)))('amqp conformance', () => { ... });
 * ```
 *
 * Outside CI a missing broker skips the file with one line on stderr; under `CI=true` it fails the run. Only
 * `host:port` is ever printed: URLs may carry credentials.
 */
import net from 'node:net';

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'amqp:': 5672,
  'amqps:': 5671,
  'amqp10:': 5672,
  'amqp10s:': 5671,
  'redis:': 6379,
  'rediss:': 6379,
};

/** Container images for the brokers whose suites warren ships; a library user has docker, not our repository's files. */
const IMAGES: Readonly<Record<string, { image: string; port: number }>> = {
  RabbitMQ: { image: 'rabbitmq:4', port: 5672 },
  Redis: { image: 'redis:7', port: 6379 },
};

/** How to start the broker: one command for the ones warren knows, a plain instruction for the others. */
function startHint(name: string, port: number): string {
  const known = IMAGES[name];
  return known
    ? `start one with docker run -d -p ${port}:${known.port} ${known.image}`
    : `start ${name} there, or point the URL at a running one`;
}

/** The TCP endpoint of a broker URL, with the scheme's default port. Never echoes the URL (it may hold a password). */
export function brokerEndpoint(url: string): {
  /** The host name or address (IPv6 without brackets). */
  host: string;
  /** The port: the URL's, or the scheme's default. */
  port: number;
  /** `host:port` for messages (IPv6 in brackets); never the credentials. */
  label: string;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // URL's own error keeps the raw input (password included): build a clean one instead.
    throw new Error(
      `malformed broker URL (${url.split(':')[0] ?? ''}://...): expected scheme://[user:pass@]host[:port]`,
    );
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[parsed.protocol];
  if (port === undefined) {
    throw new Error(`broker URL with scheme ${parsed.protocol}// has no port and no known default port`);
  }
  return { host, port, label: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** Whether a TCP connection to the host:port of `url` succeeds within `timeoutMs`. */
export async function brokerReachable(url: string, timeoutMs = 1000): Promise<boolean> {
  const { host, port } = brokerEndpoint(url);
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const warned = new Set<string>();

/**
 * True if the broker at `url` is reachable. If not: under `CI=true` throws (a missing broker must fail CI, never skip);
 * otherwise prints one line (once per broker and endpoint per process) and returns false, so the caller skips its suite.
 *
 * @param name  the broker's name for the message, e.g. 'RabbitMQ' or 'Redis'
 * @param what  what is skipped, for the message (default: `<name> broker tests`)
 */
export async function requireBroker(
  name: 'RabbitMQ' | 'Redis' | (string & {}),
  url: string,
  what = `${name} broker tests`,
): Promise<boolean> {
  const { label, port } = brokerEndpoint(url);
  if (await brokerReachable(url)) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      `${name} not reachable at ${label}, and CI=true: broker suites must not skip in CI; ` +
        `start it before the tests run (${startHint(name, port)})`,
    );
  }
  const key = `${name} ${label} ${what}`;
  if (!warned.has(key)) {
    warned.add(key);
    console.warn(`${name} not reachable at ${label}: skipping ${what}; ${startHint(name, port)}`);
  }
  return false;
}
