import '@warren/amqp';
import { inspect } from 'node:util';
import { requireBroker, uniqueName } from '@warren/conformance';
import {
  AccessRefusedError,
  type Connection,
  ConnectionError,
  Consumer,
  connect,
  type Message,
  NotFoundError,
  Publisher,
} from '@warren/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AMQP_URL, closeOwnAmqpConnection, rabbitmqPid } from '../support/rabbitmq.js';
import { nextEvent, until } from '../support/wait.js';

const reachable = await requireBroker('RabbitMQ', AMQP_URL);
const opened: Connection[] = [];

async function open(url: string | string[] = AMQP_URL, options: Record<string, unknown> = {}): Promise<Connection> {
  const conn = await connect(url, { reconnect: { retries: 50, minDelayMs: 50, maxDelayMs: 500 }, ...options });
  opened.push(conn);
  return conn;
}

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.href;
}

afterEach(async () => {
  for (const conn of opened.splice(0)) await conn.close().catch(() => {});
});

describe.skipIf(!reachable)('AMQP faults through core (real RabbitMQ)', () => {
  it('wrong credentials fail fast with AccessRefusedError, and the password shows nowhere', async () => {
    const started = Date.now();
    const error = await connect(withPassword(AMQP_URL, 'not-the-Pa55word')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessRefusedError);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(inspect(error, { depth: 10 })).not.toContain('not-the-Pa55word');
    expect(String((error as Error).stack)).not.toContain('not-the-Pa55word');
  });

  it('a refused port is a ConnectionError naming the host, quickly', async () => {
    const started = Date.now();
    const error = await connect('amqp://guest:s3cret-pw@127.0.0.1:1/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect(inspect(error, { depth: 10 })).not.toContain('s3cret-pw');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a failover list skips a dead broker and uses the next one', async () => {
    const conn = await open(['amqp://guest:guest@127.0.0.1:1/', AMQP_URL]);
    expect(conn.isConnected).toBe(true);
    expect(conn.url).toBe(new URL(AMQP_URL).href.replace(/:[^:@/]*@/, ':***@'));
  });

  it('a queue deleted under a consumer is reported, and wait() returns', async () => {
    const conn = await open();
    const queue = uniqueName('faults.deleted');
    const consumer = new Consumer(conn, { queue, durable: false, autoDelete: false });
    consumer.register(() => {});
    const errors: Error[] = [];
    consumer.on('error', (error) => errors.push(error));
    await consumer.consume();
    const waiting = consumer.wait();
    const other = await open();
    await other.deleteQueue(queue);
    await waiting;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NotFoundError);
    expect(consumer.isConsuming).toBe(false);
  });

  it('an ack of a message delivered before the connection was cut neither throws nor disturbs the new channel', async () => {
    const conn = await open();
    const queue = uniqueName('faults.stale-ack');
    await conn.declareQueue({ name: queue, durable: false });
    const consumer = new Consumer<{ n: number }>(conn, { queue, declare: false, prefetch: 10 });
    const held: Message<{ n: number }>[] = [];
    const seen: number[] = [];
    consumer.register((body, message) => {
      seen.push(body.n);
      held.push(message);
    });
    await consumer.consume();
    const publisher = new Publisher<{ n: number }>(conn, { routingKey: queue });
    await publisher.send({ n: 1 });
    await until(() => held.length === 1, 10_000, 'the first delivery');
    const reconnected = nextEvent(conn, 'reconnect', 30_000);
    await closeOwnAmqpConnection(conn);
    await reconnected;
    // The old delivery's ack goes nowhere (its channel is gone) and must not throw.
    await expect(held[0]?.ack()).resolves.toBeUndefined();
    // The broker redelivers the unacked message on the new channel; acking that one works.
    await until(() => held.length === 2, 10_000, 'the redelivery');
    expect(held[1]?.deliveryInfo.redelivered).toBe(true);
    await held[1]?.ack();
    await publisher.send({ n: 2 });
    await until(() => held.length === 3, 10_000, 'a delivery after the stale ack');
    await held[2]?.ack();
    expect(seen).toEqual([1, 1, 2]);
    await consumer.close();
    expect(await conn.deleteQueue(queue)).toBe(0);
  });

  it('a consumer on a server-named queue resumes after a cut (RabbitMQ refuses to redeclare amq.gen names)', async () => {
    const conn = await open();
    const exchange = uniqueName('faults.broadcast');
    const consumer = new Consumer<string>(conn, { exchange, exchangeType: 'fanout', exchangeDurable: false });
    const got: string[] = [];
    consumer.register(async (body, message) => {
      got.push(body);
      await message.ack();
    });
    const errors: Error[] = [];
    consumer.on('error', (error) => errors.push(error));
    conn.on('error', (error) => errors.push(error));
    await consumer.consume();
    const reconnected = nextEvent(conn, 'reconnect', 30_000);
    await closeOwnAmqpConnection(conn);
    await reconnected;
    await new Publisher<string>(conn, { exchange, exchangeType: 'fanout', durable: false }).send('after the cut');
    await until(() => got.length === 1, 10_000, 'the broadcast after the cut');
    expect(got).toEqual(['after the cut']);
    expect(errors).toEqual([]);
    await consumer.close();
    await conn.deleteExchange(exchange);
  });

  it('a frozen broker is detected by heartbeats; sends made meanwhile are delivered after recovery', async () => {
    const conn = await open(AMQP_URL, { heartbeat: 1, connectTimeoutMs: 2000, publishTimeoutMs: 60_000 });
    const queue = uniqueName('faults.frozen');
    await conn.declareQueue({ name: queue, durable: false });
    const publisher = new Publisher<{ n: number }>(conn, { routingKey: queue });
    await publisher.send({ n: 0 });
    const pid = await rabbitmqPid();
    const disconnected = nextEvent(conn, 'disconnect', 15_000);
    process.kill(pid, 'SIGSTOP');
    let during: Promise<void>;
    try {
      await disconnected;
      during = publisher.send({ n: 1 });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await nextEvent(conn, 'reconnect', 60_000);
    await during;
    const consumer = new Consumer<{ n: number }>(conn, { queue, declare: false });
    const bodies = new Set<number>();
    for (let message = await consumer.fetch(); message !== null; message = await consumer.fetch()) {
      bodies.add(message.body.n);
      await message.ack();
    }
    expect([...bodies].sort()).toEqual([0, 1]);
    await conn.deleteQueue(queue);
  }, 120_000);
});
