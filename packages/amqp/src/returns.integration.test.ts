import { NoRouteError } from '@warren/core';
import type { Delivery, TransportSession } from '@warren/core/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAvailable, openSession, unique } from './test-support/broker.js';

/**
 * Mandatory messages that are alike in exchange, routing key and body, some routed and some returned, many in
 * flight at once: each send's outcome must be its own message's. The truth is what the queue holds: every
 * message whose send resolved is there, and none whose send was rejected.
 */
describe.skipIf(!(await brokerAvailable()))('amqp mandatory returns, attributed to their own publish', () => {
  let session: TransportSession;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    ({ session } = await openSession({ options: { maxInFlight: 2000 } }));
  });

  afterAll(async () => {
    for (const step of cleanup) await step().catch(() => undefined);
    await session?.close();
  });

  const BODY = Buffer.from('{"same":"body"}');

  function mandatory(exchange: string, routingKey: string, messageId: string, headers: Record<string, unknown> = {}) {
    const send = session.publish({
      exchange,
      routingKey,
      content: BODY,
      properties: { headers, messageId, persistent: true, contentType: 'application/json' },
      mandatory: true,
    });
    // The outcome is read later with allSettled; meanwhile (the binding changes between rounds) an early
    // NoRouteError must not count as an unhandled rejection.
    send.catch(() => undefined);
    return send;
  }

  async function drain(queue: string): Promise<Set<string>> {
    const ids = new Set<string>();
    for (let delivery = await session.get(queue, { noAck: true }); delivery !== null; ) {
      ids.add((delivery as Delivery).properties.messageId as string);
      delivery = await session.get(queue, { noAck: true });
    }
    return ids;
  }

  function expectOutcomesMatchQueue(ids: string[], outcomes: PromiseSettledResult<void>[], inQueue: Set<string>) {
    const resolved = ids.filter((_, i) => outcomes[i]?.status === 'fulfilled');
    const rejected = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    for (const reason of rejected) expect(reason).toBeInstanceOf(NoRouteError);
    const wrong = [
      ...resolved.filter((id) => !inQueue.has(id)).map((id) => `${id} resolved but was returned`),
      ...ids
        .filter((id, i) => outcomes[i]?.status === 'rejected' && inQueue.has(id))
        .map((id) => `${id} rejected but routed`),
    ];
    expect(wrong).toEqual([]);
    expect(resolved.length).toBe(inQueue.size);
  }

  it('routed and returned messages alike but for a header (headers exchange), interleaved', async () => {
    const exchange = unique('ret-headers');
    const queue = unique('ret-headers-q');
    await session.declareExchange({ name: exchange, type: 'headers', durable: false });
    await session.declareQueue({ name: queue, durable: true });
    cleanup.push(
      () => session.deleteQueue(queue, {}),
      () => session.deleteExchange(exchange, {}),
    );
    await session.bindQueue({ queue, exchange, arguments: { 'x-match': 'all', route: 'yes' } });
    const ids = Array.from({ length: 6000 }, (_, i) => `h${i}`);
    // Mostly routed, every third one returned: the confirms of routed messages (after their disk write) meet
    // the returns in the broker's flushes.
    const outcomes = await Promise.allSettled(
      ids.map((id, i) => mandatory(exchange, 'same-key', id, { route: i % 3 === 2 ? 'no' : 'yes' })),
    );
    const inQueue = await drain(queue);
    expect(inQueue.size).toBe(4000);
    expectOutcomesMatchQueue(ids, outcomes, inQueue);
  });

  it('the same message sent again and again while its binding comes and goes', async () => {
    const exchange = unique('ret-direct');
    const queue = unique('ret-direct-q');
    await session.declareExchange({ name: exchange, type: 'direct', durable: false });
    await session.declareQueue({ name: queue, durable: true });
    cleanup.push(
      () => session.deleteQueue(queue, {}),
      () => session.deleteExchange(exchange, {}),
    );
    const binding = { queue, exchange, routingKey: 'k' };
    const ids: string[] = [];
    const sends: Promise<void>[] = [];
    for (let round = 0; round < 8; round++) {
      await (round % 2 === 0 ? session.bindQueue(binding) : session.unbindQueue(binding));
      // The binding changes while the sends of the round before are still in flight.
      for (let i = 0; i < 400; i++) {
        const id = `d${round}-${i}`;
        ids.push(id);
        sends.push(mandatory(exchange, 'k', id));
      }
    }
    const outcomes = await Promise.allSettled(sends);
    const inQueue = await drain(queue);
    expect(inQueue.size).toBeGreaterThan(0);
    expect(inQueue.size).toBeLessThan(ids.length);
    expectOutcomesMatchQueue(ids, outcomes, inQueue);
  });
});
