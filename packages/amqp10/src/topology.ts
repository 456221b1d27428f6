/**
 * RabbitMQ's topology over AMQP 0-9-1: AMQP 1.0 on RabbitMQ 3.10 cannot declare exchanges, bindings or queue
 * arguments, so with `topologyUrl` warren opens a session of the `amqp` transport (`@warren/amqp`, loaded through
 * core's registry: no static dependency) and declares, binds, purges, deletes and fetches through it.
 */
import { ConfigurationError } from '@warren/core';
import {
  type ConnectRequest,
  parseOptions,
  parseUrl,
  resolveTransport,
  type SessionHooks,
  type TransportSession,
} from '@warren/core/transport';
import type { Amqp10Options } from './options.js';

export async function openTopologySession(
  request: ConnectRequest<Amqp10Options>,
  hooks: SessionHooks,
): Promise<TransportSession> {
  const raw = request.options.topologyUrl as string;
  const url = parseUrl(raw);
  const factory = await resolveTransport(url.protocol.replace(/:$/, '').toLowerCase());
  if (factory.name !== 'amqp') {
    throw new ConfigurationError(
      `topologyUrl must be an amqp:// or amqps:// URL (served by @warren/amqp), not ${url.protocol}//.`,
    );
  }
  const options = parseOptions(factory.optionsSchema, {}, 'amqp options for topologyUrl');
  return factory.connect({
    url,
    options,
    heartbeat: request.heartbeat,
    connectTimeoutMs: request.connectTimeoutMs,
    publishTimeoutMs: request.publishTimeoutMs,
    hooks,
  });
}
