import type { SuiteContext } from '../context.js';
import { range, sendMany } from '../helpers/publish.js';
import { Condition } from '../helpers/wait.js';

const TOTAL = 5_000;
const PER_CONSUMER = 500;

/**
 * Watermill's TestContinueAfterSubscribeClose: consumers created and closed in turn over one queue. Each takes
 * (and acks) a share, and whatever was delivered to it beyond that share goes back to the queue when it closes,
 * so that the next consumer gets it. Nothing may be lost; with acks, nothing may be processed twice either.
 */
export function consumerTurnoverCases(suite: SuiteContext): void {
  suite.test(
    `${TOTAL} messages through consumers created and closed in turn: nothing lost`,
    { capabilities: ['acks'], timeoutMs: 30_000 },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('turnover');
      await t.declareQueue({ name: queue });
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await sendMany(publisher, TOTAL, (n) => ({ body: { n } }));

      const processed = new Map<number, number>();
      const changed = new Condition();
      let rounds = 0;
      while (processed.size < TOTAL) {
        rounds += 1;
        // A bound on rounds turns a consumer that gets nothing into a failure, not an endless loop.
        expect(rounds, `round ${rounds}, ${processed.size} of ${TOTAL} processed`).toBeLessThanOrEqual(
          TOTAL / PER_CONSUMER + 5,
        );
        const consumer = t.consumer({ queue, declare: false, prefetch: 50 });
        let taken = 0;
        let acked = 0;
        consumer.register(async (body, message) => {
          // Past its share, a consumer leaves messages unacked: closing must hand them back.
          if (taken >= PER_CONSUMER) return;
          taken += 1;
          await message.ack();
          acked += 1;
          const n = (body as { n: number }).n;
          processed.set(n, (processed.get(n) ?? 0) + 1);
          changed.notify();
        });
        const before = processed.size;
        await consumer.consume();
        await changed.until(
          // Its share taken and every ack of it settled: closing now cannot race an ack.
          () => (taken >= PER_CONSUMER && acked === taken) || processed.size >= TOTAL,
          t.ms(10_000),
          () => `consumer ${rounds} to take its share (took ${taken}, ${processed.size} of ${TOTAL} processed)`,
        );
        await consumer.close();
        expect(processed.size).toBeGreaterThan(before);
      }

      const missing = range(TOTAL).filter((n) => !processed.has(n));
      expect(missing).toEqual([]);
      const twice = [...processed].filter(([, count]) => count > 1).map(([n]) => n);
      expect(twice).toEqual([]);
      expect(await t.depth(queue)).toBe(0);
    },
  );
}
