import type { Consumer, Message } from '@warren/core';
import { Condition } from './wait.js';

/**
 * What an inbox does with each delivery: `ack` it (the message counts once the ack has resolved), or `hold` it
 * unsettled so that the test settles it itself (prefetch, requeue, close-with-unacked cases).
 */
export type Settle = 'ack' | 'hold';

/** Options of an {@link Inbox}. */
export interface InboxOptions {
  /** How each message is settled (default `ack`). */
  settle?: Settle;
  /** Notified on every delivery and error: share one between inboxes to wait on their sum. */
  condition?: Condition;
}

/** An error the consumer reported through its `error` event. */
export interface ReportedError {
  /** The error. */
  error: Error;
  /** The message it concerns, when there is one. */
  message: Message | undefined;
}

/**
 * Records what a consumer receives and reports, and lets a test wait on counts: the callback and the `error`
 * listener notify a {@link Condition}, so waits end on the delivery itself, never on a sleep.
 */
export class Inbox {
  /** Every message received, in order. */
  readonly messages: Message[] = [];
  /** Every error the consumer reported, in order. */
  readonly errors: ReportedError[] = [];
  readonly #changed: Condition;

  constructor(consumer: Consumer, options: InboxOptions = {}) {
    this.#changed = options.condition ?? new Condition();
    const settle = options.settle ?? 'ack';
    consumer.register(async (_body: unknown, message: Message) => {
      if (settle === 'ack') await message.ack();
      this.messages.push(message);
      this.#changed.notify();
    });
    consumer.on('error', (error: Error, message?: Message) => {
      this.errors.push({ error, message });
      this.#changed.notify();
    });
  }

  /** Resolves with every message so far once at least `count` have arrived. */
  async until(count: number, timeoutMs: number): Promise<Message[]> {
    await this.#changed.until(
      () => this.messages.length >= count,
      timeoutMs,
      () => `${count} messages (received ${this.messages.length}, errors: ${this.#errorSummary()})`,
    );
    return [...this.messages];
  }

  /** Resolves once at least `count` errors have been reported through the consumer's `error` event. */
  async untilErrors(count: number, timeoutMs: number): Promise<ReportedError[]> {
    await this.#changed.until(
      () => this.errors.length >= count,
      timeoutMs,
      () => `${count} consumer errors (got ${this.errors.length}; ${this.messages.length} messages)`,
    );
    return [...this.errors];
  }

  /** Resolves once `predicate` holds, rechecked on every delivery and every reported error. */
  async when(predicate: (inbox: Inbox) => boolean, timeoutMs: number, what: string): Promise<void> {
    await this.#changed.until(
      () => predicate(this),
      timeoutMs,
      () => `${what} (received ${this.messages.length}, errors: ${this.#errorSummary()})`,
    );
  }

  #errorSummary(): string {
    if (this.errors.length === 0) return 'none';
    return this.errors.map(({ error }) => `${error.name}: ${error.message}`).join('; ');
  }
}

/**
 * Starts `consumer` and resolves with the messages it received (each acked) once there are at least `count`;
 * rejects after `timeoutMs` saying how many came.
 */
export async function collect(consumer: Consumer, count: number, timeoutMs: number): Promise<Message[]> {
  const inbox = new Inbox(consumer);
  await consumer.consume();
  return inbox.until(count, timeoutMs);
}
