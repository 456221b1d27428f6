import { ConfigurationError } from '@warren/core';
import { type RedisOptions as IORedisOptions, Redis } from 'ioredis';
import { mapRedisError } from './errors.js';
import type { RedisOptions } from './options.js';

/** Where to connect and how, from the URL and the transport's options; pure, no I/O. */
export function ioredisOptions(url: URL, options: RedisOptions, connectTimeoutMs: number): IORedisOptions {
  const tls = url.protocol === 'rediss:';
  const dbText = url.pathname.replace(/^\/+/, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw new ConfigurationError(
      `The Redis URL's path must be a database number (redis://host:6379/2), got "/${dbText}".`,
    );
  }
  const out: IORedisOptions = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    db,
    connectTimeout: connectTimeoutMs,
    // One mechanism owns reconnecting: core's. ioredis must neither reconnect, nor queue commands while
    // offline, nor resend commands after a reconnect (a resent XADD would be a duplicate).
    lazyConnect: true,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    reconnectOnError: null,
    enableReadyCheck: true,
  };
  if (url.username) out.username = decodeURIComponent(url.username);
  if (url.password) out.password = decodeURIComponent(url.password);
  if (tls) {
    out.tls = {
      rejectUnauthorized: options.rejectUnauthorized,
      ...(options.ca !== undefined && { ca: options.ca }),
      ...(options.cert !== undefined && { cert: options.cert }),
      ...(options.key !== undefined && { key: options.key }),
      ...(options.servername !== undefined && { servername: options.servername }),
    };
  }
  if (options.sentinels) {
    if (!options.sentinelName) {
      throw new ConfigurationError('Redis Sentinel needs sentinelName (the name of the master set) with sentinels.');
    }
    out.sentinels = options.sentinels;
    out.name = options.sentinelName;
    out.sentinelRetryStrategy = () => null;
    if (options.sentinelPassword !== undefined) out.sentinelPassword = options.sentinelPassword;
    if (options.sentinelUsername !== undefined) out.sentinelUsername = options.sentinelUsername;
    if (tls) out.enableTLSForSentinelMode = true;
  } else if (options.sentinelName) {
    throw new ConfigurationError('sentinelName was given without sentinels: list the sentinels to ask.');
  }
  return out;
}

/**
 * Opens one connection and waits until it is ready. Errors are typed (refused, wrong credentials) and carry no
 * password. The client never reconnects by itself: after `close`, it is done.
 */
export async function openRedis(base: IORedisOptions, connectionName: string): Promise<Redis> {
  const client = new Redis({ ...base, connectionName } as IORedisOptions & { replyMapping: 'legacy' });
  // ioredis emits 'error' for connection failures; the session watches 'close' instead. Never unhandled.
  // While connecting, the event holds the real reason (WRONGPASS, ECONNREFUSED): connect() itself only
  // says "Connection is closed".
  let reason: unknown;
  const remember = (error: unknown): void => {
    reason ??= error;
  };
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw mapRedisError(reason ?? error, `the connection to ${base.host}:${base.port}`);
  } finally {
    client.off('error', remember);
  }
  client.on('error', () => {});
  return client;
}
