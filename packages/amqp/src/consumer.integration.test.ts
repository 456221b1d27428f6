import { AccessRefusedError, ConfigurationError, NotFoundError } from '@warren/core';
import type { Delivery, TransportSession } from '@warren/core/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAvailable, type HookRecorder, openSession, outbound, unique, within } from './test-support/broker.js';

/** Collects deliveries and lets a test wait for the n-th one. */
class Inbox {
  readonly deliveries: Delivery[] = [];
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  readonly push = (delivery: Delivery): void => {
    this.deliveries.push(delivery);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.deliveries.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  until(count: number, ms = 5_000): Promise<void> {
    if (this.deliveries.length >= count) return Promise.resolve();
    return within(
      new Promise<void>((resolve) => this.#waiters.push({ count, resolve })),
      ms,
      `${count} deliveries (have ${this.deliveries.length})`,
    );
  }
}

describe.skipIf(!(await brokerAvailable()))('amqp consumers against RabbitMQ', () => {
  let session: TransportSession;
  let hooks: HookRecorder;

  beforeAll(async () => {
    ({ session, hooks } = await openSession());
  });

  afterAll(async () => {
    await session?.close();
  });

  async function queueWith(label: string, count: number): Promise<string> {
    const name = unique(label);
    await session.declareQueue({ name, durable: false });
    await Promise.all(Array.from({ length: count }, (_, i) => session.publish(outbound('', name, `${label}-${i}`))));
    return name;
  }

  const depth = async (name: string) => (await session.declareQueue({ name, durable: false })).messageCount;

  it('delivers in order, at most prefetch unsettled at a time', async () => {
    const name = await queueWith('prefetch', 20);
    const inbox = new Inbox();
    const consumer = await session.consume(name, { prefetch: 5, noAck: false, exclusive: false }, inbox.push);
    // The broker holds back the rest until something is settled: each batch arrives only after the last is acked.
    for (let batch = 1; batch <= 4; batch++) {
      await inbox.until(batch * 5);
      expect(inbox.deliveries).toHaveLength(batch * 5);
      for (const delivery of inbox.deliveries.slice((batch - 1) * 5)) await delivery.settler.ack(delivery);
    }
    expect(inbox.deliveries.map((d) => d.content.toString())).toEqual(
      Array.from({ length: 20 }, (_, i) => `prefetch-${i}`),
    );
    expect(inbox.deliveries[0]?.info).toMatchObject({
      consumerTag: consumer.consumerTag,
      queue: name,
      redelivered: false,
    });
    await consumer.close();
    expect(await depth(name)).toBe(0);
    await session.deleteQueue(name, {});
  });

  it('ignores a second ack or reject of a delivery, and the channel keeps working', async () => {
    const name = await queueWith('double', 2);
    const inbox = new Inbox();
    const consumer = await session.consume(name, { prefetch: 1, noAck: false, exclusive: false }, inbox.push);
    await inbox.until(1);
    const first = inbox.deliveries[0] as Delivery;
    await first.settler.ack(first);
    await first.settler.ack(first);
    await first.settler.reject(first, true);
    // Had the second ack reached the broker, it would have closed the channel (406 unknown delivery tag) and the
    // second message would never come.
    await inbox.until(2);
    const second = inbox.deliveries[1] as Delivery;
    expect(second.info.redelivered).toBe(false);
    await second.settler.ack(second);
    await consumer.close();
    expect(await depth(name)).toBe(0);
    expect(hooks.cancellations).toHaveLength(0);
    await session.deleteQueue(name, {});
  });

  it('makes settling a delivery of a closed channel a no-op; the broker redelivers it', async () => {
    const name = await queueWith('stale', 1);
    const inbox = new Inbox();
    const first = await session.consume(name, { prefetch: 1, noAck: false, exclusive: false }, inbox.push);
    await inbox.until(1);
    const stale = inbox.deliveries[0] as Delivery;
    await first.close();
    await first.close();
    const again = new Inbox();
    const second = await session.consume(name, { prefetch: 1, noAck: false, exclusive: false }, again.push);
    await again.until(1);
    // Acking on the dead channel must neither throw nor touch the new one.
    expect(() => stale.settler.ack(stale)).not.toThrow();
    expect(() => stale.settler.reject(stale, false)).not.toThrow();
    const redelivered = again.deliveries[0] as Delivery;
    expect(redelivered.info.redelivered).toBe(true);
    expect(redelivered.content.toString()).toBe('stale-0');
    await redelivered.settler.ack(redelivered);
    await second.close();
    expect(await depth(name)).toBe(0);
    await session.deleteQueue(name, {});
  });

  it('makes settling a fetched delivery a no-op once its channel was reset by an error', async () => {
    // Fetch channels are per queue (a failing fetch on another queue touches nothing: fetch.integration.test.ts);
    // a fetch on this very queue, once it is gone, resets the channel of the delivery fetched from it.
    const name = await queueWith('stale-get', 1);
    const fetched = (await session.get(name, { noAck: false })) as Delivery;
    await session.deleteQueue(name, {});
    await expect(session.get(name, { noAck: false })).rejects.toBeInstanceOf(NotFoundError);
    expect(() => fetched.settler.ack(fetched)).not.toThrow();
    await session.declareQueue({ name, durable: false });
    await session.publish(outbound('', name, 'after'));
    const again = (await session.get(name, { noAck: false })) as Delivery;
    expect(again.content.toString()).toBe('after');
    await again.settler.ack(again);
    expect(await depth(name)).toBe(0);
    await session.deleteQueue(name, {});
  });

  it('keeps unsettled deliveries settle-able after cancel, and requeues them on close', async () => {
    const name = await queueWith('cancel', 3);
    const inbox = new Inbox();
    const consumer = await session.consume(name, { prefetch: 3, noAck: false, exclusive: false }, inbox.push);
    await inbox.until(3);
    await consumer.cancel();
    await consumer.cancel();
    const [a, b] = inbox.deliveries as [Delivery, Delivery, Delivery];
    await a.settler.ack(a);
    await b.settler.reject(b, false);
    await consumer.close();
    expect(await depth(name)).toBe(1);
    await session.deleteQueue(name, {});
  });

  it('auto-acknowledges with noAck, where settling does nothing', async () => {
    const name = await queueWith('noack', 2);
    const inbox = new Inbox();
    const consumer = await session.consume(name, { prefetch: 0, noAck: true, exclusive: true }, inbox.push);
    await inbox.until(2);
    for (const delivery of inbox.deliveries) await delivery.settler.ack(delivery);
    await consumer.close();
    expect(await depth(name)).toBe(0);
    await session.deleteQueue(name, {});
  });

  it('refuses a second consumer on a queue consumed exclusively, with AccessRefusedError saying so', async () => {
    const name = await queueWith('exclusive-consumer', 0);
    const first = await session.consume(name, { prefetch: 1, noAck: false, exclusive: true }, () => undefined);
    const error = await session
      .consume(name, { prefetch: 1, noAck: false, exclusive: false }, () => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessRefusedError);
    expect((error as Error).message).toMatch(/exclusive/);
    await first.close();
    await session.deleteQueue(name, {});
  });

  it('refuses a prefetch AMQP cannot carry with ConfigurationError', async () => {
    await expect(
      session.consume(unique('any'), { prefetch: 70_000, noAck: false, exclusive: false }, () => undefined),
    ).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('rejects consuming from a missing queue with NotFoundError', async () => {
    await expect(
      session.consume(unique('missing'), { prefetch: 1, noAck: false, exclusive: false }, () => undefined),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports a broker-side cancel (queue deleted) through consumerCancelled', async () => {
    const name = await queueWith('deleted', 0);
    const consumer = await session.consume(
      name,
      { prefetch: 1, noAck: false, exclusive: false, consumerTag: unique('tag') },
      () => undefined,
    );
    await session.deleteQueue(name, {});
    const cancelled = await within(hooks.firstCancellation, 5_000, 'consumerCancelled');
    expect(cancelled.consumerTag).toBe(consumer.consumerTag);
    expect(cancelled.error).toBeInstanceOf(NotFoundError);
    expect(cancelled.error.message).toContain(name);
    await consumer.close();
    expect(hooks.losses).toHaveLength(0);
  });
});
