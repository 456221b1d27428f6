/**
 * When a nacked publish is worth sending again on a new channel.
 *
 * RabbitMQ nacks for two different reasons and says neither: a queue full with overflow `reject-publish` (a real
 * refusal: the sender must hear of it at once), and a quorum queue whose leader is being elected when the channel
 * was opened. A confirm channel opened during the election nacks every publish to that queue for as long as it
 * lives, while a channel opened a moment later (tens to hundreds of ms on a 3-node cluster) is acked at once, and a
 * channel that existed before the failure sees no nack at all (../shared/BROKERS.md, checked with raw amqplib). After
 * a failover the client reconnects to a surviving node exactly then, so without a retry every later send fails.
 *
 * The rule, which keeps a real refusal fast: a nack on a channel opened less than `youngChannelMs` ago retires that
 * channel (no more writes; it is closed once its outstanding confirms are in) and the message goes out again on the
 * next channel, opened after a backoff that doubles per replacement in a row (`baseDelayMs` to `maxDelayMs`), at most
 * `retries` times and never past the publish's own deadline. A nack on an older channel rejects at once with
 * `MessageNackedError`, as does a nack once the retries are spent: then the refusal is a real one.
 */
export interface NackRetryPolicy {
  /** Times a nacked message is sent again (0: never). */
  readonly retries: number;
  /** A channel younger than this may be one opened during a leader election. */
  readonly youngChannelMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** The defaults: about 3 s of retries in all, within the default 30 s publish timeout. */
export const DEFAULT_NACK_RETRY: NackRetryPolicy = {
  retries: 5,
  youngChannelMs: 5_000,
  baseDelayMs: 50,
  maxDelayMs: 1_000,
};

/** Whether a message nacked for the `attempt`-th time (1 = first nack) on a channel of that age is sent again. */
export function retriesNack(
  policy: NackRetryPolicy,
  channelAgeMs: number,
  attempt: number,
  msUntilDeadline: number,
  delayMs: number,
): boolean {
  return attempt <= policy.retries && channelAgeMs < policy.youngChannelMs && msUntilDeadline > delayMs;
}

/** The wait before opening the next channel after `replacementsInARow` channels retired for nacks (0-based). */
export function replacementDelay(policy: NackRetryPolicy, replacementsInARow: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(replacementsInARow, 20));
}
