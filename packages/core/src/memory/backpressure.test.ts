import { describe, expect, it } from 'vitest';
import { Consumer, connect, Publisher, TimeoutError } from '../index.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** Resolves when `predicate` holds (checked every few ms); fails after `timeoutMs`. */
async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether `promise` has settled by the time the event loop has turned a few times. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('memory:// back-pressure', () => {
  it('a send that times out waiting for room was never stored: retrying it makes no duplicate', async () => {
    const conn = await connect(`memory://${unique('bp-timeout')}?highWaterMark=2`, { publishTimeoutMs: 150 });
    const queue = unique('q');
    await conn.declareQueue({ name: queue });
    const publisher = new Publisher<{ n: number }>(conn, { routingKey: queue });
    await publisher.send({ n: 1 });
    await publisher.send({ n: 2 });
    await expect(publisher.send({ n: 3 })).rejects.toBeInstanceOf(TimeoutError);
    // Still two: the refused send left nothing behind.
    expect((await conn.declareQueue({ name: queue })).messageCount).toBe(2);

    const got: number[] = [];
    const consumer = new Consumer<{ n: number }>(conn, { queue, declare: false });
    consumer.register(async (body, message) => {
      got.push(body.n);
      await message.ack();
    });
    await consumer.consume();
    await publisher.send({ n: 3 }); // the caller's retry
    await until(() => got.length >= 3, 2_000, 'three messages');
    await consumer.close();
    expect(got).toEqual([1, 2, 3]);
    expect((await conn.declareQueue({ name: queue })).messageCount).toBe(0);
    await conn.close();
  });

  it('sends wait unstored past the count bound, then go in in the order they were made', async () => {
    const conn = await connect(`memory://${unique('bp-count')}?highWaterMark=5`);
    const queue = unique('q');
    await conn.declareQueue({ name: queue });
    const publisher = new Publisher<{ n: number }>(conn, { routingKey: queue });
    const sends = Array.from({ length: 50 }, (_, n) => publisher.send({ n }));
    await Promise.all(sends.slice(0, 5));
    expect(await settled(sends[5] as Promise<void>)).toBe(false);
    // The queue holds the bound, not the 50 sends made.
    expect((await conn.declareQueue({ name: queue })).messageCount).toBe(5);

    const got: number[] = [];
    const consumer = new Consumer<{ n: number }>(conn, { queue, declare: false, prefetch: 1 });
    let peak = 0;
    consumer.register(async (body, message) => {
      peak = Math.max(peak, (await conn.declareQueue({ name: queue })).messageCount);
      got.push(body.n);
      await message.ack();
    });
    await consumer.consume();
    await Promise.all(sends);
    await until(() => got.length === 50, 5_000, '50 messages');
    await consumer.close();
    expect(got).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(peak).toBeLessThanOrEqual(5);
    await conn.close();
  });

  it('sends wait unstored past the byte bound', async () => {
    const conn = await connect(`memory://${unique('bp-bytes')}?highWaterMarkBytes=1000`, { publishTimeoutMs: 150 });
    const queue = unique('q');
    await conn.declareQueue({ name: queue });
    const publisher = new Publisher(conn, { routingKey: queue, serializer: 'binary' });
    const kilo = (fill: number) => Buffer.alloc(600, fill);
    await publisher.send(kilo(1));
    await publisher.send(kilo(2));
    // 1200 bytes ready: the byte bound is reached although the count bound (10,000) is far.
    const third = publisher.send(kilo(3));
    await expect(third).rejects.toBeInstanceOf(TimeoutError);
    expect((await conn.declareQueue({ name: queue })).messageCount).toBe(2);

    const consumer = new Consumer(conn, { queue, declare: false, accept: ['binary'] });
    await consumer.declare();
    const first = await consumer.fetch();
    await first?.ack();
    // 600 bytes ready: room again, the next send goes in at once.
    await publisher.send(kilo(3));
    expect((await conn.declareQueue({ name: queue })).messageCount).toBe(2);
    await consumer.close();
    await conn.close();
  });

  it('a queue deleted while sends wait for it lets them finish (routed elsewhere or dropped)', async () => {
    const conn = await connect(`memory://${unique('bp-delete')}?highWaterMark=1`, { publishTimeoutMs: 2_000 });
    const queue = unique('q');
    await conn.declareQueue({ name: queue });
    const publisher = new Publisher(conn, { routingKey: queue });
    await publisher.send({ n: 1 });
    const waiting = publisher.send({ n: 2 });
    expect(await settled(waiting)).toBe(false);
    await conn.deleteQueue(queue);
    await expect(waiting).resolves.toBeUndefined();
    await conn.close();
  });
});
