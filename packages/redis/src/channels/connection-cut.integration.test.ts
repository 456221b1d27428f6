/**
 * CLIENT KILL of the channels' own connections (found by their names, which carry the test's unique prefix) while
 * they work: the DurableChannel loses no message and its blocking receive resumes; the RemoteChannel resubscribes.
 */
import { requireBroker, waitFor } from '@warren/conformance';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clientNames,
  inspector,
  killClients,
  REDIS_URL,
  removePrefix,
  uniquePrefix,
} from '../test-support/channels.js';
import { DurableChannel, type DurableMessage } from './durable-channel.js';
import { RemoteChannel } from './remote-channel.js';

describe.skipIf(!(await requireBroker('Redis', REDIS_URL, 'channel connection-cut tests')))(
  'channels when Redis cuts their connections',
  () => {
    let redis: Redis;
    const opened: Array<{ end(): Promise<void> }> = [];
    const prefixes: string[] = [];
    beforeAll(() => {
      redis = inspector();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((c) => c.end()));
    });
    afterAll(async () => {
      for (const prefix of prefixes) await removePrefix(redis, prefix);
      redis.disconnect();
    });

    it('DurableChannel: a receive() blocked when its connections are killed gets the next message; nothing lost', async () => {
      const prefix = uniquePrefix('dc-cut');
      prefixes.push(prefix);
      const options = { redis: REDIS_URL, prefix, timeoutMonitorFrequency: 50 };
      const errors: Error[] = [];
      const sender = new DurableChannel('sender', options);
      const worker = new DurableChannel('worker', options);
      for (const channel of [sender, worker]) {
        channel.on('error', (error) => errors.push(error));
        opened.push(channel);
      }
      const waiting = worker.receive();
      await waitFor(
        async () => (await clientNames(redis, `${prefix}:dc:worker:blocking`)).length === 1,
        10_000,
        'the worker blocking in BLMOVE',
      );
      expect(await killClients(redis, `${prefix}:dc:`)).toBeGreaterThanOrEqual(3);
      const first = await sender.send({ content: 'after the cut', to: 'worker' });
      const afterCut = await waiting;
      expect(afterCut).toMatchObject({ id: first, content: 'after the cut' });
      await worker.close(afterCut);
      // 50 conversations, with every connection killed twice along the way: each answered once, in order.
      const answers: DurableMessage[] = [];
      const work = (async () => {
        for (let i = 0; i < 50; i++) {
          const message = await worker.receive();
          await worker.reply({ message, response: message.content });
        }
      })();
      for (let i = 0; i < 50; i++) {
        await sender.send({ content: i, to: 'worker' });
        if (i === 15 || i === 35) await killClients(redis, `${prefix}:dc:`);
      }
      for (let i = 0; i < 50; i++) {
        const reply = await sender.receive();
        answers.push(reply);
        await sender.close(reply);
      }
      await work;
      expect(answers.map((a) => a.content)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      // Only the liveness bookkeeping is left (a message lost in a held list would show here).
      const keys = await redis.keys(`{${prefix}}:*`);
      expect(keys.filter((k) => !/:(alive|i|tok):/.test(k))).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('RemoteChannel: a listener whose connection is killed hears again once resubscribed', async () => {
      const prefix = uniquePrefix('rc-cut');
      const sender = new RemoteChannel('news', { redis: REDIS_URL, prefix });
      const receiver = new RemoteChannel('news', { redis: REDIS_URL, prefix });
      opened.push(sender, receiver);
      const heard: unknown[] = [];
      await receiver.listen((message) => {
        heard.push(message);
      });
      expect(await killClients(redis, `${prefix}:rc:news:subscribe`)).toBe(1);
      // At most once: what is sent while it resubscribes is lost; it hears again soon after.
      let sent = 0;
      await waitFor(
        async () => {
          await sender.send(`after the cut ${sent++}`);
          return heard.length > 0;
        },
        15_000,
        'a message heard after the cut',
      );
      expect(heard.every((m) => typeof m === 'string' && m.startsWith('after the cut'))).toBe(true);
    });
  },
);
