import type { MessageProperties } from '../properties.js';

/** A message as a memory queue holds it. */
export interface StoredMessage {
  content: Buffer;
  properties: MessageProperties;
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  /** Epoch ms after which the message is dead (queue TTL or its own expiration, whichever is sooner), or Infinity. */
  expiresAt: number;
  priority: number;
}
