export type { Capabilities, CapabilityFlag } from './capabilities.js';
export { AcceptList, encodeBody } from './codec.js';
export { Connection, type ConnectionEvents, connect } from './connection.js';
export { Consumer, type ConsumerCallback, type ConsumerEvents, type ConsumerOptions } from './consumer.js';
export { SafeEmitter } from './emitter.js';
export {
  AccessRefusedError,
  ConfigurationError,
  ConnectionBrokenError,
  ConnectionError,
  ContentDisallowedError,
  MessageNackedError,
  MessageStateError,
  NoRouteError,
  NotFoundError,
  PreconditionFailedError,
  ResourceLockedError,
  redactCause,
  redactUrls,
  SerializationError,
  TimeoutError,
  UnsupportedFeatureError,
  ValidationError,
  WarrenError,
} from './errors.js';
export { MEMORY_CAPABILITIES, memoryTransport } from './memory/transport.js';
export { Message } from './message.js';
export { type ConnectOptions, parseOptions, type ReconnectOptions } from './options.js';
export type { DeliveryInfo, Headers, MessageProperties } from './properties.js';
export { Publisher, type PublisherOptions, type SendOptions } from './publisher.js';
export {
  KNOWN_SCHEME_PACKAGES,
  knownSchemes,
  registerTransport,
  resolveTransport,
  unregisterTransport,
} from './registry.js';
export type { BodyIssue, BodySchema } from './schema.js';
export { Fifo } from './semantics/fifo.js';
export { normalizeQueueArguments, QUEUE_ARGUMENT_NAMES, toAmqpQueueArguments } from './semantics/queue-arguments.js';
export {
  COMPRESSION_HEADER,
  type Compression,
  CompressionRegistry,
  compressions,
} from './serialization/compressions.js';
export { type EncodedBody, type Serializer, SerializerRegistry, serializers } from './serialization/serializers.js';
export type {
  Arguments,
  DeleteExchangeOptions,
  DeleteQueueOptions,
  ExchangeBinding,
  ExchangeSpec,
  ExchangeType,
  QueueArguments,
  QueueBinding,
  QueueInfo,
  QueueSpec,
} from './topology.js';
export { EXCHANGE_TYPES } from './topology.js';
export type {
  ConnectRequest,
  ConsumeOptions,
  Delivery,
  DeliverySettler,
  OptionsSchema,
  OutboundMessage,
  SchemaIssue,
  SessionHooks,
  TransportConsumer,
  TransportFactory,
  TransportSession,
} from './transport.js';
export { parseUrl, queryParameters, redactUrl, schemeOf } from './url.js';

import { memoryTransport } from './memory/transport.js';
import { registerTransport } from './registry.js';

registerTransport(memoryTransport);
