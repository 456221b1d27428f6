import { z } from 'zod';
import { ConfigurationError } from './errors.js';
import { didYouMean } from './nearest-name.js';
import type { OptionsSchema, SchemaIssue } from './transport.js';

/** A whole number, 0 or more, or Infinity (zod's number refuses Infinity, which `retries` needs). */
const retryCount = z.custom<number>(
  (value) => value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && (value as number) >= 0),
  { message: 'expected a whole number of retries, 0 or more, or Infinity' },
);

/** Reconnection policy: exponential backoff from minDelayMs to maxDelayMs, `retries` attempts per outage. */
export const reconnectSchema = z
  .object({
    /** Reconnection attempts per outage before giving up (default: Infinity). */
    retries: retryCount.default(Number.POSITIVE_INFINITY),
    /** Delay before the first attempt, doubled after each failure (default 100 ms). */
    minDelayMs: z.number().min(0).default(100),
    /** Longest delay between two attempts (default 30 s). */
    maxDelayMs: z.number().min(0).default(30_000),
  })
  .strict();

/** The common options that a URL's query may set (`amqp://host?heartbeat=30`). */
export const COMMON_QUERY_OPTIONS: ReadonlySet<string> = new Set([
  'heartbeat',
  'connectTimeoutMs',
  'publishTimeoutMs',
  'failover',
]);

/** The options every connection takes; the transport's own options are checked against its schema. */
export const connectOptionsSchema = z
  .object({
    url: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    transport: z.string().optional(),
    heartbeat: z.coerce.number().min(0).default(60),
    connectTimeoutMs: z.coerce.number().positive().default(10_000),
    publishTimeoutMs: z.coerce.number().positive().default(30_000),
    failover: z.enum(['in-order', 'shuffle']).default('in-order'),
    reconnect: z
      .union([z.literal(false), reconnectSchema])
      .default({ retries: Number.POSITIVE_INFINITY, minDelayMs: 100, maxDelayMs: 30_000 }),
  })
  .loose();

/** The options every connection takes, whatever the transport (the keys of {@link connectOptionsSchema}). */
export const COMMON_OPTIONS: ReadonlySet<string> = new Set(Object.keys(connectOptionsSchema.shape));

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

/** A zod issue as core reads it: the common fields, plus those of the codes it explains better. */
interface Issue extends SchemaIssue {
  readonly code?: string;
  readonly keys?: readonly string[];
  readonly errors?: readonly (readonly Issue[])[];
}

/**
 * Runs a schema and turns its failure into a ConfigurationError that names each bad option, says what it
 * accepts and what it got, and for an unknown option suggests the nearest known name.
 */
export function parseOptions<T>(schema: OptionsSchema<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = (result.error.issues as readonly Issue[]).flatMap((issue) =>
    describeIssue(issue, [], input, schema),
  );
  throw new ConfigurationError(`Invalid ${what}: ${problems.join('; ')}.`);
}

/** Throws a ConfigurationError for the first key of `options` that is not in `known`, with a suggestion. */
export function rejectUnknownKeys(
  options: object | undefined,
  known: ReadonlySet<string>,
  noun: string,
  where = '',
): void {
  if (options === undefined || options === null) return;
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new ConfigurationError(
        `Unknown ${noun} "${key}"${where}${didYouMean(key, known)}. Known: ${[...known].join(', ')}.`,
      );
    }
  }
}

/** The option names a schema accepts (the keys of a zod object, looking through optional, default and pipes). */
export function optionNames(schema: unknown): string[] | undefined {
  const shape = shapeOf(schema);
  return shape ? Object.keys(shape) : undefined;
}

interface SchemaDefinition {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  options?: readonly unknown[];
  in?: unknown;
  out?: unknown;
}

function definitionOf(schema: unknown): SchemaDefinition | undefined {
  const holder = schema as { _zod?: { def?: SchemaDefinition }; def?: SchemaDefinition } | undefined;
  return holder?._zod?.def ?? holder?.def;
}

function shapeOf(schema: unknown, depth = 0): Record<string, unknown> | undefined {
  const def = definitionOf(schema);
  if (!def || depth > 10) return undefined;
  if (def.type === 'object') return def.shape;
  if (def.innerType !== undefined) return shapeOf(def.innerType, depth + 1);
  if (def.type === 'union') {
    for (const option of def.options ?? []) {
      const shape = shapeOf(option, depth + 1);
      if (shape) return shape;
    }
    return undefined;
  }
  if (def.type === 'pipe') return shapeOf(def.in, depth + 1) ?? shapeOf(def.out, depth + 1);
  return undefined;
}

/** The option names accepted at `path` inside `schema`. */
function namesAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  for (const segment of path) current = shapeOf(current)?.[String(segment)];
  return Object.keys(shapeOf(current) ?? {});
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** A short, safe rendering of a value a user gave (strings quoted and cut; no secrets expected in options). */
function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  return `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`}`;
}

function describeIssue(issue: Issue, prefix: readonly PropertyKey[], input: unknown, schema: unknown): string[] {
  const path = [...prefix, ...issue.path];
  const name = path.length > 0 ? path.map(String).join('.') : '(options)';
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const known = namesAt(schema, path);
    return issue.keys.map((key) => {
      const full = [...path.map(String), key].join('.');
      const hint = known.length > 0 ? `${didYouMean(key, known)}; known: ${known.join(', ')}` : '';
      return `unknown option "${full}"${hint}`;
    });
  }
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    // The branch that got furthest into the value (deepest issue path) is the one the user meant.
    const depth = (branch: readonly Issue[]): number =>
      Math.max(...branch.map((i) => i.path.length + (i.code === 'unrecognized_keys' ? 1 : 0)));
    const branch = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
    if (depth(branch) > 0) return branch.flatMap((inner) => describeIssue(inner, path, input, schema));
    const accepted = issue.errors.flatMap((b) => b.map((i) => plain(i.message)));
    return [
      `${name}: expected ${accepted.map((a) => a.replace(/^expected /, '')).join(' or ')}, got ${preview(valueAt(input, path))}`,
    ];
  }
  return [`${name}: ${plain(issue.message)}, got ${preview(valueAt(input, path))}`];
}

/** zod's message without its "Invalid input: " lead and ", received x" tail (core shows the value itself). */
function plain(message: string): string {
  return message.replace(/^Invalid (input|option): /, '').replace(/, received \S+$/, '');
}
