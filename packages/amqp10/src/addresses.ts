/**
 * Address strategies: how warren's exchanges and queues map onto a broker's AMQP 1.0 node addresses. AMQP 1.0
 * itself has no exchanges, queues or bindings; each broker names its nodes its own way.
 */

/** The broker as the strategy sees it, for messages ("RabbitMQ 3.10.8", "the broker at host:port"). */
export interface AddressStrategy {
  /** Which strategy: RabbitMQ's plugin addresses, or plain node names. */
  readonly kind: 'rabbitmq' | 'plain';
  /** A readable name of the broker, for error messages. */
  readonly brokerName: string;
  /** Where a message sent to `exchange` with `routingKey` goes. */
  sendAddress(exchange: string, routingKey: string): string;
  /**
   * Message annotations that carry the exchange and routing key a message was sent with, for brokers that do not
   * say on delivery (RabbitMQ 3.10 does not); undefined where the broker needs none.
   */
  stamp(exchange: string, routingKey: string): Record<string, string> | undefined;
  /** Where a consumer of `queue` receives from. */
  receiveAddress(queue: string): string;
  /** The exchange and routing key a delivery came through, from its annotations, when the broker says. */
  origin(annotations: Record<string, unknown> | undefined, queue: string): MessageOrigin;
}

/** The exchange and routing key a delivered message came through. */
export interface MessageOrigin {
  /** The exchange (`''` for the default exchange). */
  exchange: string;
  /** The routing key it was sent with. */
  routingKey: string;
}

/** The annotations warren stamps on a message sent through RabbitMQ: its exchange and routing key. */
export const EXCHANGE_ANNOTATION = 'x-opt-warren-exchange';
export const ROUTING_KEY_ANNOTATION = 'x-opt-warren-routing-key';

/** Address segments may not hold a `/` unescaped: RabbitMQ splits on it. */
function segment(value: string): string {
  return encodeURIComponent(value);
}

/**
 * RabbitMQ 3.10's AMQP 1.0 plugin. The default exchange `''` goes to `/amq/queue/<key>` (the queue must exist;
 * otherwise RabbitMQ accepts and drops the message, as the default exchange of AMQP 0-9-1 does), any other
 * exchange to `/exchange/<x>/<key>`; consumers read `/amq/queue/<q>`. RabbitMQ 3.10 does not say on delivery
 * which exchange and routing key a message came through, so warren's sender stamps them as annotations.
 */
export function rabbitmqStrategy(version: string | undefined): AddressStrategy {
  return {
    kind: 'rabbitmq',
    brokerName: version ? `RabbitMQ ${version}` : 'RabbitMQ',
    sendAddress: (exchange, routingKey) =>
      exchange === ''
        ? `/amq/queue/${segment(routingKey)}`
        : `/exchange/${segment(exchange)}${routingKey === '' ? '' : `/${segment(routingKey)}`}`,
    // Through the default exchange the routing key is the queue's name, which the consumer knows: nothing to stamp.
    stamp: (exchange, routingKey) =>
      exchange === '' ? undefined : { [EXCHANGE_ANNOTATION]: exchange, [ROUTING_KEY_ANNOTATION]: routingKey },
    receiveAddress: (queue) => `/amq/queue/${segment(queue)}`,
    origin: (annotations, queue) => {
      // RabbitMQ 4 stamps x-exchange and x-routing-key itself; 3.10 keeps what warren's sender stamped.
      const exchange = annotations?.['x-exchange'] ?? annotations?.[EXCHANGE_ANNOTATION];
      const routingKey = annotations?.['x-routing-key'] ?? annotations?.[ROUTING_KEY_ANNOTATION];
      return {
        exchange: typeof exchange === 'string' ? exchange : '',
        routingKey: typeof routingKey === 'string' ? routingKey : queue,
      };
    },
  };
}

/**
 * Plain node addresses: a queue is the node named like it, and only the default exchange exists (a message sent
 * with routing key K goes to node K). This is how the Qpid Proton example broker, ActiveMQ and Artemis (queue
 * names; `topic://` prefixes or multicast addresses for topics), Qpid Broker-J and Azure Service Bus (queue names,
 * `<topic>/Subscriptions/<sub>` for subscriptions) are addressed.
 */
export function plainStrategy(brokerName: string): AddressStrategy {
  return {
    kind: 'plain',
    brokerName,
    sendAddress: (_exchange, routingKey) => routingKey,
    stamp: () => undefined,
    receiveAddress: (queue) => queue,
    origin: (_annotations, queue) => ({ exchange: '', routingKey: queue }),
  };
}

/** The strategy for a broker, from its open frame's properties (RabbitMQ announces `product: 'RabbitMQ'`). */
export function detectStrategy(
  kind: 'auto' | 'rabbitmq' | 'plain',
  properties: Record<string, unknown> | undefined,
  endpoint: string,
): AddressStrategy {
  const product = typeof properties?.product === 'string' ? properties.product : undefined;
  const version = typeof properties?.version === 'string' ? properties.version : undefined;
  if (kind === 'rabbitmq' || (kind === 'auto' && product === 'RabbitMQ')) return rabbitmqStrategy(version);
  const name = product
    ? `${product}${version ? ` ${version}` : ''} at ${endpoint}`
    : `the AMQP 1.0 broker at ${endpoint}`;
  return plainStrategy(name);
}
