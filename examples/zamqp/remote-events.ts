/**
 * zamqp's remote events: a listener on zope-style `subscribers`, an event consumer that re-notifies every event it
 * receives in this process, and an event wrapped in RemoteEvent which, once notified, is broadcast through the
 * fanout exchange. The receiving side rebuilds an instance of the same class (registered by name).
 *
 *   npx tsx examples/zamqp/remote-events.ts                                          # memory://
 *   WARREN_URL=amqp://guest:guest@127.0.0.1:5672/ npx tsx examples/zamqp/remote-events.ts
 */
import { connect } from '@warren/core';
import { EventConsumer, notify, RemoteEvent, registerEvent, subscribers } from '@warren/events';
import { z } from 'zod';

const url = process.env.WARREN_URL ?? 'memory://';
const connection = await connect(url);

// Create an event which should be triggered in the remote instance, and register it (both sides do).
class MyEvent {
  constructor(readonly name: string) {}
}
registerEvent('MyEvent', MyEvent, z.object({ name: z.string() }));

// Create a listener for MyEvent. It gets called when events are received.
let gotIt!: (event: MyEvent) => void;
const received = new Promise<MyEvent>((resolve) => {
  gotIt = resolve;
});
subscribers.push((event) => {
  if (!(event instanceof MyEvent)) return;
  console.log(`listener: got MyEvent "${event.name}" (instanceof MyEvent: ${event instanceof MyEvent})`);
  gotIt(event);
});

// Start the consumer for events.
const exchange = 'zamqp.events.fanout';
const consumer = new EventConsumer(connection, { exchange });
await consumer.consume();

// Trigger MyEvent to the exchange. The event consumer receives it and triggers it locally.
await notify(new RemoteEvent(connection, new MyEvent('myevent'), { exchange }));
console.log('notified: RemoteEvent(MyEvent "myevent") taken by the broker');

await received;
await consumer.close();
await connection.close();
console.log('done');
