/**
 * The Lua scripts that make each multi-key step atomic in Redis: a publish to several queues, an ack, a requeue,
 * a move to the dead-letter outbox, a claim of a dead consumer's messages, and every topology change (which also
 * bumps the version key, so that each publisher routes with what is current).
 *
 * The scripts decide nothing about AMQP semantics: routing, dead-letter targets, x-death headers, expiry times and
 * overflow policies are computed by core's shared rules in the client and passed in; a script only applies them
 * where it must be atomic (a length limit is checked against the queue as it is at that instant).
 *
 * Invariant the scripts keep: every stream entry at or below the group's last-delivered id is pending (acks,
 * requeues and dead-lettering delete the entry), so the ready messages are exactly those after that id, and
 * their number is XLEN minus the pending count.
 */

/** Shared Lua helpers, prepended to the scripts that need them. */
const HELPERS = `
local function field(list, name)
  for i = 1, #list, 2 do if list[i] == name then return list[i + 1] end end
  return nil
end
local function lastDelivered(stream, group)
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
    if field(g, 'name') == group then return field(g, 'last-delivered-id') end
  end
  return '0-0'
end
local function ready(stream, group)
  return redis.call('XLEN', stream) - redis.call('XPENDING', stream, group)[1]
end
local function withField(fields, name, value)
  local out = {}
  for i = 1, #fields, 2 do
    if fields[i] ~= 'r' and fields[i] ~= 'w' then out[#out + 1] = fields[i]; out[#out + 1] = fields[i + 1] end
  end
  if name then out[#out + 1] = name; out[#out + 1] = value end
  return out
end
`;

/**
 * KEYS: version, guard stream (or the version key again), then per target its stream and outbox.
 * ARGV: expected version, guard id ('' for none), n, n shared fields, then per target: overflow mode ('' none,
 * 'd' drop-head, 'r' reject-publish, 'x' reject-publish-dlx), max length, '1' when it has a dead-letter
 * exchange, expiry ('' for none).
 * Returns -1 when the topology changed (route again), else refused + 2 * (outbox written) + 4 * (guard gone).
 */
export const PUBLISH = `${HELPERS}
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return -1 end
if ARGV[2] ~= '' and redis.call('XDEL', KEYS[2], ARGV[2]) == 0 then return 4 end
local shared = tonumber(ARGV[3])
local fields = {}
for i = 4, 3 + shared do fields[#fields + 1] = ARGV[i] end
local a = 4 + shared
local refused, outbox = 0, 0
for t = 1, (#KEYS - 2) / 2 do
  local stream, dead = KEYS[1 + 2 * t], KEYS[2 + 2 * t]
  local mode, limit, dlx, expires = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2] == '1', ARGV[a + 3]
  a = a + 4
  local f = fields
  if expires ~= '' then
    f = { unpack(fields) }
    f[#f + 1] = 'x'; f[#f + 1] = expires
  end
  if mode == '' then
    redis.call('XADD', stream, 'NOMKSTREAM', '*', unpack(f))
  elseif redis.call('EXISTS', stream) == 1 then
    if (mode == 'r' or mode == 'x') and ready(stream, 'warren') + 1 > limit then
      refused = 1
      if mode == 'x' and dlx then
        redis.call('XADD', dead, '*', unpack(withField(f, 'w', 'maxlen')))
        outbox = 1
      end
    else
      redis.call('XADD', stream, '*', unpack(f))
      if mode == 'd' then
        local over = ready(stream, 'warren') - limit
        if over > 0 then
          for _, e in ipairs(redis.call('XRANGE', stream, '(' .. lastDelivered(stream, 'warren'), '+', 'COUNT', over)) do
            if dlx then
              redis.call('XADD', dead, '*', unpack(withField(e[2], 'w', 'maxlen')))
              outbox = 1
            end
            redis.call('XDEL', stream, e[1])
          end
        end
      end
    end
  end
end
return refused + 2 * outbox
`;

/**
 * The common case of {@link PUBLISH}, with fewer arguments to encode: one target queue, no length limit, no
 * expiry. KEYS: version, stream. ARGV: expected version, properties, exchange, routing key, body.
 */
export const PUBLISH_ONE = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return -1 end
redis.call('XADD', KEYS[2], 'NOMKSTREAM', '*', 'p', ARGV[2], 'e', ARGV[3], 'k', ARGV[4], 'b', ARGV[5])
return 0
`;

/**
 * KEYS: stream. ARGV: group, ids (at most a few thousand: Lua's unpack limit). Acks and deletes the entries, two
 * commands for the whole batch. Returns how many were deleted.
 */
export const ACK = `
redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
`;

/**
 * KEYS: stream. ARGV: group, '1' to mark redelivered, ids. Each entry still pending goes back to the queue as a
 * new entry (at the tail: a stream cannot insert at its head), in one step with its ack.
 */
export const REQUEUE = `${HELPERS}
local n = 0
for i = 3, #ARGV do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    local e = redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i])[1]
    redis.call('XDEL', KEYS[1], ARGV[i])
    if e then
      if ARGV[2] == '1' then redis.call('XADD', KEYS[1], '*', unpack(withField(e[2], 'r', '1')))
      else redis.call('XADD', KEYS[1], '*', unpack(withField(e[2], nil, nil))) end
      n = n + 1
    end
  end
end
return n
`;

/**
 * KEYS: stream, outbox. ARGV: group, reason, '1' when the queue has a dead-letter exchange, ids. Each entry
 * still pending is acked and moved to the outbox (or dropped), in one step. Returns how many went to the outbox.
 */
export const KILL = `${HELPERS}
local n = 0
for i = 4, #ARGV do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    local e = redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i])[1]
    redis.call('XDEL', KEYS[1], ARGV[i])
    if e and ARGV[3] == '1' then redis.call('XADD', KEYS[2], '*', unpack(withField(e[2], 'w', ARGV[2]))); n = n + 1 end
  end
end
return n
`;

/**
 * KEYS: stream, outbox. ARGV: group, now (ms), '1' when the queue has a dead-letter exchange, most entries to
 * look at. Ready entries whose expiry has passed go to the outbox (or are dropped). Returns { moved, dropped,
 * soonest expiry still ahead or -1 }.
 */
export const EXPIRE = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return { 0, 0, -1 } end
local now = tonumber(ARGV[2])
local moved, dropped, soonest = 0, 0, -1
local entries = redis.call('XRANGE', KEYS[1], '(' .. lastDelivered(KEYS[1], ARGV[1]), '+', 'COUNT', tonumber(ARGV[4]))
for _, e in ipairs(entries) do
  local x = tonumber(field(e[2], 'x'))
  if x and x <= now then
    if ARGV[3] == '1' then redis.call('XADD', KEYS[2], '*', unpack(withField(e[2], 'w', 'expired'))); moved = moved + 1
    else dropped = dropped + 1 end
    redis.call('XDEL', KEYS[1], e[1])
  elseif x and (soonest == -1 or x < soonest) then soonest = x end
end
return { moved, dropped, soonest }
`;

/**
 * KEYS: stream. ARGV: group, my consumer name, liveness key prefix, most entries to take, ',dead,session,ids,'
 * known dead here. Takes the pending entries of consumers whose session is dead (no liveness key), and removes
 * dead consumers that hold nothing. Returns the entries taken ({ id, fields } each).
 */
export const CLAIM = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local taken = {}
local left = tonumber(ARGV[4])
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local name, pending = field(c, 'name'), field(c, 'pending')
  if name ~= ARGV[2] then
    local session = string.match(name, '^(.-)/')
    local dead = session == nil or string.find(ARGV[5], ',' .. session .. ',', 1, true) ~= nil
      or redis.call('EXISTS', ARGV[3] .. session) == 0
    if dead then
      if pending > 0 and left > 0 then
        local ids = {}
        for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', left, name)) do ids[#ids + 1] = p[1] end
        if #ids > 0 then
          for _, e in ipairs(redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(ids))) do
            if e and e[2] then taken[#taken + 1] = e; left = left - 1 end
          end
          pending = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, name)[1] and 1 or 0
        end
      end
      if pending == 0 then redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name) end
    end
  end
end
return taken
`;

/** KEYS: stream. ARGV: group. Deletes every ready entry; returns how many. */
export const PURGE = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = 0
while true do
  local entries = redis.call('XRANGE', KEYS[1], '(' .. lastDelivered(KEYS[1], ARGV[1]), '+', 'COUNT', 1000)
  if #entries == 0 then return n end
  for _, e in ipairs(entries) do redis.call('XDEL', KEYS[1], e[1]); n = n + 1 end
end
`;

/**
 * KEYS: queues, stream, version. ARGV: name, record (JSON), group, my session, ',dead,sessions,', liveness
 * prefix, '1' to check only (passive). Creates the queue with its stream and group, or returns the existing
 * record; an exclusive queue whose owner is dead is taken over. Errors: WARREN_WRONGTYPE <type>, WARREN_ABSENT.
 */
export const DECLARE_QUEUE = `
local kind = redis.call('TYPE', KEYS[2])['ok']
if kind ~= 'none' and kind ~= 'stream' then return redis.error_reply('WARREN_WRONGTYPE ' .. kind) end
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then
  local record = cjson.decode(existing)
  if type(record.o) == 'string' and record.o ~= ARGV[4] then
    local dead = string.find(ARGV[5], ',' .. record.o .. ',', 1, true) ~= nil or redis.call('EXISTS', ARGV[6] .. record.o) == 0
    if dead then
      existing = string.gsub(existing, '"o":"[^"]*"', '"o":"' .. ARGV[4] .. '"', 1)
      redis.call('HSET', KEYS[1], ARGV[1], existing)
    end
  end
  if kind == 'none' then redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[3], '0', 'MKSTREAM') end
  return existing
end
if ARGV[7] == '1' then return redis.error_reply('WARREN_ABSENT') end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if kind == 'none' then redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[3], '0', 'MKSTREAM')
else pcall(redis.call, 'XGROUP', 'CREATE', KEYS[2], ARGV[3], '0') end
redis.call('INCR', KEYS[3])
return false
`;

/**
 * KEYS: queues, stream, outbox, version, bindings. ARGV: name, group, '1' if unused only, '1' if empty only.
 * Deletes the queue, its messages and every binding to it. Returns the number of ready messages, or -1 when
 * there was no such queue. Errors: WARREN_INUSE, WARREN_NOTEMPTY.
 */
export const DELETE_QUEUE = `${HELPERS}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
local count = 0
if redis.call('TYPE', KEYS[2])['ok'] == 'stream' then
  count = ready(KEYS[2], ARGV[2])
  if ARGV[3] == '1' then
    for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[2], ARGV[2])) do
      if not string.find(field(c, 'name'), '/get$') then return redis.error_reply('WARREN_INUSE') end
    end
  end
  if ARGV[4] == '1' and count > 0 then return redis.error_reply('WARREN_NOTEMPTY') end
  redis.call('DEL', KEYS[2])
end
redis.call('DEL', KEYS[3])
redis.call('HDEL', KEYS[1], ARGV[1])
for _, f in ipairs(redis.call('HKEYS', KEYS[5])) do
  local b = cjson.decode(f)
  if b[2] == 'q' and b[3] == ARGV[1] then redis.call('HDEL', KEYS[5], f) end
end
redis.call('INCR', KEYS[4])
return count
`;

/** KEYS: exchanges, version. ARGV: name, definition (JSON), '1' to check only. Returns the existing definition or false. */
export const DECLARE_EXCHANGE = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
if ARGV[3] == '1' then return redis.error_reply('WARREN_ABSENT') end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[2])
return false
`;

/**
 * KEYS: exchanges, bindings, version. ARGV: name, '1' if unused only. Deletes the exchange, its bindings and the
 * bindings to it. Returns 1, or 0 when it did not exist. Error: WARREN_INUSE.
 */
export const DELETE_EXCHANGE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local doomed = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do
  local b = cjson.decode(f)
  if b[1] == ARGV[1] then
    if ARGV[2] == '1' then return redis.error_reply('WARREN_INUSE') end
    doomed[#doomed + 1] = f
  elseif b[2] == 'x' and b[3] == ARGV[1] then doomed[#doomed + 1] = f end
end
for _, f in ipairs(doomed) do redis.call('HDEL', KEYS[2], f) end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[3])
return 1
`;

/**
 * KEYS: exchanges, destinations (queues or exchanges hash), bindings, version. ARGV: source, destination,
 * binding (JSON), '1' to bind or '0' to unbind. Errors: WARREN_NOSOURCE, WARREN_NODEST.
 */
export const BIND = `
if ARGV[4] == '0' then
  if redis.call('HDEL', KEYS[3], ARGV[3]) == 1 then redis.call('INCR', KEYS[4]) end
  return 0
end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return redis.error_reply('WARREN_NOSOURCE') end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then return redis.error_reply('WARREN_NODEST') end
if redis.call('HSETNX', KEYS[3], ARGV[3], '1') == 1 then redis.call('INCR', KEYS[4]) end
return 1
`;

/**
 * KEYS: stream. ARGV: group. Returns { ready messages, consumers } (fetch-only consumers, named `.../get`, do
 * not count), or { -1, 0 } when the stream is gone.
 */
export const QUEUE_INFO = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return { -1, 0 } end
local consumers = 0
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  if not string.find(field(c, 'name'), '/get$') then consumers = consumers + 1 end
end
return { ready(KEYS[1], ARGV[1]), consumers }
`;

/** Every script, by the command name ioredis defines for it. */
export const SCRIPTS = {
  warrenPublish: PUBLISH,
  warrenPublishOne: PUBLISH_ONE,
  warrenAck: ACK,
  warrenRequeue: REQUEUE,
  warrenKill: KILL,
  warrenExpire: EXPIRE,
  warrenClaim: CLAIM,
  warrenPurge: PURGE,
  warrenDeclareQueue: DECLARE_QUEUE,
  warrenDeleteQueue: DELETE_QUEUE,
  warrenDeclareExchange: DECLARE_EXCHANGE,
  warrenDeleteExchange: DELETE_EXCHANGE,
  warrenBind: BIND,
  warrenQueueInfo: QUEUE_INFO,
} as const;
