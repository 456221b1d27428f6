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
  /** Every former name of a server-named queue → its name now (kept flat: no chains to follow). */
  readonly #renames = new Map<string, string>();

  /** The name a queue has now: a server-named queue gets a new one on every new session. */
  currentName(queue: string): string {
    return this.#renames.get(queue) ?? queue;
  }

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
   * names): the record, its bindings and {@link currentName} follow at once, so that a replay cut short after a
   * rename leaves nothing pointing at the old name.
   */
  async replay(session: TransportSession, onError: (error: unknown) => void): Promise<void> {
    for (const [key, entry] of [...this.#entries]) {
      try {
        switch (entry.kind) {
          case 'exchange':
            await session.declareExchange(entry.spec);
            break;
          case 'queue':
            if (entry.serverNamed) {
              const info = await session.declareQueue({ ...entry.spec, name: '' });
              if (info.queue !== entry.spec.name) this.#rename(key, entry, info.queue);
            } else await session.declareQueue(entry.spec);
            break;
          case 'queueBinding': {
            // Renamed earlier in this replay (or in one cut short): the record holds it under the new name.
            const queue = this.currentName(entry.binding.queue);
            await session.bindQueue(queue === entry.binding.queue ? entry.binding : { ...entry.binding, queue });
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
  }

  /** A server-named queue got a new name: its entry and every binding to it move to the new name, now. */
  #rename(key: string, entry: Declaration & { kind: 'queue' }, name: string): void {
    const old = entry.spec.name;
    this.#entries.delete(key);
    this.#entries.set(`q:${name}`, { ...entry, spec: { ...entry.spec, name } });
    for (const [bindingKey, binding] of [...this.#entries]) {
      if (binding.kind === 'queueBinding' && binding.binding.queue === old) {
        this.#entries.delete(bindingKey);
        this.queueBinding({ ...binding.binding, queue: name }, true);
      }
    }
    for (const [former, current] of this.#renames) if (current === old) this.#renames.set(former, name);
    this.#renames.set(old, name);
  }
}
