/** A wait that ran out of time; the message says what was awaited and what was seen. */
export class WaitTimeoutError extends Error {
  /** Always `'WaitTimeoutError'`. */
  override name = 'WaitTimeoutError';
}

type Describe = string | (() => string);

function describeWait(what: Describe): string {
  return typeof what === 'string' ? what : what();
}

/**
 * Resolves when `predicate` holds, rechecking every few milliseconds; rejects with a WaitTimeoutError after
 * `timeoutMs`. For state that only the broker knows (queue depth): where an event exists, use a {@link Condition}.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: Describe = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline)
      throw new WaitTimeoutError(`Timed out after ${timeoutMs} ms waiting for ${describeWait(what)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Rejects with a WaitTimeoutError if `promise` has not settled after `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: Describe): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WaitTimeoutError(`Timed out after ${timeoutMs} ms waiting for ${describeWait(what)}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Event-driven waiting: whoever changes the state calls `notify()`, and every pending `until` rechecks its
 * predicate then, so a wait ends on the event itself rather than on a polling tick or a sleep.
 */
export class Condition {
  readonly #waiters = new Set<() => void>();

  /** Tells every pending `until` to check its predicate again; call it after each change of the state. */
  notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /**
   * Resolves once `predicate` holds (checked now and on each `notify()`); rejects with `WaitTimeoutError` after
   * `timeoutMs`, saying `what` was awaited.
   */
  until(predicate: () => boolean, timeoutMs: number, what: Describe): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new WaitTimeoutError(`Timed out after ${timeoutMs} ms waiting for ${describeWait(what)}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }
}
