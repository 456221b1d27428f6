import type { Connection } from '../connection.js';
import { UnsupportedFeatureError } from '../errors.js';
import type { QueueInfo } from '../topology.js';
import { Exchange } from './exchange.js';
import type { Queue } from './queue.js';

/**
 * Refuses, before anything is declared, an exchange type the transport lacks: a queue is never left half
 * declared (the queue made, one binding refused).
 */
export function checkDeclarable(connection: Connection, target: Queue | Exchange): void {
  const exchanges = target instanceof Exchange ? [target] : target.exchanges;
  for (const exchange of exchanges) {
    if (!connection.capabilities.exchangeTypes.includes(exchange.type)) {
      const where = target instanceof Exchange ? '' : ` (a binding of ${target.toString()})`;
      throw new UnsupportedFeatureError(
        `${exchange.toString()}${where}: the ${connection.transport} transport has no ${exchange.type} exchanges (it has ${connection.capabilities.exchangeTypes.join(', ')}). Use one of those types.`,
      );
    }
  }
}

/**
 * Declares an {@link Exchange}, or a {@link Queue} with its exchanges and every binding, through the connection's
 * own topology calls (so that all of it is recorded and declared again after a reconnect). Idempotent. Resolves
 * with the queue's info (its name, for a server-named queue), or undefined for an exchange.
 */
export async function declareObject(connection: Connection, target: Queue | Exchange): Promise<QueueInfo | undefined> {
  checkDeclarable(connection, target);
  if (target instanceof Exchange) {
    if (target.name !== '') await connection.declareExchange(target.toSpec());
    return undefined;
  }
  for (const exchange of target.exchanges) {
    if (exchange.name !== '') await connection.declareExchange(exchange.toSpec());
  }
  const spec = target.toSpec();
  // A server-named queue is exclusive by default only where the transport has exclusive queues.
  if (target.exclusiveByDefault && !connection.capabilities.exclusiveQueues) spec.exclusive = false;
  const info = await connection.declareQueue(spec);
  for (const binding of target.bindings) {
    const exchange = typeof binding.exchange === 'string' ? binding.exchange : binding.exchange.name;
    await connection.bindQueue(
      binding.arguments === undefined
        ? { queue: info.queue, exchange, routingKey: binding.routingKey }
        : { queue: info.queue, exchange, routingKey: binding.routingKey, arguments: { ...binding.arguments } },
    );
  }
  return info;
}
