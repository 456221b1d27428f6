import type { SuiteContext } from '../context.js';
import { Inbox } from '../helpers/inbox.js';
import { range, sendMany } from '../helpers/publish.js';
import { readQueue } from '../helpers/read-queue.js';
import { Condition } from '../helpers/wait.js';

const PUBLISHERS = 50;
const PER_PUBLISHER = 20;
const CONSUMERS = 5;

/** Many clients at once: competing consumers share the work exactly, and separate queues never mix. */
export function concurrencyCases(suite: SuiteContext): void {
  suite.test(
    `${PUBLISHERS} concurrent publishers x ${CONSUMERS} consumers: every message exactly once, with acks`,
    { capabilities: ['acks'], timeoutMs: 20_000 },
    async (t) => {
      const { expect } = t;
      const total = PUBLISHERS * PER_PUBLISHER;
      const queue = t.queue('competing');
      await t.declareQueue({ name: queue });
      // Consumers on a connection of their own, publishers on the shared one: two clients, as in production.
      const consumerConnection = await t.connect();
      const changed = new Condition();
      const inboxes: Inbox[] = [];
      for (let c = 0; c < CONSUMERS; c++) {
        const consumer = t.consumer({ queue, declare: false, prefetch: 10 }, consumerConnection);
        inboxes.push(new Inbox(consumer, { condition: changed }));
        await consumer.consume();
      }

      await Promise.all(
        range(PUBLISHERS).map(async (p) => {
          const publisher = t.publisher({ exchange: '', routingKey: queue });
          await sendMany(publisher, PER_PUBLISHER, (i) => ({ body: { id: `${p}.${i}` } }), 5);
        }),
      );

      const counts = new Map<string, number>();
      const received = (): number => inboxes.reduce((sum, inbox) => sum + inbox.messages.length, 0);
      await changed.until(
        () => received() >= total,
        t.ms(15_000),
        () => `${total} messages (received ${received()})`,
      );
      for (const inbox of inboxes) {
        for (const message of inbox.messages) {
          const id = (message.body as { id: string }).id;
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
      }
      const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      expect(duplicates).toEqual([]);
      expect(counts.size).toBe(total);
      expect(received()).toBe(total);
      // Everything was acked, so nothing may be left or come back.
      expect(await t.depth(queue)).toBe(0);
    },
  );

  suite.test('several queues and topics at once are kept apart', { exchangeTypes: ['direct'] }, async (t) => {
    const { expect } = t;
    const topics = range(4).map((i) => ({
      exchange: t.exchange(`apart-${i}`),
      queues: range(3).map((j) => t.queue(`apart-${i}-${j}`)),
    }));
    for (const topic of topics) {
      // Direct exchanges, which every transport has: each one is a topic in Watermill's sense.
      await t.conn.declareExchange({ name: topic.exchange, type: 'direct' });
      for (const [j, queue] of topic.queues.entries()) {
        await t.declareQueue({ name: queue });
        await t.conn.bindQueue({ queue, exchange: topic.exchange, routingKey: `lane.${j}` });
      }
    }

    const perQueue = 25;
    // Every exchange gets the same routing keys: only the exchange keeps the lanes of two topics apart.
    await Promise.all(
      topics.map(async (topic) => {
        const publisher = t.publisher({ exchange: topic.exchange, declare: false });
        await sendMany(publisher, perQueue * topic.queues.length, (n) => {
          const lane = n % topic.queues.length;
          return { body: { exchange: topic.exchange, lane, n }, options: { routingKey: `lane.${lane}` } };
        });
      }),
    );

    for (const topic of topics) {
      for (const [lane, queue] of topic.queues.entries()) {
        const messages = await readQueue(t, queue, { atLeast: perQueue });
        expect(messages, queue).toHaveLength(perQueue);
        for (const message of messages) {
          expect(message.body).toMatchObject({ exchange: topic.exchange, lane });
        }
        expect(new Set(messages.map((m) => (m.body as { n: number }).n)).size).toBe(perQueue);
      }
    }
  });
}
