import { uniqueName } from '@warren/conformance';
import {
  ConfigurationError,
  type Connection,
  Consumer,
  connect,
  type Message,
  PreconditionFailedError,
  Publisher,
  UnsupportedFeatureError,
} from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './index.js';
import { AMQP_URL, brokerAvailable, killSocket } from './test-support/broker.js';

const available = await brokerAvailable();

/** Polls until `predicate` holds; throws naming `what` after 20 s. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Collects `count` messages from a stream consumer (acking each), then closes it. */
async function read(consumer: Consumer<{ n: number }>, count: number): Promise<Message<{ n: number }>[]> {
  const got: Message<{ n: number }>[] = [];
  const done = new Promise<void>((resolve) => {
    consumer.register(async (_body, message) => {
      got.push(message);
      await message.ack();
      if (got.length === count) resolve();
    });
  });
  await consumer.consume();
  await done;
  await consumer.close();
  return got;
}

describe.skipIf(!available)('stream queues on RabbitMQ', () => {
  let conn: Connection;
  let stream: string;
  let publisher: Publisher<{ n: number }>;

  beforeAll(async () => {
    conn = await connect(AMQP_URL);
    stream = uniqueName('stream');
    await conn.declareQueue({ name: stream, durable: true, arguments: { queueType: 'stream', maxAge: '1h' } });
    publisher = new Publisher<{ n: number }>(conn, { routingKey: stream });
    for (let n = 0; n < 10; n++) await publisher.send({ n });
  });
  afterAll(async () => {
    await conn?.deleteQueue(stream).catch(() => 0);
    await conn?.close();
  });

  it("reads from 'first' in order, every message showing its offset", async () => {
    const got = await read(new Consumer(conn, { queue: stream, declare: false, streamOffset: 'first' }), 10);
    expect(got.map((m) => m.body.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const offsets = got.map((m) => m.deliveryInfo.streamOffset as number);
    expect(offsets.every((offset, i) => i === 0 || offset > (offsets[i - 1] as number))).toBe(true);
  });

  it('reads from a given offset, and from a time', async () => {
    const all = await read(new Consumer(conn, { queue: stream, declare: false, streamOffset: 'first' }), 10);
    const sixth = all[5]?.deliveryInfo.streamOffset as number;
    const fromOffset = await read(new Consumer(conn, { queue: stream, declare: false, streamOffset: sixth }), 5);
    expect(fromOffset.map((m) => m.body.n)).toEqual([5, 6, 7, 8, 9]);
    const fromTime = await read(
      new Consumer(conn, { queue: stream, declare: false, streamOffset: new Date(Date.now() - 3_600_000) }),
      10,
    );
    expect(fromTime.map((m) => m.body.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("'next' reads only what is written after the consumer started", async () => {
    const consumer = new Consumer<{ n: number }>(conn, { queue: stream, declare: false, streamOffset: 'next' });
    const reading = read(consumer, 2);
    await until(() => consumer.isConsuming, 'the consumer to subscribe');
    await publisher.send({ n: 100 });
    await publisher.send({ n: 101 });
    expect((await reading).map((m) => m.body.n)).toEqual([100, 101]);
  });

  it('after a cut connection, the consumer goes on after the last offset it delivered: no repeats, no gaps', async () => {
    const own = await connect(AMQP_URL, { reconnect: { retries: 50, minDelayMs: 20, maxDelayMs: 200 } });
    const queue = uniqueName('stream.resume');
    await own.declareQueue({ name: queue, durable: true, arguments: { queueType: 'stream' } });
    const sender = new Publisher<{ n: number }>(own, { routingKey: queue });
    for (let n = 0; n < 5; n++) await sender.send({ n });
    const seen: number[] = [];
    const consumer = new Consumer<{ n: number }>(own, { queue, declare: false, streamOffset: 'first', prefetch: 10 });
    consumer.register(async (body, message) => {
      seen.push(body.n);
      await message.ack();
    });
    await consumer.consume();
    await until(() => seen.length === 5, 'the first five messages');
    const reconnected = new Promise<void>((resolve) => own.once('reconnect', () => resolve()));
    for (const port of own.localPorts()) await killSocket(port);
    await reconnected;
    for (let n = 5; n < 10; n++) await sender.send({ n });
    await until(() => seen.length >= 10, 'ten messages');
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await consumer.close();
    await own.deleteQueue(queue);
    await own.close();
  });

  it('bad input: auto-ack, no prefetch, a bad offset, a classic queue', async () => {
    for (const options of [{ noAck: true }, { prefetch: 0 }, { streamOffset: -1 }, { streamOffset: 'oldest' }]) {
      const consumer = new Consumer(conn, {
        queue: stream,
        declare: false,
        streamOffset: 'first',
        ...(options as object),
      });
      consumer.register(() => undefined);
      await expect(consumer.consume()).rejects.toBeInstanceOf(ConfigurationError);
    }
    const classic = uniqueName('stream.classic');
    await conn.declareQueue({ name: classic, durable: false });
    const consumer = new Consumer(conn, { queue: classic, declare: false, streamOffset: 'first' });
    consumer.register(() => undefined);
    const error = await consumer.consume().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect((error as Error).message).toMatch(/stream queues only/);
    await conn.deleteQueue(classic);
    // The connection is still usable after all of that.
    expect(conn.isConnected).toBe(true);
    await publisher.send({ n: 200 });
  });

  it('memory:// has no streams: UnsupportedFeatureError', async () => {
    const memory = await connect('memory://');
    const consumer = new Consumer(memory, { queue: uniqueName('nostream'), streamOffset: 'first' });
    consumer.register(() => undefined);
    await expect(consumer.consume()).rejects.toBeInstanceOf(UnsupportedFeatureError);
    await memory.close();
  });
});
