import { describe, expect, it } from 'vitest';
import { addDeath, deadLetterRoute, isDeadLetterCycle, type XDeathEntry } from './dead-letter.js';

describe('addDeath', () => {
  const time = new Date(0);
  it('adds an x-death entry and the first-death headers', () => {
    const headers = addDeath({ a: 1 }, { queue: 'q', reason: 'rejected', exchange: 'ex', routingKeys: ['k'], time });
    const deaths = headers['x-death'] as XDeathEntry[];
    expect(deaths).toHaveLength(1);
    expect(deaths[0]).toMatchObject({
      count: 1,
      reason: 'rejected',
      queue: 'q',
      exchange: 'ex',
      'routing-keys': ['k'],
    });
    expect(headers['x-first-death-reason']).toBe('rejected');
    expect(headers['x-first-death-queue']).toBe('q');
    expect(headers.a).toBe(1);
  });
  it('counts repeated deaths for the same queue and reason and moves them to the front', () => {
    let headers = addDeath(
      {},
      { queue: 'q', reason: 'expired', exchange: 'ex', routingKeys: ['k'], time, originalExpiration: 50 },
    );
    headers = addDeath(headers, { queue: 'r', reason: 'rejected', exchange: 'dlx', routingKeys: ['k'], time });
    headers = addDeath(headers, { queue: 'q', reason: 'expired', exchange: 'ex', routingKeys: ['k'], time });
    const deaths = headers['x-death'] as XDeathEntry[];
    expect(deaths.map((d) => [d.queue, d.reason, d.count])).toEqual([
      ['q', 'expired', 2],
      ['r', 'rejected', 1],
    ]);
    expect(headers['x-first-death-reason']).toBe('expired');
  });
  it('does not change its input', () => {
    const input = { 'x-death': [] };
    addDeath(input, { queue: 'q', reason: 'maxlen', exchange: '', routingKeys: ['q'], time });
    expect(input['x-death']).toEqual([]);
  });
});

describe('deadLetterRoute', () => {
  const message = { properties: { headers: { a: 1 }, expiration: 500 }, exchange: 'ex', routingKey: 'rk' };
  it('goes to the dead-letter exchange with an x-death entry and without the expiration', () => {
    const route = deadLetterRoute('q', { other: {}, deadLetterExchange: 'dlx' }, message, 'expired', new Date(0));
    expect(route?.exchange).toBe('dlx');
    expect(route?.routingKey).toBe('rk');
    expect(route?.properties.expiration).toBeUndefined();
    expect((route?.properties.headers['x-death'] as XDeathEntry[] | undefined)?.[0]).toMatchObject({
      queue: 'q',
      reason: 'expired',
      'original-expiration': '500',
    });
    const keyed = deadLetterRoute(
      'q',
      { other: {}, deadLetterExchange: 'dlx', deadLetterRoutingKey: 'dead' },
      message,
      'rejected',
    );
    expect(keyed?.routingKey).toBe('dead');
  });
  it('drops without a dead-letter exchange, and in a cycle that no consumer rejected', () => {
    expect(deadLetterRoute('q', { other: {} }, message, 'rejected')).toBeUndefined();
    const once = deadLetterRoute('q', { other: {}, deadLetterExchange: 'dlx' }, message, 'expired');
    const again = { ...message, properties: once?.properties ?? { headers: {} } };
    expect(isDeadLetterCycle(again.properties.headers, 'q')).toBe(true);
    expect(deadLetterRoute('q', { other: {}, deadLetterExchange: 'dlx' }, again, 'expired')).toBeUndefined();
    const rejected = deadLetterRoute('q', { other: {}, deadLetterExchange: 'dlx' }, message, 'rejected');
    const retry = { ...message, properties: rejected?.properties ?? { headers: {} } };
    expect(deadLetterRoute('q', { other: {}, deadLetterExchange: 'dlx' }, retry, 'rejected')).toBeDefined();
  });
});
