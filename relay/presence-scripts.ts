// The Lua scripts behind global presence (presence-global.ts). Each runs atomically in
// Redis, so the global count of a user's sockets and the edge it crosses are decided in
// one step however many relays change it at once.
//
// Keys: `relays` (set of live relay ids), `relay:<id>:alive` (refreshed by that relay's
// heartbeat, expires when it stops), `relay:<id>:sockets` (hash user -> that relay's
// sockets), `online` (hash user -> sockets on all relays; absent when offline),
// `claims:<user>` (sorted set of the user's connection slots taken by handshakes still on
// their way in, on any relay: claim id -> the Redis time in ms when it lapses).

/**
 * KEYS: relays, relay sockets, online, the user's claims. ARGV: relay id, user id, +1 or
 * -1, the claim id this connection took at its handshake ('' for none).
 * Returns 1 on an edge (came online / went offline), 0 otherwise, and -1 when this
 * relay is not registered (it was taken for dead): nothing else is changed then, and
 * the relay registers again with everything it holds.
 * The claim turns into the socket in the same step, so no other handshake ever sees the
 * slot free in between (nor counts it twice).
 */
export const CHANGE = `
if ARGV[4] ~= '' then redis.call('ZREM', KEYS[4], ARGV[4]) end
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return -1 end
local d = tonumber(ARGV[3])
if redis.call('HINCRBY', KEYS[2], ARGV[2], d) <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
local n = redis.call('HINCRBY', KEYS[3], ARGV[2], d)
if n <= 0 then redis.call('HDEL', KEYS[3], ARGV[2]) end
if (d > 0 and n == d) or (d < 0 and n <= 0) then return 1 end
return 0
`;

/**
 * KEYS: relays, relay alive, relay sockets, online. ARGV: relay id, alive ttl ms, then
 * user id and socket count pairs. Registers the relay with the sockets it holds now;
 * returns the users that this brought online. A relay already registered only has its
 * alive key refreshed (two registrations in a row must not count its sockets twice).
 */
export const REGISTER = `
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return {} end
redis.call('DEL', KEYS[3])
local edges = {}
for i = 3, #ARGV, 2 do
  local c = tonumber(ARGV[i + 1])
  redis.call('HSET', KEYS[3], ARGV[i], c)
  if redis.call('HINCRBY', KEYS[4], ARGV[i], c) == c then table.insert(edges, ARGV[i]) end
end
return edges
`;

/**
 * KEYS: relays, relay alive. ARGV: relay id, alive ttl ms. Returns 1, or 0 when the
 * relay was taken for dead meanwhile (it must register again).
 */
export const HEARTBEAT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1
`;

/**
 * KEYS: relays, relay alive, relay sockets, online. ARGV: relay id, '1' to remove it
 * even while alive (a relay leaving on purpose). Takes a relay whose alive key expired
 * out of the counts; returns the users that left offline. Only one caller can win the
 * SREM, so each dead relay's edges are announced once.
 */
export const REMOVE = `
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[2]) == 1 then return {} end
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return {} end
redis.call('DEL', KEYS[2])
local flat = redis.call('HGETALL', KEYS[3])
local edges = {}
for i = 1, #flat, 2 do
  local n = redis.call('HINCRBY', KEYS[4], flat[i], -tonumber(flat[i + 1]))
  if n <= 0 then
    redis.call('HDEL', KEYS[4], flat[i])
    table.insert(edges, flat[i])
  end
end
redis.call('DEL', KEYS[3])
return edges
`;

/**
 * KEYS: online, the user's claims. ARGV: user id, claim id, cap, claim ttl ms.
 * Takes one of the user's `cap` connection slots for a handshake: 1 when taken, 0 when
 * the user's sockets on every relay plus the claims in flight already fill the cap.
 * Counting and taking are one step, so relays admitting the same user at once cannot
 * all pass. A claim lapses by itself after its ttl: one whose relay died (or lost Redis)
 * before turning it into a socket or giving it back holds the slot only that long.
 * Lapse times use Redis's clock, the one clock every relay shares.
 */
export const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') + redis.call('ZCARD', KEYS[2])
if n >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
`;
