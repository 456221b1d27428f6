/**
 * Wire interop with kombu (Python, Debian's python3-kombu, run with /usr/bin/python3) over RabbitMQ: kombu
 * publishes and warren consumes, warren publishes (plain and gzip-compressed) and kombu consumes; the bodies must
 * come out equal. kombu's "gzip" is a zlib stream under `compression: application/x-gzip`, as core writes it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import '@warren/amqp';
import { type Connection, Consumer, connect, type Message, Publisher } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBroker } from '../../packages/conformance/src/broker-availability.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** kombu present? Outside CI its absence skips (one line); under CI=true it fails, like a missing broker. */
async function kombuAvailable(): Promise<boolean> {
  try {
    await run(PYTHON, ['-c', 'import kombu']);
    return true;
  } catch {
    const message = `kombu not importable by ${PYTHON}: install it with apt-get install -y python3-kombu (or node scripts/brokers.mjs --prepare)`;
    if (process.env.CI === 'true') throw new Error(`${message}; CI=true, so the kombu interop tests must not skip`);
    console.warn(`${message}; skipping the kombu interop tests`);
    return false;
  }
}

const available = (await requireBroker('RabbitMQ', AMQP_URL, 'kombu interop tests')) && (await kombuAvailable());

/** Bodies that exercise JSON as both sides write it: unicode, nesting, numbers, null, booleans, empties. */
const BODIES: unknown[] = [
  { hello: 'world' },
  { import_feed: 'http://example.org/rss', n: 42, ratio: 0.25, ok: true, none: null },
  { unicode: 'héllo wörld ✓ 雪', emoji: '🐇', escaped: 'quote " backslash \\ newline \n' },
  { nested: { list: [1, 'two', { three: [3.5, false] }], empty: {}, emptyList: [] } },
  ['a', 'list', 'body', 1, 2, 3],
  'just a string',
  12345,
  { big: 'x'.repeat(20_000) },
];

const RUN = randomBytes(3).toString('hex');
let sequence = 0;
const uniqueQueue = (label: string) => `warren.kombu-interop.${label}.${RUN}.${++sequence}`;

describe.skipIf(!available)('kombu interop over RabbitMQ', () => {
  let conn: Connection;
  const queues: string[] = [];

  beforeAll(async () => {
    conn = await connect(AMQP_URL);
  });

  afterAll(async () => {
    for (const queue of queues) await conn.deleteQueue(queue).catch(() => undefined);
    await conn?.close();
  });

  async function declare(label: string): Promise<string> {
    const queue = uniqueQueue(label);
    queues.push(queue);
    await conn.declareQueue({ name: queue, durable: false });
    return queue;
  }

  /** Consumes `count` messages with warren, acking each. */
  async function warrenReceive(queue: string, count: number): Promise<Message[]> {
    const consumer = new Consumer(conn, { queue, declare: false, accept: ['json'] });
    const messages: Message[] = [];
    try {
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`warren received ${messages.length} of ${count} messages in 15 s`)),
          15_000,
        );
        consumer.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        consumer.register(async (_body, message) => {
          messages.push(message);
          await message.ack();
          if (messages.length === count) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await consumer.consume();
      await done;
    } finally {
      await consumer.close();
    }
    return messages;
  }

  interface KombuReceived {
    payload: unknown;
    content_type: string;
    content_encoding: string;
    headers: Record<string, unknown>;
  }

  async function kombuReceive(queue: string, count: number): Promise<KombuReceived[]> {
    const { stdout } = await run(PYTHON, [script('kombu_consume.py'), AMQP_URL, queue, String(count), '15'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as KombuReceived);
  }

  it('warren consumes what kombu publishes (json): bodies equal', async () => {
    const queue = await declare('from-kombu');
    await run(PYTHON, [script('kombu_publish.py'), AMQP_URL, queue, JSON.stringify(BODIES)]);
    const messages = await warrenReceive(queue, BODIES.length);
    expect(messages.map((message) => message.body)).toEqual(BODIES);
    expect(messages[0]?.contentType).toBe('application/json');
    expect(messages[0]?.contentEncoding).toBe('utf-8');
  });

  it('warren consumes what kombu publishes gzip-compressed: bodies equal', async () => {
    const queue = await declare('from-kombu-gzip');
    await run(PYTHON, [script('kombu_publish.py'), AMQP_URL, queue, JSON.stringify(BODIES), 'gzip']);
    const messages = await warrenReceive(queue, BODIES.length);
    expect(messages.map((message) => message.body)).toEqual(BODIES);
    expect(messages[0]?.headers.compression).toBe('application/x-gzip');
  });

  it('kombu consumes what warren publishes (json): bodies equal', async () => {
    const queue = await declare('to-kombu');
    const publisher = new Publisher(conn, { exchange: '', routingKey: queue });
    for (const body of BODIES) await publisher.send(body);
    await publisher.close();
    const received = await kombuReceive(queue, BODIES.length);
    expect(received.map((entry) => entry.payload)).toEqual(BODIES);
    expect(received[0]?.content_type).toBe('application/json');
    expect(received[0]?.content_encoding).toBe('utf-8');
  });

  it('kombu consumes what warren publishes gzip-compressed: bodies equal', async () => {
    const queue = await declare('to-kombu-gzip');
    const publisher = new Publisher(conn, { exchange: '', routingKey: queue, compression: 'gzip' });
    for (const body of BODIES) await publisher.send(body);
    await publisher.close();
    const received = await kombuReceive(queue, BODIES.length);
    expect(received.map((entry) => entry.payload)).toEqual(BODIES);
    expect(received[0]?.headers.compression).toBe('application/x-gzip');
  });
});
