import type { Socket } from 'node:net';

/**
 * Coalesces the frames written in one turn of the event loop into one socket write. amqplib's multiplexer writes
 * each frame to the socket by itself, and with TCP_NODELAY each becomes a system call and often a packet: for
 * small messages and acks those calls are most of the client's CPU, and the broker reads many small packets.
 * Corking the socket on the first frame of a turn and uncorking it once amqplib has written them all turns them
 * into one `writev`. Latency is unchanged: the frames leave in the same turn.
 */
export class WriteCoalescer {
  readonly #socket: Socket;
  #corked = false;

  constructor(socket: Socket) {
    this.#socket = socket;
    // When the socket drains, amqplib's multiplexer writes what piled up from inside its own 'drain' listener,
    // not from its setImmediate: cork first (this listener runs before theirs) so that those go out together too.
    socket.prependListener('drain', () => this.wrote());
  }

  /** Call right after handing amqplib a frame to write. */
  wrote(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.#socket.cork();
    // amqplib moves frames from the channel to the socket in a setImmediate that it schedules from a nextTick
    // ('readable' of the channel's buffer); scheduling ours the same way puts it after theirs.
    process.nextTick(this.#scheduleUncork);
  }

  /**
   * Sends what is corked now, without waiting for the end of the turn (the publish path writes its batches
   * while the send loop runs). A later `wrote()` in the same turn corks again.
   */
  flushNow(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  }

  readonly #scheduleUncork = (): void => {
    setImmediate(this.#uncork);
  };

  readonly #uncork = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  };
}
