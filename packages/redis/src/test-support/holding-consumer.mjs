// A consumer process for the fault test: it takes messages and never acknowledges them, says which it holds,
// and waits to be killed. Plain JavaScript on the built packages, so that the test can SIGKILL a real process.
import { Consumer, connect } from '@warren/core';
import '@warren/redis';

const [url, queue, wanted] = process.argv.slice(2);
const connection = await connect(url);
const held = [];
const consumer = new Consumer(connection, { queue, declare: false, prefetch: Number(wanted) });
consumer.register((body) => {
  held.push(body.n);
  if (held.length === Number(wanted)) process.stdout.write(`HOLDING ${JSON.stringify(held)}\n`);
});
await consumer.consume();
process.stdout.write('CONSUMING\n');
setInterval(() => {}, 60_000);
