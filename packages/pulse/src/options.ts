import { ConfigurationError, type Connection, type ConnectOptions } from '@warren/core';
import { z } from 'zod';

/** Pulse's production broker: https://pulse.mozilla.org, AMQP over TLS. */
export const PULSE_HOST = 'pulse.mozilla.org';
/** AMQP over TLS. */
export const PULSE_TLS_PORT = 5671;
/** Plain AMQP. */
export const PULSE_PLAIN_PORT = 5672;

const connectionSchema = z.custom<Connection>(
  (value) => typeof value === 'object' && value !== null && 'capabilities' in value && 'declareQueue' in value,
  { message: 'expected a warren Connection (from connect())' },
);

/** Where the broker is and who logs in; shared by consumers and publishers. */
const brokerShape = {
  user: z.string().min(1).optional(),
  password: z.string().optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  ssl: z.boolean().optional(),
  vhost: z.string().optional(),
  url: z.string().min(1).optional(),
  connection: connectionSchema.optional(),
  connectOptions: z.record(z.string(), z.unknown()).optional(),
};

const topicSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1), z.record(z.string(), z.string())]);

/** Options of a Pulse consumer (constructor and `configure`). */
export const consumerOptionsSchema = z
  .object({
    ...brokerShape,
    exchange: z.string().min(1).optional(),
    applabel: z.string().min(1).optional(),
    topic: topicSchema.optional(),
    callback: z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
      message: 'expected a function (body, message) => ...',
    }),
    durable: z.boolean().optional(),
    prefetch: z.number().int().min(0).max(65_535).optional(),
    maxLength: z.number().int().positive().optional(),
    bindings: z.array(z.object({ exchange: z.string().min(1), topic: topicSchema }).strict()).optional(),
  })
  .partial({ callback: true })
  .strict();

/** Options of a Pulse publisher. */
export const publisherOptionsSchema = z.object({ ...brokerShape, exchange: z.string().min(1).optional() }).strict();

/** Broker options: Pulse's production broker by default, or any URL or warren connection. */
export interface PulseBrokerOptions {
  /** Pulse user name (from PulseGuardian). Names queues and exchanges: `queue/<user>/...`, `exchange/<user>/...`. */
  user?: string;
  /** Pulse password. Never shown in errors or logs. */
  password?: string;
  /** Default `pulse.mozilla.org`. */
  host?: string;
  /** Default 5671 with TLS, 5672 without. */
  port?: number;
  /** TLS (amqps). Default true. */
  ssl?: boolean;
  /** Default `/`. */
  vhost?: string;
  /** Any warren URL instead of host/port/ssl/vhost (`amqp://...`, `memory://` for unit tests). */
  url?: string;
  /** An open warren connection on any transport; `disconnect()` leaves it open. */
  connection?: Connection;
  /** Options passed to `connect` (heartbeat, reconnect, TLS material...), when the connection is opened here. */
  connectOptions?: ConnectOptions;
}

/**
 * A topic to bind: one routing-key pattern, several (one binding each), or routing-key fields by name for an
 * exchange whose preset names them (`{ taskId: 'abc' }`: the other fields match anything).
 */
export type PulseTopic = string | readonly string[] | Readonly<Record<string, string>>;

/** Validates options against a strict schema; an unknown key names the nearest known one. */
export function parseStrict<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const known = knownKeys(schema);
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => {
          const near = nearestName(key, known);
          return `unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ''}; known options: ${known.join(', ')}`;
        })
        .join('; ');
    }
    const path = issue.path.map(String).join('.') || '(options)';
    return `${path}: ${issue.message}`;
  });
  return failWith(`Invalid ${what}: ${problems.join('; ')}.`);
}

function failWith(message: string): never {
  throw new ConfigurationError(message);
}

function knownKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** The known name closest to `name` (edit distance at most a third of its length, at least 2), if any. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Damerau-Levenshtein distance (adjacent swaps count one: `prefecth` is one step from `prefetch`). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      let value = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = value;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
