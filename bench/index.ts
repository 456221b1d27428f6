import { existsSync } from 'node:fs';
import { runMemoryBench } from './memory.js';
import { printRows } from './payload.js';

/** `npm run bench`: every benchmark in one run, each warren figure beside its raw baseline, with ratios. */
const memoryRows = await runMemoryBench();
printRows('memory:// (1 KiB JSON)', memoryRows, [
  { label: 'warren/baseline', warren: 'memory:// end-to-end', baseline: 'json encode+decode+callback' },
]);

const amqpBench = new URL('./amqp.ts', import.meta.url);
if (existsSync(amqpBench)) {
  const { runAmqpBench } = (await import(amqpBench.href)) as { runAmqpBench: () => Promise<void> };
  await runAmqpBench();
}

const redisBench = new URL('./redis.ts', import.meta.url);
if (existsSync(redisBench)) {
  const { runRedisBench } = (await import(redisBench.href)) as { runRedisBench: () => Promise<void> };
  await runRedisBench();
}

const redisChannelsBench = new URL('./redis-channels.ts', import.meta.url);
if (existsSync(redisChannelsBench)) {
  const { runRedisChannelsBench } = (await import(redisChannelsBench.href)) as {
    runRedisChannelsBench: () => Promise<unknown>;
  };
  await runRedisChannelsBench();
}

const clusterBench = new URL('./cluster.ts', import.meta.url);
if (existsSync(clusterBench)) {
  const { runClusterBench } = (await import(clusterBench.href)) as { runClusterBench: () => Promise<unknown> };
  await runClusterBench();
}

const rpcBench = new URL('./rpc.ts', import.meta.url);
if (existsSync(rpcBench)) {
  const { runRpcBench } = (await import(rpcBench.href)) as { runRpcBench: () => Promise<unknown> };
  await runRpcBench();
}

const amqp10Bench = new URL('./amqp10.ts', import.meta.url);
if (existsSync(amqp10Bench)) {
  const { runAmqp10Bench } = (await import(amqp10Bench.href)) as { runAmqp10Bench: () => Promise<void> };
  await runAmqp10Bench();
}
