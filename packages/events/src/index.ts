/**
 * @warren/events: zope.event's local registry (`subscribers`, `notify`) and zamqp's remote events on any warren
 * transport (`RemoteEvent`, `EventConsumer`), with zamqp's producer, consumer and background runner.
 *
 * @module @warren/events
 */
export {
  BackgroundRunner,
  BROADCAST_EXCHANGE,
  type BroadcastCallback,
  BroadcastConsumer,
  type BroadcastConsumerEvents,
  type BroadcastConsumerOptions,
  type BroadcastOptions,
  type BroadcastProps,
  connectProps,
  createProducer,
  type ProducerFunction,
  propsUrl,
  type Runnable,
} from './broadcast.js';
export {
  BROADCAST,
  type Broadcastable,
  defaultRegistry,
  type EventClass,
  type EventEnvelope,
  EventRegistry,
  type EventType,
  notify,
  type RegistryEvents,
  registerEvent,
  type Subscriber,
  subscribers,
} from './registry.js';
export {
  EVENTS_EXCHANGE,
  EventConsumer,
  type EventConsumerOptions,
  RemoteEvent,
  type RemoteEventOptions,
} from './remote.js';
