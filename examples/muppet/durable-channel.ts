/**
 * muppet's DurableChannel, on warren: a dispatcher sends a task to a worker, the worker replies, the dispatcher
 * closes the reply. Then a task nobody answers: once its timeout passes it comes back to the dispatcher's timeout
 * callback. Every message is kept in Redis until it is answered, closed or handed to the timeout callback, so a
 * process that dies or restarts loses nothing.
 *
 *   npx tsx examples/muppet/durable-channel.ts                    # Redis at redis://127.0.0.1:6379
 *   REDIS_URL=redis://:password@redis.example:6379/0 npx tsx examples/muppet/durable-channel.ts
 */
import { randomBytes } from 'node:crypto';
import { DurableChannel, type DurableMessage } from '@warren/redis';

// A prefix of its own per run, so that runs side by side on one Redis do not take each other's messages.
const redis = {
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: `muppet-example-${randomBytes(3).toString('hex')}`,
};

let timedOut: (message: DurableMessage) => void = () => undefined;
const firstTimeout = new Promise<DurableMessage>((resolve) => {
  timedOut = resolve;
});
const onTimeout = (message: DurableMessage) => {
  console.log(`timeout: ${JSON.stringify(message.content)} from ${message.from} to ${message.to} was not answered`);
  timedOut(message);
};

const dispatcher = new DurableChannel('dispatcher.1', redis, onTimeout);
const worker = new DurableChannel('worker.1', redis, onTimeout);

await dispatcher.send({ content: 'task', to: 'worker.1', timeout: 5000 });
const message = await worker.receive(); // exactly one receiver of 'worker.1' gets it
console.log(`worker.1 received ${JSON.stringify(message.content)} from ${message.from}`);
await worker.reply({ message, response: 'reply', timeout: 5000 });
const reply = await dispatcher.receive();
console.log(
  `dispatcher.1 received ${JSON.stringify(reply.content)} from ${reply.from}, answering ${reply.inReplyTo === message.id ? 'its task' : 'something else'}`,
);
await dispatcher.close(reply); // done: no timeout fires for it

await dispatcher.send({ content: 'a task nobody answers', to: 'worker.1', timeout: 500 });
const late = await firstTimeout;
console.log(`dispatcher.1 got back ${JSON.stringify(late.content)} through its timeout callback`);

await worker.end();
await dispatcher.end();
console.log('durable channel: done');
