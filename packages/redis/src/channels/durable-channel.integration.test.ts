import { requireBroker, waitFor } from '@warren/conformance';
import { MessageStateError, NotFoundError, PreconditionFailedError, SerializationError } from '@warren/core';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inspector, keysOf, REDIS_URL, removePrefix, uniquePrefix } from '../test-support/channels.js';
import { DurableChannel, type DurableMessage } from './durable-channel.js';
import { ChannelKeys } from './keys.js';
import type { DurableChannelOptions } from './options.js';

describe.skipIf(!(await requireBroker('Redis', REDIS_URL, 'DurableChannel tests')))('DurableChannel on Redis', () => {
  let redis: Redis;
  let opened: DurableChannel[] = [];
  const prefixes: string[] = [];

  function fresh(label: string): string {
    const prefix = uniquePrefix(label);
    prefixes.push(prefix);
    return prefix;
  }

  /** A channel with a fast timeout scan; its timeouts are collected in `timeouts`. */
  function channel(name: string, prefix: string, extra: Partial<DurableChannelOptions> = {}) {
    const timeouts: DurableMessage[] = [];
    const errors: Error[] = [];
    const made = new DurableChannel(
      name,
      { redis: REDIS_URL, prefix, timeoutMonitorFrequency: 50, ...extra },
      (message) => {
        timeouts.push(message);
      },
    );
    made.on('error', (error) => errors.push(error));
    opened.push(made);
    return { channel: made, timeouts, errors };
  }

  beforeAll(() => {
    redis = inspector();
  });
  afterEach(async () => {
    await Promise.all(opened.map((c) => c.end()));
    opened = [];
  });
  afterAll(async () => {
    for (const prefix of prefixes) await removePrefix(redis, prefix);
    redis.disconnect();
  });

  it("muppet's scenario: send, receive, reply, receive the reply, close; nothing left in Redis", async () => {
    const prefix = fresh('dc-flow');
    const dispatcher = channel('dispatcher.1', prefix);
    const worker = channel('worker.1', prefix);
    const id = await dispatcher.channel.send({ content: { task: 'resize', size: 3 }, to: 'worker.1', timeout: 5000 });
    const message = await worker.channel.receive();
    expect(message).toEqual({ id, content: { task: 'resize', size: 3 }, from: 'dispatcher.1', to: 'worker.1' });
    const replyId = await worker.channel.reply({ message, response: 'reply', timeout: 5000 });
    const reply = await dispatcher.channel.receive();
    expect(reply).toEqual({ id: replyId, content: 'reply', from: 'worker.1', to: 'dispatcher.1', inReplyTo: id });
    await dispatcher.channel.close(reply);
    // Only the liveness bookkeeping is left: no message, queue, held list or timeout.
    const keys = await keysOf(redis, prefix);
    expect(keys.filter((k) => !/:(alive|i|tok):/.test(k))).toEqual([]);
    expect(dispatcher.timeouts).toEqual([]);
    expect(worker.timeouts).toEqual([]);
  });

  it('gives each message to exactly one of several competing receivers of a name', async () => {
    const prefix = fresh('dc-compete');
    const sender = channel('boss', prefix);
    const workers = [channel('pool', prefix), channel('pool', prefix), channel('pool', prefix)];
    const count = 300;
    const received: Array<Array<number>> = [[], [], []];
    const loops = workers.map(async (worker, index) => {
      for (;;) {
        const message = await worker.channel.receive({ timeoutMs: 1500 });
        if (message === null) return;
        received[index]?.push(message.content as number);
      }
    });
    for (let i = 0; i < count; i++) await sender.channel.send({ content: i, to: 'pool' });
    await Promise.all(loops);
    const all = received.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: count }, (_, i) => i));
    // Every receiver took part (they block on the same list; Redis serves the longest waiter first).
    expect(received.filter((list) => list.length > 0).length).toBeGreaterThan(1);
  });

  it('hands an unanswered message to the sender’s timeout callback exactly once, among two senders of one name', async () => {
    const prefix = fresh('dc-timeout');
    const senders = [channel('dispatcher', prefix), channel('dispatcher', prefix)];
    const worker = channel('worker', prefix);
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const sender = senders[i % 2];
      if (sender) ids.add(await sender.channel.send({ content: i, to: 'worker', timeout: 200 }));
    }
    // Some received and never answered (as many as the worker takes before their deadline), the rest never
    // received: all time out.
    for (let i = 0; i < 10; i++) if ((await worker.channel.receive({ timeoutMs: 100 })) === null) break;
    const timeouts = () => [...(senders[0]?.timeouts ?? []), ...(senders[1]?.timeouts ?? [])];
    await waitFor(
      () => timeouts().length >= 20,
      15_000,
      () => `20 timeouts, got ${timeouts().length}`,
    );
    // Once the claims are finished the timeout index is empty: nothing is left to fire again.
    const keys = new ChannelKeys(prefix);
    await waitFor(async () => (await redis.zcard(keys.timeouts('dispatcher'))) === 0, 10_000, 'an empty index');
    expect(
      timeouts()
        .map((m) => m.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(
      timeouts()
        .map((m) => m.content as number)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(timeouts().every((m) => m.from === 'dispatcher' && m.to === 'worker' && m.inReplyTo === undefined)).toBe(
      true,
    );
    // Timed-out messages are gone from the queue and the held list, never received afterwards.
    expect(await redis.llen(keys.queue('worker'))).toBe(0);
    expect(await redis.llen(keys.held(worker.channel.instance))).toBe(0);
    expect(await worker.channel.receive({ timeoutMs: 300 })).toBeNull();
    expect(worker.timeouts).toEqual([]);
  });

  it('hands a reply that was not closed to the replier’s timeout callback, with the id it answers', async () => {
    const prefix = fresh('dc-reply-timeout');
    const dispatcher = channel('dispatcher', prefix);
    const worker = channel('worker', prefix);
    const id = await dispatcher.channel.send({ content: 'task', to: 'worker', timeout: 10_000 });
    const message = await worker.channel.receive();
    // The dispatcher waits before the reply is sent, so it gets it well before the reply's deadline.
    const receiving = dispatcher.channel.receive();
    const replyId = await worker.channel.reply({ message, response: { ok: true }, timeout: 1_000 });
    const reply = await receiving;
    expect(reply.inReplyTo).toBe(id);
    await waitFor(() => worker.timeouts.length === 1, 10_000, 'the reply timeout');
    expect(worker.timeouts).toEqual([
      { id: replyId, content: { ok: true }, from: 'worker', to: 'dispatcher', inReplyTo: id },
    ]);
    // The answered message itself never times out; closing the timed-out reply is refused.
    expect(dispatcher.timeouts).toEqual([]);
    await expect(dispatcher.channel.close(reply)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a reply in time cancels the timeout; close cancels the reply’s', async () => {
    const prefix = fresh('dc-in-time');
    const dispatcher = channel('d', prefix);
    const worker = channel('w', prefix);
    await dispatcher.channel.send({ content: 1, to: 'w', timeout: 10_000 });
    const message = await worker.channel.receive();
    await worker.channel.reply({ message, response: 2, timeout: 10_000 });
    await dispatcher.channel.close(await dispatcher.channel.receive());
    // Both deadlines are gone from the indexes the scans read: neither can fire any more.
    const keys = new ChannelKeys(prefix);
    expect(await redis.zcard(keys.timeouts('d'))).toBe(0);
    expect(await redis.zcard(keys.timeouts('w'))).toBe(0);
    expect(dispatcher.timeouts).toEqual([]);
    expect(worker.timeouts).toEqual([]);
  });

  it('a sender that restarts (a new channel of the same name) gets its pending replies and timeouts', async () => {
    const prefix = fresh('dc-restart');
    const first = channel('dispatcher', prefix);
    const worker = channel('worker', prefix);
    const answered = await first.channel.send({ content: 'answer me', to: 'worker', timeout: 10_000 });
    const ignored = await first.channel.send({ content: 'ignore me', to: 'worker', timeout: 3_000 });
    await first.channel.end();
    const message = await worker.channel.receive();
    expect(message.id).toBe(answered);
    await worker.channel.reply({ message, response: 'here' });
    const again = channel('dispatcher', prefix);
    const reply = await again.channel.receive();
    expect(reply).toMatchObject({ content: 'here', inReplyTo: answered });
    await again.channel.close(reply);
    await waitFor(() => again.timeouts.length === 1, 10_000, 'the timeout of the ignored message');
    expect(again.timeouts[0]).toMatchObject({ id: ignored, content: 'ignore me' });
    expect(first.timeouts).toEqual([]);
  });

  it('an object that ends with a message it did not answer gives it back to its name', async () => {
    const prefix = fresh('dc-end-requeue');
    const sender = channel('s', prefix);
    const first = channel('w', prefix);
    const id = await sender.channel.send({ content: 'unfinished', to: 'w' });
    expect((await first.channel.receive()).id).toBe(id);
    await first.channel.end();
    const second = channel('w', prefix);
    const again = await second.channel.receive({ timeoutMs: 5_000 });
    expect(again?.id).toBe(id);
    await second.channel.reply({ message: again as DurableMessage, response: 'done' });
    expect((await sender.channel.receive()).content).toBe('done');
  });

  it('refuses bad input with typed errors', async () => {
    const prefix = fresh('dc-bad');
    const { channel: worker } = channel('worker', prefix);
    const { channel: other } = channel('other', prefix);
    await expect(worker.reply({ message: { id: 'no-such-id' }, response: 1 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(worker.close({ id: 'no-such-id' })).rejects.toThrow(/cannot close message no-such-id: it is unknown/);
    // A message for someone else, or not received yet, cannot be answered.
    const id = await other.send({ content: 'x', to: 'other' });
    await expect(worker.reply({ message: { id }, response: 1 })).rejects.toBeInstanceOf(MessageStateError);
    await expect(other.reply({ message: { id }, response: 1 })).rejects.toThrow(/not received yet/);
    const message = await other.receive();
    await other.close(message);
    await expect(other.close(message)).rejects.toBeInstanceOf(NotFoundError);
    // Options of each call are strict.
    await expect(worker.send({ content: 1, to: '' })).rejects.toThrow(/to/);
    await expect(worker.send({ content: 1, to: 'x', timeout: -5 })).rejects.toThrow(/timeout/);
    await expect(worker.send({ content: 1, to: 'x', timout: 5 } as never)).rejects.toThrow(/timout/);
    await expect(worker.receive({ timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(worker.send({ content: 10n, to: 'x' })).rejects.toBeInstanceOf(SerializationError);
    // A key of another type where the queue belongs.
    await redis.set(new ChannelKeys(prefix).queue('taken'), 'not a list');
    await expect(worker.send({ content: 1, to: 'taken' })).rejects.toBeInstanceOf(PreconditionFailedError);
    // Bytes not written by warren, queued for this name: receive reports them (and the next message still comes).
    const keys = new ChannelKeys(prefix);
    await redis.hset(keys.message('garbage'), { f: 'no frame here', s: 'x', r: 'worker', st: 'queued', n: 0 });
    await redis.lpush(keys.queue('worker'), 'garbage');
    await expect(worker.receive()).rejects.toBeInstanceOf(SerializationError);
    await other.send({ content: 'after garbage', to: 'worker' });
    expect((await worker.receive()).content).toBe('after garbage');
    await worker.end();
    await expect(worker.send({ content: 1, to: 'x' })).rejects.toBeInstanceOf(MessageStateError);
    await expect(worker.receive()).rejects.toBeInstanceOf(MessageStateError);
  });

  it('end() stops a receive() that waits', async () => {
    const prefix = fresh('dc-end-waiting');
    const { channel: worker } = channel('idle', prefix);
    const waiting = worker.receive();
    const outcome = waiting.then(
      () => 'resolved',
      (error: Error) => error.name,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await worker.end();
    expect(await outcome).toBe('MessageStateError');
  });
});
