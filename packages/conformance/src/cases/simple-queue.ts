import { MessageStateError, SimpleQueue } from '@warren/core';
import type { SuiteContext } from '../context.js';
import { waitFor } from '../helpers/wait.js';

/** kombu's SimpleQueue: put, get with a timeout, size, clear, close. */
export function simpleQueueCases(suite: SuiteContext): void {
  suite.test('put, get, size and clear, with exact counts', { capabilities: ['fetch', 'acks'] }, async (t) => {
    const { expect } = t;
    const jobs = t.track(new SimpleQueue<{ n: number }>(t.conn, t.queue('simple')));
    for (const n of [1, 2, 3]) await jobs.put({ n });
    expect(await jobs.size()).toBe(3);
    const first = await jobs.get({ timeoutMs: t.ms(1_000) });
    if (t.caps.guaranteedOrder) expect(first?.body).toEqual({ n: 1 });
    else expect([1, 2, 3]).toContain(first?.body.n);
    expect(first?.acknowledged).toBe(false);
    // Taken and not settled: no longer ready.
    expect(await jobs.size()).toBe(2);
    await first?.ack();
    expect(await jobs.clear()).toBe(2);
    expect(await jobs.size()).toBe(0);
    expect(await jobs.get()).toBeNull();
  });

  suite.test(
    'get waits for a message put meanwhile, and gives null when none comes in time',
    { capabilities: ['fetch'] },
    async (t) => {
      const { expect } = t;
      const name = t.queue('simple-wait');
      const jobs = t.track(new SimpleQueue<{ n: number }>(t.conn, name));
      const startedAt = Date.now();
      expect(await jobs.get({ timeoutMs: t.ms(200) })).toBeNull();
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(t.ms(200) - 5);

      const waiting = jobs.get({ timeoutMs: t.ms(10_000) });
      const other = t.track(new SimpleQueue(t.conn, name));
      await other.put({ n: 42 });
      const message = await waiting;
      expect(message?.body).toEqual({ n: 42 });
      await message?.ack();
      expect(await jobs.size()).toBe(0);
    },
  );

  suite.test(
    'a message requeued after get comes back redelivered',
    { capabilities: ['fetch', 'acks', 'requeue'] },
    async (t) => {
      const { expect } = t;
      const jobs = t.track(new SimpleQueue(t.conn, t.queue('simple-requeue')));
      await jobs.put({ n: 1 }, { messageId: 'only' });
      const first = await jobs.get({ timeoutMs: t.ms(1_000) });
      await first?.requeue();
      const again = await jobs.get({ timeoutMs: t.ms(1_000) });
      expect(again?.properties.messageId).toBe('only');
      expect(again?.deliveryInfo.redelivered).toBe(true);
      await again?.ack();
    },
  );

  suite.test(
    'put, get, size and clear on a closed SimpleQueue reject with MessageStateError; nothing is lost',
    { capabilities: ['fetch', 'acks', 'requeue'] },
    async (t) => {
      const { expect } = t;
      const name = t.queue('simple-closed');
      const jobs = new SimpleQueue(t.conn, name);
      await jobs.put({ n: 1 });
      const waiting = jobs.get({ timeoutMs: t.ms(10_000) });
      // get() took the message at once; a second get() waits and ends with close().
      const first = await waiting;
      const second = jobs.get({ timeoutMs: t.ms(10_000) });
      await jobs.close();
      expect(await second).toBeNull();
      await expect(jobs.put({ n: 2 })).rejects.toBeInstanceOf(MessageStateError);
      await expect(jobs.get()).rejects.toBeInstanceOf(MessageStateError);
      await expect(jobs.size()).rejects.toBeInstanceOf(MessageStateError);
      await expect(jobs.clear()).rejects.toBeInstanceOf(MessageStateError);
      // The queue and what it holds stay: the message taken before close can still be requeued and read again.
      await first?.requeue();
      const reopened = t.track(new SimpleQueue(t.conn, name));
      // A quorum queue's reported size catches up with a requeued message a moment later: wait for it, bounded.
      let size = -1;
      await waitFor(
        async () => {
          size = await reopened.size();
          return size === 1;
        },
        t.ms(5_000),
        () => `the reopened queue to hold 1 (it holds ${size})`,
      );
    },
  );
}
