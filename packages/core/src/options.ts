import { z } from 'zod';
import { ConfigurationError } from './errors.js';
import type { OptionsSchema } from './transport.js';

/** Reconnection policy: exponential backoff from minDelayMs to maxDelayMs, `retries` attempts per outage. */
export const reconnectSchema = z
  .object({
    /** Reconnection attempts per outage before giving up (default: Infinity). */
    retries: z.number().min(0).default(Number.POSITIVE_INFINITY),
    /** Delay before the first attempt, doubled after each failure (default 100 ms). */
    minDelayMs: z.number().min(0).default(100),
    /** Longest delay between two attempts (default 30 s). */
    maxDelayMs: z.number().min(0).default(30_000),
  })
  .strict();

/** The options every connection takes, whatever the transport. */
export const connectOptionsSchema = z
  .object({
    url: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    transport: z.string().optional(),
    heartbeat: z.coerce.number().min(0).default(60),
    connectTimeoutMs: z.coerce.number().positive().default(10_000),
    publishTimeoutMs: z.coerce.number().positive().default(30_000),
    failover: z.enum(['in-order', 'shuffle']).default('in-order'),
    reconnect: z
      .union([reconnectSchema, z.literal(false)])
      .default({ retries: Number.POSITIVE_INFINITY, minDelayMs: 100, maxDelayMs: 30_000 }),
  })
  .loose();

/** How a connection reconnects after it lost its session: exponential backoff, bounded. */
export interface ReconnectOptions {
  /** Reconnection attempts per outage before giving up with an `error` event (default: Infinity). */
  retries: number;
  /** Delay before the first attempt, doubled after each failure (default 100 ms). */
  minDelayMs: number;
  /** Longest delay between two attempts (default 30 s). */
  maxDelayMs: number;
}

/** What `connect` takes besides a URL string: the common options and any option of the chosen transport. */
export interface ConnectOptions {
  /** One URL, or a failover list tried in order. */
  url?: string | string[];
  /** A transport name, for a URL whose scheme does not say it (defaults to the scheme). */
  transport?: string;
  /** Heartbeat in seconds (0: off). Default 60. */
  heartbeat?: number;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** How long a send may wait for a confirm, back-pressure or a reconnect. Default 30 s. */
  publishTimeoutMs?: number;
  /**
   * How a failover list is used: `'in-order'` (the default) tries the URLs as given; `'shuffle'` shuffles them once
   * when connecting, so that the clients of a cluster spread over its nodes instead of all loading the first.
   */
  failover?: 'in-order' | 'shuffle';
  /** Reconnection after a lost connection; `false` turns it off. */
  reconnect?: Partial<ReconnectOptions> | false;
  /** Options of the transport (see its package's README); URL query parameters set the same ones. */
  [transportOption: string]: unknown;
}

/** Runs a schema and turns its failure into a ConfigurationError that names each bad option. */
export function parseOptions<T>(schema: OptionsSchema<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(options)'}: ${issue.message}`)
    .join('; ');
  throw new ConfigurationError(`Invalid ${what}: ${problems}.`);
}
