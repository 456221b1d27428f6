/**
 * muppet's RemoteChannel, on warren: two listeners on the channel "greeting" each hear every message a sender
 * broadcasts. Redis pub/sub keeps nothing, so this is at most once: listen before anything is sent.
 *
 *   npx tsx examples/muppet/remote-channel.ts                     # Redis at redis://127.0.0.1:6379
 *   REDIS_URL=redis://:password@redis.example:6379/0 npx tsx examples/muppet/remote-channel.ts
 *
 * `redis` takes a URL, or muppet's object form: `{ redis: { host: '127.0.0.1', port: 6379 } }`.
 */
import { randomBytes } from 'node:crypto';
import { RemoteChannel } from '@warren/redis';

// A prefix of its own per run, so that runs side by side on one Redis do not hear each other.
const redis = {
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: `muppet-example-${randomBytes(3).toString('hex')}`,
};
const sender = new RemoteChannel('greeting', redis);
const receiver = new RemoteChannel('greeting', redis);
const another = new RemoteChannel('greeting', redis);

const sent = ['hello', { greeting: 'hello', to: 'world' }];
let heard = 0;
let allHeard: () => void = () => undefined;
const everyoneHeardEverything = new Promise<void>((resolve) => {
  allHeard = resolve;
});
const listener = (who: string) => (message: unknown) => {
  console.log(`${who} heard ${JSON.stringify(message)}`);
  if (++heard === sent.length * 2) allHeard();
};

await receiver.listen(listener('receiver')); // every listener gets every message
await another.listen(listener('another receiver'));
for (const message of sent) {
  const listeners = await sender.send(message);
  console.log(`sent ${JSON.stringify(message)} to ${listeners} listening connection(s)`);
}
await everyoneHeardEverything;
await sender.end();
await receiver.end();
await another.end();
console.log('remote channel: done');
