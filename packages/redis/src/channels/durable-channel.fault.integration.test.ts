/**
 * Processes that die: a receiver SIGKILLed after it received, a sender SIGKILLed after it sent. Each child is a
 * real process (test-support/channel-child.ts) running a DurableChannel; nothing is ended cleanly.
 */
import { requireBroker, waitFor } from '@warren/conformance';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChannelChild, inspector, REDIS_URL, removePrefix, uniquePrefix } from '../test-support/channels.js';
import { DurableChannel, type DurableMessage } from './durable-channel.js';
import { ChannelKeys } from './keys.js';

describe.skipIf(!(await requireBroker('Redis', REDIS_URL, 'DurableChannel fault tests')))(
  'DurableChannel when a process dies',
  { timeout: 120_000 },
  () => {
    let redis: Redis;
    const children: ChannelChild[] = [];
    const channels: DurableChannel[] = [];
    const prefixes: string[] = [];

    function open(name: string, prefix: string, timeouts: DurableMessage[]): DurableChannel {
      const made = new DurableChannel(
        name,
        { redis: REDIS_URL, prefix, timeoutMonitorFrequency: 50, livenessMs: 1_000 },
        (message) => {
          timeouts.push(message);
        },
      );
      channels.push(made);
      return made;
    }

    beforeAll(() => {
      redis = inspector();
    });
    afterEach(async () => {
      await Promise.all(children.splice(0).map((child) => child.kill()));
      await Promise.all(channels.splice(0).map((channel) => channel.end()));
    });
    afterAll(async () => {
      for (const prefix of prefixes) await removePrefix(redis, prefix);
      redis.disconnect();
    });

    it("a receiver SIGKILLed after receive: the message goes to the sender's timeout callback, once", async () => {
      const prefix = uniquePrefix('dc-kill-receiver');
      prefixes.push(prefix);
      const timeouts: DurableMessage[] = [];
      const sender = open('dispatcher', prefix, timeouts);
      const child = new ChannelChild({ mode: 'receive', prefix, name: 'worker', count: 3 });
      children.push(child);
      // Sent once the child runs (under load its start can take seconds), with time enough to be received.
      await child.waitForLine(/waiting for messages/, 60_000);
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(await sender.send({ content: `task ${i}`, to: 'worker', timeout: 6_000 }));
      await child.waitForLine(/ready to be killed/, 60_000);
      expect(child.lines.filter((l) => l.startsWith('received')).map((l) => l.split(' ')[1])).toEqual(ids);
      await child.kill();
      await waitFor(
        () => timeouts.length >= 3,
        20_000,
        () => `3 timeouts, got ${timeouts.length}`,
      );
      const keys = new ChannelKeys(prefix);
      await waitFor(async () => (await redis.zcard(keys.timeouts('dispatcher'))) === 0, 10_000, 'an empty index');
      expect(timeouts.map((m) => m.id).sort()).toEqual([...ids].sort());
      expect(timeouts.map((m) => m.content).sort()).toEqual(['task 0', 'task 1', 'task 2']);
      // Nothing of them is left for anyone to receive.
      for (const id of ids) expect(await redis.exists(keys.message(id))).toBe(0);
    });

    it('a receiver SIGKILLed holding a message without timeout: a receiver of the same name gets it later', async () => {
      const prefix = uniquePrefix('dc-kill-no-timeout');
      prefixes.push(prefix);
      const timeouts: DurableMessage[] = [];
      const sender = open('dispatcher', prefix, timeouts);
      const child = new ChannelChild({ mode: 'receive', prefix, name: 'worker', count: 1 });
      children.push(child);
      const id = await sender.send({ content: 'must not be lost', to: 'worker' });
      await child.waitForLine(/ready to be killed/, 60_000);
      await child.kill();
      // The restarted worker: once the dead one's liveness key expires, its message is queued again.
      const restarted = open('worker', prefix, []);
      const message = await restarted.receive({ timeoutMs: 20_000 });
      expect(message).toMatchObject({ id, content: 'must not be lost', from: 'dispatcher' });
      await restarted.reply({ message: message as DurableMessage, response: 'done at last' });
      expect(await sender.receive({ timeoutMs: 10_000 })).toMatchObject({ content: 'done at last', inReplyTo: id });
      expect(timeouts).toEqual([]);
    });

    it('a sender SIGKILLed after sending: its restarted self gets the replies and the timeouts', async () => {
      const prefix = uniquePrefix('dc-kill-sender');
      prefixes.push(prefix);
      const child = new ChannelChild({
        mode: 'send',
        prefix,
        name: 'dispatcher',
        to: 'worker',
        count: 4,
        timeout: 3_000,
      });
      children.push(child);
      await child.waitForLine(/ready to be killed/, 60_000);
      const sent = child.lines.filter((l) => l.startsWith('sent')).map((l) => l.split(' ')[1] as string);
      expect(sent).toHaveLength(4);
      await child.kill();
      // A worker answers two of the four; the others time out.
      const worker = open('worker', prefix, []);
      for (let i = 0; i < 2; i++) {
        const message = await worker.receive();
        await worker.reply({ message, response: `answer to ${message.content}` });
      }
      const timeouts: DurableMessage[] = [];
      const restarted = open('dispatcher', prefix, timeouts);
      const replies = [await restarted.receive(), await restarted.receive()];
      expect(replies.map((r) => r.content).sort()).toEqual(['answer to 0', 'answer to 1']);
      expect(replies.map((r) => r.inReplyTo)).toEqual(sent.slice(0, 2));
      for (const reply of replies) await restarted.close(reply);
      await waitFor(
        () => timeouts.length >= 2,
        20_000,
        () => `2 timeouts, got ${timeouts.length}`,
      );
      const keys = new ChannelKeys(prefix);
      await waitFor(async () => (await redis.zcard(keys.timeouts('dispatcher'))) === 0, 10_000, 'an empty index');
      expect(timeouts.map((m) => m.id).sort()).toEqual(sent.slice(2).sort());
    });
  },
);
