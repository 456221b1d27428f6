import { afterEach, describe, expect, it } from 'vitest';
import { MemorySession } from './memory/session.js';
import { memoryBroker } from './memory/transport.js';
import {
  AccessRefusedError,
  type Connection,
  ConnectionError,
  Consumer,
  connect,
  MEMORY_CAPABILITIES,
  Publisher,
  registerTransport,
  type TransportFactory,
  type TransportSession,
  unregisterTransport,
} from './test-exports.js';

/**
 * A transport whose sessions are memory sessions that the test can kill, as a broker restart or a cut TCP
 * connection would: the session stops working and reports itself lost. Connection refusals and credential
 * failures can be queued up. This exercises core's recovery; the AMQP transport's own tests cut real connections.
 */
class FlakyTransport {
  sessions: Array<{ session: TransportSession; kill(): void; closed: boolean }> = [];
  /** While set, declareQueue waits for it (after calling `onDeclareQueue`). */
  declareGate: Promise<void> | undefined;
  onDeclareQueue: (() => void) | undefined;
  /** Called once a declareQueue has succeeded, with the index of the session and the queue's name. */
  afterDeclareQueue: ((sessionIndex: number, queue: string) => void) | undefined;
  /** Called after a consume has been registered, with the index of the session. */
  afterConsume: ((sessionIndex: number) => void) | undefined;
  refusals: Array<'refuse' | 'deny'> = [];
  connects = 0;

  readonly factory: TransportFactory<Record<string, unknown>> = {
    name: 'flaky',
    schemes: ['flaky'],
    capabilities: { ...MEMORY_CAPABILITIES, restartable: true },
    optionsSchema: { safeParse: (input) => ({ success: true, data: input as Record<string, unknown> }) },
    connect: async (request) => {
      this.connects++;
      const refusal = this.refusals.shift();
      if (refusal === 'refuse') throw new ConnectionError('connection refused (test)');
      if (refusal === 'deny') throw new AccessRefusedError('bad credentials (test)');
      const inner = new MemorySession(
        memoryBroker(`flaky-${request.url.host}`, { highWaterMark: 10_000, highWaterMarkBytes: 2 ** 26 }),
        this.factory.capabilities,
        1000,
      );
      let dead = false;
      const index = this.sessions.length;
      const guard = <T>(run: () => Promise<T>): Promise<T> =>
        dead ? Promise.reject(new ConnectionError('session lost (test)')) : run();
      const session: TransportSession = {
        capabilities: this.factory.capabilities,
        declareExchange: (spec) => guard(() => inner.declareExchange(spec)),
        deleteExchange: (name, options) => guard(() => inner.deleteExchange(name, options)),
        declareQueue: async (spec) => {
          this.onDeclareQueue?.();
          if (this.declareGate) await this.declareGate;
          const info = await guard(() => inner.declareQueue(spec));
          this.afterDeclareQueue?.(index, info.queue);
          return info;
        },
        deleteQueue: (name, options) => guard(() => inner.deleteQueue(name, options)),
        purgeQueue: (name) => guard(() => inner.purgeQueue(name)),
        bindQueue: (binding) => guard(() => inner.bindQueue(binding)),
        unbindQueue: (binding) => guard(() => inner.unbindQueue(binding)),
        bindExchange: (binding) => guard(() => inner.bindExchange(binding)),
        unbindExchange: (binding) => guard(() => inner.unbindExchange(binding)),
        publish: (message) => guard(() => inner.publish(message)),
        consume: async (queue, options, onDelivery) => {
          const consumer = await guard(() => inner.consume(queue, options, onDelivery));
          this.afterConsume?.(index);
          return consumer;
        },
        get: (queue, options) => guard(() => inner.get(queue, options)),
        close: () => {
          entry.closed = true;
          return inner.close();
        },
        localPorts: () => [],
      };
      const entry = {
        session,
        closed: false,
        kill: () => {
          dead = true;
          // Like a broker that lost the connection: unacked deliveries go back to the queue.
          void inner.close();
          request.hooks.lost(new ConnectionError('connection reset (test)'));
        },
      };
      this.sessions.push(entry);
      return session;
    },
  };
}

let flaky: FlakyTransport;
let connections: Connection[] = [];
let hostCounter = 0;

async function open(): Promise<Connection> {
  flaky = new FlakyTransport();
  registerTransport(flaky.factory);
  const conn = await connect({
    url: `flaky://h${++hostCounter}`,
    reconnect: { retries: 5, minDelayMs: 1, maxDelayMs: 5 },
  });
  connections.push(conn);
  return conn;
}

function once(conn: Connection, event: 'reconnect' | 'error' | 'disconnect'): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event`)), 2000);
    conn.once(event, (arg?: unknown) => {
      clearTimeout(timer);
      resolve(arg);
    });
  });
}

afterEach(async () => {
  for (const conn of connections) await conn.close();
  connections = [];
  unregisterTransport('flaky');
});

describe('Connection recovery', () => {
  it('reconnects, redeclares topology and resumes consumers; nothing is lost', async () => {
    const conn = await open();
    const consumer = new Consumer<{ n: number }>(conn, {
      queue: 'jobs',
      exchange: 'work',
      routingKey: 'job',
      prefetch: 10,
    });
    const seen = new Set<number>();
    let resolveAll!: () => void;
    const all = new Promise<void>((resolve) => {
      resolveAll = resolve;
    });
    consumer.register(async (body, message) => {
      seen.add(body.n);
      await message.ack();
      if (seen.size === 200) resolveAll();
    });
    await consumer.consume();
    const publisher = new Publisher<{ n: number }>(conn, { exchange: 'work', routingKey: 'job' });
    for (let n = 0; n < 100; n++) await publisher.send({ n });
    const reconnected = once(conn, 'reconnect');
    const disconnected = once(conn, 'disconnect');
    flaky.sessions[0]?.kill();
    await disconnected;
    // Sends made while reconnecting wait for the new session.
    const during = Array.from({ length: 100 }, (_, i) => publisher.send({ n: 100 + i }));
    await reconnected;
    await Promise.all(during);
    await all;
    expect(seen.size).toBe(200);
    expect(flaky.sessions).toHaveLength(2);
    expect(conn.isConnected).toBe(true);
  });

  it('retries refused connections with backoff, then recovers', async () => {
    const conn = await open();
    flaky.refusals.push('refuse', 'refuse');
    const reconnected = once(conn, 'reconnect');
    flaky.sessions[0]?.kill();
    await reconnected;
    expect(flaky.connects).toBe(4);
  });

  it('stops retrying on bad credentials and fails pending work with the error', async () => {
    const conn = await open();
    flaky.refusals.push('deny');
    const failed = once(conn, 'error');
    flaky.sessions[0]?.kill();
    expect(await failed).toBeInstanceOf(AccessRefusedError);
    await expect(new Publisher(conn, { routingKey: 'x' }).send({})).rejects.toBeInstanceOf(AccessRefusedError);
    expect(flaky.connects).toBe(2);
  });

  it('gives up after the configured retries with a ConnectionError', async () => {
    const conn = await open();
    flaky.refusals.push('refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse');
    const failed = once(conn, 'error');
    flaky.sessions[0]?.kill();
    const error = await failed;
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/Gave up reconnecting/);
  });

  it('close() during reconnect settles waiting sends', async () => {
    const conn = await open();
    flaky.refusals.push('refuse', 'refuse', 'refuse');
    flaky.sessions[0]?.kill();
    const pending = new Publisher(conn, { routingKey: 'x' }).send({});
    await conn.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionError);
  });

  it('close() while the topology is being restored leaves the connection closed and releases the new session', async () => {
    const conn = await open();
    await conn.declareQueue({ name: 'restore-close' });
    let releaseGate!: () => void;
    flaky.declareGate = new Promise((resolve) => {
      releaseGate = resolve;
    });
    const restoring = new Promise<void>((resolve) => {
      flaky.onDeclareQueue = resolve;
    });
    flaky.sessions[0]?.kill();
    await restoring;
    const closing = conn.close();
    releaseGate();
    await closing;
    await until(() => flaky.sessions[1]?.closed === true, 'the restored session to be released');
    expect(conn.isOpen).toBe(false);
    expect(conn.isConnected).toBe(false);
  });

  it('a session lost while being restored is not installed: the next one is, and consumers get messages', async () => {
    const conn = await open();
    const consumer = new Consumer(conn, { queue: 'restore-lost' });
    const got: unknown[] = [];
    consumer.register(async (body, message) => {
      got.push(body);
      await message.ack();
    });
    await consumer.consume();
    flaky.afterConsume = (index) => {
      if (index === 1) flaky.sessions[1]?.kill();
    };
    const reconnected = once(conn, 'reconnect');
    flaky.sessions[0]?.kill();
    await reconnected;
    expect(flaky.sessions.length).toBe(3);
    await new Publisher(conn, { routingKey: 'restore-lost' }).send('hello');
    await until(() => got.length === 1, 'the message on the third session');
    expect(got).toEqual(['hello']);
  });

  it('close() while a subscribe is in flight: consume() rejects and wait() returns', async () => {
    const conn = await open();
    await conn.declareQueue({ name: 'subscribe-close' });
    let closing: Promise<void> | undefined;
    flaky.afterConsume = () => {
      closing = conn.close();
    };
    const consumer = new Consumer(conn, { queue: 'subscribe-close', declare: false });
    consumer.register(() => {});
    await expect(consumer.consume()).rejects.toBeInstanceOf(ConnectionError);
    await closing;
    // wait() would consume again: on a closed connection that is an error, not a promise that never settles.
    await expect(consumer.wait()).rejects.toBeInstanceOf(ConnectionError);
    expect(consumer.isConsuming).toBe(false);
  });

  it('a server-named queue is declared anew after a reconnect, bound again and consumed from', async () => {
    const conn = await open();
    const consumer = new Consumer(conn, { exchange: 'broadcast', exchangeType: 'fanout' });
    const got: unknown[] = [];
    consumer.register(async (body, message) => {
      got.push(body);
      await message.ack();
    });
    await consumer.consume();
    const reconnected = once(conn, 'reconnect');
    flaky.sessions[0]?.kill();
    await reconnected;
    await new Publisher(conn, { exchange: 'broadcast', exchangeType: 'fanout' }).send('after');
    await until(() => got.length === 1, 'the broadcast on the renamed queue');
    expect(got).toEqual(['after']);
  });

  it('fetch() and purge() follow a server-named queue to its new name after a reconnect', async () => {
    const conn = await open();
    const consumer = new Consumer(conn, { exchange: 'renamed-fetch', exchangeType: 'fanout' });
    const [before] = await consumer.declare();
    const reconnected = once(conn, 'reconnect');
    flaky.sessions[0]?.kill();
    await reconnected;
    const [after] = await consumer.declare();
    expect(after).not.toBe(before);
    expect(conn.currentQueueName(before as string)).toBe(after);
    const publisher = new Publisher(conn, { exchange: 'renamed-fetch', exchangeType: 'fanout' });
    await publisher.send('one');
    const fetched = await consumer.fetch();
    expect(fetched?.body).toBe('one');
    await fetched?.ack();
    await publisher.send('two');
    await publisher.send('three');
    expect(await consumer.purge()).toBe(2);
    expect(await consumer.fetch()).toBeNull();
  });

  it('a cut during the restore, right after a server-named queue got its new name: bindings and consumers follow', async () => {
    const conn = await open();
    const consumer = new Consumer(conn, { exchange: 'renamed-cut', exchangeType: 'fanout' });
    const got: unknown[] = [];
    consumer.register(async (body, message) => {
      got.push(body);
      await message.ack();
    });
    await consumer.consume();
    // The first restore (session 1) is cut just after the queue was declared anew, before it is bound again.
    flaky.afterDeclareQueue = (index) => {
      if (index === 1) flaky.sessions[1]?.kill();
    };
    const reconnected = once(conn, 'reconnect');
    flaky.sessions[0]?.kill();
    await reconnected;
    expect(flaky.sessions.length).toBeGreaterThanOrEqual(3);
    await new Publisher(conn, { exchange: 'renamed-cut', exchangeType: 'fanout' }).send('after the cut');
    await until(() => got.length === 1, 'the broadcast on the queue renamed twice');
    expect(got).toEqual(['after the cut']);
    const [queue] = await consumer.declare();
    expect(queue).toBe(conn.currentQueueName(queue as string));
    expect(await consumer.purge()).toBe(0);
  });
});

async function until(predicate: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
