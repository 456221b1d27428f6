import { inspect } from 'node:util';
import { requireBroker, waitFor } from '@warren/conformance';
import { ContentDisallowedError, MessageStateError, SerializationError } from '@warren/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspector, REDIS_URL, uniquePrefix } from '../test-support/channels.js';
import { ChannelKeys } from './keys.js';
import { RemoteChannel } from './remote-channel.js';

describe.skipIf(!(await requireBroker('Redis', REDIS_URL, 'RemoteChannel tests')))('RemoteChannel on Redis', () => {
  let redis: Redis;
  const opened: RemoteChannel[] = [];
  const channel = (name: string, prefix: string, extra: object = {}) => {
    const made = new RemoteChannel(name, { redis: REDIS_URL, prefix, ...extra });
    opened.push(made);
    return made;
  };

  beforeAll(() => {
    redis = inspector();
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.end()));
    redis.disconnect();
  });

  it('gives every listener, in every channel object, every message, decoded', async () => {
    const prefix = uniquePrefix('rc');
    const sender = channel('greeting', prefix);
    const receivers = [channel('greeting', prefix), channel('greeting', prefix), channel('greeting', prefix)];
    const got: unknown[][] = [[], [], [], []];
    await receivers[0]?.listen((m) => {
      got[0]?.push(m);
    });
    await receivers[1]?.listen((m) => {
      got[1]?.push(m);
    });
    // Two listeners on one object: both hear everything.
    await receivers[2]?.listen((m) => {
      got[2]?.push(m);
    });
    await receivers[2]?.listen(async (m) => {
      got[3]?.push(m);
    });
    const sent = [
      'hello',
      { n: 1, nested: { list: [1, 'two', null] } },
      42,
      [true, false],
      ...Array.from({ length: 96 }, (_, i) => ({ i })),
    ];
    const reached: number[] = [];
    for (const value of sent) reached.push(await sender.send(value));
    // Three subscribed connections (one per listening object) took each message.
    expect(new Set(reached)).toEqual(new Set([3]));
    await waitFor(() => got.every((list) => list.length === sent.length), 10_000, 'every listener to get 100');
    for (const list of got) expect(list).toEqual(sent);
  });

  it('is at most once: nothing sent before listen() arrives, and send says nobody listened', async () => {
    const prefix = uniquePrefix('rc-amo');
    const sender = channel('news', prefix);
    expect(await sender.send('into the void')).toBe(0);
    const late = channel('news', prefix);
    const got: unknown[] = [];
    await late.listen((m) => {
      got.push(m);
    });
    expect(await sender.send('now')).toBe(1);
    await waitFor(() => got.length === 1, 10_000, 'the message sent after listen()');
    expect(got).toEqual(['now']);
  });

  it('does not mix names or prefixes', async () => {
    const prefix = uniquePrefix('rc-names');
    const got: unknown[] = [];
    await channel('a', prefix).listen((m) => {
      got.push(['a', m]);
    });
    await channel('a', uniquePrefix('other')).listen((m) => {
      got.push(['other prefix', m]);
    });
    expect(await channel('b', prefix).send('for b')).toBe(0);
    await channel('a', prefix).send('for a');
    await waitFor(() => got.length >= 1, 10_000, 'the message for a');
    expect(got).toEqual([['a', 'for a']]);
  });

  it('reports bytes not written by warren, a refused content type and a throwing listener, then goes on', async () => {
    const prefix = uniquePrefix('rc-bad');
    const receiver = channel('feed', prefix);
    const errors: Error[] = [];
    receiver.on('error', (error) => errors.push(error));
    const got: unknown[] = [];
    await receiver.listen((m) => {
      if (m === 'throw') throw new Error('listener failed');
      got.push(m);
    });
    const topic = new ChannelKeys(prefix).broadcast('feed');
    await redis.publish(topic, 'plain text from someone else');
    await channel('feed', prefix, { serializer: 'msgpack' }).send({ packed: true });
    await channel('feed', prefix).send('throw');
    await channel('feed', prefix).send('still here');
    await waitFor(
      () => got.length === 1 && errors.length === 3,
      10_000,
      () => `errors: ${errors.map(String)}`,
    );
    expect(got).toEqual(['still here']);
    expect(errors[0]).toBeInstanceOf(SerializationError);
    expect(errors[1]).toBeInstanceOf(ContentDisallowedError);
    expect(errors[2]?.message).toBe('listener failed');
  });

  it('msgpack when both sides say so', async () => {
    const prefix = uniquePrefix('rc-msgpack');
    const got: unknown[] = [];
    await channel('bin', prefix, { serializer: 'msgpack' }).listen((m) => {
      got.push(m);
    });
    await channel('bin', prefix, { serializer: 'msgpack' }).send({ bytes: 3, list: [1, 2] });
    await waitFor(() => got.length === 1, 10_000, 'the msgpack message');
    expect(got).toEqual([{ bytes: 3, list: [1, 2] }]);
  });

  it('refuses to work once ended, and ends twice quietly', async () => {
    const prefix = uniquePrefix('rc-end');
    const ended = new RemoteChannel('x', { redis: REDIS_URL, prefix });
    await ended.send('one');
    await ended.end();
    await ended.end();
    await expect(ended.send('two')).rejects.toBeInstanceOf(MessageStateError);
    await expect(ended.listen(() => undefined)).rejects.toBeInstanceOf(MessageStateError);
    expect(inspect(ended)).not.toContain('password');
  });
});
