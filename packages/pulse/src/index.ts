/**
 * @warren/pulse: Mozilla Pulse on warren, in mozillapulse's shape. `consumers.*` and `publishers.*` hold one class
 * per Pulse exchange, `messages.*` the validated message classes.
 *
 * @module @warren/pulse
 */

export { ANONYMOUS_USER, PulseConnector, pulseUrl } from './connector.js';
export {
  type PulseBinding,
  type PulseCallback,
  PulseConsumer,
  type PulseConsumerEvents,
  type PulseConsumerOptions,
  type PulseListenOptions,
} from './consumer.js';
/** One consumer class per Pulse exchange, and GenericConsumer. */
export * as consumers from './consumers.js';
export { envelope, type PulseEnvelope, type PulseMeta } from './envelope.js';
export { PulseMessage } from './messages/base.js';
/** Message classes that validate their fields before they are sent. */
export * as messages from './messages/index.js';
export { checkDurable, exchangeName, queueName } from './naming.js';
export {
  PULSE_HOST,
  PULSE_PLAIN_PORT,
  PULSE_TLS_PORT,
  type PulseBrokerOptions,
  type PulseTopic,
} from './options.js';
export { EXCHANGES, type ExchangeName, type ExchangePreset, presetOf } from './presets.js';
export { PulsePublisher, type PulsePublisherOptions } from './publisher.js';
/** One publisher class per Pulse exchange, and GenericPublisher. */
export * as publishers from './publishers.js';
export { topicPatterns } from './topic.js';
