/**
 * Fault tests: the broker really closes our own connection (rabbitmqctl close_connection, found by our socket's
 * local port), in the middle of work. The session must report the loss once and settle everything pending.
 */
import { ConnectionError } from '@warren/core';
import type { Delivery } from '@warren/core/transport';
import { describe, expect, it } from 'vitest';
import {
  brokerAvailable,
  cutConnection,
  killSocket,
  openSession,
  outbound,
  rabbitmqctlAvailable,
  unique,
  within,
} from './test-support/broker.js';

describe.skipIf(!((await brokerAvailable()) && (await rabbitmqctlAvailable())))(
  'amqp session when its connection is cut',
  () => {
    it('calls lost() once and settles every pending publish, get and declare; confirmed messages are in the queue', async () => {
      const { session, hooks } = await openSession({ options: { maxInFlight: 200 } });
      const { session: observer } = await openSession();
      const name = unique('fault');
      await observer.declareQueue({ name, durable: true });
      try {
        // Publish without pause, up to maxInFlight unconfirmed, until the loss is reported: the cut lands among
        // writes, confirms in flight, and publishes waiting for room in the window.
        let confirmed = 0;
        let lostYet = false;
        void hooks.firstLoss.then(() => {
          lostYet = true;
        });
        const sends: Promise<void>[] = [];
        const pump = (async () => {
          // Goes on until one publish was made after the loss was reported (so at least one must fail).
          let afterLoss = false;
          for (let i = 0; !afterLoss && i < 1_000_000; i++) {
            afterLoss = lostYet;
            const send = session
              .publish({ ...outbound('', name, `f${i}`), properties: { headers: {}, persistent: true } })
              .then(() => {
                confirmed++;
              });
            sends.push(send);
            // Observed by allSettled below; this keeps the rejection from counting as unhandled meanwhile.
            send.catch(() => undefined);
            // Let confirms in every 100 messages, as a real producer under load would.
            if (i % 100 === 99) await send.catch(() => undefined);
          }
        })();
        const [port] = session.localPorts();
        await cutConnection(port as number);
        const lostError = await within(hooks.firstLoss, 10_000, 'lost()');
        await pump;
        const results = await within(Promise.allSettled(sends), 10_000, 'every publish to settle');
        const pendingOps = await within(
          Promise.allSettled([
            session.get(name, { noAck: true }),
            session.declareQueue({ name, durable: true }),
            session.publish(outbound('', name, 'late')),
          ]),
          5_000,
          'operations after the loss',
        );

        expect(lostError).toBeInstanceOf(ConnectionError);
        expect(lostError.message).toMatch(/CONNECTION_FORCED|closed/);
        const rejected = results.filter((result) => result.status === 'rejected') as PromiseRejectedResult[];
        for (const failure of rejected) expect(failure.reason).toBeInstanceOf(ConnectionError);
        expect(confirmed + rejected.length).toBe(sends.length);
        expect(confirmed).toBeGreaterThan(0);
        expect(rejected.length).toBeGreaterThan(0);
        for (const op of pendingOps) expect((op as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
        // Nothing confirmed was lost: the queue holds at least every confirmed message.
        expect((await observer.declareQueue({ name, durable: true })).messageCount).toBeGreaterThanOrEqual(confirmed);
        // Reported once, and close() after a loss is a quiet no-op.
        await session.close();
        expect(hooks.losses).toHaveLength(1);
      } finally {
        await observer.deleteQueue(name, {});
        await observer.close();
      }
    });

    it('makes deliveries of the lost session settle as no-ops; the broker redelivers them', async () => {
      const { session, hooks } = await openSession();
      const { session: next } = await openSession();
      const name = unique('fault-settle');
      await next.declareQueue({ name, durable: false });
      try {
        await next.publish(outbound('', name, 'once'));
        const delivered = new Promise<Delivery>((resolve) => {
          void session.consume(name, { prefetch: 1, noAck: false, exclusive: false }, resolve);
        });
        const delivery = await within(delivered, 5_000, 'the delivery');
        await cutConnection(session.localPorts()[0] as number);
        await within(hooks.firstLoss, 10_000, 'lost()');
        expect(() => delivery.settler.ack(delivery)).not.toThrow();
        expect(hooks.cancellations).toHaveLength(0);
        // The broker put it back: another session's consumer gets it, marked redelivered.
        const redelivered = new Promise<Delivery>((resolve) => {
          void next.consume(name, { prefetch: 1, noAck: true, exclusive: false }, resolve);
        });
        expect((await within(redelivered, 5_000, 'the redelivery')).info.redelivered).toBe(true);
      } finally {
        await next.deleteQueue(name, {});
        await next.close();
      }
    });

    it('reports a reset socket (no goodbye from the broker) the same way: lost once, pending operations settle', async () => {
      const { session, hooks } = await openSession();
      const name = unique('fault-reset');
      await session.declareQueue({ name, durable: false, exclusive: true });
      const sends = Array.from({ length: 500 }, (_, i) => session.publish(outbound('', name, `r${i}`)));
      for (const send of sends) send.catch(() => undefined);
      await killSocket(session.localPorts()[0] as number);
      const lostError = await within(hooks.firstLoss, 10_000, 'lost()');
      expect(lostError).toBeInstanceOf(ConnectionError);
      const results = await within(Promise.allSettled(sends), 10_000, 'every publish to settle');
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConnectionError);
      }
      await expect(session.purgeQueue(name)).rejects.toBeInstanceOf(ConnectionError);
      expect(hooks.losses).toHaveLength(1);
    });
  },
);
