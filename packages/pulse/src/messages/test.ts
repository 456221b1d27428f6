import { PulseMessage } from './base.js';

/** mozillapulse's TestMessage: routing key `test`, any data. */
export class TestMessage extends PulseMessage {
  constructor() {
    super({ routingParts: ['test'] });
  }
}
