/**
 * A channel for request/reply operations (declares, binds, deletes, purges, basic.get). In AMQP a failed
 * operation (404, 403, 405, 406) closes its channel; this class maps the failure to warren's error and opens a
 * fresh channel for the next operation, so one failure never spoils the next call.
 *
 * Operations run one at a time. amqplib would queue them on the channel anyway, but then a failure would also
 * fail every operation queued behind it ("Channel ended, no reply will be forthcoming"); here each operation gets
 * its own outcome.
 */
import type { WarrenError } from '@warren/core';
import type { Channel, ChannelModel } from 'amqplib';
import { ChannelSettler } from './delivery.js';
import { mapOperationError } from './errors.js';
import type { WriteCoalescer } from './write-coalescer.js';

interface Lease {
  channel: Channel;
  settler: ChannelSettler;
}

export class OperationChannel {
  readonly #model: ChannelModel;
  readonly #warn: (error: Error) => void;
  readonly #coalescer: WriteCoalescer;
  #lease: Lease | null = null;
  #tail: Promise<unknown> = Promise.resolve();
  #dead: WarrenError | null = null;
  /** Operations queued or running. */
  #running = 0;

  constructor(model: ChannelModel, coalescer: WriteCoalescer, warn: (error: Error) => void) {
    this.#model = model;
    this.#coalescer = coalescer;
    this.#warn = warn;
  }

  /**
   * Runs `operation` on the channel after the operations before it. `what` describes it for error messages
   * ("declaring queue \"jobs\""). The settler belongs to the channel the operation ran on (for basic.get).
   */
  run<T>(what: string, operation: (channel: Channel, settler: ChannelSettler) => Promise<T>): Promise<T> {
    this.#running++;
    const result = this.#tail.then(() => this.#execute(what, operation));
    this.#tail = result.then(
      () => {
        this.#running--;
      },
      () => {
        this.#running--;
      },
    );
    return result;
  }

  /** True when no operation is queued or running and no delivery of the channel waits to be settled. */
  get idle(): boolean {
    return this.#running === 0 && (this.#lease === null || this.#lease.settler.unsettled === 0);
  }

  /** The session is gone: later operations reject with `error`. */
  fail(error: WarrenError): void {
    this.#dead ??= error;
    this.#lease?.settler.invalidate();
    this.#lease = null;
  }

  /** Closes the channel (part of the session's close; the connection's close would do it too). */
  async close(): Promise<void> {
    const lease = this.#lease;
    this.#lease = null;
    if (lease) {
      lease.settler.invalidate();
      await lease.channel.close().catch(() => undefined);
    }
  }

  async #execute<T>(what: string, operation: (channel: Channel, settler: ChannelSettler) => Promise<T>): Promise<T> {
    if (this.#dead !== null) throw this.#dead;
    let lease: Lease;
    try {
      lease = this.#lease ?? (await this.#open());
    } catch (error) {
      throw this.#dead ?? mapOperationError(error, `opening a channel for ${what}`);
    }
    try {
      return await operation(lease.channel, lease.settler);
    } catch (error) {
      // After a lost connection every failure is the connection's, whatever amqplib says.
      throw this.#dead ?? mapOperationError(error, what);
    }
  }

  async #open(): Promise<Lease> {
    const channel = await this.#model.createChannel();
    const lease: Lease = { channel, settler: new ChannelSettler(channel, this.#coalescer) };
    // Channel errors are reported to the operation that caused them; the listener keeps them from being thrown.
    channel.on('error', () => undefined);
    channel.on('handler-error', (error: Error) => this.#warn(error));
    channel.on('close', () => {
      lease.settler.invalidate();
      if (this.#lease === lease) this.#lease = null;
    });
    if (this.#dead !== null) {
      channel.close().catch(() => undefined);
      throw this.#dead;
    }
    this.#lease = lease;
    return lease;
  }
}
