import { ConnectionError, TimeoutError } from '@warren/core';
import { describe, expect, it } from 'vitest';
import { AMQP_URL, brokerAvailable, openSession, outbound, unique, within } from './test-support/broker.js';
import { freezableProxy, silentServer } from './test-support/proxy.js';

describe.skipIf(!(await brokerAvailable()))('amqp heartbeats and unresponsive peers', () => {
  it('detects a frozen broker by heartbeat: lost() once, pending publishes settle', async () => {
    const broker = new URL(AMQP_URL);
    const proxy = await freezableProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
    try {
      const url = new URL(AMQP_URL);
      url.port = String(proxy.port);
      const { session, hooks } = await openSession({ url: url.href, heartbeat: 1 });
      const name = unique('frozen');
      await session.declareQueue({ name, durable: false, exclusive: true });
      await session.publish(outbound('', name, 'before'));
      proxy.freeze();
      const pending = session.publish(outbound('', name, 'during'));
      pending.catch(() => undefined);
      const started = Date.now();
      // amqplib declares the peer dead after two heartbeat intervals without a byte from it.
      const lost = await within(hooks.firstLoss, 10_000, 'lost() after the heartbeat timeout');
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(lost).toBeInstanceOf(ConnectionError);
      expect(lost.message).toMatch(/[Hh]eartbeat/);
      await expect(pending).rejects.toBeInstanceOf(ConnectionError);
      await session.close();
      expect(hooks.losses).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('gives up connecting to a port where no broker answers, within connectTimeoutMs, with a typed error', async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const error = await openSession({
        url: `amqp://guest:Sup3rSecret-pw@127.0.0.1:${silent.port}/`,
        connectTimeoutMs: 1_000,
      }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error instanceof TimeoutError || error instanceof ConnectionError).toBe(true);
      expect((error as Error).message).toContain(`127.0.0.1:${silent.port}`);
      expect((error as Error).message).not.toContain('Sup3rSecret-pw');
    } finally {
      await silent.close();
    }
  });

  it('times out publishes the broker never confirms, and those still waiting to be written, with TimeoutError', async () => {
    const broker = new URL(AMQP_URL);
    const proxy = await freezableProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
    try {
      const url = new URL(AMQP_URL);
      url.port = String(proxy.port);
      // No heartbeat, so that only the publish timeout can end the wait; one message in flight at a time.
      const { session, hooks } = await openSession({
        url: url.href,
        heartbeat: 0,
        publishTimeoutMs: 400,
        options: { maxInFlight: 1, closeTimeoutMs: 500 },
      });
      const name = unique('timeout');
      await session.declareQueue({ name, durable: false, exclusive: true });
      proxy.freeze();
      const started = Date.now();
      const [written, waiting] = await Promise.allSettled([
        session.publish(outbound('', name, 'a')),
        session.publish(outbound('', name, 'b')),
      ]);
      const elapsed = Date.now() - started;
      expect((written as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
      expect((written as PromiseRejectedResult).reason.message).toMatch(/did not confirm/);
      expect((waiting as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
      expect((waiting as PromiseRejectedResult).reason.message).toMatch(/not sent/);
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(2_000);
      expect(hooks.losses).toHaveLength(0);
      // close() must not hang on a broker that does not answer: it gives up after closeTimeoutMs.
      const closing = Date.now();
      await within(session.close(), 5_000, 'close() against a frozen broker');
      expect(Date.now() - closing).toBeLessThan(2_000);
    } finally {
      await proxy.close();
    }
  });
});
