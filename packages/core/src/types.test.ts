import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  type Capabilities,
  type Connection,
  type Consumer,
  type ConsumerCallback,
  connect,
  type Message,
  type Publisher,
  type PublisherOptions,
  type WarrenError,
} from './index.js';

describe('public generic types', () => {
  it('a schema fixes the body type of publisher and consumer', () => {
    const schema = z.object({ url: z.string() });
    type Body = z.infer<typeof schema>;
    expectTypeOf<PublisherOptions<Body>['schema']>().not.toBeAny();
    expectTypeOf<Publisher<Body>['send']>().parameter(0).toEqualTypeOf<Body>();
    expectTypeOf<ConsumerCallback<Body>>().parameter(0).toEqualTypeOf<Body>();
    expectTypeOf<ConsumerCallback<Body>>().parameter(1).toEqualTypeOf<Message<Body>>();
    expectTypeOf<Message<Body>['body']>().toEqualTypeOf<Body>();
  });
  it('connect resolves to a Connection with capabilities', () => {
    expectTypeOf(connect).returns.resolves.toEqualTypeOf<Connection>();
    expectTypeOf<Connection['capabilities']>().toEqualTypeOf<Capabilities>();
    expectTypeOf<Capabilities['exchangeTypes']>().toEqualTypeOf<
      readonly ('direct' | 'topic' | 'fanout' | 'headers')[]
    >();
  });
  it('consumers iterate messages and fetch a message or null', () => {
    expectTypeOf<Consumer<{ n: number }>>().toMatchTypeOf<AsyncIterable<Message<{ n: number }>>>();
    expectTypeOf<Consumer<{ n: number }>['fetch']>().returns.resolves.toEqualTypeOf<Message<{ n: number }> | null>();
    // Type-level only: the listener's parameters are inferred from the event name.
    const listen = (consumer: Consumer<{ n: number }>) =>
      consumer.on('error', (error, message) => {
        expectTypeOf(error).toEqualTypeOf<Error>();
        expectTypeOf(message).toEqualTypeOf<Message<{ n: number }> | undefined>();
      });
    expectTypeOf(listen).returns.toEqualTypeOf<Consumer<{ n: number }>>();
  });
  it('errors carry a name', () => {
    expectTypeOf<WarrenError['name']>().toEqualTypeOf<string>();
  });
});
