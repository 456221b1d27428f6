import { NotFoundError, PreconditionFailedError } from '../errors.js';
import type { Headers } from '../properties.js';
import type { Arguments, ExchangeType } from '../topology.js';
import { headersMatch } from './headers.js';
import { type TopicMatcher, topicMatcher } from './topic.js';

/** An exchange as the table keeps it, every property resolved. */
export interface ExchangeDefinition {
  /** The exchange name. */
  name: string;
  /** How it routes. */
  type: ExchangeType;
  /** Whether it survives a broker restart. */
  durable: boolean;
  /** Whether it goes once its last binding is removed. */
  autoDelete: boolean;
  /** Whether publishers may not send to it directly. */
  internal: boolean;
  /** Its extra arguments. */
  arguments: Arguments;
}

/** A binding from an exchange to a queue or to another exchange. */
export interface Binding {
  /** The queue or exchange the binding routes to. */
  destination: string;
  /** Whether `destination` names a queue or an exchange. */
  destinationKind: 'queue' | 'exchange';
  /** The key or topic pattern matched. */
  routingKey: string;
  /** Binding arguments (`x-match` and the headers to match, for a headers exchange). */
  arguments: Arguments;
}

interface ExchangeState extends ExchangeDefinition {
  bindings: Binding[];
  /** For direct exchanges: routing key → bindings, so that routing is a map lookup. */
  byKey: Map<string, Binding[]>;
  /** For topic exchanges: compiled matcher per binding, in the same order as `bindings`. */
  matchers: TopicMatcher[];
  /** Whether any binding leads to another exchange (routing then needs cycle protection). */
  toExchanges: boolean;
}

/** The default exchange: routes to the queue named by the routing key, as in AMQP 0-9-1. */
export const DEFAULT_EXCHANGE = '';

/**
 * Exchanges and their bindings, with AMQP 0-9-1 routing (direct, topic, fanout, headers, exchange-to-exchange
 * bindings), written once for every transport that has to emulate a broker (memory://, Redis). Pure data: no I/O.
 */
export class ExchangeTable {
  readonly #exchanges = new Map<string, ExchangeState>();

  /** Whether the exchange exists (the default exchange always does). */
  has(name: string): boolean {
    return name === DEFAULT_EXCHANGE || this.#exchanges.has(name);
  }

  /** The exchange's definition, or undefined (also for the default exchange, which has none). */
  get(name: string): ExchangeDefinition | undefined {
    return this.#exchanges.get(name);
  }

  /** The names of every declared exchange. */
  names(): string[] {
    return [...this.#exchanges.keys()];
  }

  /** Declares an exchange; redeclaring with another type or durability is a PreconditionFailedError, as in RabbitMQ. */
  declare(definition: ExchangeDefinition): void {
    if (definition.name === DEFAULT_EXCHANGE) return;
    const existing = this.#exchanges.get(definition.name);
    if (existing) {
      checkExchangeEquivalent(existing, definition);
      return;
    }
    this.#exchanges.set(definition.name, {
      ...definition,
      bindings: [],
      byKey: new Map(),
      matchers: [],
      toExchanges: false,
    });
  }

  /**
   * A table built at once from exchanges and bindings stored elsewhere (a transport that keeps its topology in
   * the broker, such as Redis, reads them and routes with the same matching as memory://). Each exchange is
   * indexed once, not once per binding. Bindings from an exchange that is not in `exchanges` are ignored.
   */
  static load(
    exchanges: Iterable<ExchangeDefinition>,
    bindings: Iterable<{ source: string; binding: Binding }>,
  ): ExchangeTable {
    const table = new ExchangeTable();
    for (const definition of exchanges) table.declare(definition);
    const touched = new Set<ExchangeState>();
    for (const { source, binding } of bindings) {
      const state = table.#exchanges.get(source);
      if (!state || state.bindings.some((b) => sameBinding(b, binding))) continue;
      state.bindings.push(binding);
      touched.add(state);
    }
    for (const state of touched) table.#reindex(state);
    return table;
  }

  /** Deletes an exchange and its bindings (and bindings to it). Returns false when it did not exist. */
  delete(name: string, options: { ifUnused?: boolean } = {}): boolean {
    const state = this.#exchanges.get(name);
    if (!state) return false;
    if (options.ifUnused && state.bindings.length > 0) {
      throw new PreconditionFailedError(`Exchange "${name}" has bindings; not deleted (ifUnused).`);
    }
    this.#exchanges.delete(name);
    this.removeBindingsTo(name, 'exchange');
    return true;
  }

  /** Adds a binding (idempotent); `NotFoundError` when the source exchange does not exist. */
  bind(source: string, binding: Binding): void {
    const state = this.#require(source);
    if (state.bindings.some((b) => sameBinding(b, binding))) return;
    state.bindings.push(binding);
    this.#reindex(state);
  }

  /** Removes one binding; returns whether it existed. */
  unbind(source: string, binding: Binding): boolean {
    const state = this.#exchanges.get(source);
    if (!state) return false;
    const index = state.bindings.findIndex((b) => sameBinding(b, binding));
    if (index === -1) return false;
    state.bindings.splice(index, 1);
    this.#reindex(state);
    return true;
  }

  /** Removes every binding whose destination is this queue or exchange (when it is deleted). */
  removeBindingsTo(destination: string, kind: Binding['destinationKind']): void {
    for (const state of this.#exchanges.values()) {
      const kept = state.bindings.filter((b) => !(b.destination === destination && b.destinationKind === kind));
      if (kept.length !== state.bindings.length) {
        state.bindings = kept;
        this.#reindex(state);
      }
    }
  }

  /** The number of bindings that have this exchange as source. */
  bindingCount(name: string): number {
    return this.#exchanges.get(name)?.bindings.length ?? 0;
  }

  /**
   * The queues a message reaches, each once, following exchange-to-exchange bindings (cycles are cut). The default
   * exchange routes to the queue named by the routing key when `queueExists` says it exists.
   */
  route(
    exchange: string,
    routingKey: string,
    headers: Headers | undefined,
    queueExists: (name: string) => boolean,
  ): string[] {
    if (exchange === DEFAULT_EXCHANGE) return queueExists(routingKey) ? [routingKey] : [];
    const start = this.#exchanges.get(exchange);
    if (!start) throw new NotFoundError(`Exchange "${exchange}" does not exist. Declare it before publishing to it.`);
    // Fast path: a direct exchange bound only to queues (the common case) needs no visited set.
    if (start.type === 'direct' && !start.toExchanges) {
      const bindings = start.byKey.get(routingKey);
      if (!bindings) return [];
      if (bindings.length === 1) return [(bindings[0] as Binding).destination];
      return [...new Set(bindings.map((b) => b.destination))];
    }
    const queues = new Set<string>();
    this.#routeInto(start, routingKey, headers, queues, new Set());
    return [...queues];
  }

  #routeInto(
    state: ExchangeState,
    routingKey: string,
    headers: Headers | undefined,
    queues: Set<string>,
    seen: Set<string>,
  ): void {
    if (seen.has(state.name)) return;
    seen.add(state.name);
    for (const binding of this.#matching(state, routingKey, headers)) {
      if (binding.destinationKind === 'queue') queues.add(binding.destination);
      else {
        const next = this.#exchanges.get(binding.destination);
        if (next) this.#routeInto(next, routingKey, headers, queues, seen);
      }
    }
  }

  #matching(state: ExchangeState, routingKey: string, headers: Headers | undefined): Binding[] {
    switch (state.type) {
      case 'direct':
        return state.byKey.get(routingKey) ?? [];
      case 'fanout':
        return state.bindings;
      case 'topic':
        return state.bindings.filter((_, i) => (state.matchers[i] as TopicMatcher)(routingKey));
      case 'headers':
        return state.bindings.filter((b) => headersMatch(b.arguments, headers));
    }
  }

  #require(name: string): ExchangeState {
    const state = this.#exchanges.get(name);
    if (!state) throw new NotFoundError(`Exchange "${name}" does not exist. Declare it before binding to it.`);
    return state;
  }

  #reindex(state: ExchangeState): void {
    state.byKey.clear();
    for (const binding of state.bindings) {
      const list = state.byKey.get(binding.routingKey);
      if (list) list.push(binding);
      else state.byKey.set(binding.routingKey, [binding]);
    }
    state.matchers = state.bindings.map((b) => topicMatcher(b.routingKey));
    state.toExchanges = state.bindings.some((b) => b.destinationKind === 'exchange');
  }
}

/**
 * Redeclaring an exchange with another type or durability is a PreconditionFailedError, as in RabbitMQ (406);
 * the same type and durability are fine.
 */
export function checkExchangeEquivalent(
  existing: Pick<ExchangeDefinition, 'name' | 'type' | 'durable'>,
  requested: Pick<ExchangeDefinition, 'type' | 'durable'>,
): void {
  if (existing.type !== requested.type || existing.durable !== requested.durable) {
    throw new PreconditionFailedError(
      `Exchange "${existing.name}" exists as ${existing.durable ? 'durable ' : ''}${existing.type}; it cannot be redeclared as ${requested.durable ? 'durable ' : ''}${requested.type}. Delete it first or declare it as it is.`,
    );
  }
}

function sameBinding(a: Binding, b: Binding): boolean {
  return (
    a.destination === b.destination &&
    a.destinationKind === b.destinationKind &&
    a.routingKey === b.routingKey &&
    JSON.stringify(a.arguments) === JSON.stringify(b.arguments)
  );
}
