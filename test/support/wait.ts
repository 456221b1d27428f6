import type { Connection, ConnectionEvents } from '@warren/core';

/** Resolves with the event's first argument, or rejects after `timeoutMs` naming the event it waited for. */
export function nextEvent<K extends 'disconnect' | 'reconnect' | 'error'>(
  emitter: Pick<Connection, 'once' | 'off'>,
  event: K,
  timeoutMs: number,
): Promise<ConnectionEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ConnectionEvents[K]): void => {
      clearTimeout(timer);
      resolve(args[0]);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.once(event, listener);
  });
}

/** Polls `predicate` on a short interval until it holds, or rejects after `timeoutMs` with `what`. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
