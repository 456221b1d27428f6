/**
 * `@warren/amqp`: the AMQP 0-9-1 transport for warren, on amqplib. Importing this module registers it for the
 * `amqp://` and `amqps://` schemes (core's `connect` also imports it by itself for those schemes).
 *
 * ```ts
 * import { connect } from '@warren/core';
 * import '@warren/amqp';
 * const conn = await connect('amqp://guest:guest@localhost:5672/');
 * ```
 *
 * @module @warren/amqp
 */
import { registerTransport } from '@warren/core/transport';
import { amqpTransport } from './transport.js';

registerTransport(amqpTransport);

/** Re-exported for code that imported it from here; it lives in @warren/core. */
export { MessageNackedError } from '@warren/core';
export { toExchangeArguments, toQueueArguments } from './arguments.js';
export { AMQP_CAPABILITIES } from './capabilities.js';
export { type AmqpOptions, amqpOptionsSchema } from './options.js';
export { amqpTransport } from './transport.js';
