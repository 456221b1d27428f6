import {
  ConfigurationError,
  type Message,
  MessageStateError,
  UnsupportedFeatureError,
  ValidationError,
} from '@warren/core';
import type { SuiteContext } from '../context.js';
import { range, sendMany } from '../helpers/publish.js';
import { Condition, waitFor } from '../helpers/wait.js';

/** A zod-like schema (the suite does not depend on zod) that accepts `{ n: number }` only. */
const numbered = {
  safeParse(input: unknown) {
    const n = (input as { n?: unknown } | null)?.n;
    return typeof n === 'number'
      ? { success: true as const, data: input as { n: number } }
      : { success: false as const, error: { issues: [{ path: ['n'], message: 'Expected a number' }] } };
  },
};

/**
 * A consumer loses no message by mistake: not for want of a callback, not when a `for await` loop ends with
 * messages buffered or in flight, and a message it settled itself says so.
 */
export function consumerSafetyCases(suite: SuiteContext): void {
  suite.test(
    'consume() with no callback and no receive override rejects with ConfigurationError before subscribing',
    { capabilities: ['acks'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('no-callback');
      await t.declareQueue({ name: queue });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await sendMany(publisher, 3, (n) => ({ body: { n } }));
      const consumer = t.consumer({ queue, declare: false });
      const errors: Error[] = [];
      consumer.on('error', (error) => errors.push(error));
      await expect(consumer.consume()).rejects.toBeInstanceOf(ConfigurationError);
      await expect(consumer.wait()).rejects.toBeInstanceOf(ConfigurationError);
      expect(consumer.isConsuming).toBe(false);
      // Not subscribed, so nothing was taken, and so nothing was rejected: all three are still there.
      expect(await t.depth(queue)).toBe(3);
      expect(errors).toEqual([]);

      // Registering a callback afterwards makes consume() work, and every message arrives.
      const seen: number[] = [];
      const changed = new Condition();
      consumer.register(async (body, message) => {
        seen.push((body as { n: number }).n);
        await message.ack();
        changed.notify();
      });
      await consumer.consume();
      await changed.until(
        () => seen.length === 3,
        t.ms(5_000),
        () => `3 messages (got ${seen})`,
      );
      expect(seen.sort()).toEqual([0, 1, 2]);
    },
  );

  suite.test(
    'a for await loop that breaks puts back every message buffered or in flight (publish 20, prefetch 10, take one)',
    { capabilities: ['acks'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('iterate-break');
      await t.declareQueue({ name: queue });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await sendMany(publisher, 20, (n) => ({ body: { n } }));
      const consumer = t.consumer({ queue, declare: false, prefetch: 10 });
      const errors: Error[] = [];
      consumer.on('error', (error) => errors.push(error));
      let taken: Message | undefined;
      for await (const message of consumer) {
        taken = message;
        await message.ack();
        break;
      }
      expect(taken?.body).toEqual({ n: 0 });
      await consumer.close();
      expect(errors).toEqual([]);
      // A quorum queue's reported depth catches up with returned messages a moment later: wait for it, bounded.
      let depth = -1;
      await waitFor(
        async () => {
          depth = await t.depth(queue);
          return depth === 19;
        },
        t.ms(5_000),
        () => `the queue to hold 19 (it holds ${depth})`,
      );
    },
  );

  suite.test(
    'for await loops that break, one after another, see every message exactly once between them',
    { capabilities: ['acks'], timeoutMs: 20_000 },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('iterate-rounds');
      await t.declareQueue({ name: queue });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      const total = 40;
      await sendMany(publisher, total, (n) => ({ body: { n } }));
      const consumer = t.consumer({ queue, declare: false, prefetch: 10 });
      const seen = new Map<number, number>();
      for (let round = 0; seen.size < total; round++) {
        expect(round, `round ${round}: ${seen.size} of ${total} seen`).toBeLessThan(total);
        let inRound = 0;
        for await (const message of consumer) {
          const n = (message.body as { n: number }).n;
          seen.set(n, (seen.get(n) ?? 0) + 1);
          await message.ack();
          inRound += 1;
          if (inRound === 3 || seen.size === total) break;
        }
      }
      await consumer.close();
      expect(range(total).filter((n) => !seen.has(n))).toEqual([]);
      expect([...seen].filter(([, count]) => count > 1)).toEqual([]);
      expect(await t.depth(queue)).toBe(0);
    },
  );

  suite.test(
    'a message the consumer settled itself is reported acknowledged, with its settlement; settling it again fails',
    { capabilities: ['acks'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('self-settled');
      await t.declareQueue({ name: queue });
      const consumer = t.consumer({ queue, declare: false, accept: ['json'], schema: numbered });
      consumer.register((body) => {
        if ((body as { n: number }).n === 2) throw new Error('callback failed on purpose');
      });
      const reported: Array<{ error: Error; message: Message | undefined }> = [];
      const changed = new Condition();
      consumer.on('error', (error, message) => {
        reported.push({ error, message });
        changed.notify();
      });
      await consumer.consume();
      const text = t.publisher({ exchange: '', routingKey: queue, serializer: 'text' });
      const json = t.publisher({ exchange: '', routingKey: queue });
      await text.send('not json', { messageId: 'disallowed' });
      await json.send({ n: 'not a number' }, { messageId: 'invalid' });
      await json.send({ n: 2 }, { messageId: 'threw' });
      await changed.until(
        () => reported.length === 3,
        t.ms(5_000),
        () => `3 error events (got ${reported.length})`,
      );

      const byId = new Map(reported.map((r) => [r.message?.properties.messageId, r]));
      expect(byId.get('invalid')?.error).toBeInstanceOf(ValidationError);
      for (const id of ['disallowed', 'invalid', 'threw']) {
        const message = byId.get(id)?.message;
        expect(message, id).toBeDefined();
        expect(message?.acknowledged, id).toBe(true);
        expect(message?.settlement, id).toBe('reject');
        await expect(message?.requeue(), id).rejects.toBeInstanceOf(MessageStateError);
        await expect(message?.ack(), id).rejects.toBeInstanceOf(MessageStateError);
      }
      await consumer.close();
      // Rejected, and the failed requeue() really did nothing: none came back.
      expect(await t.depth(queue)).toBe(0);
    },
  );

  suite.test(
    'exclusive: true is honoured where the transport has exclusive queues, and UnsupportedFeatureError where not',
    {},
    async (t) => {
      const { expect } = t;
      const queue = t.queue('exclusive');
      const consumer = t.consumer({ queue, exclusive: true, durable: false, autoDelete: true });
      consumer.register(() => {});
      if (!t.caps.exclusiveQueues) {
        await expect(consumer.consume()).rejects.toBeInstanceOf(UnsupportedFeatureError);
        expect(consumer.isConsuming).toBe(false);
        return;
      }
      t.rememberQueue({ name: queue, durable: false, exclusive: true, autoDelete: true });
      await consumer.consume();
      expect(consumer.isConsuming).toBe(true);
      // Exclusive to this connection: another one may not consume from it.
      const other = await t.connect();
      const intruder = t.consumer({ queue, declare: false }, other);
      intruder.register(() => {});
      await expect(intruder.consume()).rejects.toThrow();
    },
  );
}
