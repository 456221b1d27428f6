/**
 * A warren transport session over one AMQP 1.0 connection (rhea). Messages flow over AMQP 1.0 through the
 * broker's address strategy; topology that AMQP 1.0 cannot express is delegated to an AMQP 0-9-1 session on
 * RabbitMQ (`topologyUrl`), done on first use on plain-address brokers, or refused with UnsupportedFeatureError
 * naming the broker and the operation.
 */
import {
  type Capabilities,
  ConnectionError,
  type DeleteExchangeOptions,
  type DeleteQueueOptions,
  type ExchangeBinding,
  type ExchangeSpec,
  type QueueBinding,
  type QueueInfo,
  type QueueSpec,
  type UnsupportedFeatureError,
} from '@warren/core';
import type {
  ConnectRequest,
  ConsumeOptions,
  Delivery,
  OutboundMessage,
  SessionHooks,
  TransportConsumer,
  TransportSession,
} from '@warren/core/transport';
import type { Connection, EventContext } from 'rhea';

const toError = (thrown: unknown): Error => (thrown instanceof Error ? thrown : new Error(String(thrown)));

import type { AddressStrategy } from './addresses.js';
import { PLAIN_CAPABILITIES, RABBITMQ_CAPABILITIES, RABBITMQ_TOPOLOGY_CAPABILITIES } from './capabilities.js';
import { destroySocket, openConnection, socketOf } from './connect.js';
import { Amqp10Consumer } from './consumer.js';
import { descriptionOf, mapAmqpError, unsupported } from './errors.js';
import { toAmqp10 } from './marshal.js';
import type { Amqp10Options } from './options.js';
import { type SenderBudget, SenderLink } from './sender-link.js';
import { openTopologySession } from './topology.js';

type State = 'open' | 'closing' | 'closed' | 'lost';

let consumerSequence = 0;

export class Amqp10Session implements TransportSession, SenderBudget {
  readonly capabilities: Capabilities;
  readonly #connection: Connection;
  readonly #strategy: AddressStrategy;
  readonly #hooks: SessionHooks;
  readonly #options: Amqp10Options;
  readonly #publishTimeoutMs: number;
  readonly #topology: TransportSession | undefined;
  /** Sender links by address, least recently used first. */
  readonly #senders = new Map<string, SenderLink>();
  readonly #consumers = new Set<Amqp10Consumer>();
  #inFlight = 0;
  #state: State = 'open';
  readonly #sweep: NodeJS.Timeout;
  #closed: Promise<void> | undefined;

  private constructor(
    connection: Connection,
    strategy: AddressStrategy,
    request: ConnectRequest<Amqp10Options>,
    topology: TransportSession | undefined,
  ) {
    this.#connection = connection;
    this.#strategy = strategy;
    this.#hooks = request.hooks;
    this.#options = request.options;
    this.#publishTimeoutMs = request.publishTimeoutMs;
    this.#topology = topology;
    this.capabilities =
      strategy.kind === 'plain'
        ? PLAIN_CAPABILITIES
        : topology
          ? RABBITMQ_TOPOLOGY_CAPABILITIES
          : RABBITMQ_CAPABILITIES;
    const lost = (context: EventContext): void => {
      const error = context.error ?? context.connection?.get_error();
      this.#lose(
        new ConnectionError(
          `The AMQP 1.0 connection to ${strategy.brokerName} was lost${error ? `: ${descriptionOf(error)}` : ''}. warren reconnects by itself.`,
          error ? { cause: error } : undefined,
        ),
      );
    };
    connection.on('disconnected', lost);
    connection.on('connection_close', lost);
    // Every error rhea may emit has a listener: none may escape as an unhandled 'error' event.
    connection.on('connection_error', () => {});
    connection.on('error', (error: unknown) => this.#hooks.warning(toError(error)));
    connection.on('protocol_error', (error: unknown) =>
      this.#lose(mapAmqpError(error, 'the connection', strategy.brokerName)),
    );
    connection.container.on('error', (error: unknown) => this.#hooks.warning(toError(error)));
    this.#sweep = setInterval(() => this.#expire(), 1000);
    this.#sweep.unref();
  }

  /** Opens the AMQP 1.0 connection (and the AMQP 0-9-1 topology session when configured). */
  static async open(request: ConnectRequest<Amqp10Options>): Promise<Amqp10Session> {
    const { connection, strategy } = await openConnection(request);
    let topology: TransportSession | undefined;
    let session: Amqp10Session | undefined;
    const loseTopology = (error: Error): void => session?.loseFromTopology(error);
    if (request.options.topologyUrl !== undefined) {
      if (strategy.kind !== 'rabbitmq') {
        connection.close();
        destroySocket(connection);
        throw unsupported(
          strategy.brokerName,
          'take topologyUrl',
          'it is for RabbitMQ, whose topology warren declares over AMQP 0-9-1; leave it out (plain-address brokers create queues on first use or beforehand).',
        );
      }
      try {
        topology = await openTopologySession(request, {
          lost: loseTopology,
          consumerCancelled: () => {},
          warning: (error) => request.hooks.warning(error),
        });
      } catch (error) {
        connection.close();
        destroySocket(connection);
        throw error;
      }
    }
    session = new Amqp10Session(connection, strategy, request, topology);
    return session;
  }

  /** The AMQP 0-9-1 topology session was lost: this session goes with it (core reconnects both). */
  loseFromTopology(error: Error): void {
    this.#lose(error);
  }

  /** The broker, for core's messages (`RabbitMQ 3.10.8`, `the AMQP 1.0 broker at host:port`). */
  get brokerName(): string {
    return this.#strategy.brokerName;
  }

  /** The address strategy chosen for this broker. */
  get strategy(): AddressStrategy {
    return this.#strategy;
  }

  // ---- SenderBudget ---------------------------------------------------------------------------------------

  mayStart(): boolean {
    return this.#inFlight < this.#options.maxInFlight;
  }

  started(): void {
    this.#inFlight += 1;
  }

  finished(): void {
    this.#inFlight -= 1;
    if (this.#inFlight === this.#options.maxInFlight - 1) {
      for (const link of this.#senders.values()) if (link.hasWaiting) link.flush();
    }
  }

  // ---- publishing -----------------------------------------------------------------------------------------

  publish(message: OutboundMessage): Promise<void> {
    if (this.#state !== 'open') {
      return Promise.reject(new ConnectionError(`The message was not sent: the AMQP 1.0 session is ${this.#state}.`));
    }
    if (message.mandatory) {
      return Promise.reject(
        unsupported(
          this.#strategy.brokerName,
          'send a mandatory message',
          'AMQP 1.0 has no return of unroutable messages; send without mandatory.',
        ),
      );
    }
    const link = this.#senderFor(this.#strategy.sendAddress(message.exchange, message.routingKey));
    return new Promise<void>((resolve, reject) => {
      link.send({
        message: toAmqp10(
          message.content,
          message.properties,
          this.#strategy.stamp(message.exchange, message.routingKey),
        ),
        since: Date.now(),
        resolve,
        reject,
      });
    });
  }

  #senderFor(address: string): SenderLink {
    const cached = this.#senders.get(address);
    if (cached) {
      // Most recently used last; skipped for the common one-address case.
      if (this.#senders.size > 1) {
        this.#senders.delete(address);
        this.#senders.set(address, cached);
      }
      return cached;
    }
    if (this.#senders.size >= this.#options.maxSenderLinks) this.#evictIdleSender();
    const link = new SenderLink(this.#connection, address, this.#strategy.brokerName, this);
    link.onGone = () => {
      if (this.#senders.get(address) === link) this.#senders.delete(address);
    };
    this.#senders.set(address, link);
    return link;
  }

  #evictIdleSender(): void {
    for (const link of this.#senders.values()) {
      if (link.size === 0) {
        link.close();
        return;
      }
    }
  }

  #expire(): void {
    const now = Date.now();
    for (const link of [...this.#senders.values()]) link.expire(now, this.#publishTimeoutMs);
  }

  // ---- consuming ------------------------------------------------------------------------------------------

  async consume(
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<TransportConsumer> {
    this.#assertOpen('consume');
    consumerSequence += 1;
    const tag = options.consumerTag ?? `warren-${consumerSequence}-${Math.random().toString(36).slice(2, 8)}`;
    const consumer = new Amqp10Consumer(this.#connection, queue, tag, options, this.#strategy, onDelivery, {
      cancelled: (ended, error) => {
        this.#consumers.delete(ended);
        if (this.#state === 'open') this.#hooks.consumerCancelled(ended.consumerTag, error);
      },
      warning: (error) => this.#hooks.warning(error),
    });
    this.#consumers.add(consumer);
    try {
      await consumer.opened;
    } catch (error) {
      this.#consumers.delete(consumer);
      throw error;
    }
    return {
      consumerTag: tag,
      cancel: () => consumer.cancel(),
      close: async () => {
        this.#consumers.delete(consumer);
        await consumer.close();
      },
    };
  }

  get(queue: string, options: { noAck: boolean }): Promise<Delivery | null> {
    if (this.#topology) return this.#topology.get(queue, options);
    return Promise.reject(
      unsupported(
        this.#strategy.brokerName,
        `fetch one message from queue "${queue}"`,
        this.#strategy.kind === 'rabbitmq'
          ? 'RabbitMQ 3.10 ends the session on a link drain, so "empty" cannot be told; set topologyUrl to fetch over AMQP 0-9-1, or consume.'
          : 'the broker does not answer a link drain, so "empty" cannot be told; consume instead.',
      ),
    );
  }

  // ---- topology -------------------------------------------------------------------------------------------

  #noTopology(operation: string): UnsupportedFeatureError {
    return unsupported(
      this.#strategy.brokerName,
      operation,
      this.#strategy.kind === 'rabbitmq'
        ? 'RabbitMQ 3.10 declares nothing but plain queues over AMQP 1.0; set the topologyUrl option (amqp://...) so that warren declares it over AMQP 0-9-1, or declare it beforehand.'
        : 'plain-address brokers (ActiveMQ, Artemis, Qpid, Azure Service Bus, the Qpid Proton example broker) have no exchanges or bindings in AMQP 1.0; send to queue names through the default exchange "", and manage the broker with its own tools.',
    );
  }

  async declareExchange(spec: Required<Pick<ExchangeSpec, 'name' | 'type'>> & ExchangeSpec): Promise<void> {
    if (this.#topology) return this.#topology.declareExchange(spec);
    throw this.#noTopology(`declare the ${spec.type} exchange "${spec.name}"`);
  }

  async deleteExchange(name: string, options: DeleteExchangeOptions): Promise<void> {
    if (this.#topology) return this.#topology.deleteExchange(name, options);
    throw this.#noTopology(`delete the exchange "${name}"`);
  }

  async declareQueue(spec: QueueSpec): Promise<QueueInfo> {
    if (this.#topology) return this.#topology.declareQueue(spec);
    const name = spec.name ?? '';
    const extras = [
      name === '' && 'a server-named queue',
      spec.exclusive && 'exclusive',
      // Plain-address brokers drop queues by their own rules (the Proton example broker: an empty queue when its
      // last consumer leaves; ActiveMQ and Artemis: by configuration), so autoDelete is taken there as a wish.
      spec.autoDelete && this.#strategy.kind === 'rabbitmq' && 'autoDelete',
      spec.arguments && Object.values(spec.arguments).some((v) => v !== undefined) && 'queue arguments',
    ].filter(Boolean);
    if (extras.length > 0)
      throw this.#noTopology(`declare a queue with ${extras.join(', ')}${name ? ` ("${name}")` : ''}`);
    if (this.#strategy.kind === 'rabbitmq') await this.#attachQueue(name, spec.durable ?? true);
    // AMQP 1.0 has no queue query: the counts are unknown, reported as 0.
    return { queue: name, messageCount: 0, consumerCount: 0 };
  }

  /** RabbitMQ creates a queue when a link attaches to `/queue/<name>`, durable when the link's terminus is. */
  #attachQueue(name: string, durable: boolean): Promise<void> {
    const address = `/queue/${encodeURIComponent(name)}`;
    return new Promise<void>((resolve, reject) => {
      const session = this.#connection.create_session();
      session.begin();
      const sender = session.open_sender({ target: { address, durable: durable ? 2 : 0 } });
      let done = false;
      const finish = (error?: Error): void => {
        if (done) return;
        done = true;
        try {
          session.close();
        } catch {}
        if (error) reject(error);
        else resolve();
      };
      sender.once('sender_open', () => finish());
      const failed = (context: EventContext): void => {
        const cause = context.sender?.error ?? context.session?.error;
        finish(
          cause
            ? mapAmqpError(cause, `declaring queue "${name}" (${address})`, this.#strategy.brokerName)
            : new ConnectionError(`${this.#strategy.brokerName} refused to declare queue "${name}".`),
        );
      };
      sender.on('sender_error', failed);
      sender.on('sender_close', failed);
      session.on('session_error', failed);
      session.on('session_close', failed);
    });
  }

  async checkQueue(name: string): Promise<QueueInfo> {
    if (this.#topology?.checkQueue) return this.#topology.checkQueue(name);
    throw this.#noTopology(`check whether queue "${name}" exists`);
  }

  async checkExchange(name: string): Promise<void> {
    if (this.#topology?.checkExchange) return this.#topology.checkExchange(name);
    if (name === '') return;
    throw this.#noTopology(`check whether exchange "${name}" exists`);
  }

  async deleteQueue(name: string, options: DeleteQueueOptions): Promise<number> {
    if (this.#topology) return this.#topology.deleteQueue(name, options);
    throw this.#noTopology(`delete the queue "${name}"`);
  }

  async purgeQueue(name: string): Promise<number> {
    if (this.#topology) return this.#topology.purgeQueue(name);
    throw this.#noTopology(`purge the queue "${name}"`);
  }

  async bindQueue(binding: QueueBinding): Promise<void> {
    if (this.#topology) return this.#topology.bindQueue(binding);
    throw this.#noTopology(`bind queue "${binding.queue}" to exchange "${binding.exchange}"`);
  }

  async unbindQueue(binding: QueueBinding): Promise<void> {
    if (this.#topology) return this.#topology.unbindQueue(binding);
    throw this.#noTopology(`unbind queue "${binding.queue}" from exchange "${binding.exchange}"`);
  }

  async bindExchange(binding: ExchangeBinding): Promise<void> {
    if (this.#topology) return this.#topology.bindExchange(binding);
    throw this.#noTopology(`bind exchange "${binding.destination}" to exchange "${binding.source}"`);
  }

  async unbindExchange(binding: ExchangeBinding): Promise<void> {
    if (this.#topology) return this.#topology.unbindExchange(binding);
    throw this.#noTopology(`unbind exchange "${binding.destination}" from exchange "${binding.source}"`);
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  localPorts(): number[] {
    const port = socketOf(this.#connection)?.localPort;
    return [...(port === undefined ? [] : [port]), ...(this.#topology?.localPorts() ?? [])];
  }

  #assertOpen(what: string): void {
    if (this.#state !== 'open') throw new ConnectionError(`Cannot ${what}: the AMQP 1.0 session is ${this.#state}.`);
  }

  /** The connection is gone: every send in flight rejects with ConnectionError (core sends it again). */
  #lose(error: Error): void {
    if (this.#state === 'closed' || this.#state === 'lost') return;
    const wasClosing = this.#state === 'closing';
    this.#state = 'lost';
    clearInterval(this.#sweep);
    const cut = error instanceof ConnectionError ? error : new ConnectionError(error.message, { cause: error });
    for (const link of [...this.#senders.values()]) link.fail(cut);
    this.#senders.clear();
    for (const consumer of this.#consumers) consumer.lost();
    this.#consumers.clear();
    destroySocket(this.#connection);
    this.#topology?.close().catch(() => {});
    if (!wasClosing) this.#hooks.lost(error);
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    if (this.#state === 'lost') {
      this.#state = 'closed';
      return;
    }
    this.#state = 'closing';
    const deadline = this.#options.closeTimeoutMs;
    const timeout = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    // Drain: sends in flight get their outcome before the connection goes.
    await Promise.race([
      Promise.all([...this.#senders.values()].map((link) => link.drained())),
      timeout(this.#publishTimeoutMs),
    ]);
    for (const consumer of [...this.#consumers]) await consumer.close();
    this.#consumers.clear();
    for (const link of [...this.#senders.values()]) link.close();
    this.#senders.clear();
    clearInterval(this.#sweep);
    await this.#topology?.close().catch(() => {});
    if (this.#state === 'closing') {
      const closed = new Promise<void>((resolve) => {
        this.#connection.once('connection_close', () => resolve());
        this.#connection.once('disconnected', () => resolve());
      });
      try {
        this.#connection.close();
      } catch {}
      await Promise.race([closed, timeout(deadline)]);
    }
    this.#state = 'closed';
    destroySocket(this.#connection);
  }
}
