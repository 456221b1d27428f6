import { EventEmitter } from 'node:events';
import { toError } from './errors.js';

type EventMap = { [event: string]: unknown[] };

/**
 * A typed event emitter that never lets an event crash the process: an `error` event with no listener becomes a
 * process warning (Node's EventEmitter would throw it), and a listener that throws is reported the same way
 * instead of unwinding into warren's internals.
 */
export class SafeEmitter<Events extends EventMap> {
  readonly #emitter = new EventEmitter();

  /** Adds `listener` for `event`; returns this, for chaining. */
  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Adds `listener` for the next `event` only. */
  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }

  /**
   * Calls the listeners of `event`. An `error` without a listener, or a listener that throws, becomes a process
   * warning (`WarrenWarning`), never an exception.
   */
  protected emit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    if (event === 'error' && this.#emitter.listenerCount('error') === 0) {
      reportUnhandled(args[0], this.constructor.name);
      return;
    }
    try {
      this.#emitter.emit(event, ...args);
    } catch (error) {
      reportUnhandled(error, `${this.constructor.name} '${event}' listener`);
    }
  }
}

/** Makes a problem visible without throwing: a process warning, which does not crash and can be listened to. */
export function reportUnhandled(error: unknown, where: string): void {
  const err = toError(error);
  process.emitWarning(`${err.name}: ${err.message} (from ${where}; add an 'error' listener to handle it)`, {
    type: 'WarrenWarning',
    code: 'WARREN_UNHANDLED_ERROR',
  });
}
