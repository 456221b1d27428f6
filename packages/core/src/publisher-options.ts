import { z } from 'zod';
import { bodySchemaOption, type Covers, exchangeTypeOption, flag, headersOption, text } from './client-options.js';
import { Exchange } from './declarative/exchange.js';
import { Queue } from './declarative/queue.js';
import { rejectUnknownKeys } from './options.js';
import type { PublisherOptions, SendOptions } from './publisher.js';

/** An exchange by name or as an {@link Exchange}. */
const exchangeOption = z.union([z.string(), z.instanceof(Exchange)]).optional();

/** Publisher options (and the same names as a subclass's fields), strict: a typo is a ConfigurationError. */
export const publisherOptionsSchema = z
  .object({
    exchange: exchangeOption,
    exchangeType: exchangeTypeOption,
    routingKey: text,
    declare: z.union([z.boolean(), z.array(z.instanceof(Queue))]).optional(),
    durable: flag,
    autoDelete: flag,
    serializer: text,
    compression: text,
    persistent: flag,
    mandatory: flag,
    headers: headersOption,
    appId: text,
    schema: bodySchemaOption,
  } satisfies Covers<PublisherOptions>)
  .strict();

/** The options a subclass may set as fields (`declare` is a method). */
export const PUBLISHER_FIELDS: readonly string[] = Object.keys(publisherOptionsSchema.shape).filter(
  (name) => name !== 'declare',
);

const SEND_OPTION_SHAPE = {
  exchange: exchangeOption,
  contentType: text,
  contentEncoding: text,
  routingKey: text,
  headers: headersOption,
  priority: z.number().optional(),
  expiration: z.number().optional(),
  persistent: flag,
  messageId: text,
  correlationId: text,
  replyTo: text,
  type: text,
  appId: text,
  userId: text,
  timestamp: z.date().optional(),
  serializer: text,
  compression: text,
  mandatory: flag,
} satisfies Covers<SendOptions>;

const SEND_OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(SEND_OPTION_SHAPE));

/**
 * Refuses an unknown `send` option (a typo such as `correlationID`), naming the nearest known one. Only the keys
 * are checked here, on the hot path; the values that need it (priority, expiration) are checked where used.
 */
export function checkSendOptions(options: SendOptions): void {
  for (const key in options) {
    if (!SEND_OPTION_NAMES.has(key)) rejectUnknownKeys(options, SEND_OPTION_NAMES, 'send() option');
  }
}
