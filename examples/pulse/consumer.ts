/**
 * mozillapulse's consumer script on warren: a consumer of the code exchange (Mercurial commits, pushes, repository
 * status) with an applabel, a callback that prints and acknowledges each message, and listen(). It stops after
 * PULSE_COUNT messages (default 1) so that it ends by itself.
 *
 *   npx tsx examples/pulse/consumer.ts            # memory://: it publishes a sample message itself, in-process
 *   WARREN_URL=amqp://warren-pulse-example:warren-pulse-example@127.0.0.1:5672/ npx tsx examples/pulse/consumer.ts
 *
 * The second line logs in as the Pulse-like user that `node scripts/brokers.mjs --prepare` creates (Pulse's
 * permissions: its own queues and exchanges, read access to every exchange). Against Pulse itself, pass
 * `{ user, password }` (from https://pulseguardian.mozilla.org) instead of `url`.
 */
import type { Message } from '@warren/core';
import { consumers, type PulseEnvelope, publishers } from '@warren/pulse';
import { sampleCommit } from './producer.js';

const url = process.env.WARREN_URL ?? 'memory://';
const count = Number(process.env.PULSE_COUNT ?? 1);
const inProcess = url.startsWith('memory:');

// memory:// is a broker inside this process: the publishing side has to live here too.
const service = inProcess ? new publishers.CodePublisher({ url }) : undefined;
await service?.declare(); // a service declares its exchange; consumers only check that it is there

// The applabel names the queue queue/<user>/<applabel>; give each application its own.
const pulse = new consumers.CodeConsumer({ url, applabel: 'warren-example-consumer' });

let received = 0;
async function gotMessage(body: PulseEnvelope, message: Message<PulseEnvelope>): Promise<void> {
  console.log(`GOT MESSAGE ${body._meta.routing_key}: ${JSON.stringify(body.payload)}`);
  await message.ack(); // acknowledged: the broker drops it from the queue
  received += 1;
  if (received >= count) await pulse.stop(); // ends listen()
}

// '#' is everything on the exchange; a list binds several topics.
pulse.configure({ topic: '#', callback: gotMessage });

// Drop old messages left in the queue before processing (mozillapulse's purge_existing_messages).
await pulse.purgeExistingMessages();

try {
  const listening = pulse.listen(); // resolves once the consumer is stopped
  await pulse.start(); // resolves once subscribed
  console.log(`listening on ${pulse.queueName}`);
  if (service) await service.publish(sampleCommit());
  await listening;
  console.log(`received ${received} message(s), done`);
} finally {
  await pulse.disconnect();
  await service?.disconnect();
}
