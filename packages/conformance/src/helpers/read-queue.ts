import type { Message } from '@warren/core';
import type { TestScope } from '../scope.js';
import { Inbox } from './inbox.js';
import { uniqueName } from './names.js';

/** Header that marks the end-of-queue marker; a test never sends it. */
export const MARKER_HEADER = 'x-conformance-marker';

/** Options of {@link readQueue}. */
export interface ReadQueueOptions {
  /** Keep reading past the marker until this many messages came (for transports without guaranteed order). */
  atLeast?: number;
  /** Serializers the reader accepts; default every built-in one. */
  accept?: string[];
  /** How long to wait for the marker (default 5 s, times the time scale). */
  timeoutMs?: number;
}

/**
 * Everything that is in `queue` now: sends a marker through the default exchange, then consumes (acking) until
 * the marker comes back. What arrived before the marker is what the queue held, so a test sees extra messages
 * too instead of stopping at the count it expected. The queue must exist; the reader does not redeclare it.
 */
export async function readQueue(t: TestScope, queue: string, options: ReadQueueOptions = {}): Promise<Message[]> {
  const token = uniqueName('marker');
  const consumer = t.consumer({
    queue,
    declare: false,
    accept: options.accept ?? ['json', 'text', 'binary', 'msgpack'],
  });
  const inbox = new Inbox(consumer);
  await consumer.consume();
  const marker = t.publisher({ exchange: '', routingKey: queue });
  await marker.send('end of queue', { headers: { [MARKER_HEADER]: token } });
  const isMarker = (message: Message): boolean => message.headers[MARKER_HEADER] === token;
  await inbox.when(
    (box) => box.messages.some(isMarker) && box.messages.filter((m) => !isMarker(m)).length >= (options.atLeast ?? 0),
    options.timeoutMs ?? t.ms(5_000),
    `the end-of-queue marker of ${queue}`,
  );
  await consumer.close();
  await marker.close();
  return inbox.messages.filter((message) => !isMarker(message));
}
