import { describe, expect, it } from 'vitest';
import { topicMatches } from './topic.js';

describe('topic matching', () => {
  const table: Array<[string, string, boolean]> = [
    ['*.stock.#', 'usd.stock', true],
    ['*.stock.#', 'eur.stock.db', true],
    ['*.stock.#', 'stock.nasdaq', false],
    ['*.stock.#', 'a.b.stock', false],
    ['#', '', true],
    ['#', 'a.b.c', true],
    ['a.#', 'a', true],
    ['a.#', 'a.b.c', true],
    ['a.#', 'b.a', false],
    ['#.z', 'z', true],
    ['#.z', 'x.y.z', true],
    ['#.z', 'x.y.z.w', false],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.c', false],
    ['a.*.c', 'a.b.b.c', false],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['*', '', true],
    ['a.#.#.d', 'a.d', true],
    ['a.#.c.#', 'a.x.c', true],
    ['a.#.c.#', 'a.x.y', false],
    ['exact.key', 'exact.key', true],
    ['exact.key', 'exact.keys', false],
  ];
  it.each(table)('%s against %s is %s', (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});
