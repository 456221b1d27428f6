import { EXCHANGE_TYPES } from '@warren/core';
import type { SuiteContext } from '../context.js';

const FLAGS = [
  'exchangeToExchange',
  'persistent',
  'acks',
  'requeue',
  'deadLetter',
  'priorities',
  'ttl',
  'maxLength',
  'guaranteedOrder',
  'publisherConfirms',
  'mandatory',
  'exclusiveQueues',
  'fetch',
  'restartable',
] as const;

/** The capabilities decide which cases run, so they are checked first: well-formed, and the same everywhere. */
export function capabilityCases(suite: SuiteContext): void {
  suite.test('capabilities are well-formed and stable across connections', {}, async (t) => {
    const { expect } = t;
    const caps = t.conn.capabilities;
    for (const flag of FLAGS) expect(typeof caps[flag], flag).toBe('boolean');
    // exchangeTypes lists the types that declareExchange accepts. It may be empty: a broker reached through plain
    // AMQP 1.0 node addresses has only the default exchange '' (which every transport has), and cannot declare any.
    for (const type of caps.exchangeTypes) expect(EXCHANGE_TYPES).toContain(type);
    expect(new Set(caps.exchangeTypes).size).toBe(caps.exchangeTypes.length);
    // A transport that declares exchanges at all declares direct ones.
    if (caps.exchangeTypes.length > 0) expect(caps.exchangeTypes).toContain('direct');
    const other = await t.connect();
    expect(other.capabilities).toEqual(caps);
    // When the test file passed capabilities in, they must be the transport's own, not a wish list.
    if (suite.options.capabilities) expect(caps).toEqual(suite.options.capabilities);
  });
}
