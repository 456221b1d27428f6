import type { Connection, Message } from '@warren/core';
import { describe, expectTypeOf, it } from 'vitest';
import { type consumers, messages, type PulseEnvelope, type PulseMessage, type publishers } from './index.js';

describe('public types', () => {
  it('envelope consumers get PulseEnvelope bodies; Taskcluster consumers get bare records', () => {
    type EnvelopeCallback = NonNullable<Parameters<consumers.CodeConsumer['configure']>[0]['callback']>;
    expectTypeOf<Parameters<EnvelopeCallback>[0]>().toEqualTypeOf<PulseEnvelope>();
    expectTypeOf<Parameters<EnvelopeCallback>[1]>().toEqualTypeOf<Message<PulseEnvelope>>();
    type TaskCallback = NonNullable<Parameters<consumers.TaskCompletedConsumer['configure']>[0]['callback']>;
    expectTypeOf<Parameters<TaskCallback>[0]>().toEqualTypeOf<Record<string, unknown>>();
  });

  it('message classes type their fields', () => {
    const message = new messages.hg.HgCommitMessage('mozilla-central');
    expectTypeOf(message).toExtend<PulseMessage<messages.hg.HgCommitData>>();
    expectTypeOf(message.setData<'changeset'>)
      .parameter(1)
      .toEqualTypeOf<string>();
    expectTypeOf(message.setData<'when'>)
      .parameter(1)
      .toEqualTypeOf<string | number>();
  });

  it('publishers take a message and resolve to void; the connection option is a warren Connection', () => {
    expectTypeOf<publishers.HgPublisher['publish']>().parameter(0).toEqualTypeOf<PulseMessage>();
    expectTypeOf<ReturnType<publishers.HgPublisher['publish']>>().toEqualTypeOf<Promise<void>>();
    expectTypeOf<ConstructorParameters<typeof publishers.HgPublisher>[0]>()
      .exclude<undefined>()
      .toHaveProperty('connection')
      .toEqualTypeOf<Connection | undefined>();
  });
});
