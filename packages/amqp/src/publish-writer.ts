/**
 * Writes the frames of the publish channel straight to the connection's socket, in bounded batches, while the
 * send loop runs. amqplib parks a channel's frames in a stream that its multiplexer moves to the socket a turn of
 * the event loop later: for the first milliseconds of every confirm window nothing left the client and the broker
 * idled. Here each message is encoded into the current batch, and a batch goes to the socket once it holds
 * {@link BATCH_MESSAGES} messages or {@link BATCH_BYTES} bytes, and at the end of the turn in any case.
 *
 * Only the publish channel is written this way, and nothing else writes on it while it is open (amqplib sends
 * its confirm.select before and its channel.close after): frames of one message are one buffer, batches are
 * whole messages, so frames of other channels (written by amqplib between two batches) never land inside a
 * message. amqplib keeps the channel's state: its close, errors and returns arrive as before.
 */
import type { Socket } from 'node:net';
import type { OutboundMessage } from '@warren/core/transport';
import { PublishFrameEncoder } from './frame-encoder.js';
import type { WriteCoalescer } from './write-coalescer.js';

/** A batch goes to the socket once it holds this many messages... */
export const BATCH_MESSAGES = 16;
/** ...or this many bytes. */
export const BATCH_BYTES = 16 * 1024;
/** Size of the buffers batches are cut from (a larger message gets a buffer of its own). */
const SLAB_BYTES = 64 * 1024;

export class PublishWriter {
  readonly #socket: Socket;
  readonly #coalescer: WriteCoalescer;
  readonly #encoder: PublishFrameEncoder;
  /** Bytes the socket may hold unsent (the kernel did not take them) before publishing waits for 'drain'. */
  readonly #backlogLimit: number;
  /** The slab the current batch is written into; the bytes before `#start` were handed to the socket. */
  #slab = Buffer.allocUnsafe(SLAB_BYTES);
  #start = 0;
  #end = 0;
  #messages = 0;
  #flushScheduled = false;
  #open = true;

  constructor(socket: Socket, coalescer: WriteCoalescer, channel: number, frameMax: number, backlogLimit: number) {
    this.#socket = socket;
    this.#coalescer = coalescer;
    this.#encoder = new PublishFrameEncoder(channel, frameMax);
    this.#backlogLimit = backlogLimit;
  }

  /**
   * Encodes one message into the batch (and sends the batch if it is full). Returns true when a batch went to
   * the socket (then `backedUp` may have changed). Throws, having written nothing, if the message cannot be
   * encoded.
   */
  write(message: OutboundMessage): boolean {
    const size = this.#encoder.measure(message);
    if (this.#end + size > this.#slab.length) {
      this.flush();
      this.#slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, size));
      this.#start = 0;
      this.#end = 0;
    }
    this.#end = this.#encoder.encode(message, this.#slab, this.#end);
    if (++this.#messages >= BATCH_MESSAGES || this.#end - this.#start >= BATCH_BYTES) {
      this.flush();
      return true;
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flushAtTurnEnd);
    }
    return false;
  }

  /** True when the socket holds more unsent bytes than allowed: stop writing until its 'drain'. */
  get backedUp(): boolean {
    return this.#socket.writableLength > this.#backlogLimit;
  }

  /** Hands the batch to the socket. */
  flush(): void {
    if (this.#end === this.#start) return;
    const batch = this.#slab.subarray(this.#start, this.#end);
    this.#start = this.#end;
    this.#messages = 0;
    if (!this.#open) return;
    // Frames corked for the end of the turn (acks of consumers, say) go first, then this batch, at once.
    this.#coalescer.flushNow();
    this.#socket.write(batch);
  }

  /** The channel is closed: a batch not yet sent is dropped (its messages are settled by the pipeline). */
  discard(): void {
    this.#open = false;
    this.#start = this.#end;
    this.#messages = 0;
  }

  readonly #flushAtTurnEnd = (): void => {
    this.#flushScheduled = false;
    this.flush();
  };
}
