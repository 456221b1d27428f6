import { ConfigurationError, ValidationError } from '@warren/core';
import { z } from 'zod';

/** A message ready to publish: its routing key, its validated data and its metadata. */
export interface PreparedMessage {
  /** The routing key it is sent with. */
  readonly routingKey: string;
  /** The validated data. */
  readonly payload: Record<string, unknown>;
  /** Extra `_meta` fields. */
  readonly metadata: Record<string, unknown>;
}

/** Data fields a message may carry: anything JSON can hold. */
export type MessageData = Record<string, unknown>;

/**
 * mozillapulse's GenericMessage: data set field by field (`setData`), a routing key built from parts, and the
 * required fields checked (here by a zod schema) before anything is sent. A subclass passes its schema and its
 * first routing-key parts, and may override `routingKeyParts()` to add parts computed from its data.
 */
export class PulseMessage<TData extends MessageData = MessageData> {
  /** The routing key parts set so far (joined with dots when the message is sent). */
  readonly routingParts: string[];
  /** The payload fields set so far. */
  readonly data: Partial<TData> & MessageData = {};
  /** Extra `_meta` fields of the envelope (the publisher adds exchange, routing_key, serializer and sent). */
  readonly metadata: MessageData = {};
  readonly #schema: z.ZodType<TData> | undefined;
  #routingKey: string | undefined;

  /**
   * @param options `schema` validates the data when the message is prepared (required fields, types);
   *   `routingParts` are the first parts of the routing key; `routingKey` is a fixed key instead of parts.
   */
  constructor(options: { schema?: z.ZodType<TData>; routingParts?: readonly string[]; routingKey?: string } = {}) {
    this.#schema = options.schema;
    this.routingParts = [...(options.routingParts ?? [])];
    this.#routingKey = options.routingKey;
  }

  /** Sets one payload field (mozillapulse's `set_data`). */
  setData<K extends keyof TData & string>(key: K, value: TData[K]): this {
    (this.data as MessageData)[key] = value;
    return this;
  }

  /** Sets a fixed routing key, replacing the computed one. */
  setRoutingKey(routingKey: string): this {
    this.#routingKey = routingKey;
    return this;
  }

  /** The routing key parts, with whatever a subclass derives from the data appended. */
  routingKeyParts(): string[] {
    return [...this.routingParts];
  }

  /** The routing key this message is sent with. */
  get routingKey(): string {
    return this.#routingKey ?? this.routingKeyParts().join('.');
  }

  /**
   * Validates and freezes what will be sent. A required field that is missing, or a field of the wrong type, is a
   * ValidationError naming each; a blank routing key or one with an empty word is a ConfigurationError.
   */
  prepare(): PreparedMessage {
    const payload = this.#validate();
    const routingKey = this.routingKey;
    if (routingKey === '' || routingKey.split('.').some((word) => word === '')) {
      throw new ConfigurationError(
        `${this.constructor.name} has the routing key "${routingKey}", with an empty word: set every part it is built from (or setRoutingKey()).`,
      );
    }
    return { routingKey, payload, metadata: { ...this.metadata } };
  }

  #validate(): MessageData {
    const schema = this.#schema;
    if (!schema) return { ...this.data };
    const missing = requiredFields(schema).filter((field) => this.data[field] === undefined);
    if (missing.length > 0) {
      throw new ValidationError(
        `${this.constructor.name} is missing required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: set ${missing.length > 1 ? 'them' : 'it'} with setData() before publishing.`,
        { issues: missing.map((field) => ({ path: [field], message: 'required' })) },
      );
    }
    const result = schema.safeParse(this.data);
    if (result.success) return result.data as MessageData;
    const described = result.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || '(data)'}: ${issue.message}`)
      .join('; ');
    throw new ValidationError(`${this.constructor.name} has invalid fields: ${described}.`, {
      issues: result.error.issues,
    });
  }
}

/** The keys of an object schema that are neither optional nor defaulted. */
function requiredFields(schema: z.ZodType): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key);
}

/** A routing-key part from free text: dots would split it into several words, so they become underscores. */
export function routingWord(text: string): string {
  return text.replace(/\./g, '_');
}
