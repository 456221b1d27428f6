import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import { parseOptions } from '../options.js';
import type { Arguments, QueueArguments, QueueSpec } from '../topology.js';
import { Exchange } from './exchange.js';

/** One binding of a {@link Queue}: an exchange (an {@link Exchange} to declare, or the name of one that exists). */
export interface QueueBindingOptions {
  /**
   * The exchange to bind to: an {@link Exchange} (declared with the queue) or the name of one declared elsewhere.
   */
  exchange: Exchange | string;
  /** One key, or several (one binding each). Default `''` (fanout and headers exchanges ignore it). */
  routingKey?: string | readonly string[] | undefined;
  /** Binding arguments (headers exchanges: `{ 'x-match': 'all', format: 'pdf' }`). */
  arguments?: Arguments | undefined;
}

/** What `new Queue(name, options)` takes. */
export interface QueueOptions {
  /** The exchange to bind to (an {@link Exchange} is declared with the queue; a name must exist already). */
  exchange?: Exchange | string | undefined;
  /** With `exchange`: one key or several (one binding each). Default `''`. */
  routingKey?: string | readonly string[] | undefined;
  /** With `exchange`: the binding's arguments (headers exchanges). */
  bindingArguments?: Arguments | undefined;
  /** Bindings over several exchanges, in addition to `exchange`. */
  bindings?: readonly QueueBindingOptions[] | undefined;
  /** Survives a broker restart (default true for a named queue, false for a server-named one). */
  durable?: boolean | undefined;
  /** Only this connection may use it; deleted with the connection (default false; true for a server-named one). */
  exclusive?: boolean | undefined;
  /** Deleted once its last consumer goes (default false; true for a server-named one). */
  autoDelete?: boolean | undefined;
  /** Queue arguments (TTL, max length, dead-lettering, priorities, ...). */
  arguments?: QueueArguments | undefined;
}

/** One binding of a queue, resolved: a single routing key. */
export interface QueueObjectBinding {
  /** The exchange bound to. */
  readonly exchange: Exchange | string;
  /** The routing key of this binding. */
  readonly routingKey: string;
  /** The binding arguments, if any. */
  readonly arguments?: Arguments;
}

const exchangeRef = z.union([z.string(), z.instanceof(Exchange)]);
const routingKeys = z.union([z.string(), z.array(z.string()).min(1, 'give at least one routing key, or leave it out')]);
const argumentsRecord = z.record(z.string(), z.unknown());

const bindingSchema = z
  .object({ exchange: exchangeRef, routingKey: routingKeys.optional(), arguments: argumentsRecord.optional() })
  .strict();

const queueOptionsSchema = z
  .object({
    exchange: exchangeRef.optional(),
    routingKey: routingKeys.optional(),
    bindingArguments: argumentsRecord.optional(),
    bindings: z.array(bindingSchema).optional(),
    durable: z.boolean().optional(),
    exclusive: z.boolean().optional(),
    autoDelete: z.boolean().optional(),
    arguments: argumentsRecord.optional(),
  })
  .strict();

function exchangeName(exchange: Exchange | string): string {
  return typeof exchange === 'string' ? exchange : exchange.name;
}

/**
 * A queue declared in one place, with its bindings (kombu's `Queue`):
 * `new Queue('video', { exchange: media, routingKey: ['video.#', '*.clip'] })` binds once per key, and `bindings`
 * binds over several exchanges. It holds no connection: `conn.declare(queue)` declares its exchanges, the queue and
 * every binding (idempotently, and recorded so that a reconnect declares them again), and a Consumer's `queues`
 * and a Publisher's `declare` take it. The name `''` asks the broker to name the queue.
 */
export class Queue {
  /** The queue's name (`''`: the broker names it). */
  readonly name: string;
  /** Whether it survives a broker restart. */
  readonly durable: boolean;
  /** Whether only the declaring connection may use it. */
  readonly exclusive: boolean;
  /** Whether the broker deletes it once its last consumer goes. */
  readonly autoDelete: boolean;
  /** Queue arguments. */
  readonly arguments: Readonly<QueueArguments>;
  /** Every binding, one per routing key, in declaration order. */
  readonly bindings: readonly QueueObjectBinding[];
  /** True when `exclusive` was left to its default (so a transport without exclusive queues may leave it off). */
  readonly exclusiveByDefault: boolean;

  /** Validates the options (`ConfigurationError` naming a bad or unknown one); nothing is declared yet. */
  constructor(name: string, options: QueueOptions = {}) {
    if (typeof name !== 'string') {
      throw new ConfigurationError(`new Queue(name): the name must be a string, got ${typeof name}.`);
    }
    const parsed = parseOptions(queueOptionsSchema, options, `options of queue "${name}"`);
    if (parsed.exchange === undefined && (parsed.routingKey !== undefined || parsed.bindingArguments !== undefined)) {
      throw new ConfigurationError(
        `Queue "${name}": ${parsed.routingKey !== undefined ? 'routingKey' : 'bindingArguments'} needs an exchange to bind to. Give exchange (an Exchange or the name of one), or use bindings: [{ exchange, routingKey }].`,
      );
    }
    const serverNamed = name === '';
    this.name = name;
    this.durable = parsed.durable ?? !serverNamed;
    this.exclusive = parsed.exclusive ?? serverNamed;
    this.exclusiveByDefault = parsed.exclusive === undefined;
    this.autoDelete = parsed.autoDelete ?? serverNamed;
    this.arguments = Object.freeze({ ...parsed.arguments });
    const bindings: QueueObjectBinding[] = [];
    const seen = new Set<string>();
    const add = (exchange: Exchange | string, keys: string | readonly string[] | undefined, args?: Arguments) => {
      if (exchangeName(exchange) === '') {
        throw new ConfigurationError(
          `Queue "${name}": the default exchange '' cannot be bound to; it already routes to every queue by its name. Leave the exchange out, or name another exchange.`,
        );
      }
      for (const routingKey of keys === undefined ? [''] : typeof keys === 'string' ? [keys] : keys) {
        const id = JSON.stringify([exchangeName(exchange), routingKey, args ?? {}]);
        if (seen.has(id)) continue;
        seen.add(id);
        bindings.push(args === undefined ? { exchange, routingKey } : { exchange, routingKey, arguments: args });
      }
    };
    if (parsed.exchange !== undefined) add(parsed.exchange, parsed.routingKey, parsed.bindingArguments);
    for (const binding of parsed.bindings ?? []) add(binding.exchange, binding.routingKey, binding.arguments);
    this.bindings = Object.freeze(bindings);
  }

  /** The distinct {@link Exchange} objects of the bindings (those to declare with the queue), in order. */
  get exchanges(): Exchange[] {
    const byName = new Map<string, Exchange>();
    for (const { exchange } of this.bindings) {
      if (typeof exchange !== 'string' && !byName.has(exchange.name)) byName.set(exchange.name, exchange);
    }
    return [...byName.values()];
  }

  /** What `conn.declareQueue` takes for this queue. */
  toSpec(): QueueSpec & Required<Pick<QueueSpec, 'name'>> {
    const spec: QueueSpec & Required<Pick<QueueSpec, 'name'>> = {
      name: this.name,
      durable: this.durable,
      exclusive: this.exclusive,
      autoDelete: this.autoDelete,
    };
    if (Object.keys(this.arguments).length > 0) spec.arguments = { ...this.arguments };
    return spec;
  }

  /** `Queue(video)`, for logs and error messages (never "[object Object]"). */
  toString(): string {
    return `Queue(${this.name === '' ? '(server-named)' : this.name})`;
  }
}
