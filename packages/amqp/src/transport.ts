import type { TransportFactory } from '@warren/core/transport';
import { AMQP_CAPABILITIES } from './capabilities.js';
import { type AmqpOptions, amqpOptionsSchema } from './options.js';
import { AmqpSession } from './session.js';

/**
 * The AMQP 0-9-1 transport (RabbitMQ and any 0-9-1 broker) on amqplib, for `amqp://` and `amqps://` URLs.
 * Registered with core when `@warren/amqp` is imported.
 */
export const amqpTransport: TransportFactory<AmqpOptions> = {
  name: 'amqp',
  schemes: ['amqp', 'amqps'],
  capabilities: AMQP_CAPABILITIES,
  optionsSchema: amqpOptionsSchema,
  connect: (request) => AmqpSession.open(request),
};
