import type { Arguments, QueueArguments } from '@warren/core';

/** Core's friendly queue argument names and the `x-...` names RabbitMQ reads. */
const QUEUE_ARGUMENTS: Readonly<Record<string, string>> = {
  messageTtl: 'x-message-ttl',
  expires: 'x-expires',
  deadLetterExchange: 'x-dead-letter-exchange',
  deadLetterRoutingKey: 'x-dead-letter-routing-key',
  maxLength: 'x-max-length',
  maxLengthBytes: 'x-max-length-bytes',
  overflow: 'x-overflow',
  maxPriority: 'x-max-priority',
  queueType: 'x-queue-type',
  // Not in core's list, but RabbitMQ users ask for them by these names too.
  singleActiveConsumer: 'x-single-active-consumer',
  deliveryLimit: 'x-delivery-limit',
  queueMode: 'x-queue-mode',
};

/** Friendly exchange argument names. */
const EXCHANGE_ARGUMENTS: Readonly<Record<string, string>> = {
  alternateExchange: 'alternate-exchange',
};

/**
 * Turns queue arguments into the table RabbitMQ reads: friendly names (`messageTtl`) become `x-message-ttl` and
 * so on; names RabbitMQ already knows (`x-...`) and any other name pass through unchanged; `undefined` values are
 * left out. A quorum queue is `{ queueType: 'quorum' }` (it must also be durable).
 */
export function toQueueArguments(args: QueueArguments | undefined): Record<string, unknown> {
  return translate(args, QUEUE_ARGUMENTS);
}

/** Exchange arguments: `alternateExchange` becomes `alternate-exchange`; everything else passes through. */
export function toExchangeArguments(args: Arguments | undefined): Record<string, unknown> {
  return translate(args, EXCHANGE_ARGUMENTS);
}

function translate(
  args: Record<string, unknown> | undefined,
  names: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!args) return out;
  for (const key of Object.keys(args)) {
    const value = args[key];
    if (value === undefined) continue;
    out[Object.hasOwn(names, key) ? (names[key] as string) : key] = value;
  }
  return out;
}
