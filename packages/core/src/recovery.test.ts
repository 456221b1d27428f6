import { afterEach, describe, expect, it } from 'vitest';
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
} from './index.js';
import { MemorySession } from './memory/session.js';
import { memoryBroker } from './memory/transport.js';

/**
 * A transport whose sessions are memory sessions that the test can kill, as a broker restart or a cut TCP
 * connection would: the session stops working and reports itself lost. Connection refusals and credential
 * failures can be queued up. This exercises core's recovery; the AMQP transport's own tests cut real connections.
 */
class FlakyTransport {
  sessions: Array<{ session: TransportSession; kill(): void }> = [];
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
        memoryBroker(`flaky-${request.url.host}`, { highWaterMark: 10_000 }),
        this.factory.capabilities,
        1000,
      );
      let dead = false;
      const guard = <T>(run: () => Promise<T>): Promise<T> =>
        dead ? Promise.reject(new ConnectionError('session lost (test)')) : run();
      const session: TransportSession = {
        capabilities: this.factory.capabilities,
        declareExchange: (spec) => guard(() => inner.declareExchange(spec)),
        deleteExchange: (name, options) => guard(() => inner.deleteExchange(name, options)),
        declareQueue: (spec) => guard(() => inner.declareQueue(spec)),
        deleteQueue: (name, options) => guard(() => inner.deleteQueue(name, options)),
        purgeQueue: (name) => guard(() => inner.purgeQueue(name)),
        bindQueue: (binding) => guard(() => inner.bindQueue(binding)),
        unbindQueue: (binding) => guard(() => inner.unbindQueue(binding)),
        bindExchange: (binding) => guard(() => inner.bindExchange(binding)),
        unbindExchange: (binding) => guard(() => inner.unbindExchange(binding)),
        publish: (message) => guard(() => inner.publish(message)),
        consume: (queue, options, onDelivery) => guard(() => inner.consume(queue, options, onDelivery)),
        get: (queue, options) => guard(() => inner.get(queue, options)),
        close: () => inner.close(),
        localPorts: () => [],
      };
      this.sessions.push({
        session,
        kill: () => {
          dead = true;
          // Like a broker that lost the connection: unacked deliveries go back to the queue.
          void inner.close();
          request.hooks.lost(new ConnectionError('connection reset (test)'));
        },
      });
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
});
