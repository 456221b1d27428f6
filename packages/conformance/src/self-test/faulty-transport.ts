import { type Connection, ConnectionError, type QueueBinding, type QueueSpec } from '@warren/core';
import {
  type Delivery,
  type DeliverySettler,
  memoryTransport,
  type OutboundMessage,
  registerTransport,
  type SessionHooks,
  type TransportConsumer,
  type TransportFactory,
  type TransportSession,
} from '@warren/core/transport';

/**
 * Faults that a broken transport could have. Each one breaks a single rule, and the self-test checks that the
 * suite notices: a conformance case that passes on a transport that breaks its rule is a case that tests nothing.
 */
export type Fault =
  /** The control: memory:// through the same wrapper, no fault. */
  | 'none'
  | 'drops-every-7th-publish'
  | 'loses-properties'
  | 'duplicates-deliveries'
  | 'ignores-prefetch'
  | 'requeue-acks'
  | 'reject-requeues'
  | 'close-acks-unsettled'
  | 'no-redelivered-flag'
  | 'topic-star-as-hash'
  | 'headers-any-as-all'
  | 'ignores-ttl'
  | 'no-dead-letters'
  | 'purge-miscounts'
  | 'ignores-mandatory'
  | 'truncates-large-bodies'
  /** After a cut, the new session confirms its first sends without publishing them. */
  | 'loses-sends-after-reconnect';

/** A delivery handed out by the faulty session: its settler goes through the fault before the real one. */
interface WrappedDelivery extends Delivery {
  readonly original: Delivery;
}

function wrapDelivery(original: Delivery, settler: DeliverySettler, redelivered?: boolean): WrappedDelivery {
  const info = redelivered === undefined ? original.info : { ...original.info, redelivered };
  return { content: original.content, properties: original.properties, info, settler, original };
}

class FaultySettler implements DeliverySettler {
  /** Unsettled deliveries, for the close-acks-unsettled fault. */
  readonly unsettled = new Set<WrappedDelivery>();
  constructor(readonly fault: Fault) {}

  ack(delivery: Delivery): void | Promise<void> {
    const d = delivery as WrappedDelivery;
    this.unsettled.delete(d);
    return d.original.settler.ack(d.original);
  }

  reject(delivery: Delivery, requeue: boolean): void | Promise<void> {
    const d = delivery as WrappedDelivery;
    this.unsettled.delete(d);
    if (this.fault === 'requeue-acks' && requeue) return d.original.settler.ack(d.original);
    if (this.fault === 'reject-requeues' && !requeue) return d.original.settler.reject(d.original, true);
    return d.original.settler.reject(d.original, requeue);
  }
}

/** Live sessions by their made-up local port: a cut finds its session the way a real hook finds a socket. */
const sessionsByPort = new Map<number, FaultySession>();
let nextPort = 40_000;
/** Transports (by scheme) that had a session cut: every session they open afterwards counts as a reconnect. */
const cutSchemes = new Set<string>();

class FaultySession implements TransportSession {
  #published = 0;
  #dead = false;
  readonly port = nextPort++;

  constructor(
    readonly inner: TransportSession,
    readonly fault: Fault,
    readonly scheme: string,
    readonly hooks: SessionHooks,
    readonly capabilities: TransportSession['capabilities'],
    /** This session replaces a lost one. */
    readonly reconnected: boolean,
  ) {
    sessionsByPort.set(this.port, this);
  }

  /** Drops the session as a broken socket would: every call fails from now on and core is told it is lost. */
  cut(): void {
    if (this.#dead) return;
    this.#dead = true;
    sessionsByPort.delete(this.port);
    cutSchemes.add(this.scheme);
    this.hooks.lost(new ConnectionError('connection cut by the conformance self-test'));
  }

  #alive(): void {
    if (this.#dead) throw new ConnectionError('connection cut by the conformance self-test');
  }

  async declareExchange(spec: Parameters<TransportSession['declareExchange']>[0]) {
    this.#alive();
    return this.inner.declareExchange(spec);
  }
  deleteExchange(name: string, options: Parameters<TransportSession['deleteExchange']>[1]) {
    return this.inner.deleteExchange(name, options);
  }
  async declareQueue(spec: QueueSpec) {
    this.#alive();
    return this.inner.declareQueue(this.#queueSpec(spec));
  }
  deleteQueue(name: string, options: Parameters<TransportSession['deleteQueue']>[1]) {
    return this.inner.deleteQueue(name, options);
  }
  async purgeQueue(name: string) {
    this.#alive();
    const purged = await this.inner.purgeQueue(name);
    return this.fault === 'purge-miscounts' ? purged + 1 : purged;
  }
  async bindQueue(binding: QueueBinding) {
    this.#alive();
    return this.inner.bindQueue(this.#binding(binding));
  }
  unbindQueue(binding: QueueBinding) {
    return this.inner.unbindQueue(this.#binding(binding));
  }
  bindExchange(binding: Parameters<TransportSession['bindExchange']>[0]) {
    return this.inner.bindExchange(binding);
  }
  unbindExchange(binding: Parameters<TransportSession['unbindExchange']>[0]) {
    return this.inner.unbindExchange(binding);
  }
  close() {
    sessionsByPort.delete(this.port);
    return this.inner.close();
  }
  localPorts() {
    return [this.port];
  }

  async publish(message: OutboundMessage): Promise<void> {
    this.#alive();
    this.#published += 1;
    if (this.fault === 'loses-sends-after-reconnect' && this.reconnected && this.#published <= 10) return;
    if (this.fault === 'drops-every-7th-publish' && this.#published % 7 === 0) return;
    if (this.fault === 'loses-properties') {
      const { correlationId: _lost, ...properties } = message.properties;
      const headers = Object.fromEntries(Object.entries(properties.headers).filter(([key]) => key === 'compression'));
      return this.inner.publish({ ...message, properties: { ...properties, headers } });
    }
    if (this.fault === 'ignores-mandatory') return this.inner.publish({ ...message, mandatory: false });
    if (this.fault === 'truncates-large-bodies' && message.content.length > 65_536) {
      return this.inner.publish({ ...message, content: message.content.subarray(0, 65_536) });
    }
    if (this.fault === 'ignores-ttl') {
      const { expiration: _ignored, ...properties } = message.properties;
      return this.inner.publish({ ...message, properties });
    }
    return this.inner.publish(message);
  }

  async consume(
    queue: string,
    options: Parameters<TransportSession['consume']>[1],
    onDelivery: (delivery: Delivery) => void,
  ): Promise<TransportConsumer> {
    this.#alive();
    const settler = new FaultySettler(this.fault);
    const prefetch = this.fault === 'ignores-prefetch' ? 0 : options.prefetch;
    const inner = await this.inner.consume(queue, { ...options, prefetch }, (delivery) => {
      const wrapped = this.#wrap(delivery, settler);
      if (!options.noAck) settler.unsettled.add(wrapped);
      onDelivery(wrapped);
      if (this.fault === 'duplicates-deliveries') onDelivery(this.#wrap(delivery, settler));
    });
    const fault = this.fault;
    return {
      consumerTag: inner.consumerTag,
      cancel: () => inner.cancel(),
      async close() {
        if (fault === 'close-acks-unsettled') for (const d of [...settler.unsettled]) await settler.ack(d);
        await inner.close();
      },
    };
  }

  async get(queue: string, options: { noAck: boolean }): Promise<Delivery | null> {
    this.#alive();
    const delivery = await this.inner.get(queue, options);
    return delivery && this.#wrap(delivery, new FaultySettler(this.fault));
  }

  #wrap(delivery: Delivery, settler: FaultySettler): WrappedDelivery {
    return wrapDelivery(delivery, settler, this.fault === 'no-redelivered-flag' ? false : undefined);
  }

  #queueSpec(spec: QueueSpec): QueueSpec {
    if (!spec.arguments) return spec;
    const args = { ...spec.arguments };
    if (this.fault === 'ignores-ttl') delete args.messageTtl;
    if (this.fault === 'no-dead-letters') delete args.deadLetterExchange;
    return { ...spec, arguments: args };
  }

  #binding(binding: QueueBinding): QueueBinding {
    if (this.fault === 'topic-star-as-hash' && binding.routingKey) {
      return { ...binding, routingKey: binding.routingKey.replaceAll('*', '#') };
    }
    if (this.fault === 'headers-any-as-all' && binding.arguments?.['x-match'] === 'any') {
      return { ...binding, arguments: { ...binding.arguments, 'x-match': 'all' } };
    }
    return binding;
  }
}

export interface FaultyTransportOptions {
  /** Claim `restartable`, so that the recovery case runs and cuts sessions with {@link cutFaultyConnection}. */
  restartable?: boolean;
}

/**
 * Registers a transport `faulty-<fault>[-restartable]://` that is memory:// with one fault; returns its scheme.
 * Restartable, it stands for a broker across the network: a cut session hands its unacked messages back to their
 * queues (memory's close does that), and core reconnects with a new session.
 */
export function registerFaultyTransport(fault: Fault, options: FaultyTransportOptions = {}): string {
  const scheme = `faulty-${fault}${options.restartable ? '-restartable' : ''}`;
  const capabilities = { ...memoryTransport.capabilities, restartable: options.restartable ?? false };
  const factory: TransportFactory<unknown> = {
    name: scheme,
    schemes: [scheme],
    capabilities,
    optionsSchema: memoryTransport.optionsSchema,
    async connect(request) {
      const inner = await memoryTransport.connect(request as Parameters<typeof memoryTransport.connect>[0]);
      return new FaultySession(inner, fault, scheme, request.hooks, capabilities, cutSchemes.has(scheme));
    },
  };
  registerTransport(factory);
  return scheme;
}

/** The fault hook for a restartable faulty transport: cuts the session behind `connection`, found by its port. */
export async function cutFaultyConnection(connection: Connection): Promise<void> {
  const sessions = connection.localPorts().map((port) => sessionsByPort.get(port));
  if (sessions.length === 0 || sessions.some((session) => session === undefined)) {
    throw new Error(`No live faulty session behind ports ${connection.localPorts().join(', ')}`);
  }
  for (const session of sessions) session?.cut();
}
