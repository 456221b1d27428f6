import type { Arguments, ExchangeType } from '@warren/core';
import {
  type Binding,
  type ExchangeDefinition,
  ExchangeTable,
  type NormalizedQueueArguments,
  type OverflowPolicy,
  overflowPolicy,
} from '@warren/core/transport';

/** A queue's record in the `queues` hash (short keys: it is read by every publisher on each topology change). */
export interface QueueRecord {
  /** durable */
  d: boolean;
  /** the arguments key (core's canonical JSON of the normalized arguments) */
  a: string;
  /** the owning session of an exclusive queue, or null */
  o: string | null;
  /** auto-delete */
  ad: boolean;
}

/** What a publisher needs to know of a target queue, computed once per topology version. */
export interface QueueState {
  name: string;
  record: QueueRecord;
  args: NormalizedQueueArguments;
  overflow: OverflowPolicy | undefined;
  /** The script's overflow mode code: '' none, 'd' drop-head, 'r' reject-publish, 'x' reject-publish-dlx. */
  mode: '' | 'd' | 'r' | 'x';
  hasDeadLetterExchange: boolean;
  /** Whether messages in it can expire (queue TTL); per-message expirations are seen per message. */
  hasTtl: boolean;
  streamKey: string;
  outboxKey: string;
}

/** One binding as stored: a hash field, so that binding twice is one field and unbinding is one HDEL. */
export function bindingField(
  source: string,
  kind: 'queue' | 'exchange',
  destination: string,
  routingKey: string,
  args: Arguments | undefined,
): string {
  return JSON.stringify([source, kind === 'queue' ? 'q' : 'x', destination, routingKey, canonical(args ?? {})]);
}

/** Objects with sorted keys, so that equal arguments give equal fields. */
function canonical(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
  return out;
}

export function parseBindingField(field: string): { source: string; binding: Binding } | undefined {
  try {
    const [source, kind, destination, routingKey, args] = JSON.parse(field) as [
      string,
      string,
      string,
      string,
      Arguments,
    ];
    return {
      source,
      binding: { destination, destinationKind: kind === 'q' ? 'queue' : 'exchange', routingKey, arguments: args ?? {} },
    };
  } catch {
    return undefined;
  }
}

/** An exchange as stored in the `exchanges` hash. */
export function exchangeRecord(definition: ExchangeDefinition): string {
  return JSON.stringify({
    type: definition.type,
    durable: definition.durable,
    autoDelete: definition.autoDelete,
    internal: definition.internal,
    arguments: definition.arguments,
  });
}

export function parseExchangeRecord(name: string, json: string): ExchangeDefinition {
  const parsed = JSON.parse(json) as {
    type: ExchangeType;
    durable: boolean;
    autoDelete?: boolean;
    internal?: boolean;
    arguments?: Arguments;
  };
  return {
    name,
    type: parsed.type,
    durable: parsed.durable,
    autoDelete: parsed.autoDelete ?? false,
    internal: parsed.internal ?? false,
    arguments: parsed.arguments ?? {},
  };
}

function modeOf(policy: OverflowPolicy | undefined): QueueState['mode'] {
  if (!policy || policy.maxLength === undefined) return '';
  if (policy.mode === 'reject-publish') return 'r';
  if (policy.mode === 'reject-publish-dlx') return 'x';
  return 'd';
}

/**
 * The topology as one version of it was stored in Redis: core's exchange table (the same routing as memory://)
 * and the queues with what a publish needs to know of each. Immutable: a new version makes a new snapshot.
 */
export class TopologySnapshot {
  readonly #queueExists = (name: string): boolean => this.queues.has(name);

  constructor(
    readonly version: string,
    readonly exchanges: ExchangeTable,
    readonly queues: ReadonlyMap<string, QueueState>,
  ) {}

  /** The queues a message reaches (core's routing over the stored bindings). Throws NotFoundError for a missing exchange. */
  route(exchange: string, routingKey: string, headers: Record<string, unknown> | undefined): string[] {
    return this.exchanges.route(exchange, routingKey, headers, this.#queueExists);
  }

  static build(
    version: string,
    exchanges: Record<string, string>,
    queues: Record<string, string>,
    bindings: readonly string[],
    keys: { stream(queue: string): string; outbox(queue: string): string },
    parseArgs: (argumentsKey: string) => NormalizedQueueArguments,
  ): TopologySnapshot {
    const definitions: ExchangeDefinition[] = [];
    for (const [name, json] of Object.entries(exchanges)) {
      try {
        definitions.push(parseExchangeRecord(name, json));
      } catch {
        // A record not written by warren is skipped: publishing to it is then "no such exchange".
      }
    }
    const parsedBindings = bindings.map(parseBindingField).filter((b) => b !== undefined);
    const table = ExchangeTable.load(definitions, parsedBindings);
    const states = new Map<string, QueueState>();
    for (const [name, json] of Object.entries(queues)) {
      let record: QueueRecord;
      try {
        record = JSON.parse(json) as QueueRecord;
      } catch {
        continue;
      }
      const args = parseArgs(record.a);
      const overflow = overflowPolicy(args);
      states.set(name, {
        name,
        record,
        args,
        overflow,
        mode: modeOf(overflow),
        hasDeadLetterExchange: args.deadLetterExchange !== undefined,
        hasTtl: args.messageTtl !== undefined,
        streamKey: keys.stream(name),
        outboxKey: keys.outbox(name),
      });
    }
    return new TopologySnapshot(version, table, states);
  }
}
