import { randomUUID } from 'node:crypto';
import { ConfigurationError, type Connection, connect, Publisher, ValidationError } from '@warren/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BackgroundRunner,
  BroadcastConsumer,
  createProducer,
  EventConsumer,
  EventRegistry,
  propsUrl,
  RemoteEvent,
} from './index.js';

class MyEvent {
  constructor(
    readonly name: string,
    readonly count = 1,
  ) {}
  describe(): string {
    return `${this.name} x${this.count}`;
  }
}

class OtherEvent {
  constructor(readonly id: string) {}
}

const myEventSchema = z.object({ name: z.string().min(1), count: z.number().int() });

/** A promise with its resolver, to wait on a condition instead of sleeping. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('local registry (zope.event)', () => {
  it('notify calls every subscriber in order, awaiting each', async () => {
    const registry = new EventRegistry();
    const calls: string[] = [];
    registry.subscribers.push(async (event) => {
      await new Promise((r) => setImmediate(r));
      calls.push(`a:${String(event)}`);
    });
    registry.subscribers.push((event) => {
      calls.push(`b:${String(event)}`);
    });
    await registry.notify('e1');
    expect(calls).toEqual(['a:e1', 'b:e1']);
  });

  it('a subscriber that throws is reported and the others still run', async () => {
    const registry = new EventRegistry();
    const reported: Array<[string, unknown]> = [];
    registry.on('error', (error, event) => reported.push([error.message, event]));
    const seen: unknown[] = [];
    registry.subscribers.push(() => {
      throw new Error('listener broke');
    });
    registry.subscribers.push(async () => {
      throw new Error('async listener broke');
    });
    registry.subscribers.push((event) => seen.push(event));
    await expect(registry.notify('e')).resolves.toBeUndefined();
    expect(seen).toEqual(['e']);
    expect(reported).toEqual([
      ['listener broke', 'e'],
      ['async listener broke', 'e'],
    ]);
  });

  it('encode/decode rebuild the registered class without calling its constructor or running anything', () => {
    const registry = new EventRegistry();
    registry.registerEvent('MyEvent', MyEvent, myEventSchema);
    const wire = registry.encode(new MyEvent('deploy', 3));
    expect(wire).toEqual({ type: 'MyEvent', data: { name: 'deploy', count: 3 } });
    const event = registry.decode(JSON.parse(JSON.stringify(wire)));
    expect(event).toBeInstanceOf(MyEvent);
    expect((event as MyEvent).describe()).toBe('deploy x3');
    // A "__proto__" key in the data is a plain field: it cannot change what the event is.
    const loose = new EventRegistry();
    loose.registerEvent('OtherEvent', OtherEvent);
    const tricky = loose.decode(JSON.parse('{"type":"OtherEvent","data":{"id":"x","__proto__":{"polluted":true}}}'));
    expect(tricky).toBeInstanceOf(OtherEvent);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(tricky)).toBe(OtherEvent.prototype);
  });

  it('an unknown type or bad data is a ValidationError; an unregistered class is refused on sending', () => {
    const registry = new EventRegistry();
    registry.registerEvent('MyEvent', MyEvent, myEventSchema);
    expect(() => registry.decode({ type: 'Nope', data: {} })).toThrow(/Unknown event type "Nope".*known: MyEvent/);
    expect(() => registry.decode({ type: 'MyEvent', data: { name: '', count: 1.5 } })).toThrow(ValidationError);
    expect(() => registry.decode({ type: 'MyEvent', data: { name: '', count: 1.5 } })).toThrow(/name:.*count:/);
    expect(() => registry.decode('not an event')).toThrow(/expected \{ type, data \}/);
    expect(() => registry.encode(new OtherEvent('x'))).toThrow(ConfigurationError);
    expect(() => registry.encode(new MyEvent('', 1))).toThrow(ValidationError);
  });

  it('registration conflicts and self-broadcasting classes are refused', () => {
    const registry = new EventRegistry();
    registry.registerEvent('MyEvent', MyEvent);
    expect(() => registry.registerEvent('MyEvent', OtherEvent)).toThrow(/already registered/);
    expect(() => registry.registerEvent('Again', MyEvent)).toThrow(/already registered as "MyEvent"/);
    expect(() => registry.registerEvent('Remote', RemoteEvent)).toThrow(/broadcasts itself/);
    registry.registerEvent('MyEvent', MyEvent); // the same again is fine
  });
});

describe('remote events on memory://', () => {
  let url: string;
  let conn: Connection;
  beforeEach(async () => {
    url = `memory://events-${randomUUID()}`;
    conn = await connect(url);
  });
  afterEach(async () => {
    await conn.close();
  });

  it('a RemoteEvent is broadcast to every EventConsumer, each rebuilding the class and notifying locally', async () => {
    const sender = new EventRegistry();
    sender.registerEvent('MyEvent', MyEvent, myEventSchema);
    const receivers = [new EventRegistry(), new EventRegistry()];
    const got = receivers.map(() => deferred<unknown>());
    const consumers = receivers.map((registry, i) => {
      registry.registerEvent('MyEvent', MyEvent, myEventSchema);
      registry.subscribers.push((event) => got[i]?.resolve(event));
      return new EventConsumer(conn, { registry, exchange: 'test.events' });
    });
    for (const consumer of consumers) await consumer.consume();
    const local: unknown[] = [];
    sender.subscribers.push((event) => local.push(event));

    const remote = new RemoteEvent(conn, new MyEvent('myevent', 2), { exchange: 'test.events', registry: sender });
    await sender.notify(remote);
    expect(local).toEqual([remote]); // the local subscribers see the wrapper, as in zamqp
    for (const g of got) {
      const event = await g.promise;
      expect(event).toBeInstanceOf(MyEvent);
      expect((event as MyEvent).describe()).toBe('myevent x2');
    }
    for (const consumer of consumers) await consumer.close();
  });

  it('acknowledges an event only after every subscriber ran', async () => {
    const registry = new EventRegistry();
    registry.registerEvent('MyEvent', MyEvent);
    let release = deferred<void>();
    let entered = deferred<void>();
    registry.subscribers.push(async () => {
      entered.resolve();
      await release.promise;
    });
    const queue = 'events-acks';
    const send = () => new RemoteEvent(conn, new MyEvent('slow'), { exchange: 'test.acks', registry }).send();

    // 1. The consumer's connection goes away while a subscriber still runs: the event was not acknowledged, so the
    //    broker keeps it for the next consumer.
    const doomed = await connect(url);
    const first = new EventConsumer(doomed, { registry, queue, exchange: 'test.acks' });
    first.on('error', () => {}); // its late ack fails: the connection is gone
    await first.consume();
    await send();
    await entered.promise;
    await doomed.close();
    expect((await conn.declareQueue({ name: queue })).messageCount).toBe(1);
    release.resolve();

    // 2. A consumer that stays up acknowledges once the subscriber returned; close() waits for it.
    release = deferred<void>();
    entered = deferred<void>();
    const second = new EventConsumer(conn, { registry, queue, exchange: 'test.acks' });
    await second.consume();
    await entered.promise; // the event kept in step 1
    const closing = second.close();
    let closed = false;
    void closing.then(() => {
      closed = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    release.resolve();
    await closing;
    expect((await conn.declareQueue({ name: queue })).messageCount).toBe(0);
  });

  it('an unknown type or bad payload is rejected and reported, never reaching a subscriber', async () => {
    const registry = new EventRegistry();
    registry.registerEvent('MyEvent', MyEvent, myEventSchema);
    const seen: unknown[] = [];
    registry.subscribers.push((event) => seen.push(event));
    const consumer = new EventConsumer(conn, { registry, exchange: 'test.bad' });
    const errors: Error[] = [];
    const twoErrors = deferred<void>();
    consumer.on('error', (error) => {
      errors.push(error);
      if (errors.length === 2) twoErrors.resolve();
    });
    await consumer.consume();
    const raw = new Publisher(conn, { exchange: 'test.bad', exchangeType: 'fanout' });
    await raw.send({ type: 'EvilEvent', data: { code: 'process.exit(1)' } });
    await raw.send({ type: 'MyEvent', data: { name: 42 } });
    await raw.send({ type: 'MyEvent', data: { name: 'good', count: 1 } });
    await twoErrors.promise;
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toBeInstanceOf(MyEvent);
    expect(errors.map((e) => e.name)).toEqual(['ValidationError', 'ValidationError']);
    expect(errors[0]?.message).toMatch(/Unknown event type "EvilEvent"/);
    expect(errors[1]?.message).toMatch(/MyEvent does not match its schema: name:/);
    await consumer.close();
  });

  it('notify rejects when the broker does not take the event, and the local subscribers are not called', async () => {
    const registry = new EventRegistry();
    registry.registerEvent('MyEvent', MyEvent);
    const seen: unknown[] = [];
    registry.subscribers.push((event) => seen.push(event));
    const closed = await connect(url);
    await closed.close();
    await expect(registry.notify(new RemoteEvent(closed, new MyEvent('lost'), { registry }))).rejects.toThrow();
    await expect(registry.notify(new RemoteEvent(conn, new OtherEvent('x'), { registry }))).rejects.toThrow(
      /not a registered event type/,
    );
    expect(seen).toEqual([]);
  });

  it("zamqp's helpers: a producer function, a consumer with a callback, a background runner that stops cleanly", async () => {
    const received: unknown[] = [];
    const three = deferred<void>();
    const consumer = new BroadcastConsumer(conn, { queue: 'zamqp_queue' }, (message) => {
      received.push(message);
      if (received.length === 3) three.resolve();
    });
    const runner = new BackgroundRunner(consumer);
    await runner.start();
    const produce = createProducer(conn);
    await produce('foo');
    await produce({ any: ['serializable', 1] });
    await produce(42);
    await three.promise;
    expect(received).toEqual(['foo', { any: ['serializable', 1] }, 42]);
    await runner.stop();
    await expect(runner.done).resolves.toBeUndefined();
    expect(consumer.isConsuming).toBe(false);
    await produce.close();
  });

  it('zamqp props map onto an AMQP URL', () => {
    expect(propsUrl({ host: 'localhost', user: 'guest', password: 'p@ss', ssl: false, vhost: '/data' })).toBe(
      'amqp://guest:p%40ss@localhost:5672/%2Fdata',
    );
    expect(propsUrl({ ssl: true })).toBe('amqps://guest:guest@localhost:5671/%2F');
  });
});
