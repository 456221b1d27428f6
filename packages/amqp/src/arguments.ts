import type { Arguments, QueueArguments } from '@warren/core';
import { toAmqpQueueArguments } from '@warren/core/transport';

/**
 * Turns queue arguments into the table RabbitMQ reads: core's friendly names (`messageTtl`) become
 * `x-message-ttl` and so on; names RabbitMQ already knows (`x-...`) and any other name pass through unchanged;
 * `undefined` values are left out. A quorum queue is `{ queueType: 'quorum' }` (it must also be durable).
 */
export function toQueueArguments(args: QueueArguments | undefined): Record<string, unknown> {
  return toAmqpQueueArguments(args);
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
