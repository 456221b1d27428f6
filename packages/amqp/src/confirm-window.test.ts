import { describe, expect, it } from 'vitest';
import { ConfirmWindow } from './confirm-window.js';

describe('ConfirmWindow', () => {
  it('numbers entries 1, 2, 3 ... as RabbitMQ numbers publishes', () => {
    const window = new ConfirmWindow<string>();
    expect([window.add('a'), window.add('b'), window.add('c')]).toEqual([1, 2, 3]);
    expect(window.size).toBe(3);
  });

  it('takes single tags in any order, once', () => {
    const window = new ConfirmWindow<string>();
    for (const name of ['a', 'b', 'c']) window.add(name);
    expect(window.take(2)).toBe('b');
    expect(window.take(2)).toBeUndefined();
    expect(window.take(1)).toBe('a');
    expect(window.take(9)).toBeUndefined();
    expect(window.size).toBe(1);
  });

  it('takes everything up to a tag for multiple confirms, skipping settled ones', () => {
    const window = new ConfirmWindow<number>();
    for (let i = 1; i <= 10; i++) window.add(i);
    window.take(3);
    const taken: number[] = [];
    window.takeUpTo(5, (entry) => taken.push(entry));
    expect(taken).toEqual([1, 2, 4, 5]);
    expect(window.size).toBe(5);
    window.takeUpTo(5, (entry) => taken.push(entry));
    expect(taken).toHaveLength(4);
  });

  it('grows past its initial size with entries out of order, keeping every tag right', () => {
    const window = new ConfirmWindow<number>();
    for (let i = 1; i <= 5000; i++) expect(window.add(i)).toBe(i);
    for (let tag = 2; tag <= 5000; tag += 2) expect(window.take(tag)).toBe(tag);
    for (let i = 5001; i <= 9000; i++) window.add(i);
    const rest: number[] = [];
    window.takeAll((entry) => rest.push(entry));
    expect(rest).toHaveLength(2500 + 4000);
    expect(rest[0]).toBe(1);
    expect(rest.at(-1)).toBe(9000);
    expect(window.size).toBe(0);
  });

  it('expires the oldest entries only', () => {
    const window = new ConfirmWindow<{ deadline: number }>();
    for (const deadline of [1, 2, 3, 10, 11]) window.add({ deadline });
    const expired: number[] = [];
    window.takeExpired(
      (entry) => entry.deadline <= 3,
      (entry) => expired.push(entry.deadline),
    );
    expect(expired).toEqual([1, 2, 3]);
    expect(window.take(4)).toEqual({ deadline: 10 });
  });

  it('costs the same per confirm whatever the window size', () => {
    // A million publishes through a window of 100,000: O(window) bookkeeping per confirm would take minutes.
    const window = new ConfirmWindow<number>();
    const started = performance.now();
    for (let i = 1; i <= 1_000_000; i++) {
      window.add(i);
      if (i > 100_000) window.take(i - 100_000);
    }
    expect(window.size).toBe(100_000);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
