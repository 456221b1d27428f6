/**
 * Helpers for the integration tests: the broker guard, a key prefix of our own per run (the Redis is shared:
 * nothing outside it is ever touched), sessions opened through the factory, and cutting our own connections.
 */
import { randomBytes } from 'node:crypto';
import { requireBroker } from '@warren/conformance';
import type { SessionHooks, TransportSession } from '@warren/core/transport';
import { Redis } from 'ioredis';
import { type RedisOptions, redisOptionsSchema } from '../options.js';
import { redisTransport } from '../transport.js';

/** The Redis the integration tests use. */
export const REDIS_URL = process.env.WARREN_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when Redis is reachable; outside CI a missing broker skips (one line), under CI=true it throws. */
export function brokerAvailable(): Promise<boolean> {
  return requireBroker('Redis', REDIS_URL, '@warren/redis integration tests');
}

const RUN = randomBytes(3).toString('hex');
let sequence = 0;

/** A key prefix no other test or run uses. */
export function uniquePrefix(label: string): string {
  sequence += 1;
  return `warren-test:${label}:${RUN}:${sequence}:`;
}

/** A queue or exchange name no other test uses. */
export function unique(label: string): string {
  sequence += 1;
  return `${label}.${RUN}.${sequence}`;
}

/** The URL with a query string added (prefix and other transport options). */
export function urlWith(parameters: Record<string, string | number>, base = REDIS_URL): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(parameters)) url.searchParams.set(key, String(value));
  return url.toString();
}

/** A plain ioredis client for checks and for cutting connections. */
export async function adminClient(url = REDIS_URL): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Deletes every key under `prefix` (ours only: the shared Redis is never flushed). */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const client = await adminClient(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** Kills the server side of our own connections, found by their local ports (`CLIENT KILL ADDR`). */
export async function killConnections(localPorts: readonly number[], url = REDIS_URL): Promise<number> {
  const client = await adminClient(url);
  let killed = 0;
  try {
    const list = (await client.client('LIST')) as string;
    for (const line of list.split('\n')) {
      const addr = /addr=(\S+):(\d+)/.exec(line);
      const id = /\bid=(\d+)/.exec(line);
      if (addr && id && localPorts.includes(Number(addr[2]))) {
        killed += Number(await client.client('KILL', 'ID', id[1] as string));
      }
    }
  } finally {
    client.disconnect();
  }
  return killed;
}

/** What the session told its hooks. */
export class HookRecorder implements SessionHooks {
  readonly losses: Error[] = [];
  readonly cancellations: Array<{ consumerTag: string; error: Error }> = [];
  readonly warnings: Error[] = [];
  lost(error: Error): void {
    this.losses.push(error);
  }
  consumerCancelled(consumerTag: string, error: Error): void {
    this.cancellations.push({ consumerTag, error });
  }
  warning(error: Error): void {
    this.warnings.push(error);
  }
}

/** Opens a session through the factory, as core does. */
export async function openSession(
  options: Partial<Record<keyof RedisOptions, unknown>>,
  url = REDIS_URL,
): Promise<{ session: TransportSession; hooks: HookRecorder }> {
  const hooks = new HookRecorder();
  const session = await redisTransport.connect({
    url: new URL(url),
    options: redisOptionsSchema.parse(options),
    heartbeat: 0,
    connectTimeoutMs: 5_000,
    publishTimeoutMs: 10_000,
    hooks,
  });
  return { session, hooks };
}

/** A plain message for `session.publish`. */
export function outbound(exchange: string, routingKey: string, body: string | Buffer, mandatory = false) {
  return {
    exchange,
    routingKey,
    content: Buffer.isBuffer(body) ? body : Buffer.from(body),
    properties: { headers: {}, contentType: 'text/plain' },
    mandatory,
  };
}
