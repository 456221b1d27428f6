import { type BodySchema, ConfigurationError, SafeEmitter, ValidationError } from '@warren/core';

/** A listener of `notify`: gets every event and picks the ones it wants (`if (event instanceof MyEvent) ...`). */
export type Subscriber = (event: unknown) => unknown;

/** A class whose instances are events: any constructor (it is not called when an event is rebuilt). */
// biome-ignore lint/suspicious/noExplicitAny: any constructor signature, as zope takes any class
export type EventClass<T extends object = object> = abstract new (...args: any[]) => T;

/** A registered event type: its wire name, its class and the optional schema its data must pass. */
export interface EventType<T extends object = object> {
  /** The name on the wire. */
  readonly name: string;
  /** The class received events are rebuilt as. */
  readonly eventClass: EventClass<T>;
  /** What the data must pass, if anything. */
  readonly schema: BodySchema<unknown> | undefined;
}

/** An event on the wire: its registered type name and its data (the event's own enumerable fields, or its toJSON). */
export interface EventEnvelope {
  /** The registered type name. */
  type: string;
  /** The event's fields. */
  data: Record<string, unknown>;
}

/** The method an event implements to be sent to the broker when notified (RemoteEvent does). */
export const BROADCAST: unique symbol = Symbol.for('warren.events.broadcast');

/** An event that sends itself somewhere when notified, before the local subscribers see it. */
export interface Broadcastable {
  /** Sends the event; resolves once it was taken. */
  [BROADCAST](): Promise<void>;
}

function isBroadcastable(event: unknown): event is Broadcastable {
  return (
    typeof event === 'object' && event !== null && typeof (event as Partial<Broadcastable>)[BROADCAST] === 'function'
  );
}

/** Events of a registry: what went wrong where nobody awaits it. */
export interface RegistryEvents {
  [event: string]: unknown[];
  /** A subscriber threw (the others still ran). */
  error: [error: Error, event: unknown];
}

/**
 * zope.event's registry: `subscribers` (a list you push listeners onto) and `notify(event)`, which calls each in
 * order, awaiting those that return a promise. A subscriber that throws is reported (the 'error' event; a process
 * warning when nobody listens) and the others still run. Also the table of event types that remote events are
 * rebuilt from (`registerEvent`). A process normally uses the default one, which the module-level `subscribers`,
 * `notify` and `registerEvent` stand for.
 */
export class EventRegistry extends SafeEmitter<RegistryEvents> {
  /** The listeners, called in order by `notify`. */
  readonly subscribers: Subscriber[] = [];
  readonly #byName = new Map<string, EventType>();
  readonly #byClass = new Map<EventClass, EventType>();

  /**
   * Calls every subscriber with `event`, in order; resolves when all ran. An event that broadcasts itself
   * (RemoteEvent) is sent first: `notify` rejects if the broker did not take it, and the subscribers are then not
   * called. A subscriber that throws does not reject `notify`: its error is reported and the next one runs.
   */
  async notify(event: unknown): Promise<void> {
    if (isBroadcastable(event)) await event[BROADCAST]();
    for (const subscriber of [...this.subscribers]) {
      try {
        await subscriber(event);
      } catch (error) {
        this.emit('error', error instanceof Error ? error : new Error(String(error)), event);
      }
    }
  }

  /**
   * Registers an event type under a name, so that a receiving process rebuilds an instance of the same class. Both
   * sides register it. With a schema (zod), received data must pass it or the event is refused.
   */
  registerEvent<T extends object>(name: string, eventClass: EventClass<T>, schema?: BodySchema<unknown>): void {
    if (typeof name !== 'string' || name === '') throw new ConfigurationError('registerEvent needs a non-empty name.');
    if (typeof eventClass !== 'function') {
      throw new ConfigurationError(`registerEvent('${name}', ...) needs the event's class.`);
    }
    if (typeof (eventClass.prototype as Partial<Broadcastable>)[BROADCAST] === 'function') {
      throw new ConfigurationError(
        `${eventClass.name} broadcasts itself when notified: register the event it carries instead, or a received one would be sent again.`,
      );
    }
    const byName = this.#byName.get(name);
    if (byName && byName.eventClass !== eventClass) {
      throw new ConfigurationError(
        `Event type "${name}" is already registered for another class (${byName.eventClass.name}).`,
      );
    }
    const byClass = this.#byClass.get(eventClass);
    if (byClass && byClass.name !== name) {
      throw new ConfigurationError(`Class ${eventClass.name} is already registered as "${byClass.name}".`);
    }
    const type: EventType = { name, eventClass, schema };
    this.#byName.set(name, type);
    this.#byClass.set(eventClass, type);
  }

  /** Removes an event type. */
  unregisterEvent(name: string): void {
    const type = this.#byName.get(name);
    if (!type) return;
    this.#byName.delete(name);
    this.#byClass.delete(type.eventClass);
  }

  /** The registered type of an event (by its class), or a ConfigurationError saying to register it. */
  typeOf(event: object): EventType {
    const type = this.#byClass.get(event.constructor as EventClass);
    if (!type) {
      const name = event.constructor?.name || 'this event';
      throw new ConfigurationError(
        `${name} is not a registered event type: call registerEvent('${name}', ${name}) in the sending and the receiving process.`,
      );
    }
    return type;
  }

  /** The wire form of an event: its type name and its data, checked against the type's schema. */
  encode(event: object): EventEnvelope {
    const type = this.typeOf(event);
    const data = JSON.parse(JSON.stringify(event)) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ValidationError(`Event ${type.name} must serialize to a JSON object, got ${JSON.stringify(data)}.`);
    }
    if (type.schema) checkSchema(type, data);
    return { type: type.name, data: data as Record<string, unknown> };
  }

  /**
   * Rebuilds an event from its wire form: an instance of the registered class (its constructor is not called)
   * holding the data. An unknown type or data that fails the schema is a ValidationError; nothing in the data is
   * ever run.
   */
  decode(body: unknown): object {
    if (typeof body !== 'object' || body === null || typeof (body as EventEnvelope).type !== 'string') {
      throw new ValidationError('Not an event: expected { type, data }.');
    }
    const { type: name, data } = body as EventEnvelope;
    const type = this.#byName.get(name);
    if (!type) {
      const known = [...this.#byName.keys()];
      throw new ValidationError(
        `Unknown event type "${name}": register it with registerEvent('${name}', Class) in this process (known: ${known.length ? known.join(', ') : 'none'}).`,
      );
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ValidationError(`Event ${name} has no data object.`);
    }
    const fields = type.schema ? checkSchema(type, data) : data;
    const event = Object.create(type.eventClass.prototype) as object;
    // defineProperty, not assignment: a "__proto__" key stays a plain field and cannot swap the prototype.
    for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
      Object.defineProperty(event, key, { value, writable: true, enumerable: true, configurable: true });
    }
    return event;
  }
}

function checkSchema(type: EventType, data: unknown): unknown {
  const result = (type.schema as BodySchema<unknown>).safeParse(data);
  if (result.success) return result.data;
  const described = result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(data)'}: ${issue.message}`)
    .join('; ');
  throw new ValidationError(`Event ${type.name} does not match its schema: ${described}.`, {
    issues: result.error.issues,
  });
}

/** The process's default registry. */
export const defaultRegistry: EventRegistry = new EventRegistry();

/** zope.event.subscribers: the default registry's listeners. Push yours onto it. */
export const subscribers: Subscriber[] = defaultRegistry.subscribers;

/** zope.event.notify on the default registry. */
export function notify(event: unknown): Promise<void> {
  return defaultRegistry.notify(event);
}

/** Registers an event type on the default registry (see {@link EventRegistry.registerEvent}). */
export function registerEvent<T extends object>(
  name: string,
  eventClass: EventClass<T>,
  schema?: BodySchema<unknown>,
): void {
  defaultRegistry.registerEvent(name, eventClass, schema);
}
