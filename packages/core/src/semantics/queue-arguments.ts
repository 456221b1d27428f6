import type { QueueArguments } from '../topology.js';

/** Queue arguments in one canonical form, whether given by friendly name or as RabbitMQ's `x-...` names. */
export interface NormalizedQueueArguments {
  /** The message TTL in ms (see `QueueArguments.messageTtl`). */
  messageTtl?: number;
  /** The queue expiry in ms (see `QueueArguments.expires`). */
  expires?: number;
  /** The dead-letter exchange (see `QueueArguments.deadLetterExchange`). */
  deadLetterExchange?: string;
  /** The dead-letter routing key (see `QueueArguments.deadLetterRoutingKey`). */
  deadLetterRoutingKey?: string;
  /** The most ready messages (see `QueueArguments.maxLength`). */
  maxLength?: number;
  /** The most ready payload bytes (see `QueueArguments.maxLengthBytes`). */
  maxLengthBytes?: number;
  /** The overflow policy (see `QueueArguments.overflow`). */
  overflow?: 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
  /** The highest priority (see `QueueArguments.maxPriority`). */
  maxPriority?: number;
  /** The queue type (see `QueueArguments.queueType`). */
  queueType?: string;
  /** The single active consumer (see `QueueArguments.singleActiveConsumer`). */
  singleActiveConsumer?: boolean;
  /** The delivery limit (see `QueueArguments.deliveryLimit`). */
  deliveryLimit?: number;
  /** The quorum initial group size (see `QueueArguments.quorumInitialGroupSize`). */
  quorumInitialGroupSize?: number;
  /** The stream max age (see `QueueArguments.maxAge`). */
  maxAge?: string;
  /** The queue mode (see `QueueArguments.queueMode`). */
  queueMode?: string;
  /** Arguments that have no friendly name, kept as given. */
  other: Record<string, unknown>;
}

/** Friendly name → RabbitMQ argument name. */
export const QUEUE_ARGUMENT_NAMES = {
  /** `messageTtl` is `x-message-ttl`. */
  messageTtl: 'x-message-ttl',
  /** `expires` is `x-expires`. */
  expires: 'x-expires',
  /** `deadLetterExchange` is `x-dead-letter-exchange`. */
  deadLetterExchange: 'x-dead-letter-exchange',
  /** `deadLetterRoutingKey` is `x-dead-letter-routing-key`. */
  deadLetterRoutingKey: 'x-dead-letter-routing-key',
  /** `maxLength` is `x-max-length`. */
  maxLength: 'x-max-length',
  /** `maxLengthBytes` is `x-max-length-bytes`. */
  maxLengthBytes: 'x-max-length-bytes',
  /** `overflow` is `x-overflow`. */
  overflow: 'x-overflow',
  /** `maxPriority` is `x-max-priority`. */
  maxPriority: 'x-max-priority',
  /** `queueType` is `x-queue-type`. */
  queueType: 'x-queue-type',
  /** `singleActiveConsumer` is `x-single-active-consumer`. */
  singleActiveConsumer: 'x-single-active-consumer',
  /** `deliveryLimit` is `x-delivery-limit`. */
  deliveryLimit: 'x-delivery-limit',
  /** `quorumInitialGroupSize` is `x-quorum-initial-group-size`. */
  quorumInitialGroupSize: 'x-quorum-initial-group-size',
  /** `maxAge` is `x-max-age`. */
  maxAge: 'x-max-age',
  /** `queueMode` is `x-queue-mode`. */
  queueMode: 'x-queue-mode',
} as const satisfies Record<string, string>;

type FriendlyName = keyof typeof QUEUE_ARGUMENT_NAMES;

const FRIENDLY_BY_RAW = new Map<string, FriendlyName>(
  Object.entries(QUEUE_ARGUMENT_NAMES).map(([friendly, raw]) => [raw, friendly as FriendlyName]),
);

/**
 * Sorts queue arguments into friendly names (raw `x-...` names recognised), the rest into `other`; undefined values
 * dropped.
 */
export function normalizeQueueArguments(args: QueueArguments | undefined): NormalizedQueueArguments {
  const out: NormalizedQueueArguments = { other: {} };
  if (!args) return out;
  const target = out as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    const friendly = key in QUEUE_ARGUMENT_NAMES ? (key as FriendlyName) : FRIENDLY_BY_RAW.get(key);
    if (friendly) target[friendly] = value;
    else out.other[key] = value;
  }
  return out;
}

/** The arguments as RabbitMQ spells them (`x-message-ttl`, ...), for AMQP transports. */
export function toAmqpQueueArguments(args: QueueArguments | undefined): Record<string, unknown> {
  const normalized = normalizeQueueArguments(args);
  const out: Record<string, unknown> = { ...normalized.other };
  for (const [friendly, raw] of Object.entries(QUEUE_ARGUMENT_NAMES)) {
    const value = (normalized as unknown as Record<string, unknown>)[friendly];
    if (value !== undefined) out[raw] = value;
  }
  return out;
}
