/**
 * One AMQP connection, seen through core's TransportSession. It holds a confirm channel for publishing, a channel
 * for topology operations, one per queue fetched from with basic.get, and one per consumer. It never reconnects: when the connection is
 * lost it settles everything pending, calls `hooks.lost` once, and is done; core opens the next session.
 */

import type { Socket } from 'node:net';
import {
  type Capabilities,
  ConfigurationError,
  ConnectionError,
  type DeleteExchangeOptions,
  type DeleteQueueOptions,
  type ExchangeBinding,
  type ExchangeSpec,
  type QueueBinding,
  type QueueInfo,
  type QueueSpec,
  type WarrenError,
} from '@warren/core';
import type {
  ConnectRequest,
  ConsumeOptions,
  Delivery,
  DirectReplyChannel,
  DirectReplyHooks,
  OutboundMessage,
  SessionHooks,
  TransportConsumer,
  TransportSession,
} from '@warren/core/transport';
import type { ChannelModel } from 'amqplib';
import { toExchangeArguments, withDefaultQueueType } from './arguments.js';
import { AMQP_CAPABILITIES } from './capabilities.js';
import { type AmqpConnection, openConnection } from './connect.js';
import { AmqpConsumer, type ConsumerContext } from './consumer.js';
import { AmqpDirectReply, type DirectReplyContext } from './direct-reply.js';
import { connectionError } from './errors.js';
import { FetchChannels } from './fetch-channels.js';
import { DEFAULT_NACK_RETRY } from './nack-retry.js';
import { OperationChannel } from './operation-channel.js';
import type { AmqpOptions } from './options.js';
import { PublishPipeline } from './publish-pipeline.js';
import { WriteCoalescer } from './write-coalescer.js';

/** One turn of the event loop, in which amqplib writes the frames its channels hold. */
const flushTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** basic.qos takes the prefetch count as a 16-bit number. */
const MAX_PREFETCH = 65_535;

type ExchangeDeclaration = Required<Pick<ExchangeSpec, 'name' | 'type'>> & ExchangeSpec;

export class AmqpSession implements TransportSession {
  readonly capabilities: Capabilities = AMQP_CAPABILITIES;
  readonly #model: ChannelModel;
  readonly #socket: Socket;
  readonly #hooks: SessionHooks;
  readonly #options: AmqpOptions;
  readonly #publisher: PublishPipeline;
  readonly #topology: OperationChannel;
  readonly #fetchers: FetchChannels;
  /** Passive declares only: a failed check closes this channel, and nothing else is on it. */
  readonly #checks: OperationChannel;
  readonly #directReplies = new Set<AmqpDirectReply>();
  readonly #directReplyContext: DirectReplyContext;
  readonly #consumers = new Set<AmqpConsumer>();
  readonly #consumerContext: ConsumerContext;
  #state: 'open' | 'closing' | 'closed' | 'lost' = 'open';
  /** Null while open; why the session ended once it is closing, closed or lost. */
  #ended: WarrenError | null = null;
  #closing: Promise<void> | null = null;
  #lastConnectionError: unknown;

  private constructor(connection: AmqpConnection, request: ConnectRequest<AmqpOptions>) {
    this.#model = connection.model;
    this.#socket = connection.socket;
    this.#hooks = request.hooks;
    this.#options = request.options;
    const warn = this.#warn;
    const coalescer = new WriteCoalescer(this.#socket);
    this.#publisher = new PublishPipeline(
      this.#model,
      this.#socket,
      {
        maxInFlight: request.options.maxInFlight,
        publishTimeoutMs: request.publishTimeoutMs,
        highWaterMark: request.options.highWaterMark,
        nackRetry: { ...DEFAULT_NACK_RETRY, retries: request.options.nackRetries },
      },
      coalescer,
      warn,
    );
    this.#topology = new OperationChannel(this.#model, coalescer, warn);
    this.#fetchers = new FetchChannels(this.#model, coalescer, warn);
    this.#checks = new OperationChannel(this.#model, coalescer, warn);
    this.#directReplyContext = {
      model: this.#model,
      coalescer,
      ended: () => this.#ended,
      forget: (channel) => this.#directReplies.delete(channel),
    };
    this.#consumerContext = {
      model: this.#model,
      hooks: this.#hooks,
      coalescer,
      ended: () => this.#ended,
      forget: (consumer) => this.#consumers.delete(consumer),
    };
    this.#listen();
  }

  /** Connects and opens the publish channel; rejects with a typed warren error. */
  static async open(request: ConnectRequest<AmqpOptions>): Promise<AmqpSession> {
    const connection = await openConnection(request);
    const session = new AmqpSession(connection, request);
    try {
      await session.#publisher.start();
    } catch (error) {
      await session.close().catch(() => undefined);
      throw error;
    }
    // Lost while opening: core has no session to hear lost() yet, so the loss is the answer to connect.
    if (session.#state === 'lost') throw session.#ended;
    return session;
  }

  declareExchange(spec: ExchangeDeclaration): Promise<void> {
    const { name, type } = spec;
    // The default exchange always exists and cannot be declared.
    if (name === '') return Promise.resolve();
    return this.#topology.run(`declaring exchange "${name}" (${type})`, async (channel) => {
      // RabbitMQ refuses to declare the reserved amq.* names (403) even as they are: check that they exist instead.
      if (name.startsWith('amq.')) await channel.checkExchange(name);
      else
        await channel.assertExchange(name, type, {
          durable: spec.durable ?? true,
          autoDelete: spec.autoDelete ?? false,
          internal: spec.internal ?? false,
          arguments: toExchangeArguments(spec.arguments),
        });
    });
  }

  deleteExchange(name: string, options: DeleteExchangeOptions): Promise<void> {
    return this.#topology.run(`deleting exchange "${name}"`, async (channel) => {
      await channel.deleteExchange(name, { ifUnused: options.ifUnused ?? false });
    });
  }

  declareQueue(spec: QueueSpec): Promise<QueueInfo> {
    const name = spec.name ?? '';
    return this.#topology.run(
      name === '' ? 'declaring a server-named queue' : `declaring queue "${name}"`,
      async (channel) => {
        const reply = await channel.assertQueue(name, {
          // As core, kombu and amqplib have it: a named queue is durable unless told otherwise, a server-named one not.
          durable: spec.durable ?? name !== '',
          exclusive: spec.exclusive ?? false,
          autoDelete: spec.autoDelete ?? false,
          arguments: withDefaultQueueType({ ...spec, name }, this.#options.defaultQueueType),
        });
        return { queue: reply.queue, messageCount: reply.messageCount, consumerCount: reply.consumerCount };
      },
    );
  }

  checkQueue(name: string): Promise<QueueInfo> {
    return this.#checks.run(`checking queue "${name}"`, async (channel) => {
      const reply = await channel.checkQueue(name);
      return { queue: reply.queue, messageCount: reply.messageCount, consumerCount: reply.consumerCount };
    });
  }

  checkExchange(name: string): Promise<void> {
    // The default exchange always exists (and RabbitMQ refuses a passive declare of '' on some versions).
    if (name === '') return Promise.resolve();
    return this.#checks.run(`checking exchange "${name}"`, async (channel) => {
      await channel.checkExchange(name);
    });
  }

  async openDirectReply(hooks: DirectReplyHooks): Promise<DirectReplyChannel> {
    if (this.#ended !== null) throw this.#ended;
    const channel = await AmqpDirectReply.open(this.#directReplyContext, hooks);
    if (this.#ended !== null) {
      await channel.close();
      throw this.#ended;
    }
    this.#directReplies.add(channel);
    return channel;
  }

  deleteQueue(name: string, options: DeleteQueueOptions): Promise<number> {
    return this.#topology.run(`deleting queue "${name}"`, async (channel) => {
      const reply = await channel.deleteQueue(name, {
        ifUnused: options.ifUnused ?? false,
        ifEmpty: options.ifEmpty ?? false,
      });
      return reply.messageCount;
    });
  }

  purgeQueue(name: string): Promise<number> {
    return this.#topology.run(
      `purging queue "${name}"`,
      async (channel) => (await channel.purgeQueue(name)).messageCount,
    );
  }

  bindQueue(binding: QueueBinding): Promise<void> {
    const key = binding.routingKey ?? '';
    return this.#topology.run(
      `binding queue "${binding.queue}" to exchange "${binding.exchange}" with key "${key}"`,
      async (channel) => {
        await channel.bindQueue(binding.queue, binding.exchange, key, binding.arguments ?? {});
      },
    );
  }

  unbindQueue(binding: QueueBinding): Promise<void> {
    const key = binding.routingKey ?? '';
    return this.#topology.run(
      `unbinding queue "${binding.queue}" from exchange "${binding.exchange}" with key "${key}"`,
      async (channel) => {
        await channel.unbindQueue(binding.queue, binding.exchange, key, binding.arguments ?? {});
      },
    );
  }

  bindExchange(binding: ExchangeBinding): Promise<void> {
    const key = binding.routingKey ?? '';
    return this.#topology.run(
      `binding exchange "${binding.destination}" to exchange "${binding.source}" with key "${key}"`,
      async (channel) => {
        await channel.bindExchange(binding.destination, binding.source, key, binding.arguments ?? {});
      },
    );
  }

  unbindExchange(binding: ExchangeBinding): Promise<void> {
    const key = binding.routingKey ?? '';
    return this.#topology.run(
      `unbinding exchange "${binding.destination}" from exchange "${binding.source}" with key "${key}"`,
      async (channel) => {
        await channel.unbindExchange(binding.destination, binding.source, key, binding.arguments ?? {});
      },
    );
  }

  publish(message: OutboundMessage): Promise<void> {
    return this.#publisher.publish(message);
  }

  async consume(
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<TransportConsumer> {
    if (this.#ended !== null) throw this.#ended;
    if (!Number.isInteger(options.prefetch) || options.prefetch < 0 || options.prefetch > MAX_PREFETCH) {
      throw new ConfigurationError(
        `prefetch must be a whole number from 0 (no limit) to ${MAX_PREFETCH} on AMQP 0-9-1, got ${options.prefetch}.`,
      );
    }
    const consumer = await AmqpConsumer.open(this.#consumerContext, queue, options, onDelivery);
    if (this.#ended !== null) {
      await consumer.close();
      throw this.#ended;
    }
    this.#consumers.add(consumer);
    return consumer;
  }

  get(queue: string, options: { noAck: boolean }): Promise<Delivery | null> {
    return this.#fetchers.get(queue, options.noAck);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  localPorts(): number[] {
    const port = this.#socket.localPort;
    return port === undefined ? [] : [port];
  }

  async #close(): Promise<void> {
    if (this.#state !== 'open') {
      // Lost already: only the socket may linger (a peer that stopped answering never finishes the TCP close).
      if (!this.#socket.destroyed) this.#socket.destroy();
      return;
    }
    this.#state = 'closing';
    this.#ended = new ConnectionError('The session was closed: open a new connection to go on.');
    // Drain: each outstanding publish settles by its confirm, its failure or its timeout.
    await this.#publisher.drained();
    this.#stopAll(this.#ended);
    this.#publisher.close();
    // amqplib moves each channel's frames to the socket a turn later, round robin: connection.close could overtake
    // an ack made just before close(), and the broker would requeue that message. Let the frames go out first.
    await flushTurn();
    await flushTurn();
    // Closing the connection closes every channel; the broker requeues unacknowledged deliveries.
    let timer: NodeJS.Timeout | undefined;
    const closed = this.#model.close().catch(() => undefined);
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.closeTimeoutMs);
      timer.unref();
    });
    await Promise.race([closed, timedOut]);
    clearTimeout(timer);
    this.#state = 'closed';
    // A broker that did not answer the close in time: drop the socket.
    if (!this.#socket.destroyed) this.#socket.destroy();
  }

  /** Every component refuses new work and settles what it holds with `error`. */
  #stopAll(error: WarrenError): void {
    this.#publisher.fail(error);
    this.#topology.fail(error);
    this.#fetchers.fail(error);
    this.#checks.fail(error);
    for (const channel of this.#directReplies) channel.fail(error);
    this.#directReplies.clear();
    this.#consumers.clear();
  }

  #listen(): void {
    const model = this.#model;
    model.on('error', (error: unknown) => {
      this.#lastConnectionError = error;
    });
    model.on('close', (error?: unknown) => this.#onClose(error));
    model.on('blocked', (reason: string) =>
      this.#warn(
        new ConnectionError(
          `The broker blocked publishing on this connection (${reason}): publishes wait, and time out if it lasts. Free memory or disk on the broker.`,
        ),
      ),
    );
    model.on('unblocked', () => undefined);
    model.on('handler-error', (error: Error) => this.#warn(error));
  }

  #onClose(error: unknown): void {
    if (this.#state === 'lost' || this.#state === 'closed') return;
    const lost = connectionError(
      error ?? this.#lastConnectionError ?? new Error('socket closed'),
      'by the broker or the network',
    );
    // Lost while closing: settle what is pending so that close() finishes, but core asked for the end: no lost().
    this.#stopAll(lost);
    this.#publisher.close();
    if (this.#state === 'closing') return;
    this.#state = 'lost';
    this.#ended = lost;
    try {
      this.#hooks.lost(lost);
    } catch (thrown) {
      this.#warn(thrown instanceof Error ? thrown : new Error(String(thrown)));
    }
  }

  readonly #warn = (error: Error): void => {
    try {
      this.#hooks.warning(error);
    } catch {
      // A hook that throws has nowhere else to go.
    }
  };
}
