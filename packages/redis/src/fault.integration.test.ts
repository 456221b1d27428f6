/**
 * Faults with every message counted: our own connections killed by client name mid-stream, a consumer process
 * SIGKILLed while it holds unacknowledged messages, and a Redis of our own (appendonly) SIGKILLed and restarted
 * mid-stream. The shared Redis is never restarted and nothing outside our key prefix is touched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Connection, Consumer, connect, Publisher, WarrenError } from '@warren/core';
import { afterAll, describe, expect, it } from 'vitest';
import './index.js';
import { adminClient, brokerAvailable, deletePrefix, unique, uniquePrefix, urlWith } from './test-support/broker.js';

const available = await brokerAvailable();
const prefix = uniquePrefix('fault');

afterAll(() => (available ? deletePrefix(prefix) : undefined));

/** Waits for a condition with a generous deadline, checking often (never a fixed sleep). */
async function until(
  condition: () => boolean | Promise<boolean>,
  what: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Kills every client connection whose name starts with `name` (CLIENT LIST's `name=` field). */
async function killByName(name: string, url?: string): Promise<number> {
  const admin = await adminClient(url);
  let killed = 0;
  try {
    const list = (await admin.client('LIST')) as string;
    for (const line of list.split('\n')) {
      const id = /\bid=(\d+)/.exec(line)?.[1];
      const client = /\bname=(\S*)/.exec(line)?.[1];
      if (id && client?.startsWith(name)) killed += Number(await admin.client('KILL', 'ID', id));
    }
  } finally {
    admin.disconnect();
  }
  return killed;
}

/**
 * Publishes `total` messages through `lanes` concurrent senders and consumes them with acks, calling `fault`
 * once a third are confirmed; resolves with what was confirmed, what failed and what arrived.
 */
async function streamThrough(
  publisherConnection: Connection,
  consumerConnection: Connection,
  queue: string,
  total: number,
  fault: () => Promise<void>,
): Promise<{ confirmed: Set<number>; failed: Map<number, unknown>; received: Set<number>; errors: Error[] }> {
  const received = new Set<number>();
  const errors: Error[] = [];
  publisherConnection.on('error', (error) => errors.push(error));
  consumerConnection.on('error', (error) => errors.push(error));
  const consumer = new Consumer(consumerConnection, { queue, declare: false, prefetch: 100 });
  consumer.on('error', (error) => errors.push(error));
  consumer.register(async (body, message) => {
    received.add((body as { n: number }).n);
    await message.ack();
  });
  await consumer.consume();
  const publisher = new Publisher(publisherConnection, { exchange: '', routingKey: queue });
  const confirmed = new Set<number>();
  const failed = new Map<number, unknown>();
  let next = 0;
  let faulted: Promise<void> | undefined;
  const lane = async (): Promise<void> => {
    while (next < total) {
      const n = next++;
      try {
        await publisher.send({ n });
        confirmed.add(n);
      } catch (error) {
        failed.set(n, error);
      }
      if (!faulted && confirmed.size >= total / 3) faulted = fault();
    }
  };
  await Promise.all(Array.from({ length: 50 }, lane));
  await faulted;
  await until(
    () => [...confirmed].every((n) => received.has(n)),
    () => `every confirmed message to arrive (${[...confirmed].filter((n) => !received.has(n)).length} missing)`,
    60_000,
  );
  await consumer.close();
  await publisher.close();
  return { confirmed, failed, received, errors };
}

describe.skipIf(!available)('redis:// faults', () => {
  it('our connections killed by client name mid-stream: every confirmed message arrives, service resumes at once', async () => {
    const name = unique('warren-fault-kill');
    const url = urlWith({ prefix, connectionName: name, livenessTtlMs: 1000, claimIntervalMs: 200 });
    const reconnect = { minDelayMs: 20, maxDelayMs: 500 };
    const publisherConnection = await connect(url, { reconnect });
    const consumerConnection = await connect(url, { reconnect });
    const queue = unique('kill');
    await publisherConnection.declareQueue({ name: queue, durable: true });
    const resumedAfter: number[] = [];
    let killedAt = 0;
    for (const connection of [publisherConnection, consumerConnection]) {
      connection.on('reconnect', () => resumedAfter.push(Date.now() - killedAt));
    }
    try {
      let killed = 0;
      const result = await streamThrough(publisherConnection, consumerConnection, queue, 6_000, async () => {
        killedAt = Date.now();
        // Command connections and the consumer's reader: every connection of ours, found by name (a session
        // whose first connection dies closes its others itself, so some may be gone before their turn).
        killed = await killByName(name);
      });
      expect(killed).toBeGreaterThanOrEqual(2);
      const lost = [...result.confirmed].filter((n) => !result.received.has(n));
      expect(lost).toEqual([]);
      expect(result.confirmed.size).toBeGreaterThan(4_000);
      expect(resumedAfter).toHaveLength(2);
      // About 0.1-0.2 s on an idle machine (the target is a second); the bound leaves room for a loaded CI box
      // that is sending 50 lanes of messages through the same event loop while it reconnects.
      for (const ms of resumedAfter) expect(ms).toBeLessThan(3_000);
      for (const error of [...result.failed.values(), ...result.errors]) expect(error).toBeInstanceOf(WarrenError);
    } finally {
      await publisherConnection.close();
      await consumerConnection.close();
    }
  }, 120_000);

  it('a consumer process SIGKILLed while holding unacked messages: all of them go to the survivor, redelivered', async () => {
    const url = urlWith({ prefix, livenessTtlMs: 1000, claimIntervalMs: 200 });
    const connection = await connect(url);
    const queue = unique('sigkill');
    const total = 40;
    const holding = 25;
    let child: ChildProcess | undefined;
    try {
      await connection.declareQueue({ name: queue, durable: true });
      const publisher = new Publisher(connection, { exchange: '', routingKey: queue });
      for (let n = 0; n < total; n++) await publisher.send({ n });
      child = spawn(
        process.execPath,
        [fileURLToPath(new URL('./test-support/holding-consumer.mjs', import.meta.url)), url, queue, String(holding)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      await until(
        () => output.includes('HOLDING'),
        () => `the child to hold ${holding} messages (it said: ${output})`,
        30_000,
      );
      const held = JSON.parse(/HOLDING (\[.*\])/.exec(output)?.[1] ?? '[]') as number[];
      expect(held).toHaveLength(holding);

      const survivor = new Consumer(connection, { queue, declare: false, prefetch: 100 });
      const got = new Map<number, boolean>();
      survivor.register(async (body, message) => {
        got.set((body as { n: number }).n, message.deliveryInfo.redelivered);
        await message.ack();
      });
      await survivor.consume();
      // While the child lives, the survivor gets only what the child does not hold.
      await until(
        () => got.size === total - holding,
        () => `the ${total - holding} free messages (got ${got.size})`,
        10_000,
      );
      expect(held.some((n) => got.has(n))).toBe(false);

      const killedAt = Date.now();
      child.kill('SIGKILL');
      await until(
        () => got.size === total,
        () => `the held messages to be redelivered (got ${got.size} of ${total})`,
        20_000,
      );
      const tookMs = Date.now() - killedAt;
      for (const n of held) expect(got.get(n), `message ${n}`).toBe(true);
      // Liveness TTL 1 s plus a claim round: well within a few seconds.
      expect(tookMs).toBeLessThan(5_000);
      await survivor.close();
      await publisher.close();
    } finally {
      child?.kill('SIGKILL');
      await connection.close();
    }
  }, 60_000);

  it('a Redis of our own (appendonly yes) SIGKILLed and restarted mid-stream: every confirmed send is delivered', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'warren-redis-restart-'));
    const start = (): ChildProcess =>
      spawn(
        'redis-server',
        ['--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', '', '--bind', '127.0.0.1'],
        {
          stdio: 'ignore',
        },
      );
    let server = start();
    const url = urlWith({ prefix, livenessTtlMs: 1000, claimIntervalMs: 200 }, `redis://127.0.0.1:${port}`);
    const reconnect = { minDelayMs: 50, maxDelayMs: 500 };
    const ready = async (): Promise<boolean> => {
      try {
        const admin = await adminClient(`redis://127.0.0.1:${port}`);
        admin.disconnect();
        return true;
      } catch {
        return false;
      }
    };
    try {
      await until(ready, () => 'our Redis to start', 20_000);
      const publisherConnection = await connect(url, { reconnect });
      const consumerConnection = await connect(url, { reconnect });
      const queue = unique('restart');
      await publisherConnection.declareQueue({ name: queue, durable: true });
      try {
        const result = await streamThrough(publisherConnection, consumerConnection, queue, 6_000, async () => {
          const exited = new Promise((resolve) => server.once('exit', resolve));
          server.kill('SIGKILL');
          await exited;
          server = start();
        });
        const lost = [...result.confirmed].filter((n) => !result.received.has(n));
        expect(lost).toEqual([]);
        expect(result.confirmed.size).toBeGreaterThan(2_000);
        for (const error of [...result.failed.values(), ...result.errors]) expect(error).toBeInstanceOf(WarrenError);
      } finally {
        await publisherConnection.close();
        await consumerConnection.close();
      }
    } finally {
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
