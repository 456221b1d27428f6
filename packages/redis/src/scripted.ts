import type { Redis } from 'ioredis';
import { SCRIPTS } from './scripts.js';

type ScriptArgument = string | Buffer | number;
type ScriptCall = (numberOfKeys: number, ...keysAndArguments: ScriptArgument[]) => Promise<unknown>;

/** A connection with warren's scripts defined on it (EVALSHA, falling back to EVAL after a Redis restart). */
export type ScriptedRedis = Redis & {
  [name in keyof typeof SCRIPTS]: ScriptCall;
} & {
  [name in `${keyof typeof SCRIPTS}Buffer`]: ScriptCall;
};

/** Defines every script on the connection; the first call of each loads it into Redis. */
export function withScripts(client: Redis): ScriptedRedis {
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua });
  return client as ScriptedRedis;
}
