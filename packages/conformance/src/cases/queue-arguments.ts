import type { Message } from '@warren/core';
import type { SuiteContext } from '../context.js';
import { collect } from '../helpers/inbox.js';
import { sendMany } from '../helpers/publish.js';
import { readQueue } from '../helpers/read-queue.js';
import { waitFor } from '../helpers/wait.js';
import type { TestScope } from '../scope.js';

const nOf = (message: Message): number => (message.body as { n: number }).n;

/** A fanout dead-letter exchange with one queue behind it; returns the queue's name. */
async function deadLetterQueue(t: TestScope, label: string): Promise<{ exchange: string; queue: string }> {
  const exchange = t.exchange(`${label}-dlx`);
  const queue = t.queue(`${label}-dead`);
  await t.conn.declareExchange({ name: exchange, type: 'fanout' });
  await t.declareQueue({ name: queue });
  await t.conn.bindQueue({ queue, exchange });
  return { exchange, queue };
}

function deathReasons(messages: Message[]): unknown[] {
  return messages.map(
    (message) => (message.headers['x-death'] as Array<{ reason?: unknown }> | undefined)?.[0]?.reason,
  );
}

/** Queue arguments with AMQP 0-9-1 meaning: TTL, per-message expiration, priorities, max length. */
export function queueArgumentCases(suite: SuiteContext): void {
  suite.test('per-queue TTL expires messages', { capabilities: ['ttl'] }, async (t) => {
    const { expect } = t;
    const queue = t.queue('queue-ttl');
    const ttl = t.ms(200);
    await t.declareQueue({ name: queue, arguments: { messageTtl: ttl } });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    const sentAt = Date.now();
    await sendMany(publisher, 3, (n) => ({ body: { n } }));
    // Seen in the queue first, so that an empty queue later means expired, not never enqueued.
    const seen = await t.depth(queue);
    if (Date.now() - sentAt < ttl) expect(seen).toBe(3);
    await waitFor(async () => (await t.depth(queue)) === 0, t.ms(5_000), `the messages of ${queue} to expire`);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(ttl - 5);
  });

  suite.test(
    'per-queue TTL dead-letters expired messages with reason expired',
    { capabilities: ['ttl', 'deadLetter'], exchangeTypes: ['fanout'] },
    async (t) => {
      const { expect } = t;
      const dead = await deadLetterQueue(t, 'queue-ttl');
      const queue = t.queue('queue-ttl-dlx');
      await t.declareQueue({ name: queue, arguments: { messageTtl: t.ms(30), deadLetterExchange: dead.exchange } });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await sendMany(publisher, 3, (n) => ({ body: { n } }), 1);
      const expired = await readQueue(t, dead.queue, { atLeast: 3, timeoutMs: t.ms(5_000) });
      expect(expired.map(nOf).sort()).toEqual([0, 1, 2]);
      expect(deathReasons(expired)).toEqual(['expired', 'expired', 'expired']);
      expect(await t.depth(queue)).toBe(0);
    },
  );

  suite.test('per-message expiration drops only the expiring message', { capabilities: ['ttl'] }, async (t) => {
    const { expect } = t;
    const dead =
      t.caps.deadLetter && t.caps.exchangeTypes.includes('fanout')
        ? await deadLetterQueue(t, 'message-ttl')
        : undefined;
    const queue = t.queue('message-ttl');
    await t.declareQueue({ name: queue, ...(dead && { arguments: { deadLetterExchange: dead.exchange } }) });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    // The expiring one first: brokers (RabbitMQ) expire per-message TTLs only at the head of the queue.
    await publisher.send({ n: 1 }, { expiration: t.ms(30) });
    await publisher.send({ n: 2 });

    if (dead) {
      const expired = await readQueue(t, dead.queue, { atLeast: 1, timeoutMs: t.ms(5_000) });
      expect(expired.map(nOf)).toEqual([1]);
      expect(deathReasons(expired)).toEqual(['expired']);
    } else {
      await waitFor(async () => (await t.depth(queue)) === 1, t.ms(5_000), `the first message of ${queue} to expire`);
    }
    const left = await readQueue(t, queue, { atLeast: 1 });
    expect(left.map(nOf)).toEqual([2]);
  });

  suite.test(
    'priority queue delivers the highest priority first',
    { capabilities: ['priorities', 'acks'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('priority');
      await t.declareQueue({ name: queue, arguments: { maxPriority: 10 } });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      const priorities = [3, 1, 9, 5, 7, 0, 8, 2, 6, 4];
      for (const priority of priorities) await publisher.send({ n: priority }, { priority });

      // Prefetch 1: each next delivery is chosen from everything still queued.
      const consumer = t.consumer({ queue, declare: false, prefetch: 1 });
      const received = await collect(consumer, priorities.length, t.ms(5_000));
      expect(received.map(nOf)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(received.map((message) => message.properties.priority)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    },
  );

  suite.test('max length drops from the head', { capabilities: ['maxLength'] }, async (t) => {
    const { expect } = t;
    const dead =
      t.caps.deadLetter && t.caps.exchangeTypes.includes('fanout') ? await deadLetterQueue(t, 'max-length') : undefined;
    const queue = t.queue('max-length');
    await t.declareQueue({
      name: queue,
      arguments: { maxLength: 3, ...(dead && { deadLetterExchange: dead.exchange }) },
    });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    await sendMany(publisher, 5, (n) => ({ body: { n } }), 1);

    expect(await t.depth(queue)).toBe(3);
    // No end marker here: sending one would push another message off the head.
    const consumer = t.consumer({ queue, declare: false });
    const kept = await collect(consumer, 3, t.ms(5_000));
    const keptIds = kept.map(nOf);
    expect(t.caps.guaranteedOrder ? keptIds : keptIds.sort()).toEqual([2, 3, 4]);
    if (dead) {
      const dropped = await readQueue(t, dead.queue, { atLeast: 2 });
      expect(dropped.map(nOf).sort()).toEqual([0, 1]);
      expect(deathReasons(dropped)).toEqual(['maxlen', 'maxlen']);
    }
  });
}
