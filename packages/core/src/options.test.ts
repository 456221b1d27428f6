import { describe, expect, it } from 'vitest';
import { ConfigurationError, type Connection, connect } from './index.js';
import { didYouMean, nearestName } from './nearest-name.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** The ConfigurationError that `run` rejects with (fails the test when it resolves or rejects otherwise). */
async function configurationError(run: () => Promise<unknown>): Promise<ConfigurationError> {
  let outcome: unknown;
  try {
    const value = await run();
    if (value && typeof (value as Connection).close === 'function') await (value as Connection).close();
  } catch (error) {
    outcome = error;
  }
  expect(outcome).toBeInstanceOf(ConfigurationError);
  return outcome as ConfigurationError;
}

describe('nearestName', () => {
  it('finds typos: a swap, a missing or an extra letter, another case', () => {
    const known = ['prefetch', 'heartbeat', 'routingKey', 'maxLength'];
    expect(nearestName('prefecth', known)).toBe('prefetch');
    expect(nearestName('hearbeat', known)).toBe('heartbeat');
    expect(nearestName('routingkey', known)).toBe('routingKey');
    expect(nearestName('maxLenght', known)).toBe('maxLength');
    expect(nearestName('frobnicate', known)).toBeUndefined();
    expect(didYouMean('jsno', ['json', 'text'])).toBe(' (did you mean "json"?)');
    expect(didYouMean('zzz', ['json'])).toBe('');
  });
});

describe('connect() options are strict', () => {
  it('accepts reconnect.retries: Infinity, exactly as the README shows it', async () => {
    const conn = await connect({
      url: `memory://${unique('infinite')}`,
      reconnect: { retries: Number.POSITIVE_INFINITY, minDelayMs: 100, maxDelayMs: 30_000 },
    });
    await conn.close();
  });

  it('an unknown option names it and suggests the nearest known name', async () => {
    const error = await configurationError(() => connect(`memory://${unique('typo')}`, { hearbeat: 30 }));
    expect(error.message).toContain('"hearbeat"');
    expect(error.message).toContain('did you mean "heartbeat"?');
  });

  it('an unknown URL query parameter is refused; a known one (transport or common) is taken', async () => {
    const error = await configurationError(() => connect(`memory://${unique('query')}?frobnicate=1`));
    expect(error.message).toContain('"frobnicate"');
    const typo = await configurationError(() => connect(`memory://${unique('query')}?highWaterMak=5`));
    expect(typo.message).toContain('did you mean "highWaterMark"?');
    const conn = await connect(`memory://${unique('query')}?highWaterMark=5&heartbeat=10`);
    await conn.close();
  });

  it('a bad value names the option, what it accepts and what it got', async () => {
    const retries = await configurationError(() =>
      connect({ url: `memory://${unique('value')}`, reconnect: { retries: -1 } }),
    );
    expect(retries.message).toContain('reconnect.retries');
    expect(retries.message).toContain('Infinity');
    expect(retries.message).toContain('got -1');
    const nested = await configurationError(() =>
      connect({ url: `memory://${unique('value')}`, reconnect: { minDelay: 5 } as never }),
    );
    expect(nested.message).toContain('did you mean "minDelayMs"?');
    const heartbeat = await configurationError(() => connect({ url: `memory://${unique('value')}`, heartbeat: -5 }));
    expect(heartbeat.message).toMatch(/heartbeat: .*>=0.*got -5/);
    const query = await configurationError(() => connect(`memory://${unique('value')}?highWaterMark=lots`));
    expect(query.message).toContain('highWaterMark: expected number, got "lots"');
  });
});

describe('topology options are strict', () => {
  it('unknown keys, unknown queue arguments and bad values are ConfigurationErrors that say what to write', async () => {
    const conn = await connect(`memory://${unique('topology')}`);
    try {
      const queue = unique('q');
      const durible = await configurationError(() => conn.declareQueue({ name: queue, durible: true } as never));
      expect(durible.message).toContain('did you mean "durable"?');
      const argument = await configurationError(() => conn.declareQueue({ name: queue, arguments: { maxLenght: 10 } }));
      expect(argument.message).toContain('did you mean "maxLength"?');
      const ttl = await configurationError(() => conn.declareQueue({ name: queue, arguments: { messageTtl: -1 } }));
      expect(ttl.message).toContain('messageTtl');
      await expect(conn.declareExchange({ name: unique('x'), type: 'topc' as never })).rejects.toThrow(
        /no topc exchanges \(did you mean "topic"\?\)/,
      );
      const key = await configurationError(() =>
        conn.bindQueue({ queue, exchange: 'amq.direct', routingkey: 'a' } as never),
      );
      expect(key.message).toContain('did you mean "routingKey"?');
      const ifEmpty = await configurationError(() => conn.deleteQueue(queue, { ifEmtpy: true } as never));
      expect(ifEmpty.message).toContain('did you mean "ifEmpty"?');
      // Nothing of that was declared; raw x- arguments and undefined values still pass.
      expect(await conn.deleteQueue(queue)).toBe(0);
      await conn.declareQueue({ name: queue, durable: undefined, arguments: { 'x-custom': 1, maxLength: undefined } });
    } finally {
      await conn.close();
    }
  });
});
