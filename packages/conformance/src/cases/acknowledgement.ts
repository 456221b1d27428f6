import type { Message } from '@warren/core';
import type { SuiteContext } from '../context.js';
import { Inbox } from '../helpers/inbox.js';
import { range, sendMany } from '../helpers/publish.js';
import { readQueue } from '../helpers/read-queue.js';

const idOf = (message: Message): number => (message.body as { n: number }).n;

/** What happens to a message after delivery: requeue, reject and dead-letter, prefetch, and a consumer closing. */
export function acknowledgementCases(suite: SuiteContext): void {
  suite.test(
    'requeue redelivers the message with redelivered set',
    { capabilities: ['acks', 'requeue'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('requeue');
      await t.declareQueue({ name: queue });
      const { consumer, inbox } = t.inbox({ queue, declare: false }, { settle: 'hold' });
      await consumer.consume();
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await publisher.send({ n: 1 }, { messageId: 'requeued' });

      const [first] = await inbox.until(1, t.ms(5_000));
      expect(first?.deliveryInfo.redelivered).toBe(false);
      await first?.requeue();
      expect(first?.acknowledged).toBe(true);

      const [, second] = await inbox.until(2, t.ms(5_000));
      expect(second?.body).toEqual({ n: 1 });
      expect(second?.properties.messageId).toBe('requeued');
      expect(second?.deliveryInfo.redelivered).toBe(true);
      await second?.ack();
      await consumer.close();
      // Acked after one requeue: the queue is empty and nothing else was delivered.
      expect(inbox.messages).toHaveLength(2);
      expect(await t.depth(queue)).toBe(0);
    },
  );

  suite.test(
    'reject dead-letters to the dead-letter exchange with an x-death header',
    { capabilities: ['acks', 'deadLetter'], exchangeTypes: ['fanout'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('reject');
      const deadLetters = t.exchange('reject-dlx');
      const deadQueue = t.queue('reject-dead');
      await t.conn.declareExchange({ name: deadLetters, type: 'fanout' });
      await t.declareQueue({ name: deadQueue });
      await t.conn.bindQueue({ queue: deadQueue, exchange: deadLetters });

      // The consumer declares the queue itself, with the dead-letter exchange as a queue argument.
      const queueArguments = { deadLetterExchange: deadLetters };
      const { consumer, inbox } = t.inbox({ queue, durable: false, queueArguments }, { settle: 'hold' });
      t.rememberQueue({ name: queue, durable: false, arguments: queueArguments });
      await consumer.consume();
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await publisher.send({ n: 7 }, { messageId: 'rejected', headers: { origin: 'test' } });
      const [message] = await inbox.until(1, t.ms(5_000));
      await message?.reject();
      await consumer.close();

      const [dead, ...extra] = await readQueue(t, deadQueue, { atLeast: 1 });
      expect(extra).toEqual([]);
      expect(dead?.body).toEqual({ n: 7 });
      expect(dead?.properties.messageId).toBe('rejected');
      expect(dead?.headers.origin).toBe('test');
      const deaths = dead?.headers['x-death'];
      expect(Array.isArray(deaths)).toBe(true);
      expect((deaths as unknown[])[0]).toMatchObject({ queue, reason: 'rejected' });
      // Rejected means gone from the original queue, not requeued.
      expect(inbox.messages).toHaveLength(1);
      expect(await t.depth(queue)).toBe(0);
    },
  );

  suite.test('reject without a dead-letter exchange drops the message', { capabilities: ['acks'] }, async (t) => {
    const queue = t.queue('reject-drop');
    await t.declareQueue({ name: queue });
    const { consumer, inbox } = t.inbox({ queue, declare: false }, { settle: 'hold' });
    await consumer.consume();
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    await publisher.send({ n: 1 });
    const [message] = await inbox.until(1, t.ms(5_000));
    await message?.reject();
    await consumer.close();
    t.expect(inbox.messages).toHaveLength(1);
    t.expect(await readQueue(t, queue)).toEqual([]);
  });

  suite.test('no new delivery beyond prefetch until an ack', { capabilities: ['acks'] }, async (t) => {
    const { expect } = t;
    const prefetch = 3;
    const total = 10;
    const queue = t.queue('prefetch');
    await t.declareQueue({ name: queue });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    await sendMany(publisher, total, (n) => ({ body: { n } }), 1);

    const consumer = t.consumer({ queue, declare: false, prefetch });
    // The invariant, checked at every delivery rather than sampled: never more than `prefetch` unsettled. This
    // callback is registered before the inbox's, so it counts each delivery as it happens.
    let delivered = 0;
    let settled = 0;
    let mostOutstanding = 0;
    consumer.register(() => {
      delivered += 1;
      mostOutstanding = Math.max(mostOutstanding, delivered - settled);
    });
    const inbox = new Inbox(consumer, { settle: 'hold' });
    await consumer.consume();

    await inbox.until(prefetch, t.ms(5_000));
    // A round trip to the broker: the rest is still ready, none of it was pushed to the consumer.
    expect(await t.depth(queue)).toBe(total - prefetch);
    expect(inbox.messages).toHaveLength(prefetch);

    for (let acked = 0; acked < total; acked++) {
      await inbox.until(Math.min(acked + prefetch, total), t.ms(5_000));
      expect(inbox.messages.length).toBeLessThanOrEqual(acked + prefetch);
      // Counted before the ack is sent: the broker may deliver the next message before the ack call returns.
      settled += 1;
      await inbox.messages[acked]?.ack();
    }
    expect(inbox.messages).toHaveLength(total);
    expect(mostOutstanding).toBe(prefetch);
    expect(new Set(inbox.messages.map(idOf))).toEqual(new Set(range(total)));
  });

  suite.test(
    'closing a consumer with unacked messages hands them to another consumer',
    { capabilities: ['acks'] },
    async (t) => {
      const { expect } = t;
      const total = 10;
      const held = 4;
      const queue = t.queue('close-unacked');
      await t.declareQueue({ name: queue });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await sendMany(publisher, total, (n) => ({ body: { n } }), 1);

      const first = t.inbox({ queue, declare: false, prefetch: held }, { settle: 'hold' });
      await first.consumer.consume();
      const holding = await first.inbox.until(held, t.ms(5_000));
      await first.consumer.close();

      const second = t.inbox({ queue, declare: false, prefetch: 0 });
      await second.consumer.consume();
      const received = await second.inbox.until(total, t.ms(5_000));
      expect(received.map(idOf).sort((a, b) => a - b)).toEqual(range(total));
      // The ones the first consumer held come back marked as redelivered.
      const heldIds = new Set(holding.map(idOf));
      for (const message of received) {
        if (heldIds.has(idOf(message))) expect(message.deliveryInfo.redelivered, `message ${idOf(message)}`).toBe(true);
      }
      expect(await t.depth(queue)).toBe(0);
    },
  );
}
