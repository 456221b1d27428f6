import { describe, expect, it } from 'vitest';
import { DEFAULT_NACK_RETRY, replacementDelay, retriesNack } from './nack-retry.js';

describe('nack retry policy', () => {
  const policy = DEFAULT_NACK_RETRY;

  it('retries a nack on a young channel, up to the retry count', () => {
    expect(retriesNack(policy, 10, 1, 30_000, 50)).toBe(true);
    expect(retriesNack(policy, 10, policy.retries, 30_000, 50)).toBe(true);
    expect(retriesNack(policy, 10, policy.retries + 1, 30_000, 50)).toBe(false);
  });

  it('rejects at once a nack on an old channel (a real refusal: reject-publish overflow)', () => {
    expect(retriesNack(policy, policy.youngChannelMs, 1, 30_000, 50)).toBe(false);
    expect(retriesNack(policy, 60_000, 1, 30_000, 50)).toBe(false);
  });

  it('never retries past the publish deadline', () => {
    expect(retriesNack(policy, 10, 1, 40, 50)).toBe(false);
    expect(retriesNack(policy, 10, 1, 51, 50)).toBe(true);
  });

  it('retries nothing when turned off', () => {
    expect(retriesNack({ ...policy, retries: 0 }, 10, 1, 30_000, 50)).toBe(false);
  });

  it('doubles the backoff per replacement in a row, up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => replacementDelay(policy, n))).toEqual([
      50, 100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });
});
