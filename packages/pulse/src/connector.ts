import { ConfigurationError, type Connection, connect } from '@warren/core';
import { PULSE_HOST, PULSE_PLAIN_PORT, PULSE_TLS_PORT, type PulseBrokerOptions } from './options.js';

/** The AMQP transport package (a variable, so that type-checking does not need it built first). */
const AMQP_PACKAGE: string = '@warren/amqp';

/** The user name that names queues and exchanges when none is known (a `memory://` unit test, say). */
export const ANONYMOUS_USER = 'anonymous';

/**
 * Opens (once, lazily) the connection a Pulse consumer or publisher uses, and knows the Pulse user name that
 * names its queues and exchanges. A connection it opened is closed by `close()`; one it was given is left open.
 */
export class PulseConnector {
  /** The Pulse user: names `queue/<user>/...` and `exchange/<user>/...`. */
  readonly user: string;
  readonly #options: PulseBrokerOptions;
  #connection: Promise<Connection> | undefined;

  constructor(options: PulseBrokerOptions, what: string) {
    this.#options = options;
    this.user = resolveUser(options, what);
  }

  /** The connection, opened on first use. */
  connection(): Promise<Connection> {
    this.#connection ??= this.#open().catch((error: unknown) => {
      this.#connection = undefined;
      throw error;
    });
    return this.#connection;
  }

  /** Whether the connection is the caller's (given as `connection`) rather than opened here. */
  get borrowed(): boolean {
    return this.#options.connection !== undefined;
  }

  /** Closes the connection if it was opened here. */
  async close(): Promise<void> {
    const pending = this.#connection;
    this.#connection = undefined;
    if (!pending || this.borrowed) return;
    const connection = await pending.catch(() => undefined);
    await connection?.close();
  }

  async #open(): Promise<Connection> {
    const o = this.#options;
    if (o.connection) return o.connection;
    const url = o.url ?? pulseUrl(o);
    // Pulse speaks AMQP 0-9-1: load the transport from this package's dependencies, where core may not see it.
    if (/^amqps?:/i.test(url)) await import(AMQP_PACKAGE);
    return connect(url, o.connectOptions ?? {});
  }
}

/** The amqp(s):// URL of a Pulse broker from user, password, host, port, ssl and vhost (each percent-encoded). */
export function pulseUrl(options: PulseBrokerOptions): string {
  const ssl = options.ssl ?? true;
  const host = options.host ?? PULSE_HOST;
  const port = options.port ?? (ssl ? PULSE_TLS_PORT : PULSE_PLAIN_PORT);
  const credentials = `${encodeURIComponent(options.user ?? '')}:${encodeURIComponent(options.password ?? '')}@`;
  const vhost = encodeURIComponent(options.vhost ?? '/');
  return `${ssl ? 'amqps' : 'amqp'}://${credentials}${host.includes(':') ? `[${host}]` : host}:${port}/${vhost}`;
}

/** Checks the broker options for a contradiction or a missing credential; returns the Pulse user name. */
function resolveUser(o: PulseBrokerOptions, what: string): string {
  const brokerFields = (['host', 'port', 'ssl', 'vhost'] as const).filter((key) => o[key] !== undefined);
  const sources = [o.url !== undefined && 'url', o.connection !== undefined && 'connection'].filter(Boolean);
  if (sources.length > 1) {
    throw new ConfigurationError(`${what}: give either url or connection, not both.`);
  }
  if (sources.length === 1 && brokerFields.length > 0) {
    throw new ConfigurationError(
      `${what}: ${brokerFields.join(', ')} cannot be combined with ${sources[0]}; put them in the URL, or leave ${sources[0]} out to build the Pulse URL from them.`,
    );
  }
  if (o.connection && o.connectOptions) {
    throw new ConfigurationError(
      `${what}: connectOptions only apply to a connection opened here, not to a given connection.`,
    );
  }
  if (o.url !== undefined) {
    const fromUrl = userOfUrl(o.url);
    if (o.password !== undefined) {
      throw new ConfigurationError(`${what}: put the password in the URL (amqp://user:password@host/), not beside it.`);
    }
    if (o.user !== undefined && fromUrl !== undefined && fromUrl !== o.user) {
      throw new ConfigurationError(
        `${what}: user "${o.user}" differs from the URL's user "${fromUrl}"; Pulse names queues after the user who logs in.`,
      );
    }
    return o.user ?? fromUrl ?? ANONYMOUS_USER;
  }
  if (o.connection !== undefined) {
    if (o.password !== undefined) {
      throw new ConfigurationError(`${what}: a given connection is already logged in; leave password out.`);
    }
    return o.user ?? userOfUrl(o.connection.url) ?? ANONYMOUS_USER;
  }
  const missing = [!o.user && 'user', o.password === undefined && 'password'].filter(Boolean);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `${what}: Pulse needs a user and a password (missing: ${missing.join(', ')}). Create a Pulse user at https://pulseguardian.mozilla.org and pass { user, password }; or pass url or connection to use another broker (memory:// for unit tests).`,
    );
  }
  return o.user as string;
}

function userOfUrl(url: string): string | undefined {
  try {
    const user = decodeURIComponent(new URL(url).username);
    return user === '' ? undefined : user;
  } catch {
    return undefined; // connect() reports a malformed URL with a clean message
  }
}
