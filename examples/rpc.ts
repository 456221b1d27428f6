/**
 * Request/reply on warren: an RpcServer that adds two numbers, and an RpcClient that calls it.
 *
 *   npx tsx examples/rpc.ts                                              # memory:// (no broker needed)
 *   WARREN_URL=amqp://guest:guest@127.0.0.1:5672/ npx tsx examples/rpc.ts   # any broker, by URL
 *
 * 1. One call, then five calls at once: each gets its own answer (replies are matched by correlationId; on
 *    RabbitMQ they come back by direct reply-to, elsewhere through the client's own reply queue).
 * 2. A handler that throws: the caller gets a RemoteError with the name and message of what was thrown.
 * 3. A call to a queue nobody serves: a TimeoutError after the call's timeout.
 */
import { connect, RemoteError, RpcClient, RpcServer, TimeoutError } from '@warren/core';

const url = process.env.WARREN_URL ?? 'memory://';
const conn = await connect(url);
console.log(`connected to ${conn.url}`);
const queue = `rpc.add.${process.pid}`;

const server = new RpcServer(conn, { queue }, async (request: { a: number; b: number }) => {
  if (!Number.isFinite(request.a) || !Number.isFinite(request.b)) throw new TypeError('a and b must be numbers');
  return request.a + request.b;
});
server.on('error', (error) => console.error('server:', error.message));
await server.start();
console.log(`server: answering on queue ${queue}`);

const client = new RpcClient<{ a: number; b: number }, number>(conn, { routingKey: queue });
console.log(`call: 1 + 2 = ${await client.call({ a: 1, b: 2 }, { timeoutMs: 5_000 })}`);

const sums = await Promise.all([1, 2, 3, 4, 5].map((a) => client.call({ a, b: 10 * a }, { timeoutMs: 5_000 })));
console.log(`concurrent calls: ${sums.join(', ')}`);

try {
  await client.call({ a: 1, b: Number.NaN }, { timeoutMs: 5_000 });
} catch (error) {
  if (!(error instanceof RemoteError)) throw error;
  console.log(`remote error: ${error.remoteName}: ${error.message}`);
}

const nobody = new RpcClient(conn, { routingKey: `${queue}.nobody-serves-this` });
try {
  await nobody.call({ a: 1, b: 1 }, { timeoutMs: 300 });
} catch (error) {
  if (!(error instanceof TimeoutError)) throw error;
  console.log('timeout: no reply within 300 ms');
}

await nobody.close();
await client.close();
await server.close();
await conn.deleteQueue(queue);
await conn.close();
console.log('connection closed');
