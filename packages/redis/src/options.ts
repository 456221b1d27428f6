import { z } from 'zod';

/**
 * URL query parameters arrive as strings, and `z.coerce.boolean()` turns "false" into `true`: read the usual
 * spellings explicitly.
 */
const booleanish = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  return value;
}, z.boolean());

const ms = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const sentinelAddress = z.strictObject({
  /** Host name or address of one sentinel. */
  host: z.string().min(1),
  /** Its port (Redis Sentinel's default is 26379). */
  port: z.coerce.number().int().min(1).max(65_535),
});

/**
 * Options of the `redis://` and `rediss://` transport, from the options object of `connect` or the URL's query
 * (`redis://:pass@host:6379/2?prefix=app:&livenessTtlMs=3000`). The URL carries user, password, host, port and
 * database number (`/2`); `rediss://` turns TLS on.
 */
export const redisOptionsSchema = z.strictObject({
  /** Prefix of every key warren writes, so that several applications (or tests) share one Redis. */
  prefix: z.string().min(1).default('warren:'),
  /**
   * How long a consumer's liveness key lives without being refreshed, in ms. A consumer whose process died or
   * whose connection is gone is taken for dead once its key expired; its unacknowledged messages then go to a
   * live consumer. It is refreshed every third of this time while the connection lives.
   */
  livenessTtlMs: ms(300, 3_600_000).default(5_000),
  /** How often a consumer looks for dead consumers' messages (and expired messages) to take over, in ms. */
  claimIntervalMs: ms(50, 600_000).default(1_000),
  /** Most messages read from Redis in one round trip by a consumer without a prefetch limit. */
  readBatch: ms(1, 10_000).default(500),
  /** TLS (rediss://): trusted CA certificates, PEM. */
  ca: z.union([z.string(), z.array(z.string())]).optional(),
  /** TLS: client certificate chain, PEM. */
  cert: z.string().optional(),
  /** TLS: client private key, PEM. */
  key: z.string().optional(),
  /** TLS: refuse a server certificate that the CAs do not vouch for (default true: leave it on in production). */
  rejectUnauthorized: booleanish.default(true),
  /** TLS: the server name for SNI and certificate checks, when it differs from the URL's host. */
  servername: z.string().min(1).optional(),
  /** Sentinel: the sentinels to ask for the master (the URL's host is then ignored). */
  sentinels: z.array(sentinelAddress).min(1).optional(),
  /** Sentinel: the name of the master set (required with `sentinels`). */
  sentinelName: z.string().min(1).optional(),
  /** Sentinel: password of the sentinels themselves, when they have one. */
  sentinelPassword: z.string().optional(),
  /** Sentinel: ACL user of the sentinels. */
  sentinelUsername: z.string().optional(),
  /** Shown in `CLIENT LIST` (each connection gets a suffix: `:cmd`, `:read`). Default `warren`. */
  connectionName: z.string().min(1).default('warren'),
});

/** Parsed options of the Redis transport. */
export type RedisOptions = z.infer<typeof redisOptionsSchema>;
