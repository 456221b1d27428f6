import type { MessageProperties } from '../properties.js';
import type { NormalizedQueueArguments } from './queue-arguments.js';

/**
 * When a message stored now dies of old age: the sooner of the queue's `messageTtl` and the message's own
 * `expiration` (both in ms), as epoch ms, or Infinity when neither is set. A TTL of 0 means "expires at once
 * unless a consumer is waiting", which emulating transports treat as already expired at the next check.
 */
export function messageExpiresAt(args: NormalizedQueueArguments, properties: MessageProperties, now: number): number {
  const ttl = args.messageTtl;
  const own = properties.expiration;
  let expiresAt = Number.POSITIVE_INFINITY;
  if (typeof ttl === 'number') expiresAt = now + ttl;
  if (typeof own === 'number' && now + own < expiresAt) expiresAt = now + own;
  return expiresAt;
}
