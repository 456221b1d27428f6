/**
 * Redis-specific behaviour beyond the conformance suite: topology shared between processes through Redis,
 * delivery without a visibility timeout, and bad input (credentials, ports, keys and entries warren did not write).
 */
import {
  AccessRefusedError,
  type Connection,
  ConnectionError,
  ContentDisallowedError,
  connect,
  type Message,
  MessageNackedError,
  NoRouteError,
  PreconditionFailedError,
  Publisher,
  ResourceLockedError,
  UnsupportedFeatureError,
} from '@warren/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import './index.js';
import { UNREADABLE_HEADER } from './marshal.js';
import {
  adminClient,
  brokerAvailable,
  deletePrefix,
  openSession,
  outbound,
  REDIS_URL,
  unique,
  uniquePrefix,
  urlWith,
} from './test-support/broker.js';

const available = await brokerAvailable();
const prefix = uniquePrefix('transport');
const url = urlWith({ prefix, livenessTtlMs: 1000, claimIntervalMs: 200 });
const opened: Connection[] = [];

async function open(target = url): Promise<Connection> {
  const connection = await connect(target, { reconnect: false });
  opened.push(connection);
  return connection;
}

/** Waits for a condition with a generous deadline, checking often (never a fixed sleep). */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A queue's ready messages, as a redeclaration reports them (the queue exists already). */
async function depth(connection: Connection, queue: string): Promise<{ messageCount: number }> {
  return connection.declareQueue({ name: queue });
}

afterEach(async () => {
  for (const connection of opened.splice(0)) await connection.close().catch(() => {});
});
afterAll(() => (available ? deletePrefix(prefix) : undefined));

describe.skipIf(!available)('redis:// topology kept in Redis', () => {
  it('a binding made by another connection is seen by the next publish here', async () => {
    const a = await open();
    const b = await open();
    const exchange = unique('shared');
    const [q1, q2] = [unique('q1'), unique('q2')];
    await a.declareExchange({ name: exchange, type: 'direct' });
    await a.declareQueue({ name: q1 });
    await a.bindQueue({ queue: q1, exchange, routingKey: 'k' });
    const publisher = new Publisher(a, { exchange, routingKey: 'k', declare: false });
    await publisher.send({ n: 1 }); // a's topology is now cached
    await b.declareQueue({ name: q2 });
    await b.bindQueue({ queue: q2, exchange, routingKey: 'k' });
    await publisher.send({ n: 2 });
    expect((await depth(b, q1)).messageCount).toBe(2);
    expect((await depth(b, q2)).messageCount).toBe(1);
    // And an unbinding elsewhere stops the copies here at once.
    await b.unbindQueue({ queue: q1, exchange, routingKey: 'k' });
    await publisher.send({ n: 3 });
    expect((await depth(a, q1)).messageCount).toBe(2);
    expect((await depth(a, q2)).messageCount).toBe(2);
    await publisher.close();
  });

  it('a fanout exchange with no queue bound drops the message, and mandatory says NoRouteError', async () => {
    const connection = await open();
    const exchange = unique('empty-fanout');
    await connection.declareExchange({ name: exchange, type: 'fanout' });
    const publisher = new Publisher(connection, { exchange, exchangeType: 'fanout' });
    await publisher.send({ n: 1 });
    await expect(publisher.send({ n: 2 }, { mandatory: true })).rejects.toBeInstanceOf(NoRouteError);
    const queue = unique('late');
    await connection.declareQueue({ name: queue });
    await connection.bindQueue({ queue, exchange });
    await publisher.send({ n: 3 });
    const got = await depth(connection, queue);
    expect(got.messageCount).toBe(1);
    await publisher.close();
  });

  it('reject-publish refuses the message that does not fit, with MessageNackedError', async () => {
    const connection = await open();
    const queue = unique('reject-publish');
    await connection.declareQueue({ name: queue, arguments: { maxLength: 2, overflow: 'reject-publish' } });
    const publisher = new Publisher(connection, { exchange: '', routingKey: queue });
    await publisher.send({ n: 1 });
    await publisher.send({ n: 2 });
    await expect(publisher.send({ n: 3 })).rejects.toBeInstanceOf(MessageNackedError);
    expect(
      (await connection.declareQueue({ name: queue, arguments: { maxLength: 2, overflow: 'reject-publish' } }))
        .messageCount,
    ).toBe(2);
    await publisher.close();
  });

  it('priorities and byte limits are refused, not faked', async () => {
    const connection = await open();
    await expect(connection.declareQueue({ name: unique('p'), arguments: { maxPriority: 5 } })).rejects.toBeInstanceOf(
      UnsupportedFeatureError,
    );
    await expect(
      connection.declareQueue({ name: unique('b'), arguments: { maxLengthBytes: 1000 } }),
    ).rejects.toBeInstanceOf(UnsupportedFeatureError);
  });

  it('an exclusive queue is locked to its connection and deleted when that connection closes', async () => {
    const owner = await open();
    const other = await open();
    const queue = unique('exclusive');
    await owner.declareQueue({ name: queue, exclusive: true });
    await expect(other.declareQueue({ name: queue, exclusive: true })).rejects.toBeInstanceOf(ResourceLockedError);
    await owner.close();
    const admin = await adminClient();
    try {
      expect(await admin.hexists(`${prefix}queues`, queue)).toBe(0);
    } finally {
      admin.disconnect();
    }
  });
});

describe.skipIf(!available)('redis:// delivery without a visibility timeout', () => {
  it('a message held by a live consumer is never given to another, however long it is held', async () => {
    const holderConnection = await open();
    const otherConnection = await open();
    const queue = unique('held');
    await holderConnection.declareQueue({ name: queue });
    const held: Message[] = [];
    const holder = (await import('@warren/core')).Consumer;
    const first = new holder(holderConnection, { queue, declare: false, prefetch: 1 });
    first.register((_body, message) => {
      held.push(message);
    });
    await first.consume();
    const publisher = new Publisher(holderConnection, { exchange: '', routingKey: queue });
    await publisher.send({ n: 1 });
    await until(() => held.length === 1, 'the first consumer to hold the message');
    const others: Message[] = [];
    const second = new holder(otherConnection, { queue, declare: false });
    second.register(async (_body, message) => {
      others.push(message);
      await message.ack();
    });
    await second.consume();
    // Three liveness periods and many claim rounds: a visibility timeout would have expired by now.
    const deadline = Date.now() + 3_000;
    await until(() => Date.now() > deadline, 'three liveness periods', 5_000);
    expect(others).toHaveLength(0);
    // Once the holder's connection closes, its message goes back and the other consumer gets it, redelivered.
    await holderConnection.close();
    await until(() => others.length === 1, 'the released message to reach the other consumer');
    expect(others[0]?.deliveryInfo.redelivered).toBe(true);
    expect(others[0]?.body).toEqual({ n: 1 });
  });
});

describe.skipIf(!available)('redis:// bad input', () => {
  it('an unknown ACL user is AccessRefusedError, and the password appears nowhere', async () => {
    const target = new URL(REDIS_URL);
    target.username = unique('nosuchuser');
    target.password = 'sup3r-s3cret-pw';
    const error = await connect(target.toString(), { reconnect: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessRefusedError);
    const { inspect } = await import('node:util');
    expect(inspect(error, { depth: 10 })).not.toContain('sup3r-s3cret-pw');
    expect((error as Error).message).toMatch(/user and password/);
  });

  it('a refused port is a ConnectionError', async () => {
    const error = await connect('redis://127.0.0.1:1', { reconnect: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
  });

  it('a key of another type where a queue should be is a typed error naming the key', async () => {
    const connection = await open();
    const queue = unique('wrongtype');
    const admin = await adminClient();
    try {
      await admin.set(`${prefix}q:${queue}`, 'not a stream');
      const error = await connection.declareQueue({ name: queue }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PreconditionFailedError);
      expect((error as Error).message).toContain(`${prefix}q:${queue}`);
      expect((error as Error).message).toContain('string');
    } finally {
      admin.disconnect();
    }
  });

  it('a stream entry warren did not write is reported and dead-lettered, and the consumer goes on', async () => {
    const connection = await open();
    const queue = unique('garbage');
    const dlx = unique('garbage-dlx');
    const dead = unique('garbage-dead');
    await connection.declareExchange({ name: dlx, type: 'fanout' });
    await connection.declareQueue({ name: dead });
    await connection.bindQueue({ queue: dead, exchange: dlx });
    await connection.declareQueue({ name: queue, arguments: { deadLetterExchange: dlx } });
    const admin = await adminClient();
    try {
      await admin.xadd(`${prefix}q:${queue}`, '*', 'foo', 'bar');
    } finally {
      admin.disconnect();
    }
    const publisher = new Publisher(connection, { exchange: '', routingKey: queue });
    await publisher.send({ n: 'good' });
    const { Consumer } = await import('@warren/core');
    const consumer = new Consumer(connection, { queue, declare: false });
    const good: unknown[] = [];
    const errors: Array<{ error: Error; message?: Message | undefined }> = [];
    consumer.on('error', (error, message) => errors.push({ error, message }));
    consumer.register(async (body, message) => {
      good.push(body);
      await message.ack();
    });
    await consumer.consume();
    await until(() => good.length === 1 && errors.length === 1, 'the good message and the report of the bad one');
    expect(errors[0]?.error).toBeInstanceOf(ContentDisallowedError);
    expect(String(errors[0]?.message?.headers[UNREADABLE_HEADER])).toMatch(/not written by warren/);
    await until(async () => (await depth(connection, dead)).messageCount === 1, 'the bad entry to be dead-lettered');
    const left = await connection.declareQueue({ name: queue, arguments: { deadLetterExchange: dlx } });
    expect(left.messageCount).toBe(0);
    await consumer.close();
    await publisher.close();
  });

  it('a session publishes and consumes straight through the transport contract', async () => {
    const { session } = await openSession({ prefix });
    try {
      const queue = unique('raw');
      await session.declareQueue({ name: queue });
      await session.publish(outbound('', queue, 'hello'));
      const delivery = await session.get(queue, { noAck: false });
      expect(delivery?.content.toString()).toBe('hello');
      expect(delivery?.info).toMatchObject({ queue, routingKey: queue, redelivered: false });
      await delivery?.settler.ack(delivery);
      expect(await session.get(queue, { noAck: true })).toBeNull();
    } finally {
      await session.close();
    }
  });
});
