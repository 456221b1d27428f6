import { registerTransport } from '@warren/core/transport';
import { redisTransport } from './transport.js';

export { REDIS_CAPABILITIES } from './capabilities.js';
export {
  DurableChannel,
  type DurableChannelEvents,
  type DurableMessage,
  type DurableReceiveOptions,
  type DurableReplyOptions,
  type DurableSendOptions,
  type TimeoutCallback,
} from './channels/durable-channel.js';
export { ChannelKeys } from './channels/keys.js';
export type {
  ChannelReconnectOptions,
  DurableChannelOptions,
  RedisServerOptions,
  RemoteChannelOptions,
  SentinelAddress,
} from './channels/options.js';
export { RemoteChannel, type RemoteChannelEvents, type RemoteListener } from './channels/remote-channel.js';
export { type RedisOptions, redisOptionsSchema } from './options.js';
export { redisTransport } from './transport.js';

registerTransport(redisTransport);
