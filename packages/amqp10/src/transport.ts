import type { TransportFactory } from '@warren/core/transport';
import { PLAIN_CAPABILITIES } from './capabilities.js';
import { type Amqp10Options, amqp10OptionsSchema } from './options.js';
import { Amqp10Session } from './session.js';

/**
 * The AMQP 1.0 transport on rhea, for `amqp10://` and `amqp10s://` URLs. Its capabilities depend on the broker
 * it reaches (see `RABBITMQ_CAPABILITIES`, `RABBITMQ_TOPOLOGY_CAPABILITIES`, `PLAIN_CAPABILITIES`): a
 * connection reports its session's; the factory's are the least any broker gives.
 */
export const amqp10Transport: TransportFactory<Amqp10Options> = {
  name: 'amqp10',
  schemes: ['amqp10', 'amqp10s'],
  capabilities: PLAIN_CAPABILITIES,
  optionsSchema: amqp10OptionsSchema,
  connect: (request) => Amqp10Session.open(request),
};
