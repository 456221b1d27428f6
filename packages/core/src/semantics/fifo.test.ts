import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('keeps order across growth, with unshift at the front', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 100; i++) fifo.push(i);
    for (let i = 0; i < 50; i++) expect(fifo.shift()).toBe(i);
    fifo.unshift(-1);
    for (let i = 100; i < 140; i++) fifo.push(i);
    expect(fifo.length).toBe(91);
    expect(fifo.peek()).toBe(-1);
    expect([...fifo].slice(0, 3)).toEqual([-1, 50, 51]);
    expect(fifo.drain()).toHaveLength(91);
    expect(fifo.shift()).toBeUndefined();
  });
});
