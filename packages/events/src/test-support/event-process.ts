/**
 * The other process of the cross-process tests: `tsx event-process.ts <url> <exchange> <count>`. It registers
 * MyEvent, consumes remote events on <exchange>, prints one JSON line per event its subscriber got and per event it
 * refused, and after <count> events sends one back on `<exchange>.back` and ends.
 */
import { connect } from '@warren/core';
import { EventConsumer, notify, RemoteEvent, registerEvent, subscribers } from '../index.js';
import { MyEvent, myEventSchema } from './my-event.js';

const [url, exchange, countText] = process.argv.slice(2);
if (!url || !exchange || !countText) throw new Error('usage: event-process.ts <url> <exchange> <count>');
const count = Number(countText);

registerEvent('MyEvent', MyEvent, myEventSchema);
const conn = await connect(url, { reconnect: false });
const consumer = new EventConsumer(conn, { exchange });
consumer.on('error', (error) => console.log(JSON.stringify({ refused: error.name, message: error.message })));

let received = 0;
let finish!: () => void;
const finished = new Promise<void>((resolve) => {
  finish = resolve;
});
subscribers.push((event) => {
  if (!(event instanceof MyEvent)) return;
  received += 1;
  console.log(JSON.stringify({ received: event.label(), instance: true, pid: process.pid }));
  if (received === count) finish();
});

await consumer.consume();
console.log('ready');
await finished;
await notify(new RemoteEvent(conn, new MyEvent('from-child', received), { exchange: `${exchange}.back` }));
console.log('replied');
await consumer.close();
await conn.close();
