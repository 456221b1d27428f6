import type { QueueArguments } from '../topology.js';

/** Queue arguments in one canonical form, whether given by friendly name or as RabbitMQ's `x-...` names. */
export interface NormalizedQueueArguments {
  messageTtl?: number;
  expires?: number;
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  maxLength?: number;
  maxLengthBytes?: number;
  overflow?: 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
  maxPriority?: number;
  queueType?: string;
  singleActiveConsumer?: boolean;
  deliveryLimit?: number;
  quorumInitialGroupSize?: number;
  maxAge?: string;
  queueMode?: string;
  /** Arguments that have no friendly name, kept as given. */
  other: Record<string, unknown>;
}

/** Friendly name → RabbitMQ argument name. */
export const QUEUE_ARGUMENT_NAMES = {
  messageTtl: 'x-message-ttl',
  expires: 'x-expires',
  deadLetterExchange: 'x-dead-letter-exchange',
  deadLetterRoutingKey: 'x-dead-letter-routing-key',
  maxLength: 'x-max-length',
  maxLengthBytes: 'x-max-length-bytes',
  overflow: 'x-overflow',
  maxPriority: 'x-max-priority',
  queueType: 'x-queue-type',
  singleActiveConsumer: 'x-single-active-consumer',
  deliveryLimit: 'x-delivery-limit',
  quorumInitialGroupSize: 'x-quorum-initial-group-size',
  maxAge: 'x-max-age',
  queueMode: 'x-queue-mode',
} as const satisfies Record<string, string>;

type FriendlyName = keyof typeof QUEUE_ARGUMENT_NAMES;

const FRIENDLY_BY_RAW = new Map<string, FriendlyName>(
  Object.entries(QUEUE_ARGUMENT_NAMES).map(([friendly, raw]) => [raw, friendly as FriendlyName]),
);

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
