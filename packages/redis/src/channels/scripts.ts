/**
 * The DurableChannel's steps as Lua scripts: each runs atomically in Redis, so no two processes ever see a message
 * half moved (taken by two receivers, answered and timed out, ...). Keys are spelled as in keys.ts, from the base
 * (`{prefix}`, ARGV[1]). Deadlines use Redis's clock (TIME), never a client's, so clients with skewed clocks agree.
 *
 * A message's state (field `st`): `queued` (in its receiver's queue), `held` (received by instance `h`, in that
 * instance's held list), `timedout` (claimed by a sender for its timeout callback). Answered and closed messages are
 * deleted. An id left in a queue by a message that timed out (see warrenDcTick) is skipped and dropped when taken.
 */
import type { Redis } from 'ioredis';

const PRELUDE = `
local base = ARGV[1]
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function put(id, frame, from, to, timeout, inReplyTo)
  local m = base .. ':m:' .. id
  redis.call('HSET', m, 'f', frame, 's', from, 'r', to, 'st', 'queued', 'n', 0)
  if timeout ~= '' then
    local deadline = now() + tonumber(timeout)
    redis.call('HSET', m, 'd', deadline)
    redis.call('ZADD', base .. ':t:' .. from, deadline, id)
  end
  if inReplyTo ~= '' then redis.call('HSET', m, 'q', inReplyTo) end
  redis.call('LPUSH', base .. ':q:' .. to, id)
end
local function heldBy(id, instance)
  local f = redis.call('HMGET', base .. ':m:' .. id, 'st', 'h')
  return f[1] == 'held' and f[2] == instance
end
local function deliver(id, instance)
  local m = base .. ':m:' .. id
  redis.call('HSET', m, 'st', 'held', 'h', instance)
  local n = redis.call('HINCRBY', m, 'n', 1)
  local f = redis.call('HMGET', m, 'f', 's', 'r', 'q')
  return { id, f[1], f[2], f[3], f[4] or '', n }
end
-- Answerable: received by a receiver of this name and neither answered nor timed out.
local function check(id, name)
  local m = base .. ':m:' .. id
  local f = redis.call('HMGET', m, 'st', 'r', 's', 'h')
  if not f[1] then return 'unknown' end
  if f[2] ~= name then return 'not-addressed' end
  if f[1] == 'timedout' then return 'timedout' end
  if f[1] ~= 'held' then return 'not-received' end
  return f
end
local function forget(id, f)
  redis.call('ZREM', base .. ':t:' .. f[3], id)
  redis.call('LREM', base .. ':h:' .. f[4], 0, id)
  redis.call('DEL', base .. ':m:' .. id)
end
-- Puts what an instance held back on its queue, oldest first at the taking end, and forgets the instance.
local function requeueHeld(name, instance)
  local held = base .. ':h:' .. instance
  local ids = redis.call('LRANGE', held, 0, -1)
  for _, id in ipairs(ids) do
    local m = base .. ':m:' .. id
    local st = redis.call('HGET', m, 'st')
    if st == 'queued' or st == 'held' then
      redis.call('HSET', m, 'st', 'queued')
      redis.call('HDEL', m, 'h')
      redis.call('RPUSH', base .. ':q:' .. name, id)
    end
  end
  redis.call('DEL', held)
  redis.call('SREM', base .. ':i:' .. name, instance)
  return #ids
end
`;

/** Each script by name: its arguments after the base, and what it returns. */
const LUA = {
  /** id, from, to, frame, timeout ms or '', in-reply-to or '' → 1, or 0 when that id was stored already (a resend). */
  warrenDcSend: `
if redis.call('EXISTS', base .. ':m:' .. ARGV[2]) == 1 then return 0 end
put(ARGV[2], ARGV[5], ARGV[3], ARGV[4], ARGV[6], ARGV[7])
return 1`,

  /** request id, replier's name, reply id, frame, timeout ms or '' → 'ok' or why not. */
  warrenDcReply: `
local f = check(ARGV[2], ARGV[3])
if type(f) ~= 'table' then
  if f == 'unknown' and redis.call('EXISTS', base .. ':m:' .. ARGV[4]) == 1 then return 'ok' end
  return f
end
forget(ARGV[2], f)
put(ARGV[4], ARGV[5], ARGV[3], f[3], ARGV[6], ARGV[2])
return 'ok'`,

  /** message id, the closer's name, token → 'ok' or why not; 'ok' again when run again with the same token. */
  warrenDcClose: `
local token = base .. ':tok:' .. ARGV[4]
if redis.call('EXISTS', token) == 1 then return 'ok' end
local f = check(ARGV[2], ARGV[3])
if type(f) ~= 'table' then return f end
forget(ARGV[2], f)
redis.call('SET', token, ARGV[2], 'PX', 60000)
return 'ok'`,

  /**
   * name, instance, token → a delivery { id, frame, from, to, in-reply-to, deliveries } or nil when the queue is
   * empty. ioredis sends a command again after a reconnect when its reply was lost: the token makes that second run
   * give the same message again instead of taking (and losing) a second one.
   */
  warrenDcTake: `
local token = base .. ':tok:' .. ARGV[4]
local previous = redis.call('GET', token)
if previous then
  if heldBy(previous, ARGV[3]) then return deliver(previous, ARGV[3]) end
  return false
end
local queue = base .. ':q:' .. ARGV[2]
for _ = 1, 1000 do
  local id = redis.call('RPOP', queue)
  if not id then return false end
  if redis.call('HGET', base .. ':m:' .. id, 'st') == 'queued' then
    redis.call('LPUSH', base .. ':h:' .. ARGV[3], id)
    redis.call('SET', token, id, 'PX', 60000)
    return deliver(id, ARGV[3])
  end
end
return false`,

  /**
   * name, instance, id (just moved into the held list by BLMOVE) → a delivery, or nil for a stale id. Run twice (a
   * reply lost in a reconnect), it gives the same delivery again.
   */
  warrenDcClaimMoved: `
local st = redis.call('HGET', base .. ':m:' .. ARGV[4], 'st')
if st == 'queued' or heldBy(ARGV[4], ARGV[3]) then return deliver(ARGV[4], ARGV[3]) end
redis.call('LREM', base .. ':h:' .. ARGV[3], 0, ARGV[4])
return false`,

  /** name, instance → how many ids a lost BLMOVE reply left in the held list unclaimed (now back on the queue). */
  warrenDcRescue: `
local held = base .. ':h:' .. ARGV[3]
local moved = 0
for _, id in ipairs(redis.call('LRANGE', held, 0, -1)) do
  local m = base .. ':m:' .. id
  local st = redis.call('HGET', m, 'st')
  if st ~= 'held' or redis.call('HGET', m, 'h') ~= ARGV[3] then
    redis.call('LREM', held, 0, id)
    if st == 'queued' then
      redis.call('RPUSH', base .. ':q:' .. ARGV[2], id)
      moved = moved + 1
    end
  end
end
return moved`,

  /**
   * name, instance, liveness ms, claim ms, batch → the timed-out messages this name sent, each claimed for this
   * instance: { id, frame, from, to, in-reply-to }. Also refreshes this instance's liveness and requeues what dead
   * instances of this name held.
   */
  warrenDcTick: `
local name, instance = ARGV[2], ARGV[3]
redis.call('SET', base .. ':alive:' .. instance, 1, 'PX', ARGV[4])
redis.call('SADD', base .. ':i:' .. name, instance)
for _, other in ipairs(redis.call('SMEMBERS', base .. ':i:' .. name)) do
  if other ~= instance and redis.call('EXISTS', base .. ':alive:' .. other) == 0 then requeueHeld(name, other) end
end
local t = now()
local timeouts = base .. ':t:' .. name
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', timeouts, '-inf', t, 'LIMIT', 0, tonumber(ARGV[6]))) do
  local m = base .. ':m:' .. id
  local f = redis.call('HMGET', m, 'st', 'h', 'f', 's', 'r', 'q')
  if not f[1] then
    redis.call('ZREM', timeouts, id)
  else
    if f[1] == 'held' then redis.call('LREM', base .. ':h:' .. f[2], 0, id) end
    -- Queued: taken out of the queue, searched from the old end where a timed-out id usually sits; in a queue too
    -- long to search, the id stays and is dropped when taken.
    if f[1] == 'queued' then
      local queue = base .. ':q:' .. f[5]
      if redis.call('LLEN', queue) <= 10000 then redis.call('LREM', queue, -1, id) end
    end
    redis.call('HSET', m, 'st', 'timedout')
    redis.call('HDEL', m, 'h')
    redis.call('ZADD', timeouts, t + tonumber(ARGV[5]), id)
    out[#out + 1] = { id, f[3], f[4], f[5], f[6] or '' }
  end
end
return out`,

  /** name, ids... → forgets timeouts whose callback ran. */
  warrenDcFinish: `
local timeouts = base .. ':t:' .. ARGV[2]
for i = 3, #ARGV do
  redis.call('ZREM', timeouts, ARGV[i])
  local m = base .. ':m:' .. ARGV[i]
  if redis.call('HGET', m, 'st') == 'timedout' then redis.call('DEL', m) end
end
return #ARGV - 2`,

  /** name, instance → on a clean end: what this instance held goes back to the queue; it is no longer alive. */
  warrenDcEnd: `
redis.call('DEL', base .. ':alive:' .. ARGV[3])
return requeueHeld(ARGV[2], ARGV[3])`,
} as const;

export type ScriptName = keyof typeof LUA;
type Argument = string | Buffer | number;

/** Registers the scripts on a client (EVALSHA, loaded on first use). */
export function defineScripts(client: Redis): void {
  for (const [name, body] of Object.entries(LUA)) client.defineCommand(name, { numberOfKeys: 0, lua: PRELUDE + body });
}

/** Runs a script with the base first; `buffers` returns bulk strings as Buffers (frames are bytes). */
export function runScript(
  client: Redis,
  name: ScriptName,
  base: string,
  args: readonly Argument[],
  buffers = false,
): Promise<unknown> {
  const command = (client as unknown as Record<string, (...a: Argument[]) => Promise<unknown>>)[
    buffers ? `${name}Buffer` : name
  ];
  if (!command) throw new Error(`script ${name} is not defined on this client`);
  return command.call(client, base, ...args);
}
