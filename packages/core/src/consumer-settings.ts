import { AcceptList } from './codec.js';
import type { Connection } from './connection.js';
import { ConfigurationError } from './errors.js';
import type { BodySchema } from './schema.js';
import type { ExchangeType, QueueArguments } from './topology.js';

export interface ConsumerOptions<TBody = unknown> {
  /** The queue to consume from (declared unless `declare: false`). Empty: a server-named exclusive queue. */
  queue?: string;
  /** Several queues declared beforehand (carrot's ConsumerSet); they are not declared. */
  queues?: string[];
  /** The exchange to declare and bind the queue to; '' (default) binds nothing. */
  exchange?: string;
  exchangeType?: ExchangeType;
  /** Declare the exchange durable (default true, matching Publisher's default). */
  exchangeDurable?: boolean;
  routingKey?: string;
  /** Arguments of the binding (headers exchanges: `{ 'x-match': 'all', ... }`). */
  bindingArguments?: Record<string, unknown>;
  /** At most this many unacknowledged messages at a time (default 100; 0: no limit). */
  prefetch?: number;
  /** Serializer names or content types to decode (default ['json']); anything else is refused. */
  accept?: string[];
  /** Auto-acknowledge on delivery (default false: acknowledge each message). */
  noAck?: boolean;
  /** Declare the exchange, queue and binding first (default true). */
  declare?: boolean;
  /** Declare the queue durable (default true for a named queue). */
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  queueArguments?: QueueArguments;
  /** Requeue a message whose callback threw, instead of rejecting it (default false). */
  requeueOnError?: boolean;
  /** Consume exclusively (no other consumer on the queue). */
  exclusiveConsumer?: boolean;
  /** Validates each body; a failing message is rejected and reported, not passed on. */
  schema?: BodySchema<TBody>;
  /** Ends `wait()` and the consumer when it fires. */
  signal?: AbortSignal;
}

/** A consumer's settings once resolved (options over fields over defaults), fixed at the first use. */
export interface ConsumerSettings {
  queues: string[];
  prefetch: number;
  noAck: boolean;
  accept: AcceptList;
  requeueOnError: boolean;
  schema: BodySchema<unknown> | undefined;
  exclusiveConsumer: boolean;
}

/** The options a subclass may also set as fields (carrot style). */
export type ConsumerFields<TBody> = Omit<ConsumerOptions<TBody>, 'declare' | 'signal'>;

/**
 * Resolves a consumer's settings: each constructor option overrides the field of the same name (a subclass's
 * carrot-style default), which overrides the built-in default.
 */
export function resolveConsumerSettings<TBody>(
  connection: Connection,
  o: ConsumerOptions<TBody>,
  fields: ConsumerFields<TBody>,
): ConsumerSettings {
  const noAck = o.noAck ?? fields.noAck ?? false;
  const settings: ConsumerSettings = {
    queues: o.queues ?? fields.queues ?? [o.queue ?? fields.queue ?? ''],
    prefetch: o.prefetch ?? fields.prefetch ?? 100,
    noAck,
    accept: new AcceptList(o.accept ?? fields.accept ?? ['json']),
    requeueOnError: o.requeueOnError ?? false,
    schema: (o.schema ?? fields.schema) as BodySchema<unknown> | undefined,
    exclusiveConsumer: o.exclusiveConsumer ?? false,
  };
  if (!noAck) connection.require('acks', 'Manual acknowledgement (noAck: false)');
  return settings;
}

/** Declares a consumer's exchange, queue and binding (unless `declare: false`); resolves with the queue names. */
export async function declareConsumerTopology<TBody>(
  connection: Connection,
  o: ConsumerOptions<TBody>,
  fields: ConsumerFields<TBody>,
): Promise<string[]> {
  const queues = o.queues ?? fields.queues;
  if (queues && queues.length > 0) return [...queues];
  const declare = o.declare ?? true;
  const name = o.queue ?? fields.queue ?? '';
  if (!declare) {
    if (!name) throw new ConfigurationError('A consumer with declare: false needs a queue name.');
    return [name];
  }
  const exchange = o.exchange ?? fields.exchange ?? '';
  const serverNamed = name === '';
  if (exchange !== '') {
    await connection.declareExchange({
      name: exchange,
      type: o.exchangeType ?? fields.exchangeType ?? 'direct',
      durable: o.exchangeDurable ?? true,
    });
  }
  const exclusive = o.exclusive ?? fields.exclusive ?? serverNamed;
  const spec = {
    name,
    durable: o.durable ?? fields.durable ?? !serverNamed,
    exclusive: exclusive && connection.capabilities.exclusiveQueues,
    autoDelete: o.autoDelete ?? fields.autoDelete ?? serverNamed,
  };
  const args = o.queueArguments ?? fields.queueArguments;
  const info = await connection.declareQueue(args ? { ...spec, arguments: args } : spec);
  if (exchange !== '') {
    const routingKey = o.routingKey ?? fields.routingKey ?? '';
    const binding = { queue: info.queue, exchange, routingKey };
    await connection.bindQueue(o.bindingArguments ? { ...binding, arguments: o.bindingArguments } : binding);
  }
  return [info.queue];
}
