/**
 * The bad-input list over AMQP 1.0: a wrong password, a refused port, addresses the broker refuses, a body warren
 * cannot read, a link the broker detaches, and what a broker cannot do (UnsupportedFeatureError naming the broker
 * and the operation). Each is a typed error whose message says what to do, without the password.
 */
import net from 'node:net';
import { inspect } from 'node:util';
import { Inbox, waitFor } from '@warren/conformance';
import {
  AccessRefusedError,
  type Connection,
  ConnectionError,
  Consumer,
  connect,
  NotFoundError,
  Publisher,
  SerializationError,
  UnsupportedFeatureError,
  WarrenError,
} from '@warren/core';
import rhea from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectProton,
  connectRabbitmq,
  PROTON_URL,
  protonAvailable,
  RABBITMQ_URL,
  rabbitmqAvailable,
  unique,
} from './test-support/broker.js';

const rabbitmq = await rabbitmqAvailable();
const proton = await protonAvailable();
const SECRET = 'not-the-password-s3cr3t';

/** A local port nothing listens on. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('connecting', () => {
  it.skipIf(!rabbitmq)('a wrong password is AccessRefusedError, and the password is nowhere in it', async () => {
    const url = new URL(RABBITMQ_URL);
    url.password = SECRET;
    const error = await failure(connect({ url: url.href, reconnect: false }));
    expect(error).toBeInstanceOf(AccessRefusedError);
    expect(error.message).toMatch(/user name and password/);
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
  });

  it('a refused port is ConnectionError naming host and port', async () => {
    const port = await freePort();
    const error = await failure(connect({ url: `amqp10://u:${SECRET}@127.0.0.1:${port}`, reconnect: false }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
  });

  it('options are checked: a bad broker kind is a ConfigurationError naming it', async () => {
    const error = await failure(connect({ url: 'amqp10://127.0.0.1:1', broker: 'artemis' }));
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('broker');
  });
});

describe.skipIf(!rabbitmq)('RabbitMQ refusals', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await connectRabbitmq();
  });
  afterAll(async () => {
    await conn?.close();
  });

  it('sending to an exchange that does not exist: NotFoundError naming the address; other sends unharmed', async () => {
    const queue = unique('unharmed');
    await conn.declareQueue({ name: queue, durable: false });
    const good = new Publisher(conn, { exchange: '', routingKey: queue });
    const bad = new Publisher(conn, { exchange: unique('no-such-exchange'), declare: false, routingKey: 'k' });
    const [badOutcome, goodOutcome] = await Promise.allSettled([bad.send({ n: 1 }), good.send({ n: 2 })]);
    expect(badOutcome.status).toBe('rejected');
    const error = (badOutcome as PromiseRejectedResult).reason as Error;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain('/exchange/warren.amqp10-test.no-such-exchange');
    expect(goodOutcome.status).toBe('fulfilled');
    await good.close();
    await bad.close();
  });

  it('consuming a queue that does not exist: NotFoundError naming the queue', async () => {
    const queue = unique('no-such-queue');
    const consumer = new Consumer(conn, { queue, declare: false });
    consumer.register(() => {});
    const error = await failure(consumer.consume());
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain(`/amq/queue/${queue}`);
    await consumer.close();
  });

  it('a body warren cannot read is rejected and reported; the consumer goes on', async () => {
    const queue = unique('unreadable');
    await conn.declareQueue({ name: queue, durable: false });
    const reported: Error[] = [];
    conn.on('error', (error) => reported.push(error));
    // A raw AMQP 1.0 client sends an amqp-sequence body, then a good one.
    const url = new URL(RABBITMQ_URL);
    const raw = rhea.create_container().connect({
      host: url.hostname,
      port: Number(url.port || 5672),
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      reconnect: false,
    });
    await new Promise<void>((resolve, reject) => {
      const sender = raw.open_sender({ target: { address: `/amq/queue/${queue}` } });
      let accepted = 0;
      sender.once('sendable', () => {
        sender.send({ body: rhea.message.sequence_section([1, 2, 3]), message_id: 'sequence' });
        sender.send({ body: 'readable', message_id: 'good' });
      });
      sender.on('accepted', () => {
        accepted += 1;
        if (accepted === 2) resolve();
      });
      sender.on('rejected', () => reject(new Error('rejected')));
    });
    raw.close();

    const consumer = new Consumer(conn, { queue, declare: false, accept: ['text'] });
    const inbox = new Inbox(consumer);
    await consumer.consume();
    const [good] = await inbox.until(1, 10_000);
    expect(good?.body).toBe('readable');
    await waitFor(() => reported.some((e) => e instanceof SerializationError), 5_000, 'the report');
    const error = reported.find((e) => e instanceof SerializationError) as Error;
    expect(error.message).toContain(queue);
    expect(error.message).toMatch(/AMQP sequence/);
    await consumer.close();
    // Rejected, not requeued: nothing is left.
    expect((await conn.declareQueue({ name: queue, durable: false })).messageCount).toBe(0);
    await conn.deleteQueue(queue);
  });

  it('a link the broker detaches (its queue deleted): a typed error; the connection goes on', async () => {
    const queue = unique('deleted');
    await conn.declareQueue({ name: queue, durable: false });
    const consumer = new Consumer(conn, { queue, declare: false });
    const errors: Error[] = [];
    consumer.on('error', (error) => errors.push(error));
    let delivered = 0;
    consumer.register(() => {
      delivered += 1;
    });
    await consumer.consume();
    // One delivery first: the broker has registered the consumer when the queue goes.
    await new Publisher(conn, { exchange: '', routingKey: queue }).send({ first: true });
    await waitFor(() => delivered === 1, 10_000, 'the first delivery');
    await conn.deleteQueue(queue);
    await waitFor(() => errors.length > 0, 10_000, 'the cancellation to be reported');
    expect(errors[0]).toBeInstanceOf(WarrenError);
    await consumer.close();
    // The connection still works: a new queue and consumer get their message.
    const next = unique('after-delete');
    await conn.declareQueue({ name: next, durable: false });
    const again = new Consumer(conn, { queue: next, declare: false });
    const inbox = new Inbox(again);
    await again.consume();
    await new Publisher(conn, { exchange: '', routingKey: next }).send({ ok: true });
    expect((await inbox.until(1, 10_000))[0]?.body).toEqual({ ok: true });
    await again.close();
    await conn.deleteQueue(next);
  });

  it('without topologyUrl, what AMQP 1.0 cannot do on RabbitMQ 3.10 is UnsupportedFeatureError naming both', async () => {
    const bare = await connect({ url: RABBITMQ_URL });
    try {
      expect(bare.capabilities.exchangeTypes).toEqual([]);
      // Refused by core from the capabilities, naming the broker and the operation.
      const error = await failure(bare.declareQueue({ name: unique('args'), arguments: { maxLength: 3 } }));
      expect(error).toBeInstanceOf(UnsupportedFeatureError);
      expect(error.message).toMatch(/A queue max length is not supported by the amqp10 transport \(RabbitMQ 3\.10/);
      // Refused by the transport itself, saying what to do.
      const exchange = await failure(bare.bindQueue({ queue: 'q', exchange: 'amq.direct', routingKey: 'k' }));
      expect(exchange).toBeInstanceOf(UnsupportedFeatureError);
      expect(exchange.message).toMatch(/RabbitMQ 3\.10.*bind queue "q" to exchange "amq.direct"/);
      expect(exchange.message).toContain('topologyUrl');
      const purge = await failure(bare.purgeQueue('anything'));
      expect(purge).toBeInstanceOf(UnsupportedFeatureError);
      expect(purge.message).toContain('purge the queue "anything"');
      // Plain queues can be declared: RabbitMQ creates them when a link attaches to /queue/<name>.
      const queue = unique('plain');
      await bare.declareQueue({ name: queue, durable: false });
      const publisher = new Publisher(bare, { exchange: '', routingKey: queue });
      await publisher.send({ ok: 1 });
      const consumer = new Consumer(bare, { queue, declare: false });
      const inbox = new Inbox(consumer);
      await consumer.consume();
      expect((await inbox.until(1, 10_000))[0]?.body).toEqual({ ok: 1 });
      await consumer.close();
      await publisher.close();
      await conn.deleteQueue(queue);
    } finally {
      await bare.close();
    }
  });

  it('mandatory is refused before anything is sent', async () => {
    const publisher = new Publisher(conn, { exchange: '', routingKey: 'x' });
    const error = await failure(publisher.send({ n: 1 }, { mandatory: true }));
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    await publisher.close();
  });
});

describe.skipIf(!proton)('the Qpid Proton example broker refusals', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await connectProton();
  });
  afterAll(async () => {
    await conn?.close();
  });

  it('exchanges, bindings, purge and fetch are UnsupportedFeatureError naming the broker and the operation', async () => {
    expect(conn.capabilities.exchangeTypes).toEqual([]);
    expect(conn.capabilities.acks).toBe(false);
    const declare = await failure(conn.declareExchange({ name: 'x', type: 'direct' }));
    expect(declare).toBeInstanceOf(UnsupportedFeatureError);
    expect(declare.message).toContain(`the AMQP 1.0 broker at ${new URL(PROTON_URL).host}`);
    expect(declare.message).toContain('has no direct exchanges');
    const bind = await failure(conn.bindQueue({ queue: 'q', exchange: 'amq.direct', routingKey: 'k' }));
    expect(bind).toBeInstanceOf(UnsupportedFeatureError);
    expect(bind.message).toContain('bind queue "q"');
    const purge = await failure(conn.purgeQueue('q'));
    expect(purge).toBeInstanceOf(UnsupportedFeatureError);
    const fetch = await failure(new Consumer(conn, { queue: 'q', declare: false }).fetch());
    expect(fetch).toBeInstanceOf(UnsupportedFeatureError);
    const args = await failure(conn.declareQueue({ name: 'q', arguments: { messageTtl: 1000 } }));
    expect(args).toBeInstanceOf(UnsupportedFeatureError);
  });

  it('topologyUrl is refused on a broker that is not RabbitMQ', async () => {
    const error = await failure(connect({ url: PROTON_URL, topologyUrl: 'amqp://127.0.0.1:5672/', reconnect: false }));
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error.message).toContain('topologyUrl');
  });
});
