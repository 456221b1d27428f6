import {
  ConfigurationError,
  type Connection,
  ConnectionError,
  MessageStateError,
  RemoteError,
  RpcClient,
  RpcServer,
  TimeoutError,
} from '@warren/core';
import type { SuiteContext } from '../context.js';
import { cuttableConnection } from '../helpers/cut.js';
import { range } from '../helpers/publish.js';
import { readQueue } from '../helpers/read-queue.js';
import { Condition } from '../helpers/wait.js';
import type { TestScope } from '../scope.js';

interface Sum {
  a: number;
  b: number;
}

/** A server that adds, on `queue`, started and closed with the test. */
async function adder(t: TestScope, queue: string, connection: Connection = t.conn): Promise<RpcServer<Sum, number>> {
  const server = t.track(new RpcServer<Sum, number>(connection, { queue }, ({ a, b }) => a + b));
  await server.start();
  return server;
}

/** A gate a handler waits on until the test opens it. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** Request/reply (RpcServer and RpcClient), on every transport. */
export function requestReplyCases(suite: SuiteContext): void {
  suite.test('each call gets its own reply, matched by correlationId, with many in flight', {}, async (t) => {
    const { expect } = t;
    const queue = t.queue('rpc-add');
    // Replies come back out of order: the larger the request, the sooner its answer.
    const server = t.track(
      new RpcServer<Sum, number>(t.conn, { queue }, async ({ a, b }) => {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 40 - a)));
        return a + b;
      }),
    );
    await server.start();
    const client = t.track(new RpcClient<Sum, number>(t.conn, { routingKey: queue }));
    const results = await Promise.all(range(40).map((a) => client.call({ a, b: 1000 }, { timeoutMs: t.ms(10_000) })));
    expect(results).toEqual(range(40).map((a) => a + 1000));
    expect(client.pending).toBe(0);
    // Sequential calls after the burst.
    for (const a of range(5)) expect(await client.call({ a, b: a })).toBe(2 * a);
  });

  suite.test('a handler that throws gives RemoteError with its name and message, and nothing more', {}, async (t) => {
    const { expect } = t;
    const queue = t.queue('rpc-throws');
    const server = t.track(
      new RpcServer(t.conn, { queue }, (request: { fail: boolean }) => {
        if (request.fail) throw new RangeError('out of range: secret stack stays home');
        return 'fine';
      }),
    );
    await server.start();
    const client = t.track(new RpcClient(t.conn, { routingKey: queue }));
    const failure = await client.call({ fail: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RemoteError);
    expect(failure).toMatchObject({ name: 'RemoteError', remoteName: 'RangeError' });
    expect((failure as RemoteError).message).toBe('out of range: secret stack stays home');
    expect(await client.call({ fail: false })).toBe('fine');

    // What goes over the wire: only the name and the message, read here by a plain consumer.
    const replies = t.queue('rpc-raw-replies');
    await t.declareQueue({ name: replies });
    await t
      .publisher({ exchange: '', routingKey: queue })
      .send({ fail: true }, { replyTo: replies, correlationId: 'raw-1' });
    const [reply] = await readQueue(t, replies, { atLeast: 1 });
    expect(reply?.properties.correlationId).toBe('raw-1');
    expect(reply?.body).toEqual({ name: 'RangeError', message: 'out of range: secret stack stays home' });
  });

  suite.test(
    'a call times out with TimeoutError and its entry is freed; the late reply is dropped and reported',
    {},
    async (t) => {
      const { expect } = t;
      const queue = t.queue('rpc-slow');
      const release = gate();
      const started = new Condition();
      let handled = 0;
      const server = t.track(
        new RpcServer(t.conn, { queue }, async (request: { n: number }) => {
          handled += 1;
          started.notify();
          if (request.n === 1) await release.wait;
          return request.n;
        }),
      );
      await server.start();
      const client = t.track(new RpcClient(t.conn, { routingKey: queue }));
      const reported: Error[] = [];
      const changed = new Condition();
      client.on('error', (error) => {
        reported.push(error);
        changed.notify();
      });
      const startedAt = Date.now();
      const slow = client.call({ n: 1 }, { timeoutMs: t.ms(300) });
      await expect(slow).rejects.toBeInstanceOf(TimeoutError);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(t.ms(300) - 5);
      expect(client.pending).toBe(0);
      await started.until(() => handled === 1, t.ms(5_000), 'the slow request to reach its handler');
      // The late reply comes now: it must not be given to the next call.
      release.open();
      await changed.until(() => reported.length === 1, t.ms(5_000), 'the late reply to be reported');
      expect(reported[0]?.message).toMatch(/matched no waiting call/);
      expect(await client.call({ n: 2 }, { timeoutMs: t.ms(5_000) })).toBe(2);
      expect(reported).toHaveLength(1);
    },
  );

  suite.test(
    'the server acks a request only after its reply was sent: a server that dies first leaves it to the next',
    { capabilities: ['acks', 'requeue'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('rpc-handover');
      const release = gate();
      const reached = new Condition();
      let firstReached = false;
      const firstConnection = await t.connect();
      const first = t.track(
        new RpcServer(firstConnection, { queue }, async () => {
          firstReached = true;
          reached.notify();
          await release.wait;
          return 'from the first server';
        }),
      );
      first.on('error', () => undefined);
      await first.start();
      const client = t.track(new RpcClient(t.conn, { routingKey: queue }));
      const answer = client.call({}, { timeoutMs: t.ms(10_000) });
      await reached.until(() => firstReached, t.ms(5_000), 'the request to reach the first server');
      // The first server's connection goes before its handler finishes: the request was not acked.
      await firstConnection.close();
      release.open();
      const second = t.track(new RpcServer(t.conn, { queue }, () => 'from the second server'));
      await second.start();
      expect(await answer).toBe('from the second server');
    },
  );

  suite.test(
    'a request without replyTo is rejected and reported, not answered',
    { capabilities: ['acks'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('rpc-no-reply-to');
      const server = await adder(t, queue);
      const reported: Error[] = [];
      const changed = new Condition();
      server.on('error', (error) => {
        reported.push(error);
        changed.notify();
      });
      await t.publisher({ exchange: '', routingKey: queue }).send({ a: 1, b: 2 });
      await changed.until(() => reported.length === 1, t.ms(5_000), 'the request without replyTo to be reported');
      expect(reported[0]).toBeInstanceOf(ConfigurationError);
      expect(reported[0]?.message).toMatch(/no replyTo/);
      // Rejected (not requeued): the queue is empty and the server still answers.
      expect((await t.conn.checkQueue(queue)).messageCount).toBe(0);
      const client = t.track(new RpcClient<Sum, number>(t.conn, { routingKey: queue }));
      expect(await client.call({ a: 2, b: 3 })).toBe(5);
    },
  );

  suite.test('calls on a closed client reject with MessageStateError; waiting calls end too', {}, async (t) => {
    const { expect } = t;
    const queue = t.queue('rpc-closed');
    const release = gate();
    const reached = new Condition();
    let handling = false;
    const server = t.track(
      new RpcServer(t.conn, { queue }, async () => {
        handling = true;
        reached.notify();
        await release.wait;
        return 'late';
      }),
    );
    server.on('error', () => undefined);
    await server.start();
    const client = new RpcClient(t.conn, { routingKey: queue });
    client.on('error', () => undefined);
    const waiting = client.call({}, { timeoutMs: t.ms(10_000) });
    await reached.until(() => handling, t.ms(5_000), 'the request to reach the server');
    expect(client.pending).toBe(1);
    // Listened to before close(), which rejects it at once.
    const ended = expect(waiting).rejects.toBeInstanceOf(MessageStateError);
    await client.close();
    await ended;
    await expect(client.call({})).rejects.toBeInstanceOf(MessageStateError);
    expect(client.pending).toBe(0);
    release.open();
  });

  suite.test(
    'calls go on after the connection is cut and comes back',
    { capabilities: ['restartable'], timeoutMs: 60_000 },
    async (t) => {
      const { expect } = t;
      const { connection, cutAndAwaitReconnect } = await cuttableConnection(suite, t);
      const queue = t.queue('rpc-reconnect');
      await adder(t, queue, connection);
      const client = t.track(new RpcClient<Sum, number>(connection, { routingKey: queue }));
      expect(await client.call({ a: 1, b: 1 }, { timeoutMs: t.ms(5_000) })).toBe(2);
      await cutAndAwaitReconnect();
      // A call cut with the connection may fail (ConnectionError, TimeoutError); one made after comes through.
      let answer: number | undefined;
      for (let attempt = 0; attempt < 5 && answer === undefined; attempt++) {
        answer = await client.call({ a: 2, b: 3 }, { timeoutMs: t.ms(5_000) }).catch((error: unknown) => {
          expect(error instanceof TimeoutError || error instanceof ConnectionError, String(error)).toBe(true);
          return undefined;
        });
      }
      expect(answer).toBe(5);
      expect(await client.call({ a: 4, b: 4 }, { timeoutMs: t.ms(5_000) })).toBe(8);
    },
  );
}
