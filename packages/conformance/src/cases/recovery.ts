import { WarrenError } from '@warren/core';
import type { SuiteContext } from '../context.js';
import { Condition, WaitTimeoutError } from '../helpers/wait.js';

const TOTAL = 10_000;
const WINDOW = 100;

/**
 * Watermill's restart test, for warren: connections are cut in the middle of a 10,000-message run, and every
 * message whose send resolved (the broker confirmed it) must be delivered. Duplicates are allowed (a delivery
 * whose ack died with the connection comes again); losses are not. Sends that reject are not counted as sent.
 */
export function recoveryCases(suite: SuiteContext): void {
  suite.test(
    `a connection cut mid-stream: every confirmed message of ${TOTAL} is delivered`,
    { capabilities: ['restartable'], timeoutMs: 120_000 },
    async (t) => {
      const { expect } = t;
      const cut = suite.options.cutConnection;
      if (!cut) {
        throw new Error(
          'capabilities.restartable is true but runConformanceSuite got no cutConnection hook: pass one so that the suite can cut connections (see @warren/conformance README).',
        );
      }
      const queue = t.queue('recovery');
      // A queue that outlives its connections: not exclusive, not auto-deleted, durable where the broker can.
      await t.declareQueue({ name: queue, durable: t.caps.persistent, autoDelete: false });
      const consumerConnection = await t.connect();
      const publisherConnection = await t.connect();
      const changed = new Condition();
      const reconnects = { consumer: 0, publisher: 0 };
      consumerConnection.on('reconnect', () => {
        reconnects.consumer += 1;
        changed.notify();
      });
      publisherConnection.on('reconnect', () => {
        reconnects.publisher += 1;
        changed.notify();
      });
      // Errors during the outage are expected (an ack on a dead session, a send given up); they must be typed.
      const connectionErrors: Error[] = [];
      consumerConnection.on('error', (error) => connectionErrors.push(error));
      publisherConnection.on('error', (error) => connectionErrors.push(error));

      const received = new Set<number>();
      const confirmedNotReceived = new Set<number>();
      let deliveries = 0;
      const consumer = t.consumer({ queue, declare: false, prefetch: 200 }, consumerConnection);
      consumer.register(async (body, message) => {
        const n = (body as { n: number }).n;
        deliveries += 1;
        received.add(n);
        confirmedNotReceived.delete(n);
        changed.notify();
        await message.ack();
      });
      const consumerErrors: Error[] = [];
      consumer.on('error', (error) => consumerErrors.push(error));
      await consumer.consume();

      const publisher = t.publisher(
        { exchange: '', routingKey: queue, persistent: t.caps.persistent },
        publisherConnection,
      );
      const confirmed = new Set<number>();
      const failed = new Map<number, unknown>();
      let confirmedAfterLastCut = 0;
      let lastCutDone = false;
      let next = 0;
      // A cut can take longer than sending everything left (rabbitmqctl boots an Erlang VM): past 60%, one lane
      // keeps sending through the cut, so that sends are in flight when it lands, and the others wait for it.
      const lane = async (_: unknown, index: number): Promise<void> => {
        while (next < TOTAL) {
          if (index > 0 && !lastCutDone && next >= TOTAL * 0.6) {
            await changed.until(() => lastCutDone, t.ms(60_000), 'the publisher connection to be cut');
            continue;
          }
          const n = next;
          next += 1;
          try {
            await publisher.send({ n });
          } catch (error) {
            failed.set(n, error);
            continue;
          }
          confirmed.add(n);
          if (!received.has(n)) confirmedNotReceived.add(n);
          if (lastCutDone) confirmedAfterLastCut += 1;
          changed.notify();
        }
      };
      const cuts = async (): Promise<void> => {
        await changed.until(() => confirmed.size >= TOTAL * 0.3, t.ms(30_000), 'the first 30% to be confirmed');
        await cut(consumerConnection);
        await changed.until(() => confirmed.size >= TOTAL * 0.6, t.ms(60_000), 'the first 60% to be confirmed');
        await cut(publisherConnection);
        lastCutDone = true;
        changed.notify();
      };
      await Promise.all([cuts(), ...Array.from({ length: WINDOW }, lane)]);

      try {
        await changed.until(
          () => confirmedNotReceived.size === 0,
          t.ms(60_000),
          () => `every confirmed message to arrive (${confirmedNotReceived.size} of ${confirmed.size} still missing)`,
        );
      } catch (error) {
        // Fall through to the assertion below, which names the missing messages.
        if (!(error instanceof WaitTimeoutError)) throw error;
      }
      const lost = [...confirmed].filter((n) => !received.has(n));
      expect(lost.slice(0, 20), `${lost.length} confirmed messages never delivered`).toEqual([]);
      expect(deliveries).toBeGreaterThanOrEqual(confirmed.size);
      // Both connections came back and the publisher sent through the new one.
      expect(reconnects.consumer).toBeGreaterThanOrEqual(1);
      expect(reconnects.publisher).toBeGreaterThanOrEqual(1);
      expect(confirmedAfterLastCut).toBeGreaterThan(0);
      for (const error of [...failed.values(), ...connectionErrors, ...consumerErrors]) {
        expect(error).toBeInstanceOf(WarrenError);
      }
    },
  );
}
