import { randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  type Connection,
  connect,
  type Message,
  NotFoundError,
  ValidationError,
} from '@warren/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consumers, messages, type PulseEnvelope, publishers } from './index.js';

// Each test gets its own in-process broker, so exchanges and queues never leak between tests.
let url: string;
let admin: Connection;
beforeEach(async () => {
  url = `memory://pulse-${randomUUID()}`;
  admin = await connect(url);
});
afterEach(async () => {
  await admin.close();
});

function commit(repository: string, changeset = 'abcdef012345'): messages.hg.HgCommitMessage {
  return new messages.hg.HgCommitMessage(repository)
    .setData('who', 'dev@example.com')
    .setData('when', '2026-12-02T10:00:00Z')
    .setData('changeset', changeset)
    .setData('message', 'Bug 1 - fix it')
    .setData('link', `https://hg.mozilla.org/${repository}/rev/${changeset}`);
}

/** Resolves with the first `count` bodies the consumer's callback got. */
function collect<T>(count: number): {
  bodies: T[];
  done: Promise<T[]>;
  callback: (body: T, message: Message<T>) => void;
} {
  const bodies: T[] = [];
  let resolve!: (value: T[]) => void;
  const done = new Promise<T[]>((r) => {
    resolve = r;
  });
  return {
    bodies,
    done,
    callback: (body) => {
      bodies.push(body);
      if (bodies.length === count) resolve(bodies);
    },
  };
}

describe('Pulse on memory://', () => {
  it('a preset publisher and consumer exchange an HgCommitMessage in the envelope', async () => {
    const publisher = new publishers.HgPublisher({ url, user: 'hgservice' });
    await publisher.connect().then((c) => c.declareExchange({ name: publisher.exchange, type: 'topic' }));
    const consumer = new consumers.HgConsumer({ url, user: 'me', applabel: 'app' });
    const got = collect<PulseEnvelope>(1);
    consumer.configure({ topic: 'hg.commit.#', callback: got.callback });
    await consumer.start();
    expect(consumer.queueName).toBe('queue/me/app');

    await publisher.publish(commit('mozilla-central'));
    const [body] = await got.done;
    expect(body?.payload).toMatchObject({ repository: 'mozilla-central', who: 'dev@example.com' });
    expect(body?._meta).toMatchObject({
      exchange: 'exchange/code',
      routing_key: 'hg.commit.mozilla-central',
      serializer: 'json',
    });
    expect(Number.isNaN(Date.parse(body?._meta.sent ?? ''))).toBe(false);
    await consumer.disconnect();
    await publisher.disconnect();
  });

  it('acknowledges after the callback and leaves nothing on the queue', async () => {
    await admin.declareExchange({ name: 'exchange/code', type: 'topic' });
    const consumer = new consumers.CodeConsumer({ connection: admin, applabel: 'acks', durable: true, topic: '#' });
    const got = collect<PulseEnvelope>(3);
    await consumer.start(got.callback);
    const publisher = new publishers.CodePublisher({ connection: admin });
    for (let i = 0; i < 3; i++) await publisher.publish(commit('try', `${i}`.repeat(12)));
    await got.done;
    await consumer.stop();
    const info = await admin.declareQueue({ name: consumer.queueName, durable: true });
    expect(info.messageCount).toBe(0);
    await publisher.disconnect();
  });

  it('several exchange/topic bindings feed one queue', async () => {
    await admin.declareExchange({ name: 'exchange/code', type: 'topic' });
    await admin.declareExchange({ name: 'exchange/pulse/test', type: 'topic' });
    const consumer = new consumers.CodeConsumer({
      connection: admin,
      topic: ['hg.commit.mozilla-central', 'hg.push.#'],
      bindings: [{ exchange: 'exchange/pulse/test', topic: 'test' }],
    });
    const got = collect<PulseEnvelope>(3);
    await consumer.start(got.callback);
    const code = new publishers.CodePublisher({ connection: admin });
    const test = new publishers.PulseTestPublisher({ connection: admin });
    await code.publish(commit('mozilla-central'));
    await code.publish(commit('try')); // not bound: hg.commit.try
    await code.publish(
      new messages.hg.HgPushMessage('try').setData('who', 'a').setData('when', 'now').setData('changesets', ['abc']),
    );
    await test.publish(new messages.test.TestMessage().setData('beat', 1));
    const bodies = await got.done;
    expect(bodies.map((b) => b._meta.routing_key).sort()).toEqual(['hg.commit.mozilla-central', 'hg.push.try', 'test']);
    await consumer.disconnect();
  });

  it('a temporary queue is exclusive and auto-deleted, with a generated name', async () => {
    await admin.declareExchange({ name: 'exchange/code', type: 'topic' });
    const consumer = new consumers.CodeConsumer({ connection: admin, user: 'me', topic: '#' });
    expect(consumer.queueName).toMatch(/^queue\/me\/[0-9a-f-]{36}$/);
    await consumer.start(() => {});
    const other = await connect(url);
    await expect(
      other.declareQueue({ name: consumer.queueName, exclusive: true, autoDelete: true, durable: false }),
    ).rejects.toThrow(/exclusive|locked/i);
    await other.close();
    await consumer.stop();
  });

  it('listen() resolves when stopped, and through an AbortSignal', async () => {
    await admin.declareExchange({ name: 'exchange/code', type: 'topic' });
    const consumer = new consumers.CodeConsumer({ connection: admin, topic: '#', callback: () => {} });
    const listening = consumer.listen();
    await consumer.start();
    await consumer.stop();
    await expect(listening).resolves.toBeUndefined();

    const controller = new AbortController();
    const again = consumer.listen({ signal: controller.signal });
    await consumer.start();
    controller.abort();
    await expect(again).resolves.toBeUndefined();
    await consumer.disconnect();
  });

  it('purgeExistingMessages drops what waits in a durable queue', async () => {
    await admin.declareExchange({ name: 'exchange/code', type: 'topic' });
    const consumer = new consumers.CodeConsumer({ connection: admin, applabel: 'purge', durable: true, topic: '#' });
    await consumer.start(() => {});
    await consumer.stop();
    const publisher = new publishers.CodePublisher({ connection: admin });
    await publisher.publish(commit('a'));
    await publisher.publish(commit('b'));
    await expect(consumer.purgeExistingMessages()).resolves.toBe(2);
    await expect(consumer.purgeExistingMessages()).resolves.toBe(0);
  });

  it('prefetch bounds the messages handed to the callback before it acknowledges', async () => {
    await admin.declareExchange({ name: 'exchange/code', type: 'topic' });
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const seen: string[] = [];
    const consumer = new consumers.CodeConsumer({ connection: admin, applabel: 'slow', topic: '#', prefetch: 1 });
    await consumer.start(async (body) => {
      seen.push(body._meta.routing_key);
      entered();
      await released;
    });
    const publisher = new publishers.CodePublisher({ connection: admin });
    for (const repo of ['a', 'b', 'c']) await publisher.publish(commit(repo));
    await inside;
    // One message is with the callback, unacknowledged; the other two wait in the queue.
    expect(
      (await admin.declareQueue({ name: consumer.queueName, exclusive: true, autoDelete: true, durable: false }))
        .messageCount,
    ).toBe(2);
    release();
    await expect.poll(() => seen.length).toBe(3);
    await consumer.stop();
  });

  it('maxLength bounds the queue', async () => {
    await admin.declareExchange({ name: 'exchange/code', type: 'topic' });
    const consumer = new consumers.CodeConsumer({
      connection: admin,
      applabel: 'bounded',
      durable: true,
      topic: '#',
      maxLength: 2,
    });
    await consumer.start(() => {});
    await consumer.stop();
    const publisher = new publishers.CodePublisher({ connection: admin });
    for (const repo of ['a', 'b', 'c']) await publisher.publish(commit(repo));
    const info = await admin.declareQueue({ name: consumer.queueName, durable: true, arguments: { maxLength: 2 } });
    expect(info.messageCount).toBe(2);
  });

  it('Taskcluster presets send bare JSON and accept routing-key fields by name', async () => {
    const publisher = new publishers.TaskCompletedPublisher({ connection: admin });
    await admin.declareExchange({ name: publisher.exchange, type: 'topic' });
    const consumer = new consumers.TaskCompletedConsumer({ connection: admin, topic: { taskGroupId: 'G1' } });
    const got = collect<Record<string, unknown>>(1);
    await consumer.start(got.callback);
    const key = (group: string) => `primary.T1.0.wg.wid.prov.wt.sched.${group}._`;
    await publisher.publish(new messages.RawMessage(key('G2'), { status: { taskId: 'T1' }, group: 'G2' }));
    await publisher.publish(new messages.RawMessage(key('G1'), { status: { taskId: 'T1' }, group: 'G1' }));
    const [body] = await got.done;
    expect(body).toEqual({ status: { taskId: 'T1' }, group: 'G1' });
    await consumer.disconnect();
  });

  it('publishers declare exchange/<user>/<name> for a short exchange name', () => {
    expect(new publishers.GenericPublisher({ url, user: 'me', exchange: 'builds' }).exchange).toBe(
      'exchange/me/builds',
    );
    expect(new publishers.GenericPublisher({ url, exchange: 'exchange/x/y' }).exchange).toBe('exchange/x/y');
  });
});

describe('Pulse bad input', () => {
  it('missing credentials say what Pulse needs', () => {
    expect(() => new consumers.HgConsumer({ applabel: 'x' })).toThrow(ConfigurationError);
    expect(() => new consumers.HgConsumer({ user: 'me' })).toThrow(
      /Pulse needs a user and a password \(missing: password\).*pulseguardian/,
    );
    expect(() => new publishers.HgPublisher({})).toThrow(/missing: user, password/);
  });

  it('an unknown option names the nearest one', () => {
    expect(() => new consumers.HgConsumer({ url, applable: 'x' } as never)).toThrow(
      /unknown option "applable" \(did you mean "applabel"\?\)/,
    );
    expect(() => new consumers.HgConsumer({ url, prefecth: 1 } as never)).toThrow(/did you mean "prefetch"/);
  });

  it('contradicting broker options are refused', () => {
    expect(() => new consumers.HgConsumer({ url, host: 'x' })).toThrow(/host cannot be combined with url/);
    expect(() => new consumers.HgConsumer({ url: 'amqp://a:b@h/', user: 'c' })).toThrow(/differs from the URL's user/);
    expect(() => new consumers.HgConsumer({ url, connection: admin })).toThrow(/either url or connection/);
  });

  it('a durable queue without an applabel is refused', () => {
    expect(() => new consumers.HgConsumer({ url, durable: true })).toThrow(/durable queue needs an applabel/);
    const consumer = new consumers.HgConsumer({ url });
    expect(() => consumer.configure({ durable: true })).toThrow(ConfigurationError);
    expect(consumer.durable).toBe(false);
  });

  it('a message with a missing field is a ValidationError naming the fields, before anything is sent', async () => {
    await admin.declareExchange({ name: 'exchange/code', type: 'topic' });
    const { queue } = await admin.declareQueue({ name: 'all-code', durable: false });
    await admin.bindQueue({ queue, exchange: 'exchange/code', routingKey: '#' });
    const publisher = new publishers.HgPublisher({ connection: admin });
    const message = new messages.hg.HgCommitMessage('mozilla-central').setData('who', 'someone');
    const error = await publisher.publish(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/missing required fields when, changeset, message, link/);
    expect((await admin.declareQueue({ name: queue, durable: false })).messageCount).toBe(0);
    await publisher.publish(commit('mozilla-central')); // the same queue does count a valid one
    expect((await admin.declareQueue({ name: queue, durable: false })).messageCount).toBe(1);
  });

  it('a field of the wrong type is a ValidationError naming it', () => {
    const message = commit('mozilla-central').setData('link', 'not a url');
    expect(() => message.prepare()).toThrow(ValidationError);
    expect(() => message.prepare()).toThrow(/link:/);
    const badChangeset = commit('m').setData('changeset', 'xyz');
    expect(() => badChangeset.prepare()).toThrow(/changeset: expected a changeset id/);
    const wrongType = commit('m').setData('when', true as never);
    expect(() => wrongType.prepare()).toThrow(/when:/);
  });

  it('a topic no routing key of the preset can match is refused', () => {
    expect(() => new consumers.TaskCompletedConsumer({ url, topic: 'primary.abc' })).toThrow(
      /can never match.*routingKeyKind\.taskId/,
    );
    expect(() => new consumers.TaskCompletedConsumer({ url, topic: { taskid: 'x' } })).toThrow(
      /no routing-key field "taskid" \(did you mean "taskId"\?\)/,
    );
    expect(() => new consumers.CodeConsumer({ url, topic: { taskId: 'x' } })).toThrow(/no named routing-key fields/);
    expect(() => new consumers.CodeConsumer({ url, topic: 'hg..commit' })).toThrow(/empty word/);
    expect(() => new consumers.TaskCompletedConsumer({ url, topic: 'route.index.#' })).not.toThrow();
    expect(() => new consumers.TaskCompletedConsumer({ url, topic: 'primary.#' })).not.toThrow();
  });

  it('a consumer with no exchange, topic or callback says what to pass', async () => {
    const generic = new consumers.GenericConsumer({ url, topic: '#', callback: () => {} });
    await expect(generic.start()).rejects.toThrow(/no exchange/);
    const noTopic = new consumers.CodeConsumer({ url, callback: () => {} });
    await expect(noTopic.start()).rejects.toThrow(/no topic/);
    const noCallback = new consumers.CodeConsumer({ url, topic: '#' });
    await expect(noCallback.start()).rejects.toThrow(/no callback/);
    await Promise.all([generic.disconnect(), noTopic.disconnect(), noCallback.disconnect()]);
  });

  it('a Pulse exchange that does not exist is a NotFoundError that says so', async () => {
    const consumer = new consumers.CodeConsumer({
      connection: admin,
      applabel: 'kept',
      durable: true,
      topic: '#',
      callback: () => {},
    });
    const error = await consumer.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/Pulse exchange "exchange\/code" does not exist.*never creates/);
    // Checked before anything was declared: no durable queue is left behind, and the exchange was not created.
    await expect(consumer.queueExists()).resolves.toBe(false);
    await expect(admin.checkExchange('exchange/code')).rejects.toBeInstanceOf(NotFoundError);
  });
});
