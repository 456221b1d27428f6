import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  DurableChannel,
  type DurableChannelOptions,
  type DurableMessage,
  type RemoteChannel,
  type RemoteChannelOptions,
  type TimeoutCallback,
} from '../index.js';
import type { channelOptionsSchema, durableChannelOptionsSchema } from './options.js';

describe('channel public types', () => {
  it("DurableChannel takes muppet's arguments and gives { id, content, from, to, inReplyTo? }", () => {
    expectTypeOf(DurableChannel).constructorParameters.toEqualTypeOf<
      [name: string, options?: DurableChannelOptions, onTimeout?: TimeoutCallback]
    >();
    expectTypeOf<DurableMessage>().toEqualTypeOf<{
      readonly id: string;
      readonly content: unknown;
      readonly from: string;
      readonly to: string;
      readonly inReplyTo?: string;
    }>();
    // Types only: never called.
    const receives = (channel: DurableChannel) => {
      expectTypeOf(channel.receive()).resolves.toEqualTypeOf<DurableMessage>();
      expectTypeOf(channel.receive({ timeoutMs: 100 })).resolves.toEqualTypeOf<DurableMessage | null>();
    };
    expectTypeOf(receives).toBeFunction();
    expectTypeOf<DurableChannel['send']>().returns.resolves.toEqualTypeOf<string>();
    expectTypeOf<DurableChannel['reply']>().returns.resolves.toEqualTypeOf<string>();
    expectTypeOf<TimeoutCallback>().parameter(0).toEqualTypeOf<DurableMessage>();
    // A received message is what reply and close take.
    expectTypeOf<DurableMessage>().toExtend<Parameters<DurableChannel['close']>[0]>();
  });

  it('the documented option types are what the schemas accept', () => {
    expectTypeOf<RemoteChannelOptions>().toExtend<z.input<typeof channelOptionsSchema>>();
    expectTypeOf<z.input<typeof channelOptionsSchema>>().toExtend<RemoteChannelOptions>();
    expectTypeOf<DurableChannelOptions>().toExtend<z.input<typeof durableChannelOptionsSchema>>();
    expectTypeOf<z.input<typeof durableChannelOptionsSchema>>().toExtend<DurableChannelOptions>();
  });

  it('the options take a URL or muppet’s { host, port }, and nothing unknown', () => {
    expectTypeOf<{ redis: { host: '127.0.0.1'; port: 6379 } }>().toExtend<DurableChannelOptions>();
    expectTypeOf<{ redis: 'redis://127.0.0.1:6379'; prefix: 'app' }>().toExtend<RemoteChannelOptions>();
    expectTypeOf<{ redis: { hots: 'x' } }>().not.toExtend<RemoteChannelOptions>();
    expectTypeOf<{ timeoutMonitorFrequency: 100 }>().not.toExtend<RemoteChannelOptions>();
  });

  it('RemoteChannel.send resolves with the number of listening connections', () => {
    expectTypeOf<RemoteChannel['send']>().returns.resolves.toEqualTypeOf<number>();
    expectTypeOf<RemoteChannel['listen']>().parameter(0).parameter(0).toEqualTypeOf<unknown>();
  });
});
