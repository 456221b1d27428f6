import { inspect } from 'node:util';
import {
  AccessRefusedError,
  ConnectionError,
  NoRouteError,
  NotFoundError,
  PreconditionFailedError,
  ResourceLockedError,
} from '@warren/core';
import type { TransportSession } from '@warren/core/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_URL, brokerAvailable, openSession, outbound, unique } from './test-support/broker.js';

describe.skipIf(!(await brokerAvailable()))('amqp errors against RabbitMQ', () => {
  let session: TransportSession;

  beforeAll(async () => {
    ({ session } = await openSession());
  });

  afterAll(async () => {
    await session?.close();
  });

  it('maps 404 to NotFoundError, and the next operation works on a fresh channel', async () => {
    const missing = unique('missing');
    await expect(session.purgeQueue(missing)).rejects.toBeInstanceOf(NotFoundError);
    await expect(session.bindQueue({ queue: missing, exchange: 'amq.direct', routingKey: 'k' })).rejects.toThrow(
      /no queue/,
    );
    const name = unique('after-404');
    expect((await session.declareQueue({ name, durable: false })).queue).toBe(name);
    await session.deleteQueue(name, {});
  });

  it('maps 403 to AccessRefusedError (reserved amq. prefix)', async () => {
    const error = await session.declareQueue({ name: `amq.${unique('reserved')}` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessRefusedError);
    expect((error as Error).message).toMatch(/ACCESS_REFUSED/);
  });

  it('maps 405 to ResourceLockedError (another connection owns the exclusive queue)', async () => {
    const { session: owner } = await openSession();
    try {
      const name = unique('exclusive');
      await owner.declareQueue({ name, exclusive: true });
      const error = await session.declareQueue({ name, exclusive: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResourceLockedError);
      expect((error as Error).message).toMatch(/RESOURCE_LOCKED/);
    } finally {
      await owner.close();
    }
  });

  it('maps 406 to PreconditionFailedError (other arguments, ifEmpty not met)', async () => {
    const name = unique('inequivalent');
    await session.declareQueue({ name, durable: false, arguments: { maxLength: 5 } });
    await expect(session.declareQueue({ name, durable: false, arguments: { maxLength: 6 } })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await session.publish(outbound('', name, 'x'));
    await expect(session.deleteQueue(name, { ifEmpty: true })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await session.deleteQueue(name, {})).toBe(1);
  });

  it('gives each of several concurrent operations its own outcome', async () => {
    const good = unique('concurrent');
    const results = await Promise.allSettled([
      session.declareQueue({ name: good, durable: false }),
      session.purgeQueue(unique('missing')),
      session.bindQueue({ queue: good, exchange: 'amq.topic', routingKey: '#' }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await session.deleteQueue(good, {});
  });

  it('rejects an unroutable mandatory message with NoRouteError, and only that one', async () => {
    const routed = unique('routed');
    await session.declareQueue({ name: routed, durable: false });
    const nowhere = unique('nowhere');
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        session.publish({
          ...outbound('', i % 3 === 0 ? nowhere : routed, `same body ${i % 2}`, true),
          properties: { headers: {}, persistent: true },
        }),
      ),
    );
    results.forEach((result, i) => {
      if (i % 3 === 0) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(NoRouteError);
      } else expect(result.status).toBe('fulfilled');
    });
    expect((await session.declareQueue({ name: routed, durable: false })).messageCount).toBe(26);
    await session.deleteQueue(routed, {});
  });

  it('rejects a publish to a missing exchange with NotFoundError; other publishes on the channel still succeed', async () => {
    const name = unique('survivor');
    await session.declareQueue({ name, durable: false });
    const missing = unique('no-exchange');
    const sends = Array.from({ length: 60 }, (_, i) =>
      session.publish(outbound(i === 30 ? missing : '', i === 30 ? 'k' : name, `s${i}`)),
    );
    const results = await Promise.allSettled(sends);
    expect((results[30] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    expect((results[30] as PromiseRejectedResult).reason.message).toContain(missing);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(59);
    // At least once: a message cut by the channel error is written again, and may have been taken before.
    expect((await session.declareQueue({ name, durable: false })).messageCount).toBeGreaterThanOrEqual(59);
    await session.publish(outbound('', name, 'after'));
    await session.deleteQueue(name, {});
  });

  it('fails fast on a wrong password with AccessRefusedError that never shows the password', async () => {
    const url = new URL(AMQP_URL);
    url.password = 'Sup3rSecret-pw';
    const started = Date.now();
    const error = await openSession({ url: url.href }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(AccessRefusedError);
    expect((error as Error).message).toMatch(/password/);
    expect((error as Error).message).not.toContain('Sup3rSecret-pw');
    expect(inspect(error, { depth: 10 })).not.toContain('Sup3rSecret-pw');
    expect(JSON.stringify(error)).not.toContain('Sup3rSecret-pw');
  });

  it('refuses a missing virtual host with AccessRefusedError naming it', async () => {
    const url = new URL(AMQP_URL);
    url.pathname = `/${unique('vhost')}`;
    const error = await openSession({ url: url.href }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessRefusedError);
    expect((error as Error).message).toContain('virtual host');
  });

  it('maps a refused port to ConnectionError with the redacted URL and what to do', async () => {
    const error = await openSession({ url: 'amqp://guest:Sup3rSecret-pw@127.0.0.1:1/' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('amqp://guest:***@127.0.0.1:1/');
    expect((error as Error).message).toContain('start the broker');
    expect(inspect(error, { depth: 10 })).not.toContain('Sup3rSecret-pw');
  });
});
