/**
 * A DurableChannel in a process of its own, for tests that SIGKILL it. Argument: a JSON ChildPlan.
 * - receive: receives `count` messages (default 1), printing `received <id> <json content>` for each, then waits.
 * - send: sends `count` messages (`content` = their index) to `to` with `timeout`, printing `sent <id>`, then waits.
 * It never ends by itself: the test kills it.
 */
import { DurableChannel } from '../channels/durable-channel.js';
import type { ChildPlan } from './channels.js';

const plan = JSON.parse(process.argv[2] ?? '{}') as ChildPlan;
// A short liveness so that the test does not wait long for the death to be noticed.
const channel = new DurableChannel(plan.name, {
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: plan.prefix,
  livenessMs: 1_000,
  timeoutMonitorFrequency: 100,
});
channel.on('error', (error) => console.error(`channel error: ${error.message}`));

if (plan.mode === 'receive') {
  console.log('waiting for messages');
  for (let i = 0; i < (plan.count ?? 1); i++) {
    const message = await channel.receive();
    console.log(`received ${message.id} ${JSON.stringify(message.content)}`);
  }
} else {
  for (let i = 0; i < (plan.count ?? 1); i++) {
    const id = await channel.send({ content: i, to: plan.to ?? '', timeout: plan.timeout });
    console.log(`sent ${id}`);
  }
}
console.log('ready to be killed');
setInterval(() => undefined, 60_000);
