import type { SuiteContext } from '../context.js';
import { sendMany } from '../helpers/publish.js';

/** Taking messages one at a time (basic.get) and dropping what is ready, with exact counts. */
export function fetchPurgeCases(suite: SuiteContext): void {
  suite.test(
    'fetch takes one message at a time, then null when the queue is empty',
    { capabilities: ['fetch', 'acks'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('fetch');
      await t.declareQueue({ name: queue });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await sendMany(publisher, 3, (n) => ({ body: { n }, options: { messageId: `m${n}` } }), 1);
      const consumer = t.consumer({ queue, declare: false });

      const taken: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const message = await consumer.fetch();
        expect(message, `fetch #${i + 1}`).not.toBeNull();
        expect(message?.deliveryInfo.queue).toBe(queue);
        expect(message?.deliveryInfo.redelivered).toBe(false);
        expect(message?.acknowledged).toBe(false);
        await message?.ack();
        taken.push(message?.body);
      }
      const expected = [{ n: 0 }, { n: 1 }, { n: 2 }];
      if (t.caps.guaranteedOrder) expect(taken).toEqual(expected);
      else expect(taken).toEqual(expect.arrayContaining(expected));
      expect(await consumer.fetch()).toBeNull();
      expect(await t.depth(queue)).toBe(0);
    },
  );

  suite.test(
    'a fetched message that is requeued comes back redelivered',
    { capabilities: ['fetch', 'acks', 'requeue'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('fetch-requeue');
      await t.declareQueue({ name: queue });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await publisher.send({ n: 1 });
      const consumer = t.consumer({ queue, declare: false });

      const first = await consumer.fetch();
      expect(first?.body).toEqual({ n: 1 });
      // Taken but not settled: not ready, so neither fetch nor purge sees it.
      expect(await consumer.fetch()).toBeNull();
      expect(await t.depth(queue)).toBe(0);
      await first?.requeue();
      const again = await consumer.fetch();
      expect(again?.body).toEqual({ n: 1 });
      expect(again?.deliveryInfo.redelivered).toBe(true);
      await again?.ack();
      expect(await consumer.fetch()).toBeNull();
    },
  );

  // Purging counts what is ready, which needs what fetch needs: a broker that can say a queue is empty.
  suite.test('purge drops the ready messages and returns how many', { capabilities: ['fetch'] }, async (t) => {
    const { expect } = t;
    const queue = t.queue('purge');
    await t.declareQueue({ name: queue });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    await sendMany(publisher, 7, (n) => ({ body: { n } }));
    expect(await t.depth(queue)).toBe(7);
    expect(await t.conn.purgeQueue(queue)).toBe(7);
    expect(await t.conn.purgeQueue(queue)).toBe(0);
    expect(await t.depth(queue)).toBe(0);

    // carrot's discard_all, through a consumer.
    await sendMany(publisher, 3, (n) => ({ body: { n } }));
    const consumer = t.consumer({ queue, declare: false });
    expect(await consumer.purge()).toBe(3);
    expect(await consumer.purge()).toBe(0);

    // The queue still works after a purge: only the new message arrives.
    await publisher.send({ n: 'after purge' });
    expect(await t.depth(queue)).toBe(1);
  });

  suite.test(
    'purge and fetch together: purge counts only what fetch left',
    { capabilities: ['fetch', 'acks'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('fetch-purge');
      await t.declareQueue({ name: queue });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await sendMany(publisher, 10, (n) => ({ body: { n } }));
      const consumer = t.consumer({ queue, declare: false });
      for (let i = 0; i < 4; i++) await (await consumer.fetch())?.ack();
      expect(await consumer.purge()).toBe(6);
      expect(await consumer.fetch()).toBeNull();
    },
  );
}
