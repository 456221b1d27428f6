/**
 * One sender link per target address, on a session of its own (RabbitMQ ends the whole session when an address
 * is refused: one bad address must not cut the sends to the others), with the sends waiting for credit and those waiting for the broker's
 * outcome. A send resolves on `accepted` and rejects on `rejected`, `released` or `modified` (the broker did not
 * take responsibility), on a timeout, and with ConnectionError when the link or connection goes (core then sends
 * it again on the next session: at least once).
 */
import { ConnectionError, MessageNackedError, SerializationError, TimeoutError, type WarrenError } from '@warren/core';
import type { Connection, EventContext, Delivery as RheaDelivery, Message as RheaMessage, Sender, Session } from 'rhea';
import { descriptionOf, mapAmqpError } from './errors.js';

/** A send on its way: waiting for credit (no delivery yet) or for its outcome. */
export interface PendingSend {
  readonly message: RheaMessage;
  readonly since: number;
  resolve(): void;
  reject(error: Error): void;
}

/** What a link needs from its session: the in-flight budget and where to report. */
export interface SenderBudget {
  /** True when one more message may be put in flight. */
  mayStart(): boolean;
  started(): void;
  /** A message left flight (settled or given up). */
  finished(): void;
}

export class SenderLink {
  readonly #session: Session;
  readonly #sender: Sender;
  readonly #waiting: PendingSend[] = [];
  readonly #inFlight = new Map<RheaDelivery, PendingSend>();
  #open = false;
  #failure: WarrenError | undefined;
  /** Called once when the link is gone for good (the session drops it from its cache). */
  onGone: (() => void) | undefined;

  constructor(
    connection: Connection,
    readonly address: string,
    private readonly brokerName: string,
    private readonly budget: SenderBudget,
  ) {
    this.#session = connection.create_session();
    this.#session.begin();
    this.#sender = this.#session.open_sender({ target: { address }, autosettle: true });
    this.#sender.on('sender_open', () => {
      this.#open = true;
      this.flush();
    });
    this.#sender.on('sendable', () => this.flush());
    this.#sender.on('accepted', (context: EventContext) => this.#outcome(context, undefined));
    this.#sender.on('rejected', (context: EventContext) => this.#outcome(context, 'rejected'));
    this.#sender.on('released', (context: EventContext) => this.#outcome(context, 'released'));
    this.#sender.on('modified', (context: EventContext) => this.#outcome(context, 'modified'));
    const gone = (context: EventContext): void => {
      const error = context.sender?.error ?? context.session?.error;
      this.fail(
        error
          ? mapAmqpError(error, `sending to "${address}"`, brokerName)
          : new ConnectionError(
              `${brokerName} closed the link sending to "${address}"; the message was not confirmed.`,
            ),
      );
    };
    this.#sender.on('sender_error', gone);
    this.#sender.on('sender_close', gone);
    this.#session.on('session_error', gone);
    this.#session.on('session_close', gone);
  }

  /** Sends waiting and in flight. */
  get size(): number {
    return this.#waiting.length + this.#inFlight.size;
  }

  get hasWaiting(): boolean {
    return this.#waiting.length > 0;
  }

  send(pending: PendingSend): void {
    if (this.#failure) {
      pending.reject(this.#failure);
      return;
    }
    this.#waiting.push(pending);
    if (this.#open && this.#waiting.length === 1) this.flush();
  }

  /** Puts waiting sends in flight while the link has credit and the session's budget allows. */
  flush(): void {
    if (!this.#open || this.#failure) return;
    const sender = this.#sender;
    while (this.#waiting.length > 0 && sender.sendable() && this.budget.mayStart()) {
      const pending = this.#waiting.shift() as PendingSend;
      let delivery: RheaDelivery;
      try {
        delivery = sender.send(pending.message);
      } catch (error) {
        pending.reject(
          new SerializationError(
            `The message cannot be encoded for AMQP 1.0: ${descriptionOf(error)}. Check the header values (strings, numbers, booleans, Buffers, arrays and maps of those).`,
            { cause: error },
          ),
        );
        continue;
      }
      this.budget.started();
      this.#inFlight.set(delivery, pending);
    }
  }

  #outcome(context: EventContext, refusal: 'rejected' | 'released' | 'modified' | undefined): void {
    const delivery = context.delivery as RheaDelivery;
    const pending = this.#inFlight.get(delivery);
    if (!pending) return;
    this.#inFlight.delete(delivery);
    this.budget.finished();
    if (refusal === undefined) {
      pending.resolve();
      return;
    }
    const state = delivery.remote_state as { error?: unknown } | undefined;
    const reason = state?.error ? `: ${descriptionOf(state.error)}` : '';
    pending.reject(
      new MessageNackedError(
        `${this.brokerName} ${refusal} the message sent to "${this.address}"${reason}, so it did not take it: send it again later, or check the target (a full queue, a size limit, a missing node).`,
        state?.error ? { cause: state.error } : undefined,
      ),
    );
  }

  /** Rejects sends older than `timeoutMs`; in-flight ones may or may not have arrived. */
  expire(now: number, timeoutMs: number): void {
    while (this.#waiting.length > 0 && now - (this.#waiting[0] as PendingSend).since > timeoutMs) {
      (this.#waiting.shift() as PendingSend).reject(
        new TimeoutError(
          `The message to "${this.address}" could not be sent within ${timeoutMs} ms (no link credit from the broker, or too many messages in flight); it was not sent. Slow down, raise maxInFlight, or raise publishTimeoutMs.`,
        ),
      );
    }
    for (const [delivery, pending] of this.#inFlight) {
      if (now - pending.since <= timeoutMs) break;
      this.#inFlight.delete(delivery);
      this.budget.finished();
      pending.reject(
        new TimeoutError(
          `${this.brokerName} gave no outcome for the message sent to "${this.address}" within ${timeoutMs} ms; it may or may not have been delivered. Check the broker, or raise publishTimeoutMs.`,
        ),
      );
    }
  }

  /** Ends the link: every send still waiting or in flight rejects with `error`. */
  fail(error: WarrenError): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const pending of this.#waiting.splice(0)) pending.reject(error);
    for (const pending of this.#inFlight.values()) {
      this.budget.finished();
      pending.reject(error);
    }
    this.#inFlight.clear();
    this.onGone?.();
  }

  /** Resolves once nothing is in flight or waiting (or the link failed). */
  async drained(): Promise<void> {
    while (this.size > 0 && !this.#failure) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Detaches the link (after draining, or when evicted from the cache with nothing in flight). */
  close(): void {
    this.fail(new ConnectionError(`The link sending to "${this.address}" was closed; the message was not sent.`));
    try {
      this.#sender.close();
      this.#session.close();
    } catch {}
  }
}
