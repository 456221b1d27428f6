import { PulseMessage } from './base.js';

/** A message with any data and a routing key given as a whole (for exchanges without a message class). */
export class RawMessage extends PulseMessage {
  /** @param routingKey the routing key; `data` the payload fields. */
  constructor(routingKey: string, data: Record<string, unknown> = {}) {
    super({ routingKey });
    Object.assign(this.data, data);
  }
}
