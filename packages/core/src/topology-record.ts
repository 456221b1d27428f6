import { ConnectionError } from './errors.js';
import type { ExchangeBinding, ExchangeSpec, ExchangeType, QueueBinding, QueueSpec } from './topology.js';
import type { TransportSession } from './transport.js';

type Declaration =
  | { kind: 'exchange'; spec: ExchangeSpec & { name: string; type: ExchangeType } }
  | { kind: 'queue'; spec: QueueSpec & { name: string }; serverNamed: boolean }
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

  /** `serverNamed`: the broker chose the name; on replay it is declared anonymously and gets a new one. */
  queue(spec: QueueSpec & { name: string }, serverNamed = false): void {
    this.#entries.set(`q:${spec.name}`, { kind: 'queue', spec, serverNamed });
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

  /**
   * Declares everything again on `session`, in the original order. Errors per entry go to `onError`;
   * a ConnectionError aborts. Server-named queues get new names (RabbitMQ refuses to redeclare `amq.gen-…`
   * names): the record and the bindings follow, and the renames are returned (old name → new name).
   */
  async replay(session: TransportSession, onError: (error: unknown) => void): Promise<Map<string, string>> {
    const renamed = new Map<string, string>();
    for (const [key, entry] of [...this.#entries]) {
      try {
        switch (entry.kind) {
          case 'exchange':
            await session.declareExchange(entry.spec);
            break;
          case 'queue':
            if (entry.serverNamed) {
              const info = await session.declareQueue({ ...entry.spec, name: '' });
              if (info.queue !== entry.spec.name) {
                renamed.set(entry.spec.name, info.queue);
                this.#entries.delete(key);
                this.#entries.set(`q:${info.queue}`, { ...entry, spec: { ...entry.spec, name: info.queue } });
              }
            } else await session.declareQueue(entry.spec);
            break;
          case 'queueBinding': {
            const queue = renamed.get(entry.binding.queue);
            if (queue !== undefined) {
              this.#entries.delete(key);
              entry.binding = { ...entry.binding, queue };
              this.queueBinding(entry.binding, true);
            }
            await session.bindQueue(entry.binding);
            break;
          }
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
    return renamed;
  }
}
