/**
 * Options of RemoteChannel and DurableChannel (strict: an unknown key is a ConfigurationError naming it), and how
 * they become ioredis options.
 */
import { ConfigurationError } from '@warren/core';
import { parseOptions, parseUrl, reconnectSchema, schemeOf } from '@warren/core/transport';
import type { RedisOptions } from 'ioredis';
import { z } from 'zod';

const port = z.number().int().min(1).max(65_535);

/** Where Redis is and how to log in; the ioredis options of the same names, checked. */
const redisServerSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(6379),
    /** A Unix socket path, instead of host and port. */
    path: z.string().min(1).optional(),
    /** ACL user name (Redis 6+). */
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    db: z.number().int().min(0).default(0),
    /** TLS (as `rediss://`): `true`, or Node's `tls.connect` options (ca, cert, key, servername, ...). */
    tls: z.union([z.literal(true), z.record(z.string(), z.unknown())]).optional(),
    family: z.union([z.literal(0), z.literal(4), z.literal(6)]).optional(),
    /** Sentinel: the addresses of the sentinels and the name of the master group. */
    sentinels: z
      .array(z.object({ host: z.string().min(1), port }).strict())
      .min(1)
      .optional(),
    name: z.string().min(1).optional(),
    sentinelUsername: z.string().min(1).optional(),
    sentinelPassword: z.string().optional(),
  })
  .strict();

/** The options both channels take. */
export const channelOptionsSchema = z
  .object({
    /** A `redis://` / `rediss://` URL, or the server options (default 127.0.0.1:6379). */
    redis: z.union([z.string(), redisServerSchema]).default({ host: '127.0.0.1', port: 6379, db: 0 }),
    /**
     * Every key and pub/sub channel name starts with `{prefix}:`, so that channels of different applications (or
     * tests) sharing one Redis never meet. The braces make it a Redis Cluster hash tag: one slot per prefix.
     */
    prefix: z
      .string()
      .min(1)
      .regex(/^[^{}\s]+$/, 'a prefix holds no braces or white space')
      .default('warren'),
    /** The serializer (core's registry) that sent values go through. Default `json`. */
    serializer: z.string().min(1).default('json'),
    /** Content types (or serializer names) a receiver decodes; anything else is reported. Default: the serializer. */
    accept: z.array(z.string().min(1)).min(1).optional(),
    /** How long connecting may take, in ms. */
    connectTimeoutMs: z.number().positive().default(10_000),
    /** Reconnection after a lost connection (backoff between minDelayMs and maxDelayMs); `false` turns it off. */
    reconnect: z
      .union([reconnectSchema, z.literal(false)])
      .default({ retries: Number.POSITIVE_INFINITY, minDelayMs: 100, maxDelayMs: 5_000 }),
  })
  .strict();

/** How a channel re-makes a connection that worked and was lost: exponential backoff, bounded. */
export interface ChannelReconnectOptions {
  /** Attempts per outage before giving up (the channel's `error` event then says so). Default Infinity. */
  retries?: number | undefined;
  /** Wait before the first attempt, in ms. Default 100. */
  minDelayMs?: number | undefined;
  /** Longest wait between attempts, in ms. Default 5000. */
  maxDelayMs?: number | undefined;
}

/** One Redis Sentinel. */
export interface SentinelAddress {
  /** The sentinel's host. */
  host: string;
  /** The sentinel's port (usually 26379). */
  port: number;
}

/** Where Redis is and how to log in (ioredis's connection options of the same names). */
export interface RedisServerOptions {
  /** Default `127.0.0.1`. */
  host?: string | undefined;
  /** Default 6379. */
  port?: number | undefined;
  /** A Unix socket path, instead of host and port. */
  path?: string | undefined;
  /** ACL user name (Redis 6+). */
  username?: string | undefined;
  /** The password (of the ACL user, or Redis's `requirepass`). Never shown in errors. */
  password?: string | undefined;
  /** Database number, default 0. */
  db?: number | undefined;
  /** TLS: `true`, or Node's `tls.connect` options (ca, cert, key, servername, ...). */
  tls?: true | Record<string, unknown> | undefined;
  /** IP family: 4, 6, or 0 for either. */
  family?: 0 | 4 | 6 | undefined;
  /** Sentinel: the sentinels to ask for the master (with `name`). */
  sentinels?: SentinelAddress[] | undefined;
  /** Sentinel: the name of the master group. */
  name?: string | undefined;
  /** Sentinel: ACL user of the sentinels. */
  sentinelUsername?: string | undefined;
  /** Sentinel: password of the sentinels. */
  sentinelPassword?: string | undefined;
}

/** What a RemoteChannel takes: `{ redis: { host, port } }` in muppet's shape, or a URL as `redis`. */
export interface RemoteChannelOptions {
  /** A `redis://` / `rediss://` URL, or the server options. Default 127.0.0.1:6379. */
  redis?: string | RedisServerOptions | undefined;
  /** Every key and pub/sub channel starts with `{prefix}:`: channels of different prefixes never meet. Default `warren`. */
  prefix?: string | undefined;
  /** The serializer (core's registry) that sent values go through. Default `json`. */
  serializer?: string | undefined;
  /** Content types (or serializer names) a receiver decodes; anything else is reported. Default: the serializer. */
  accept?: string[] | undefined;
  /** How long connecting may take, in ms. Default 10 s. */
  connectTimeoutMs?: number | undefined;
  /** Reconnection of a connection that worked (backoff between minDelayMs and maxDelayMs); `false` turns it off. */
  reconnect?: ChannelReconnectOptions | false | undefined;
}

export type ParsedChannelOptions = z.output<typeof channelOptionsSchema>;

/** The options of a DurableChannel: those of every channel, and how often it looks for timeouts. */
export const durableChannelOptionsSchema = channelOptionsSchema
  .extend({
    /** How often (ms) the channel looks for timed-out messages and for receivers that died (muppet's name). */
    timeoutMonitorFrequency: z.number().int().min(10).max(60_000).default(1_000),
    /**
     * How long (ms) a channel that stopped refreshing its liveness key counts as alive; after that, messages it
     * had received and not answered go back to its queue for another receiver of the same name.
     */
    livenessMs: z.number().int().min(500).max(3_600_000).default(10_000),
    /**
     * How long (ms) a claimed timeout may run its callback before another sender of the same name may take it over
     * (when the claiming process died before it was done).
     */
    timeoutClaimMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
  })
  .strict();

/** What a DurableChannel takes: the options of every channel, and how it watches timeouts and receivers. */
export interface DurableChannelOptions extends RemoteChannelOptions {
  /** How often (ms) the channel looks for timed-out messages and for receivers that died (muppet's name). Default 1000. */
  timeoutMonitorFrequency?: number | undefined;
  /** How long (ms) a channel object that stopped refreshing its liveness counts as alive. Default 10 s. */
  livenessMs?: number | undefined;
  /** How long (ms) a claimed timeout callback may run before another process of the name may take it over. Default 60 s. */
  timeoutClaimMs?: number | undefined;
}
export type ParsedDurableChannelOptions = z.output<typeof durableChannelOptionsSchema>;

/** Parses channel options, turning every problem into a ConfigurationError. */
export function parseChannelOptions(
  input: unknown,
  what: 'RemoteChannel' | 'DurableChannel',
): ParsedDurableChannelOptions {
  const schema = what === 'RemoteChannel' ? channelOptionsSchema : durableChannelOptionsSchema;
  return parseOptions(schema, input ?? {}, `${what} options`) as ParsedDurableChannelOptions;
}

/** Where a channel connects, with no password: for error messages. */
export interface RedisTarget {
  options: RedisOptions;
  label: string;
}

/** ioredis options for a channel's connections: no connection until first used, reconnects bounded as asked. */
export function redisTarget(parsed: ParsedChannelOptions): RedisTarget {
  const server = typeof parsed.redis === 'string' ? serverFromUrl(parsed.redis) : parsed.redis;
  const { reconnect } = parsed;
  const options = {
    ...withoutUndefined(server),
    lazyConnect: true,
    connectTimeout: parsed.connectTimeoutMs,
    // A command waits in the offline queue through at most this many reconnect attempts, then fails.
    maxRetriesPerRequest: 20,
    retryStrategy: (times: number) =>
      reconnect === false || times > reconnect.retries
        ? null
        : Math.min(reconnect.maxDelayMs, reconnect.minDelayMs * 2 ** Math.min(times - 1, 30)),
  } as RedisOptions;
  if (server.tls === true) options.tls = {};
  const label = server.sentinels
    ? `sentinel master "${server.name ?? 'mymaster'}"`
    : (server.path ?? `${server.host}:${server.port}`);
  return { options, label };
}

/** ioredis's option types do not take `undefined` for an absent option (exactOptionalPropertyTypes). */
function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type Server = z.output<typeof redisServerSchema>;

/** `redis://[user[:password]@]host[:port][/db]`, or `rediss://` for TLS; no query parameters. */
function serverFromUrl(raw: string): Server {
  const url = parseUrl(raw);
  const scheme = schemeOf(url);
  if (scheme !== 'redis' && scheme !== 'rediss') {
    throw new ConfigurationError(`A channel's redis URL must be redis:// or rediss://, not ${scheme}://.`);
  }
  const unknown = [...url.searchParams.keys()];
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `Unknown redis URL parameter(s) for a channel: ${unknown.join(', ')}. Give other options in the options object.`,
    );
  }
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw new ConfigurationError(
      `The database in a redis URL is a number, such as redis://host:6379/0 (got "${dbText}").`,
    );
  }
  const server: Server = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    db,
  };
  if (url.username) server.username = decodeURIComponent(url.username);
  if (url.password) server.password = decodeURIComponent(url.password);
  if (scheme === 'rediss') server.tls = true;
  return server;
}
