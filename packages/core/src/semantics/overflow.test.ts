import { describe, expect, it } from 'vitest';
import { isOverLimit, overflowPolicy, rejectsPublish, wouldOverflow } from './overflow.js';

describe('overflow policy', () => {
  it('is absent without limits and drop-head by default', () => {
    expect(overflowPolicy({ other: {} })).toBeUndefined();
    expect(overflowPolicy({ other: {}, maxLength: 3 })).toEqual({ maxLength: 3, mode: 'drop-head' });
    expect(rejectsPublish(overflowPolicy({ other: {}, maxLength: 3 }))).toBe(false);
    expect(rejectsPublish(overflowPolicy({ other: {}, maxLength: 3, overflow: 'reject-publish' }))).toBe(true);
  });
  it('counts messages and bytes', () => {
    const policy = { maxLength: 2, maxLengthBytes: 100, mode: 'drop-head' as const };
    expect(isOverLimit(policy, 2, 100)).toBe(false);
    expect(isOverLimit(policy, 3, 10)).toBe(true);
    expect(isOverLimit(policy, 1, 101)).toBe(true);
    expect(wouldOverflow(policy, 1, 10, 10)).toBe(false);
    expect(wouldOverflow(policy, 2, 10, 10)).toBe(true);
    expect(wouldOverflow(policy, 1, 95, 10)).toBe(true);
  });
});
