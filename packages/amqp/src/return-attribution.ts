/**
 * Which publish a basic.return belongs to. A return carries no delivery tag, and its exchange, routing key and
 * body can be those of another message in flight (two identical mandatory messages, one routed before a binding
 * changed and one after), so it is attributed by the order in which RabbitMQ sends frames on a confirm channel:
 *
 * - A channel handles its publishes one at a time. For an unroutable mandatory message it sends the basic.return
 *   and records the message's confirm in the same step, then sends every confirm recorded so far (a "flush"):
 *   the return is followed at once by that flush, and no other return comes before the flush ends.
 * - A flush acks tags in ascending order: at most one `multiple` ack first (the tags below the oldest one still
 *   unconfirmed), then single acks. The returned message is the newest the channel has handled, so its ack is
 *   the last of the flush.
 *
 * The owner is therefore the top tag of a frame in the run that follows the return, and a run ends at the next
 * return, at a `multiple` ack after its first frame, or at a tag not above the one before. A candidate must also
 * be mandatory and look like the returned message (`matches`: same exchange, key, body and identifying
 * properties), which rules out every routed message that differs from it. Among look-alikes:
 * - a single ack that matches is the owner at once (after a return, RabbitMQ's next frame is usually the
 *   returned message's own ack, and a later single ack of a look-alike is more often a routed message confirmed
 *   out of order than the end of one flush);
 * - a matching `multiple` ack is held: the flush may still end with a single ack of a look-alike (the confirms
 *   of routed messages that were waiting when the return was sent), which then is the owner; the held message
 *   is settled once the run ends or no look-alike is left in the window.
 *
 * This class holds that state; the pipeline owns the confirm window and settles the messages.
 */
import type { OutboundMessage } from '@warren/core/transport';
import type { Message } from 'amqplib';

export class ReturnAttribution<T> {
  /** The return that waits for its owner (a new return ends the previous run, so there is at most one). */
  #pending: unknown = undefined;
  /** The mandatory message whose ack topped the last frame of the run, and its tag. */
  #held: T | undefined = undefined;
  /** The highest tag of the run's last frame; 0 before the run's first frame. */
  #runTop = 0;

  /** True while a return waits for its owner or a candidate is held: acks must go through `ack`. */
  get active(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * A basic.return arrived. Ends the previous run: its held candidate, if any, is handed to `returned` with
   * the previous return. A previous return with no candidate found no owner (its message timed out and left
   * the window): it is dropped.
   */
  returnArrived(message: unknown, returned: (entry: T, message: unknown) => void): void {
    this.#settleHeld(returned);
    this.#pending = message;
    this.#runTop = 0;
  }

  /**
   * An ack frame arrived while `active`. `takeBelow(tag)` must remove and confirm the entries below `tag` that
   * the frame covers; `takeTop(tag)` removes and returns the frame's own tag's entry. `matches(entry, returned)`
   * tells whether a mandatory entry looks like the returned message; `moreMatching(tag, returned)` whether such
   * an entry with a higher tag still waits for its confirm.
   */
  ack(
    tag: number,
    multiple: boolean,
    hooks: {
      takeBelow: (tag: number) => void;
      takeTop: (tag: number) => T | undefined;
      matches: (entry: T, returned: unknown) => boolean;
      moreMatching: (tag: number, returned: unknown) => boolean;
      confirmed: (entry: T) => void;
      returned: (entry: T, message: unknown) => void;
    },
  ): void {
    if (this.#runTop !== 0 && (multiple || tag <= this.#runTop)) {
      // The run ended with the previous frame; a return whose run had no candidate found no owner (its message
      // timed out and left the window): it is dropped.
      this.#settleHeld(hooks.returned);
      this.#pending = undefined;
      this.#runTop = 0;
    }
    if (multiple) hooks.takeBelow(tag);
    const top = hooks.takeTop(tag);
    const message = this.#pending;
    if (message === undefined) {
      if (top !== undefined) hooks.confirmed(top);
      return;
    }
    this.#runTop = tag;
    if (top === undefined) return;
    if (!hooks.matches(top, message)) hooks.confirmed(top);
    else if (multiple) {
      this.#held = top;
      if (!hooks.moreMatching(tag, message)) this.#settleHeld(hooks.returned);
    } else {
      if (this.#held !== undefined) hooks.confirmed(this.#held);
      this.#held = top;
      this.#settleHeld(hooks.returned);
    }
  }

  /**
   * Called after each frame and sweep: once no look-alike is left after the held candidate (they were
   * confirmed or timed out), the held candidate is the owner.
   */
  settle(
    moreMatching: (tag: number, returned: unknown) => boolean,
    returned: (entry: T, message: unknown) => void,
  ): void {
    if (this.#held !== undefined && !moreMatching(this.#runTop, this.#pending)) this.#settleHeld(returned);
  }

  /** The channel is gone: the held candidate is the owner; nothing else can be attributed. */
  reset(returned: (entry: T, message: unknown) => void): void {
    this.#settleHeld(returned);
    this.#pending = undefined;
    this.#runTop = 0;
  }

  #settleHeld(returned: (entry: T, message: unknown) => void): void {
    const held = this.#held;
    const message = this.#pending;
    if (held === undefined) return;
    this.#held = undefined;
    this.#pending = undefined;
    this.#runTop = 0;
    returned(held, message);
  }
}

/**
 * Whether a returned message may be `message`: the same exchange, routing key and body, and the same message id,
 * correlation id and plain header values where the sender set them. Only ever asked about mandatory messages in
 * flight while a return waits for its owner: the error path, never the hot path.
 */
export function looksLike(message: OutboundMessage, returned: Message): boolean {
  if (
    returned.fields.exchange !== message.exchange ||
    returned.fields.routingKey !== message.routingKey ||
    !returned.content.equals(message.content)
  )
    return false;
  const sent = message.properties;
  const got = returned.properties;
  if ((sent.messageId ?? undefined) !== (got.messageId ?? undefined)) return false;
  if ((sent.correlationId ?? undefined) !== (got.correlationId ?? undefined)) return false;
  const headers = sent.headers;
  if (headers === undefined) return true;
  const gotHeaders = (got.headers ?? {}) as Record<string, unknown>;
  for (const key in headers) {
    const value = headers[key];
    // Plain values come back as they were sent; tables, arrays, dates and buffers are not worth comparing here.
    if (
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') &&
      gotHeaders[key] !== value
    )
      return false;
  }
  return true;
}
