/**
 * puka's asynchronous send, on warren: no step waits for the one before it in sequence; each callback starts the
 * next step (connect -> declare the queue -> publish), and the last one breaks the "loop".
 *
 *   npx tsx examples/puka/async-send.ts                                       # memory://
 *   WARREN_URL=amqp://guest:guest@127.0.0.1:5672/ npx tsx examples/puka/async-send.ts
 */
import { type Connection, connect, Publisher } from '@warren/core';

const url = process.env.WARREN_URL ?? 'memory://';

let client: Connection | undefined;
let loopBreak: () => void = () => {};
const loop = new Promise<void>((resolve) => {
  loopBreak = resolve;
});

function onConnection(connection: Connection): void {
  client = connection;
  connection.declareQueue({ name: 'test', durable: true }).then(onQueueDeclare, onError);
}

function onQueueDeclare(): void {
  const publisher = new Publisher(client as Connection, { exchange: '', routingKey: 'test' });
  publisher
    .send('Hello world!')
    .then(() => publisher.close())
    .then(onBasicPublish, onError);
}

function onBasicPublish(): void {
  console.log(' [*] Message sent');
  loopBreak();
}

function onError(error: unknown): void {
  console.error(` [!] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
  loopBreak();
}

connect(url).then(onConnection, onError);
await loop; // puka's client.loop(): runs until a callback breaks it
await client?.close();
