export { addDeath, type DeathEvent, type DeathReason, type XDeathEntry } from './dead-letter.js';
export { type Binding, DEFAULT_EXCHANGE, type ExchangeDefinition, ExchangeTable } from './exchange-table.js';
export { Fifo } from './fifo.js';
export { headersMatch } from './headers.js';
export {
  type NormalizedQueueArguments,
  normalizeQueueArguments,
  QUEUE_ARGUMENT_NAMES,
  toAmqpQueueArguments,
} from './queue-arguments.js';
export { type TopicMatcher, topicMatcher, topicMatches } from './topic.js';
