/**
 * Faults over AMQP 1.0 on RabbitMQ, with every message counted: our own connection cut mid-stream (a kernel reset
 * of our socket: RabbitMQ 3.10 cannot close an AMQP 1.0 connection by itself), and a consumer process SIGKILLed.
 * Nothing accepted is lost, and what comes back is marked redelivered.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { waitFor } from '@warren/conformance';
import { type Connection, Consumer, type Message, Publisher } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRabbitmq, cutConnection, RABBITMQ_URL, rabbitmqAvailable, unique } from './test-support/broker.js';

const available = await rabbitmqAvailable();
// tsx's loader in this very process (not its CLI, which runs the script in a child that SIGKILL would orphan).
const tsxLoader = createRequire(import.meta.url).resolve('tsx/esm');
const child = fileURLToPath(new URL('./test-support/consumer-child.ts', import.meta.url));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.skipIf(!available)('amqp10 faults on RabbitMQ', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await connectRabbitmq();
  });
  afterAll(async () => {
    await conn?.close();
  });

  it('own connection cut mid-stream: every accepted send delivered, redeliveries marked', async () => {
    const total = 3000;
    const queue = unique('cut');
    await conn.declareQueue({ name: queue, durable: true });
    const consumerConn = await connectRabbitmq();
    const seen = new Map<string, number>();
    const redeliveredDuplicates: boolean[] = [];
    let redelivered = 0;
    const consumer = new Consumer(consumerConn, { queue, declare: false, prefetch: 50 });
    consumer.register(async (_body, message: Message) => {
      const id = message.properties.messageId as string;
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      if (message.deliveryInfo.redelivered) redelivered += 1;
      if (count > 1) redeliveredDuplicates.push(message.deliveryInfo.redelivered);
      // Slow enough that deliveries are in flight, unsettled, when the cut lands.
      await new Promise((resolve) => setImmediate(resolve));
      await message.ack();
    });
    await consumer.consume();

    const publisher = new Publisher(conn, { exchange: '', routingKey: queue, persistent: true });
    const sends = range(total).map((i) => publisher.send({ i }, { messageId: String(i) }));
    await waitFor(() => seen.size >= total / 3, 30_000, 'a third of the messages');
    await cutConnection(consumerConn);
    await cutConnection(conn);
    const outcomes = await Promise.allSettled(sends);
    const accepted = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [String(i)] : []));
    // Core sends again what a cut left without an outcome: every send resolves.
    expect(accepted).toHaveLength(total);
    await waitFor(() => accepted.every((id) => seen.has(id)), 60_000, 'every accepted message');
    expect(accepted.filter((id) => !seen.has(id))).toEqual([]);
    // A message received twice came back from the queue: its second delivery says so.
    expect(redeliveredDuplicates.every(Boolean)).toBe(true);
    expect(redelivered).toBeGreaterThan(0);
    await consumer.close();
    await publisher.close();
    await consumerConn.close();
    await conn.deleteQueue(queue);
  }, 120_000);

  it('a consumer process SIGKILLed: nothing lost, what it held comes back redelivered', async () => {
    const total = 400;
    const queue = unique('sigkill');
    await conn.declareQueue({ name: queue, durable: true });
    const publisher = new Publisher(conn, { exchange: '', routingKey: queue, persistent: true });
    await Promise.all(range(total).map((i) => publisher.send({ i }, { messageId: String(i) })));
    await publisher.close();

    const printed = new Set<string>();
    const acked = new Set<string>();
    const process_ = spawn(process.execPath, ['--import', pathToFileURL(tsxLoader).href, child, queue], {
      env: { ...process.env, WARREN_AMQP10_URL: RABBITMQ_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    process_.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    let buffered = '';
    process_.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [what, id] = line.split(' ');
        if (what === 'got' && id) printed.add(id);
        if (what === 'acked' && id) acked.add(id);
      }
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      process_.on('exit', (_code, signal) => resolve(signal)),
    );
    try {
      // It accepted 100 and holds at least 10 unsettled.
      await waitFor(() => printed.size >= 110, 30_000, `the child to take 110 messages (stderr: ${stderr})`);
    } finally {
      process_.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');

    const received = new Map<string, Message>();
    const consumer = new Consumer(conn, { queue, declare: false, prefetch: 100 });
    consumer.register(async (_body, message) => {
      received.set(message.properties.messageId as string, message);
      await message.ack();
    });
    await consumer.consume();
    const all = range(total).map(String);
    // Everything the child did not accept comes back (what it accepted just before the kill may come back too).
    await waitFor(
      () => all.every((id) => acked.has(id) || received.has(id)),
      30_000,
      () =>
        `every message (missing: ${all.filter((id) => !acked.has(id) && !received.has(id)).join(' ')}; held: ${[...printed].filter((id) => !acked.has(id)).join(' ')})`,
    );
    await consumer.close();
    expect(all.filter((id) => !acked.has(id) && !received.has(id))).toEqual([]);
    // What the child took and did not get to accept came back, marked redelivered; so did what it held unread.
    const unsettled = [...printed].filter((id) => !acked.has(id));
    expect(unsettled.length).toBeGreaterThan(0);
    const again = [...received.values()].filter((message) => printed.has(message.properties.messageId as string));
    expect(again.length).toBeGreaterThanOrEqual(unsettled.length);
    for (const message of again) expect(message.deliveryInfo.redelivered).toBe(true);
    expect([...received.values()].filter((m) => m.deliveryInfo.redelivered).length).toBeGreaterThanOrEqual(
      again.length,
    );
    await conn.deleteQueue(queue);
  }, 90_000);
});
