import { describe, expect, it } from 'vitest';
import { messageExpiresAt } from './expiry.js';

describe('messageExpiresAt', () => {
  it('takes the sooner of the queue TTL and the message expiration', () => {
    expect(messageExpiresAt({ other: {} }, { headers: {} }, 1000)).toBe(Number.POSITIVE_INFINITY);
    expect(messageExpiresAt({ other: {}, messageTtl: 50 }, { headers: {} }, 1000)).toBe(1050);
    expect(messageExpiresAt({ other: {}, messageTtl: 50 }, { headers: {}, expiration: 20 }, 1000)).toBe(1020);
    expect(messageExpiresAt({ other: {}, messageTtl: 10 }, { headers: {}, expiration: 20 }, 1000)).toBe(1010);
    expect(messageExpiresAt({ other: {} }, { headers: {}, expiration: 0 }, 1000)).toBe(1000);
  });
});
