import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from '../errors.js';
import { normalizeQueueArguments } from './queue-arguments.js';
import { checkQueueEquivalent, queueArgumentsKey } from './queue-equivalence.js';

describe('checkQueueEquivalent', () => {
  it('accepts the same settings whatever the argument spelling, refuses others', () => {
    const friendly = queueArgumentsKey(normalizeQueueArguments({ messageTtl: 5 }));
    const raw = queueArgumentsKey(normalizeQueueArguments({ 'x-message-ttl': 5 }));
    expect(friendly).toBe(raw);
    expect(() =>
      checkQueueEquivalent('q', { durable: true, argumentsKey: friendly }, { durable: true, argumentsKey: raw }),
    ).not.toThrow();
    expect(() =>
      checkQueueEquivalent('q', { durable: true, argumentsKey: friendly }, { durable: false, argumentsKey: raw }),
    ).toThrow(PreconditionFailedError);
    const other = queueArgumentsKey(normalizeQueueArguments({ messageTtl: 6 }));
    expect(() =>
      checkQueueEquivalent('q', { durable: true, argumentsKey: friendly }, { durable: true, argumentsKey: other }),
    ).toThrow(/Queue "q" exists with other settings/);
  });
});
