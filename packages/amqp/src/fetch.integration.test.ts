import { NotFoundError } from '@warren/core';
import type { Delivery, TransportSession } from '@warren/core/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAvailable, openSession, outbound, unique } from './test-support/broker.js';

/**
 * basic.get on a missing queue makes the broker close the channel it ran on (404), and closing a channel puts
 * its unacknowledged messages back on their queues. These tests hold fetched, unsettled messages of one queue
 * while another fetch fails, and check that nothing of the first is touched.
 */
describe.skipIf(!(await brokerAvailable()))('amqp fetch (basic.get) isolation', () => {
  let session: TransportSession;
  const queues: string[] = [];

  beforeAll(async () => {
    ({ session } = await openSession());
  });

  afterAll(async () => {
    for (const queue of queues) await session.deleteQueue(queue, {}).catch(() => undefined);
    await session?.close();
  });

  async function filledQueue(label: string, count: number): Promise<string> {
    const name = unique(label);
    queues.push(name);
    await session.declareQueue({ name, durable: false });
    for (let i = 0; i < count; i++) await session.publish(outbound('', name, `${label}-${i}`));
    return name;
  }

  async function depth(name: string): Promise<number> {
    return (await session.declareQueue({ name, durable: false })).messageCount;
  }

  it('a fetch on a missing queue neither requeues nor orphans messages fetched from other queues', async () => {
    const a = await filledQueue('fetch-a', 2);
    const b = await filledQueue('fetch-b', 1);
    const heldA = (await session.get(a, { noAck: false })) as Delivery;
    const heldB = (await session.get(b, { noAck: false })) as Delivery;
    expect(heldA.content.toString()).toBe('fetch-a-0');
    expect(heldB.content.toString()).toBe('fetch-b-0');

    await expect(session.get(unique('fetch-missing'), { noAck: false })).rejects.toBeInstanceOf(NotFoundError);

    // Had the 404 closed the channel of the held messages, the broker would have put them back (depth 2 and 1)
    // and the acks below would do nothing.
    expect(await depth(a)).toBe(1);
    expect(await depth(b)).toBe(0);
    await heldA.settler.ack(heldA);
    await heldB.settler.ack(heldB);
    const nextA = (await session.get(a, { noAck: false })) as Delivery;
    expect(nextA.content.toString()).toBe('fetch-a-1');
    expect(nextA.info.redelivered).toBe(false);
    await nextA.settler.ack(nextA);
    // The acks reached the broker: nothing comes back, even once the channels are gone.
    await session.close();
    ({ session } = await openSession());
    expect(await depth(a)).toBe(0);
    expect(await depth(b)).toBe(0);
  });

  it('concurrent fetches from several queues each get their own outcome', async () => {
    const names = await Promise.all([filledQueue('fetch-c1', 3), filledQueue('fetch-c2', 3)]);
    const missing = unique('fetch-missing-c');
    const outcomes = await Promise.allSettled([
      session.get(names[0] as string, { noAck: false }),
      session.get(missing, { noAck: false }),
      session.get(names[1] as string, { noAck: false }),
      session.get(missing, { noAck: true }),
      session.get(names[0] as string, { noAck: false }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const held = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value as Delivery] : []));
    for (const delivery of held) await delivery.settler.ack(delivery);
    expect(await depth(names[0] as string)).toBe(1);
    expect(await depth(names[1] as string)).toBe(2);
    // And the settled ones stay settled when the session ends.
    await session.close();
    ({ session } = await openSession());
    expect(await depth(names[0] as string)).toBe(1);
    expect(await depth(names[1] as string)).toBe(2);
  });
});
