import { type Arguments, ConfigurationError, type QueueArguments, type QueueSpec } from '@warren/core';
import { toAmqpQueueArguments } from '@warren/core/transport';

/** The queue types RabbitMQ 3.10 knows. */
export const RABBITMQ_QUEUE_TYPES = ['classic', 'quorum', 'stream'] as const;

/**
 * Turns queue arguments into the table RabbitMQ reads: core's friendly names (`messageTtl`) become
 * `x-message-ttl` and so on; names RabbitMQ already knows (`x-...`) and any other name pass through unchanged;
 * `undefined` values are left out. A quorum queue is `{ queueType: 'quorum' }` (it must also be durable). An unknown
 * queue type is a ConfigurationError here rather than the broker's bare "invalid arg 'x-queue-type'".
 */
export function toQueueArguments(args: QueueArguments | undefined): Record<string, unknown> {
  const table = toAmqpQueueArguments(args);
  const type = table['x-queue-type'];
  if (type !== undefined && !(RABBITMQ_QUEUE_TYPES as readonly unknown[]).includes(type)) {
    throw new ConfigurationError(
      `Queue type ${JSON.stringify(type)} is not one RabbitMQ knows: use queueType 'classic', 'quorum' or 'stream'.`,
    );
  }
  return table;
}

/**
 * The arguments of a queue declared on a connection with a `defaultQueueType`: a durable queue that is neither
 * exclusive nor auto-delete and names no type of its own gets that type (RabbitMQ allows neither exclusive nor
 * auto-delete quorum queues, and quorum queues have no priorities: those stay classic).
 */
export function withDefaultQueueType(
  spec: Pick<QueueSpec, 'durable' | 'exclusive' | 'autoDelete' | 'arguments'> & { name: string },
  defaultQueueType: 'classic' | 'quorum' | undefined,
): Record<string, unknown> {
  const table = toQueueArguments(spec.arguments);
  const durable = spec.durable ?? spec.name !== '';
  if (
    defaultQueueType !== undefined &&
    table['x-queue-type'] === undefined &&
    durable &&
    !spec.exclusive &&
    !spec.autoDelete &&
    table['x-max-priority'] === undefined
  ) {
    table['x-queue-type'] = defaultQueueType;
  }
  return table;
}

/** Exchange arguments: `alternateExchange` becomes `alternate-exchange`; everything else passes through. */
export function toExchangeArguments(args: Arguments | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!args) return out;
  for (const [key, value] of Object.entries(args)) {
    if (value !== undefined) out[key === 'alternateExchange' ? 'alternate-exchange' : key] = value;
  }
  return out;
}
