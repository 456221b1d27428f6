import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import { parseOptions } from '../options.js';
import { type Arguments, EXCHANGE_TYPES, type ExchangeSpec, type ExchangeType } from '../topology.js';

/** What `new Exchange(name, options)` takes; each option has the default of `conn.declareExchange`. */
export interface ExchangeOptions {
  /** `direct` (default), `topic`, `fanout` or `headers`. */
  type?: ExchangeType | undefined;
  /** Survives a broker restart (default true, as kombu and carrot have it). */
  durable?: boolean | undefined;
  /** Deleted once its last binding goes (default false). */
  autoDelete?: boolean | undefined;
  /** Only other exchanges may publish to it (default false). */
  internal?: boolean | undefined;
  /** Broker-specific arguments (`alternate-exchange`, ...). */
  arguments?: Arguments | undefined;
}

const exchangeOptionsSchema = z
  .object({
    type: z.enum(EXCHANGE_TYPES as [ExchangeType, ...ExchangeType[]]).optional(),
    durable: z.boolean().optional(),
    autoDelete: z.boolean().optional(),
    internal: z.boolean().optional(),
    arguments: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/**
 * An exchange declared in one place and used by queues, consumers and publishers (kombu's `Exchange`):
 * `new Exchange('media', { type: 'topic' })`. It holds no connection: `conn.declare(exchange)` declares it, and a
 * {@link Queue} bound to it declares it along with itself. The name `''` is the default exchange, which always
 * exists and is never declared.
 */
export class Exchange {
  /** The exchange's name. */
  readonly name: string;
  /** Its type, `direct` unless given. */
  readonly type: ExchangeType;
  /** Whether it survives a broker restart. */
  readonly durable: boolean;
  /** Whether the broker deletes it once its last binding goes. */
  readonly autoDelete: boolean;
  /** Whether only other exchanges may publish to it. */
  readonly internal: boolean;
  /** Broker-specific arguments. */
  readonly arguments: Readonly<Arguments>;

  /** Validates the options (`ConfigurationError` naming a bad or unknown one); nothing is declared yet. */
  constructor(name: string, options: ExchangeOptions = {}) {
    if (typeof name !== 'string') {
      throw new ConfigurationError(`new Exchange(name): the name must be a string, got ${typeof name}.`);
    }
    const parsed = parseOptions(exchangeOptionsSchema, options, `options of exchange "${name}"`);
    this.name = name;
    this.type = parsed.type ?? 'direct';
    this.durable = parsed.durable ?? true;
    this.autoDelete = parsed.autoDelete ?? false;
    this.internal = parsed.internal ?? false;
    this.arguments = Object.freeze({ ...parsed.arguments });
  }

  /** What `conn.declareExchange` takes for this exchange. */
  toSpec(): ExchangeSpec & Required<Pick<ExchangeSpec, 'name' | 'type'>> {
    const spec: ExchangeSpec & Required<Pick<ExchangeSpec, 'name' | 'type'>> = {
      name: this.name,
      type: this.type,
      durable: this.durable,
      autoDelete: this.autoDelete,
      internal: this.internal,
    };
    if (Object.keys(this.arguments).length > 0) spec.arguments = { ...this.arguments };
    return spec;
  }

  /** `Exchange(media, topic)`, for logs and error messages (never "[object Object]"). */
  toString(): string {
    return `Exchange(${this.name === '' ? "'' (default)" : this.name}, ${this.type})`;
  }
}
