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
});
