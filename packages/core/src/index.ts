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
  QueueArguments,
  QueueBinding,
  QueueInfo,
  QueueSpec,
} from './topology.js';
export { EXCHANGE_TYPES } from './topology.js';

import { memoryTransport } from './memory/transport.js';
import { registerTransport } from './registry.js';

registerTransport(memoryTransport);
