import type { Connection } from '@warren/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type createProducer,
  type EventConsumer,
  notify,
  type RemoteEvent,
  registerEvent,
  type Subscriber,
  subscribers,
} from './index.js';

class MyEvent {
  constructor(readonly name: string) {}
}

describe('public types', () => {
  it('zope-style registry', () => {
    expectTypeOf(subscribers).toEqualTypeOf<Subscriber[]>();
    expectTypeOf(notify).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(registerEvent<MyEvent>)
      .parameter(1)
      .toExtend<abstract new (...args: never[]) => MyEvent>();
  });

  it('RemoteEvent keeps the event type; producers are callable', () => {
    expectTypeOf<RemoteEvent<MyEvent>['event']>().toEqualTypeOf<MyEvent>();
    expectTypeOf<ReturnType<typeof createProducer>>().toBeCallableWith('any message');
    expectTypeOf<ReturnType<ReturnType<typeof createProducer>>>().toEqualTypeOf<Promise<void>>();
    expectTypeOf<EventConsumer['connection']>().toEqualTypeOf<Connection>();
  });
});
