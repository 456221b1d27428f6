import type { Publisher } from '@warren/core';

type SendOptions = NonNullable<Parameters<Publisher['send']>[1]>;

/**
 * Sends `count` messages made by `make`, with at most `window` sends in flight: fast on brokers with confirms
 * (one round trip per window, not per message) without putting thousands of pending sends in memory at once.
 * Rejects with the first failed send.
 */
export async function sendMany(
  publisher: Publisher,
  count: number,
  make: (index: number) => { body: unknown; options?: SendOptions },
  window = 200,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      const { body, options } = make(index);
      await publisher.send(body, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
}

/** 0, 1, ..., count - 1. */
export function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
