import type { Headers, MessageProperties } from '../properties.js';
import type { NormalizedQueueArguments } from './queue-arguments.js';

/** Why a message was dead-lettered, as RabbitMQ names it in `x-death`. */
export type DeathReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

/** One dead-lettering of a message, to record in its `x-death` header. */
export interface DeathEvent {
  /** The queue the message died in. */
  queue: string;
  /** Why it died. */
  reason: DeathReason;
  /** Exchange and routing keys the message was originally published with. */
  exchange: string;
  /** Every routing key it was published with (CC and BCC included). */
  routingKeys: string[];
  /** The message's own expiration (ms) if it had one; RabbitMQ moves it into the x-death entry. */
  originalExpiration?: number;
  /** When it died. */
  time: Date;
}

/** One `x-death` entry, as RabbitMQ writes it. */
export interface XDeathEntry {
  /** How many times the message died in this queue for this reason. */
  count: number;
  /** Why it died. */
  reason: DeathReason;
  /** The queue it died in. */
  queue: string;
  /** When it first died there for this reason. */
  time: Date;
  /** The exchange it had been published to. */
  exchange: string;
  /** The routing keys it had been published with. */
  'routing-keys': string[];
  /** Its own expiration, moved here from its properties when it was dead-lettered. */
  'original-expiration'?: string;
}

/**
 * The headers of a dead-lettered message, RabbitMQ style: an `x-death` array with the most recent death first
 * (an entry for the same queue and reason is counted up and moved to the front), and the `x-first-death-*`
 * headers set once. Returns a new object; the input is not changed.
 */
export function addDeath(headers: Headers | undefined, death: DeathEvent): Headers {
  const out: Headers = { ...(headers ?? {}) };
  const previous = Array.isArray(out['x-death']) ? (out['x-death'] as XDeathEntry[]) : [];
  const index = previous.findIndex((entry) => entry.queue === death.queue && entry.reason === death.reason);
  const entry: XDeathEntry = {
    count: index === -1 ? 1 : (previous[index]?.count ?? 0) + 1,
    reason: death.reason,
    queue: death.queue,
    time: death.time,
    exchange: death.exchange,
    'routing-keys': death.routingKeys,
  };
  if (death.originalExpiration !== undefined) entry['original-expiration'] = String(death.originalExpiration);
  out['x-death'] = [entry, ...previous.filter((_, i) => i !== index)];
  if (out['x-first-death-reason'] === undefined) {
    out['x-first-death-reason'] = death.reason;
    out['x-first-death-queue'] = death.queue;
    out['x-first-death-exchange'] = death.exchange;
  }
  return out;
}

/** What a queue knows of a message it is about to dead-letter. */
export interface DeadLetterSource {
  /** The message's properties as stored (headers with any earlier `x-death`). */
  properties: MessageProperties;
  /** The exchange the message was published with. */
  exchange: string;
  /** The routing key the message was published with. */
  routingKey: string;
}

/** Where a dead-lettered message goes, and the properties it goes with. */
export interface DeadLetterRoute {
  /** The queue's dead-letter exchange. */
  exchange: string;
  /** The dead-letter routing key, or the message's own. */
  routingKey: string;
  /** The properties to publish with: `x-death` added, `expiration` removed. */
  properties: MessageProperties;
}

/**
 * RabbitMQ's dead-lettering rules, once for every emulating transport: where a message that died in `queue` goes
 * (its dead-letter exchange, with the dead-letter routing key or the original one), with an `x-death` entry added
 * and its own `expiration` moved into that entry so it cannot expire again. Undefined when the message is dropped
 * instead: the queue has no dead-letter exchange, or the message would loop (see {@link isDeadLetterCycle}).
 * Whether the exchange exists is the caller's to check (a missing one drops the message too).
 */
export function deadLetterRoute(
  queue: string,
  args: NormalizedQueueArguments,
  message: DeadLetterSource,
  reason: DeathReason,
  time: Date = new Date(),
): DeadLetterRoute | undefined {
  const exchange = args.deadLetterExchange;
  if (exchange === undefined) return undefined;
  if (isDeadLetterCycle(message.properties.headers, queue)) return undefined;
  const routingKey = args.deadLetterRoutingKey ?? message.routingKey;
  const { expiration, ...rest } = message.properties;
  const death: DeathEvent = {
    queue,
    reason,
    exchange: message.exchange,
    routingKeys: [message.routingKey],
    time,
    ...(expiration === undefined ? {} : { originalExpiration: expiration }),
  };
  return { exchange, routingKey, properties: { ...rest, headers: addDeath(message.properties.headers, death) } };
}

/**
 * RabbitMQ drops a message that would be dead-lettered from a queue it already died in, unless a consumer
 * rejected it somewhere on the way (only then is the cycle a deliberate retry loop): otherwise a queue that
 * dead-letters to itself would loop forever.
 */
export function isDeadLetterCycle(headers: Headers | undefined, queue: string): boolean {
  const deaths = headers?.['x-death'];
  if (!Array.isArray(deaths)) return false;
  const entries = deaths as XDeathEntry[];
  return entries.some((entry) => entry.queue === queue) && !entries.some((entry) => entry.reason === 'rejected');
}
