import type { PreparedMessage } from './messages/base.js';

/** mozillapulse's message envelope: the payload, and where and when it was sent. */
export interface PulseEnvelope<TPayload = Record<string, unknown>> {
  /** The message's data. */
  payload: TPayload;
  /** Where and when it was sent, plus the message's own metadata. */
  _meta: PulseMeta;
}

/** The `_meta` part of an envelope. */
export interface PulseMeta {
  /** The exchange it was published to. */
  exchange: string;
  /** Its routing key. */
  routing_key: string;
  /** Always `json` here. */
  serializer: string;
  /** RFC 3339 time of sending. */
  sent: string;
  [extra: string]: unknown;
}

/** Wraps a prepared message in the envelope, as mozillapulse's publisher does. */
export function envelope(message: PreparedMessage, exchange: string, sent: Date = new Date()): PulseEnvelope {
  return {
    payload: message.payload,
    _meta: {
      ...message.metadata,
      exchange,
      routing_key: message.routingKey,
      serializer: 'json',
      sent: sent.toISOString(),
    },
  };
}
