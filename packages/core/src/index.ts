/**
 * `@warren/core`: the user API of warren. `connect` a URL (`memory://` is built in; `amqp://`, `redis://`,
 * `amqp10://` load their backend), declare topology on the {@link Connection}, send with a {@link Publisher},
 * receive with a {@link Consumer} (callbacks, `for await`, `fetch`), settle each {@link Message}; serializers,
 * compressions and the error classes. What only transport authors need is in `@warren/core/transport`.
 *
 * @module @warren/core
 */
export type { Capabilities, CapabilityFlag } from './capabilities.js';
export { Connection, type ConnectionEvents, connect } from './connection.js';
export { Consumer, type ConsumerCallback, type ConsumerEvents, type ConsumerOptions } from './consumer.js';
export { Exchange, type ExchangeOptions } from './declarative/exchange.js';
export { Queue, type QueueBindingOptions, type QueueObjectBinding, type QueueOptions } from './declarative/queue.js';
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
  RemoteError,
  ResourceLockedError,
  SerializationError,
  TimeoutError,
  UnsupportedFeatureError,
  ValidationError,
  WarrenError,
} from './errors.js';
export { Message } from './message.js';
export type { ConnectOptions, ReconnectOptions } from './options.js';
export type { DeliveryInfo, Headers, MessageProperties } from './properties.js';
export { Publisher, type PublisherOptions, type SendOptions } from './publisher.js';
export { type CallOptions, RpcClient, type RpcClientEvents, type RpcClientOptions } from './rpc/client.js';
export { type RpcHandler, RpcServer, type RpcServerEvents, type RpcServerOptions } from './rpc/server.js';
export type { BodyIssue, BodySchema } from './schema.js';
export {
  COMPRESSION_HEADER,
  type Compression,
  CompressionRegistry,
  compressions,
} from './serialization/compressions.js';
export { type EncodedBody, type Serializer, SerializerRegistry, serializers } from './serialization/serializers.js';
export { type SimpleGetOptions, SimpleQueue, type SimpleQueueOptions } from './simple-queue.js';
export type {
  Arguments,
  DeleteExchangeOptions,
  DeleteQueueOptions,
  ExchangeBinding,
  ExchangeSpec,
  ExchangeType,
  Lenient,
  QueueArguments,
  QueueBinding,
  QueueInfo,
  QueueSpec,
  StreamOffset,
} from './topology.js';
export { EXCHANGE_TYPES } from './topology.js';

import { memoryTransport } from './memory/transport.js';
import { registerTransport } from './registry.js';

registerTransport(memoryTransport);
