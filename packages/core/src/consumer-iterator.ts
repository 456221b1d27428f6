import type { Message } from './message.js';
import { Fifo } from './semantics/fifo.js';

/** The async iterator behind `for await`: a buffer of delivered messages (bounded by prefetch) and one waiter. */
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

  /** Hands over the messages delivered but not yet yielded. */
  takeBuffered(): Message<TBody>[] {
    return this.#buffer.drain();
  }

  constructor(
    readonly start: () => Promise<void>,
    readonly stop: () => Promise<void>,
    leftovers: readonly Message<TBody>[],
  ) {
    for (const message of leftovers) this.#buffer.push(message);
  }

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
    await this.stop();
    return { value: undefined, done: true };
  }
}
