import { ConnectionError } from './errors.js';
import type { ExchangeBinding, ExchangeSpec, ExchangeType, QueueBinding, QueueSpec } from './topology.js';
import type { TransportSession } from './transport.js';

type Declaration =
  | { kind: 'exchange'; spec: ExchangeSpec & { name: string; type: ExchangeType } }
  | { kind: 'queue'; spec: QueueSpec & { name: string } }
  | { kind: 'queueBinding'; binding: QueueBinding }
  | { kind: 'exchangeBinding'; binding: ExchangeBinding };

/**
 * What a connection has declared, in order, so that it can declare it all again on a new session after a
 * reconnect (RabbitMQ loses exclusive and auto-delete queues with the connection; other brokers may have
 * restarted). Deletions remove the matching entries.
 */
export class TopologyRecord {
  readonly #entries = new Map<string, Declaration>();

  exchange(spec: ExchangeSpec & { name: string; type: ExchangeType }): void {
    if (spec.name === '') return;
    this.#entries.set(`x:${spec.name}`, { kind: 'exchange', spec });
  }

  queue(spec: QueueSpec & { name: string }): void {
    this.#entries.set(`q:${spec.name}`, { kind: 'queue', spec });
  }

  queueBinding(binding: QueueBinding, bound: boolean): void {
    const key = `qb:${binding.queue}\u0000${binding.exchange}\u0000${binding.routingKey ?? ''}\u0000${JSON.stringify(binding.arguments ?? {})}`;
    if (bound) this.#entries.set(key, { kind: 'queueBinding', binding });
    else this.#entries.delete(key);
  }

  exchangeBinding(binding: ExchangeBinding, bound: boolean): void {
    const key = `xb:${binding.destination}\u0000${binding.source}\u0000${binding.routingKey ?? ''}\u0000${JSON.stringify(binding.arguments ?? {})}`;
    if (bound) this.#entries.set(key, { kind: 'exchangeBinding', binding });
    else this.#entries.delete(key);
  }

  forgetQueue(name: string): void {
    this.#entries.delete(`q:${name}`);
    for (const [key, entry] of this.#entries) {
      if (entry.kind === 'queueBinding' && entry.binding.queue === name) this.#entries.delete(key);
    }
  }

  forgetExchange(name: string): void {
    this.#entries.delete(`x:${name}`);
    for (const [key, entry] of this.#entries) {
      if (entry.kind === 'queueBinding' && entry.binding.exchange === name) this.#entries.delete(key);
      if (entry.kind === 'exchangeBinding' && (entry.binding.source === name || entry.binding.destination === name)) {
        this.#entries.delete(key);
      }
    }
  }

  /** Declares everything again on `session`, in the original order. Errors per entry go to `onError`;
   * a ConnectionError aborts. */
  async replay(session: TransportSession, onError: (error: unknown) => void): Promise<void> {
    for (const entry of [...this.#entries.values()]) {
      try {
        switch (entry.kind) {
          case 'exchange':
            await session.declareExchange(entry.spec);
            break;
          case 'queue':
            await session.declareQueue(entry.spec);
            break;
          case 'queueBinding':
            await session.bindQueue(entry.binding);
            break;
          case 'exchangeBinding':
            await session.bindExchange(entry.binding);
            break;
        }
      } catch (error) {
        // A lost session ends the replay: the reconnect loop starts over on the next session.
        if (error instanceof ConnectionError) throw error;
        onError(error);
      }
    }
  }
}
