import { describe, expect, it } from 'vitest';
import { addDeath, type XDeathEntry } from './dead-letter.js';

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
