import { z } from 'zod';
import { type Covers, flag, table, text } from './client-options.js';
import { ConfigurationError } from './errors.js';
import { didYouMean } from './nearest-name.js';
import { parseOptions } from './options.js';
import { QUEUE_ARGUMENT_NAMES } from './semantics/queue-arguments.js';
import type {
  DeleteExchangeOptions,
  DeleteQueueOptions,
  ExchangeBinding,
  ExchangeSpec,
  QueueArguments,
  QueueBinding,
  QueueSpec,
} from './topology.js';

const whole = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max).optional();

/** The types of the friendly queue arguments; raw `x-...` arguments pass as given. */
const queueArgumentShape = {
  messageTtl: whole(0),
  expires: whole(1),
  deadLetterExchange: text,
  deadLetterRoutingKey: text,
  maxLength: whole(0),
  maxLengthBytes: whole(0),
  overflow: z.enum(['drop-head', 'reject-publish', 'reject-publish-dlx']).optional(),
  maxPriority: whole(1, 255),
  queueType: z.enum(['classic', 'quorum', 'stream']).optional(),
  singleActiveConsumer: flag,
  deliveryLimit: whole(0),
  quorumInitialGroupSize: whole(1),
  maxAge: text,
  queueMode: z.enum(['default', 'lazy']).optional(),
} satisfies Covers<typeof QUEUE_ARGUMENT_NAMES>;

export const queueArgumentsSchema = z.object(queueArgumentShape).loose();

const FRIENDLY_ARGUMENTS = new Set(Object.keys(QUEUE_ARGUMENT_NAMES));

/**
 * Checks queue arguments: friendly names by type and range; an argument that is neither a friendly name nor a raw
 * `x-...` one is refused with the nearest friendly name suggested (`maxLenght` → `maxLength`).
 */
export function checkQueueArguments(args: QueueArguments | undefined, what: string): void {
  if (args === undefined) return;
  parseOptions(queueArgumentsSchema, args, `${what} arguments`);
  for (const key of Object.keys(args)) {
    if (!FRIENDLY_ARGUMENTS.has(key) && !key.startsWith('x-')) {
      throw new ConfigurationError(
        `Unknown queue argument "${key}" in ${what}${didYouMean(key, FRIENDLY_ARGUMENTS)}. Use a friendly name (${[...FRIENDLY_ARGUMENTS].join(', ')}) or RabbitMQ's own x-... name.`,
      );
    }
  }
}

export const exchangeSpecSchema = z
  .object({
    name: z.string(),
    passive: flag,
    // Any name: a type the transport lacks is UnsupportedFeatureError (declareExchange), with a suggestion.
    type: z.string().optional(),
    durable: flag,
    autoDelete: flag,
    internal: flag,
    arguments: table,
  } satisfies Covers<ExchangeSpec>)
  .strict();

export const queueSpecSchema = z
  .object({
    name: text,
    passive: flag,
    durable: flag,
    exclusive: flag,
    autoDelete: flag,
    arguments: z.record(z.string(), z.unknown()).optional(),
  } satisfies Covers<QueueSpec>)
  .strict();

export const queueBindingSchema = z
  .object({
    queue: z.string(),
    exchange: z.string(),
    routingKey: text,
    arguments: table,
  } satisfies Covers<QueueBinding>)
  .strict();

export const exchangeBindingSchema = z
  .object({
    destination: z.string(),
    source: z.string(),
    routingKey: text,
    arguments: table,
  } satisfies Covers<ExchangeBinding>)
  .strict();

export const deleteQueueOptionsSchema = z
  .object({ ifUnused: flag, ifEmpty: flag } satisfies Covers<DeleteQueueOptions>)
  .strict();

export const deleteExchangeOptionsSchema = z
  .object({ ifUnused: flag } satisfies Covers<DeleteExchangeOptions>)
  .strict();
