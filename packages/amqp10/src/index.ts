/**
 * `@warren/amqp10`: the AMQP 1.0 transport for warren, on rhea. Importing this module registers it for the
 * `amqp10://` and `amqp10s://` schemes (core's `connect` also imports it by itself for those schemes).
 *
 * ```ts
 * import { connect } from '@warren/core';
 * import '@warren/amqp10';
 * const conn = await connect('amqp10://guest:guest@localhost:5672');
 * ```
 */
import { registerTransport } from '@warren/core/transport';
import { amqp10Transport } from './transport.js';

registerTransport(amqp10Transport);

export {
  type AddressStrategy,
  detectStrategy,
  type MessageOrigin,
  plainStrategy,
  rabbitmqStrategy,
} from './addresses.js';
export { PLAIN_CAPABILITIES, RABBITMQ_CAPABILITIES, RABBITMQ_TOPOLOGY_CAPABILITIES } from './capabilities.js';
export { type Amqp10Payload, fromAmqp10, toAmqp10 } from './marshal.js';
export { type Amqp10Options, amqp10OptionsSchema, BROKER_KINDS, type BrokerKind } from './options.js';
export { amqp10Transport } from './transport.js';
