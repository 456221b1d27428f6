export {
  addDeath,
  type DeadLetterRoute,
  type DeadLetterSource,
  type DeathEvent,
  type DeathReason,
  deadLetterRoute,
  isDeadLetterCycle,
  type XDeathEntry,
} from './dead-letter.js';
export {
  type Binding,
  checkExchangeEquivalent,
  DEFAULT_EXCHANGE,
  type ExchangeDefinition,
  ExchangeTable,
} from './exchange-table.js';
export { messageExpiresAt } from './expiry.js';
export { Fifo } from './fifo.js';
export { headersMatch } from './headers.js';
export {
  isOverLimit,
  type OverflowMode,
  type OverflowPolicy,
  overflowPolicy,
  rejectsPublish,
  wouldOverflow,
} from './overflow.js';
export {
  type NormalizedQueueArguments,
  normalizeQueueArguments,
  QUEUE_ARGUMENT_NAMES,
  toAmqpQueueArguments,
} from './queue-arguments.js';
export { checkQueueEquivalent, type QueueIdentity, queueArgumentsKey } from './queue-equivalence.js';
export { type TopicMatcher, topicMatcher, topicMatches } from './topic.js';
