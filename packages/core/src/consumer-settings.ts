import { z } from 'zod';
import {
  bodySchemaOption,
  type Covers,
  checkAcceptList,
  exchangeTypeOption,
  flag,
  table,
  text,
} from './client-options.js';
import { AcceptList } from './codec.js';
import type { Connection } from './connection.js';
import { declareObject } from './declarative/declare.js';
import { Queue } from './declarative/queue.js';
import { ConfigurationError, UnsupportedFeatureError } from './errors.js';
import { parseOptions } from './options.js';
import type { BodySchema } from './schema.js';
import type { ExchangeType, ExchangeTypeName, QueueArguments, StreamOffset } from './topology.js';
import { checkQueueArguments } from './topology-options.js';

/**
 * Options of `new Consumer(connection, options)`; except `declare` and `signal`, each also exists as a field a
 * subclass may set.
 */
export interface ConsumerOptions<TBody = unknown> {
  /** The queue to consume from (declared unless `declare: false`). Empty: a server-named exclusive queue. */
  queue?: string | undefined;
  /**
   * Several queues to consume from (carrot's ConsumerSet): a {@link Queue} is declared with its exchanges and
   * bindings (unless `declare: false`); a plain name names a queue that exists already.
   */
  queues?: Array<string | Queue> | undefined;
  /** The exchange to declare and bind the queue to; '' (default) binds nothing. */
  exchange?: string | undefined;
  /** The type the exchange is declared with (default `direct`). */
  exchangeType?: ExchangeTypeName | undefined;
  /** Declare the exchange durable (default true, matching Publisher's default). */
  exchangeDurable?: boolean | undefined;
  /** The binding's routing key or topic pattern, or several (one binding each); default `''`. */
  routingKey?: string | string[] | undefined;
  /** Arguments of the binding (headers exchanges: `{ 'x-match': 'all', ... }`). */
  bindingArguments?: Record<string, unknown> | undefined;
  /** At most this many unacknowledged messages at a time (default 100; 0: no limit). */
  prefetch?: number | undefined;
  /** Serializer names or content types to decode (default ['json']); anything else is refused. */
  accept?: string[] | undefined;
  /** Auto-acknowledge on delivery (default false: acknowledge each message). */
  noAck?: boolean | undefined;
  /** Declare the exchange, queue and binding first (default true). */
  declare?: boolean | undefined;
  /** Declare the queue durable (default true for a named queue). */
  durable?: boolean | undefined;
  /** Declare the queue exclusive to this connection (default false; true for a server-named queue). */
  exclusive?: boolean | undefined;
  /**
   * Declare the queue auto-delete: removed once its last consumer is cancelled (default false; true for a
   * server-named queue).
   */
  autoDelete?: boolean | undefined;
  /** Arguments the queue is declared with (TTL, dead-lettering, length limits, priorities, ...). */
  queueArguments?: QueueArguments | undefined;
  /** Requeue a message whose callback threw, instead of rejecting it (default false). */
  requeueOnError?: boolean | undefined;
  /** Consume exclusively (no other consumer on the queue). */
  exclusiveConsumer?: boolean | undefined;
  /**
   * Read a stream queue (RabbitMQ `queueType: 'stream'`) from this offset; only where `capabilities.streams`, with
   * manual acknowledgement and a prefetch above 0 (RabbitMQ's rules). After a reconnect the consumer goes on after
   * the last offset it delivered.
   */
  streamOffset?: StreamOffset | undefined;
  /** Validates each body; a failing message is rejected and reported, not passed on. */
  schema?: BodySchema<TBody> | undefined;
  /** Ends `wait()` and the consumer when it fires. */
  signal?: AbortSignal | undefined;
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
  streamOffset: StreamOffset | undefined;
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
    queues: (o.queues ?? fields.queues)?.map(queueName) ?? [o.queue ?? fields.queue ?? ''],
    prefetch: o.prefetch ?? fields.prefetch ?? 100,
    noAck,
    accept: new AcceptList(o.accept ?? fields.accept ?? ['json']),
    requeueOnError: o.requeueOnError ?? fields.requeueOnError ?? false,
    schema: (o.schema ?? fields.schema) as BodySchema<unknown> | undefined,
    exclusiveConsumer: o.exclusiveConsumer ?? fields.exclusiveConsumer ?? false,
    streamOffset: o.streamOffset ?? fields.streamOffset,
  };
  if (settings.exclusiveConsumer)
    connection.require('exclusiveQueues', 'An exclusive consumer (exclusiveConsumer: true)');
  if (!noAck) connection.require('acks', 'Manual acknowledgement (noAck: false)');
  if (settings.streamOffset !== undefined) checkStreamConsumer(connection, settings);
  return settings;
}

/** Declares a consumer's exchange, queue and binding (unless `declare: false`); resolves with the queue names. */
export async function declareConsumerTopology<TBody>(
  connection: Connection,
  o: ConsumerOptions<TBody>,
  fields: ConsumerFields<TBody>,
): Promise<string[]> {
  const queues = o.queues ?? fields.queues;
  const declare = o.declare ?? true;
  if (queues && queues.length > 0) {
    const names: string[] = [];
    for (const queue of queues) {
      if (typeof queue === 'string' || !declare) names.push(queueName(queue));
      else names.push((await declareObject(connection, queue))?.queue ?? queue.name);
    }
    return names;
  }
  const name = o.queue ?? fields.queue ?? '';
  if (!declare) {
    if (!name) throw new ConfigurationError('A consumer with declare: false needs a queue name.');
    return [name];
  }
  const exchange = o.exchange ?? fields.exchange ?? '';
  const keys = o.routingKey ?? fields.routingKey ?? '';
  if (Array.isArray(keys) && keys.length === 0) {
    throw new ConfigurationError('routingKey is an empty list: give at least one routing key, or leave it out.');
  }
  const serverNamed = name === '';
  if (exchange !== '') {
    await connection.declareExchange({
      name: exchange,
      type: (o.exchangeType ?? fields.exchangeType ?? 'direct') as ExchangeType,
      durable: o.exchangeDurable ?? fields.exchangeDurable ?? true,
    });
  }
  const asked = o.exclusive ?? fields.exclusive;
  // Asked for explicitly, it is honoured or refused (declareQueue throws UnsupportedFeatureError); only the
  // server-named default adapts to a transport without exclusive queues.
  const exclusive = asked ?? (serverNamed && connection.capabilities.exclusiveQueues);
  const spec = {
    name,
    durable: o.durable ?? fields.durable ?? !serverNamed,
    exclusive,
    autoDelete: o.autoDelete ?? fields.autoDelete ?? serverNamed,
  };
  const args = o.queueArguments ?? fields.queueArguments;
  const info = await connection.declareQueue(args ? { ...spec, arguments: args } : spec);
  if (exchange !== '') {
    const bindingArguments = o.bindingArguments ?? fields.bindingArguments;
    for (const routingKey of typeof keys === 'string' ? [keys] : keys) {
      const binding = { queue: info.queue, exchange, routingKey };
      await connection.bindQueue(bindingArguments ? { ...binding, arguments: bindingArguments } : binding);
    }
  }
  return [info.queue];
}

/** The name of an entry of `queues` (a Queue object's own name; '' for a server-named one not yet declared). */
function queueName(queue: string | Queue): string {
  return typeof queue === 'string' ? queue : queue.name;
}

/**
 * A stream consumer's rules, checked before anything is sent: RabbitMQ closes the whole connection for an
 * auto-acknowledging consumer of a stream, and refuses one without a prefetch.
 */
function checkStreamConsumer(connection: Connection, settings: ConsumerSettings): void {
  if (!connection.capabilities.streams) {
    throw new UnsupportedFeatureError(
      `streamOffset: the ${connection.transport} transport has no stream queues; consume without streamOffset, or use RabbitMQ (amqp://).`,
    );
  }
  const offset = settings.streamOffset;
  const valid =
    offset === 'first' ||
    offset === 'last' ||
    offset === 'next' ||
    (typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0) ||
    (offset instanceof Date && !Number.isNaN(offset.getTime()));
  if (!valid) {
    throw new ConfigurationError(
      `streamOffset accepts 'first', 'last', 'next', an offset (an integer from 0) or a Date; got ${String(offset)}.`,
    );
  }
  if (settings.noAck) {
    throw new ConfigurationError(
      'streamOffset needs manual acknowledgement: RabbitMQ closes the connection of an auto-acknowledging stream consumer. Leave noAck off.',
    );
  }
  if (settings.prefetch <= 0) {
    throw new ConfigurationError(
      'streamOffset needs a prefetch above 0 (RabbitMQ refuses a stream consumer without one).',
    );
  }
}

/** Consumer options (and the same names as a subclass's fields), strict: a typo is a ConfigurationError. */
export const consumerOptionsSchema = z
  .object({
    queue: text,
    queues: z.array(z.union([z.string(), z.instanceof(Queue)])).optional(),
    exchange: text,
    exchangeType: exchangeTypeOption,
    exchangeDurable: flag,
    routingKey: z.union([z.string(), z.array(z.string())]).optional(),
    bindingArguments: table,
    prefetch: z.number().int().min(0).max(65_535).optional(),
    accept: z.array(z.string().min(1)).optional(),
    noAck: flag,
    declare: flag,
    durable: flag,
    exclusive: flag,
    autoDelete: flag,
    queueArguments: table,
    requeueOnError: flag,
    exclusiveConsumer: flag,
    schema: bodySchemaOption,
    signal: z.instanceof(AbortSignal).optional(),
    // Checked with the consumer's other stream rules (checkStreamConsumer), which say what it accepts.
    streamOffset: z.custom<StreamOffset>(() => true).optional(),
  } satisfies Covers<ConsumerOptions>)
  .strict();

/** The options a subclass may set as fields (`declare` is a method; `signal` is listened to at construction). */
export const CONSUMER_FIELDS: readonly string[] = Object.keys(consumerOptionsSchema.shape).filter(
  (name) => name !== 'declare' && name !== 'signal',
);

/** Checks options (or a subclass's fields): keys, types, ranges, the accept list, the queue arguments. */
export function checkConsumerOptions(options: object, what: string): void {
  const parsed = parseOptions(consumerOptionsSchema, options, what);
  checkAcceptList(parsed.accept, what);
  checkQueueArguments(parsed.queueArguments as QueueArguments | undefined, what);
}
