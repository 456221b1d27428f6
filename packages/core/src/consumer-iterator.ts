import type { Message } from './message.js';
import { Fifo } from './semantics/fifo.js';

/**
 * The async iterator behind `for await`: a buffer of delivered messages (bounded by prefetch) and one waiter.
 * When the loop ends (break, return, throw) it stops the subscription, then puts every message it had buffered
 * but not yielded back on the queue; deliveries still in flight then are requeued by the consumer (see
 * `Consumer`'s dispatch), so a loop that ends loses nothing.
 */
export class ConsumerIterator<TBody> implements AsyncIterator<Message<TBody>> {
  readonly #buffer = new Fifo<Message<TBody>>();
  #waiter: ((result: IteratorResult<Message<TBody>>) => void) | undefined;
  #failWaiter: ((error: unknown) => void) | undefined;
  #started = false;
  #ended = false;
  active = false;

  get ended(): boolean {
    return this.#ended;
  }

  constructor(
    readonly start: () => Promise<void>,
    readonly stop: () => Promise<void>,
  ) {}

  push(message: Message<TBody>): void {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      this.#failWaiter = undefined;
      waiter({ value: message, done: false });
    } else this.#buffer.push(message);
  }

  end(): void {
    this.#ended = true;
    this.active = false;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    this.#failWaiter = undefined;
    waiter?.({ value: undefined, done: true });
  }

  async next(): Promise<IteratorResult<Message<TBody>>> {
    const buffered = this.#buffer.shift();
    if (buffered) return { value: buffered, done: false };
    if (this.#ended) return { value: undefined, done: true };
    const result = new Promise<IteratorResult<Message<TBody>>>((resolve, reject) => {
      this.#waiter = resolve;
      this.#failWaiter = reject;
    });
    if (!this.#started) {
      this.#started = true;
      this.active = true;
      this.start().catch((error: unknown) => {
        this.active = false;
        this.#ended = true;
        this.#failWaiter?.(error);
      });
    }
    return result;
  }

  async return(): Promise<IteratorResult<Message<TBody>>> {
    this.active = false;
    this.#ended = true;
    try {
      await this.stop();
    } finally {
      // Newest first: a transport that requeues at the head (memory://) keeps them in their order.
      const buffered = this.#buffer.drain();
      for (let i = buffered.length - 1; i >= 0; i--) (buffered[i] as Message<TBody>).requeue().catch(() => {});
    }
    return { value: undefined, done: true };
  }
}
