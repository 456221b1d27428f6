/**
 * Opens an rhea connection for a warren URL and options. Credentials go to rhea as separate fields, never as a
 * URL string, so that no rhea message can echo the password. rhea's own reconnect is off: core's recovery is
 * the only one.
 */
import type { Socket } from 'node:net';
import { TimeoutError } from '@warren/core';
import { redactUrl } from '@warren/core/transport';
import rhea, { type Connection, type ConnectionOptions, type EventContext } from 'rhea';
import { type AddressStrategy, detectStrategy } from './addresses.js';
import { mapConnectError } from './errors.js';
import type { Amqp10Options } from './options.js';

/** What `openConnection` needs; a slice of core's ConnectRequest. */
export interface OpenRequest {
  url: URL;
  options: Amqp10Options;
  heartbeat: number;
  connectTimeoutMs: number;
}

export interface OpenedConnection {
  connection: Connection;
  strategy: AddressStrategy;
  /** host:port, for messages. */
  endpoint: string;
}

/** The virtual host a URL's path names, or undefined for the default one (`amqp10://host`, `/`, `/%2F`). */
export function vhostOf(url: URL): string | undefined {
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return path === '' || path === '/' ? undefined : path;
}

/** rhea's connection options for a URL. */
/** rhea's connection options as warren builds them (rhea's typings split TCP and TLS; one record is simpler). */
export type RheaConnectionSettings = Record<string, unknown> & { host: string; port: number };

export function connectionOptions(url: URL, options: Amqp10Options, heartbeat: number): RheaConnectionSettings {
  const secure = url.protocol === 'amqp10s:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const target: RheaConnectionSettings = {
    host,
    port: url.port ? Number(url.port) : secure ? 5671 : 5672,
    reconnect: false,
    // rhea sends empty frames at half the broker's idle timeout and drops a broker silent for ours.
    idle_time_out: heartbeat > 0 ? heartbeat * 1000 : 0,
    container_id: options.containerId ?? `warren-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
  };
  const hostname = options.hostname ?? (vhostOf(url) !== undefined ? `vhost:${vhostOf(url)}` : undefined);
  if (hostname !== undefined) target.hostname = hostname;
  const mechanism = options.saslMechanism ?? (url.username !== '' ? 'PLAIN' : 'ANONYMOUS');
  if (mechanism === 'PLAIN') {
    target.username = decodeURIComponent(url.username);
    target.password = decodeURIComponent(url.password);
  } else {
    // rhea offers ANONYMOUS when it has a user name and nothing else.
    target.username = url.username !== '' ? decodeURIComponent(url.username) : 'anonymous';
  }
  if (secure) {
    target.transport = 'tls';
    target.rejectUnauthorized = options.rejectUnauthorized;
    target.servername = options.servername ?? host;
    for (const key of ['ca', 'cert', 'key', 'passphrase'] as const) {
      if (options[key] !== undefined) target[key] = options[key];
    }
  }
  return target;
}

/**
 * Connects, or rejects with a typed warren error: AccessRefusedError for a refused login or virtual host (core
 * does not retry those), ConnectionError otherwise, TimeoutError after `connectTimeoutMs`.
 */
export function openConnection(request: OpenRequest): Promise<OpenedConnection> {
  const settings = connectionOptions(request.url, request.options, request.heartbeat);
  const endpoint = `${settings.host}:${settings.port}`;
  const where = redactUrl(request.url);
  const container = rhea.create_container();
  return new Promise((resolve, reject) => {
    const connection = container.connect(settings as unknown as ConnectionOptions);
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.removeAllListeners();
      // Errors of a connection we gave up on must not escape as unhandled 'error' events.
      connection.on('error', () => {});
      connection.on('disconnected', () => {});
      try {
        connection.close();
      } catch {}
      destroySocket(connection);
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new TimeoutError(
            `Connecting to the AMQP 1.0 broker at ${where} took longer than ${request.connectTimeoutMs} ms: check the host and port, or raise connectTimeoutMs.`,
          ),
        ),
      request.connectTimeoutMs,
    );
    const failWith = (context: EventContext | Error): void => {
      const error = context instanceof Error ? context : (context.error ?? context.connection?.get_error());
      fail(mapConnectError(error ?? new Error('the broker closed the connection while it opened'), endpoint));
    };
    connection.once('connection_open', (context: EventContext) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.removeListener('disconnected', failWith);
      connection.removeListener('connection_error', failWith);
      connection.removeListener('connection_close', failWith);
      connection.removeListener('error', failWith);
      const properties = (
        context.connection as unknown as { remote?: { open?: { properties?: Record<string, unknown> } } }
      ).remote?.open?.properties;
      resolve({ connection, strategy: detectStrategy(request.options.broker, properties, endpoint), endpoint });
    });
    connection.on('disconnected', failWith);
    connection.on('connection_error', failWith);
    connection.on('connection_close', failWith);
    connection.on('error', failWith);
  });
}

/** rhea keeps the socket as `connection.socket`; its typings do not say so. */
export function socketOf(connection: Connection): Socket | undefined {
  return (connection as unknown as { socket?: Socket }).socket;
}

/** rhea's heartbeat timers, which it clears only when the socket ends by itself (not on destroy). */
interface RheaTimers {
  heartbeat_in?: NodeJS.Timeout | undefined;
  heartbeat_out?: NodeJS.Timeout | undefined;
  abort_idle?: NodeJS.Timeout | undefined;
}

/**
 * Drops the socket at once (after a failed open, a lost connection, or a close) and clears rhea's heartbeat
 * timers, which would otherwise keep the process alive for up to twice the idle timeout.
 */
export function destroySocket(connection: Connection): void {
  socketOf(connection)?.destroy();
  const timers = connection as unknown as RheaTimers;
  for (const key of ['heartbeat_in', 'heartbeat_out', 'abort_idle'] as const) {
    if (timers[key] !== undefined) {
      clearTimeout(timers[key]);
      timers[key] = undefined;
    }
  }
}
