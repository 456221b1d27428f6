import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  Consumer,
  connect,
  type Message,
  MessageNackedError,
  MessageStateError,
  NotFoundError,
  Publisher,
} from './index.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}.${process.pid}.${++counter}`;

/** Polls until `predicate` holds; rejects after `timeoutMs` naming what it waited for. */
async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The promise's outcome, or 'pending' if it has not settled within `timeoutMs`. */
function outcome(promise: Promise<unknown>, timeoutMs = 1000): Promise<string> {
  return Promise.race([
    promise.then(
      () => 'resolved',
      (error: Error) => error.name,
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve('pending'), timeoutMs).unref()),
  ]);
}

describe('consumer lifecycle races', () => {
  it('wait({ signal }) aborted while consume() is still declaring returns', async () => {
    const conn = await connect(`memory://${unique('abort-early')}`);
    const consumer = new Consumer(conn, { queue: unique('q'), exchange: unique('x'), routingKey: 'k' });
    consumer.register(() => {});
    const controller = new AbortController();
    const waiting = consumer.wait({ signal: controller.signal });
    controller.abort();
    expect(await outcome(waiting)).toBe('resolved');
    expect(consumer.isConsuming).toBe(false);
    await conn.close();
  });

  it('close() after a for-await break returns the buffered messages to the queue', async () => {
    const name = unique('break-close');
    const conn = await connect(`memory://${name}`);
    const other = await connect(`memory://${name}`);
    const queue = unique('q');
    await conn.declareQueue({ name: queue });
    const publisher = new Publisher(conn, { routingKey: queue });
    for (let i = 0; i < 5; i++) await publisher.send({ i });
    const consumer = new Consumer(conn, { queue, prefetch: 10 });
    for await (const message of consumer) {
      await message.ack();
      break;
    }
    await consumer.close();
    const got: unknown[] = [];
    const second = new Consumer(other, { queue });
    second.register(async (body, message) => {
      got.push(body);
      await message.ack();
    });
    await second.consume();
    await until(() => got.length === 4, 2000, 'the four unacked messages to come back');
    await conn.close();
    await other.close();
  });

  it('close() racing consume() wins: consume rejects and nothing is delivered', async () => {
    const conn = await connect(`memory://${unique('close-race')}`);
    const queue = unique('q');
    await conn.declareQueue({ name: queue });
    const consumer = new Consumer(conn, { queue });
    const got: unknown[] = [];
    consumer.register((body) => {
      got.push(body);
    });
    const closing = consumer.close();
    const consuming = consumer.consume();
    await closing;
    await expect(consuming).rejects.toBeInstanceOf(MessageStateError);
    await new Publisher(conn, { routingKey: queue }).send('after close');
    expect(consumer.isConsuming).toBe(false);
    expect(await conn.purgeQueue(queue)).toBe(1);
    expect(got).toEqual([]);
    await conn.close();
  });

  it('deleting the queue under a consumer reports NotFoundError and ends wait()', async () => {
    const conn = await connect(`memory://${unique('deleted')}`);
    const queue = unique('q');
    const consumer = new Consumer(conn, { queue });
    consumer.register(() => {});
    const errors: Error[] = [];
    consumer.on('error', (error) => errors.push(error));
    await consumer.consume();
    const waiting = consumer.wait();
    await conn.deleteQueue(queue);
    expect(await outcome(waiting)).toBe('resolved');
    expect(errors[0]).toBeInstanceOf(NotFoundError);
    await conn.close();
  });
});

describe('memory broker edge cases', () => {
  it('overflow reject-publish nacks the send; reject-publish-dlx also dead-letters', async () => {
    const conn = await connect(`memory://${unique('overflow')}`);
    const full = unique('full');
    const dead = unique('dead');
    await conn.declareQueue({ name: dead });
    await conn.declareQueue({ name: full, arguments: { maxLength: 1, overflow: 'reject-publish' } });
    const publisher = new Publisher(conn, { routingKey: full });
    await publisher.send(1);
    await expect(publisher.send(2)).rejects.toBeInstanceOf(MessageNackedError);
    expect(await conn.purgeQueue(full)).toBe(1);
    const dlx = unique('full-dlx');
    await conn.declareQueue({
      name: dlx,
      arguments: { maxLength: 1, overflow: 'reject-publish-dlx', deadLetterExchange: '', deadLetterRoutingKey: dead },
    });
    const dlxPublisher = new Publisher(conn, { routingKey: dlx });
    await dlxPublisher.send(1);
    await expect(dlxPublisher.send(2)).rejects.toBeInstanceOf(MessageNackedError);
    expect(await conn.purgeQueue(dead)).toBe(1);
    await conn.close();
  });

  it('a queue that dead-letters to itself drops the cycling message instead of looping', async () => {
    const conn = await connect(`memory://${unique('cycle')}`);
    const queue = unique('self');
    await conn.declareQueue({
      name: queue,
      arguments: { maxLength: 1, deadLetterExchange: '', deadLetterRoutingKey: queue },
    });
    const publisher = new Publisher(conn, { routingKey: queue });
    await publisher.send(1);
    await publisher.send(2);
    expect(await conn.purgeQueue(queue)).toBe(1);
    await conn.close();
  });

  it('a requeued message past its TTL is dead-lettered even with no consumer left', async () => {
    const conn = await connect(`memory://${unique('requeue-ttl')}`);
    const queue = unique('ttl');
    const dead = unique('dead');
    await conn.declareQueue({ name: dead });
    await conn.declareQueue({
      name: queue,
      arguments: { messageTtl: 30, deadLetterExchange: '', deadLetterRoutingKey: dead },
    });
    await new Publisher(conn, { routingKey: queue }).send('x');
    const consumer = new Consumer(conn, { queue, declare: false });
    let held: Message | undefined;
    consumer.register((_body, message) => {
      held = message;
    });
    await consumer.consume();
    await until(() => held !== undefined, 2000, 'the delivery');
    await consumer.cancel();
    // The scenario itself needs time to pass: the message's TTL runs out while it is held.
    const expired = Date.now() + 40;
    await until(() => Date.now() >= expired, 1000, 'the TTL to run out');
    await held?.requeue();
    await until(
      async () => (await conn.declareQueue({ name: dead })).messageCount === 1,
      2000,
      'the dead-lettered copy',
    );
    await conn.close();
  });

  it('an out-of-range or fractional priority is a ConfigurationError, not a crash', async () => {
    const conn = await connect(`memory://${unique('priority')}`);
    const queue = unique('p');
    await conn.declareQueue({ name: queue, arguments: { maxPriority: 5 } });
    const publisher = new Publisher(conn, { routingKey: queue });
    await expect(publisher.send(1, { priority: 1.5 })).rejects.toBeInstanceOf(ConfigurationError);
    await expect(publisher.send(1, { priority: 300 })).rejects.toBeInstanceOf(ConfigurationError);
    expect(await conn.purgeQueue(queue)).toBe(0);
    await conn.close();
  });
});
