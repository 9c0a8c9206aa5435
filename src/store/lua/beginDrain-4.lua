--[[
  Starts applying a container's mailbox up to a seq, in one round trip: the stored result if that
  seq was applied already; otherwise takes the container's lease and bumps its epoch (the fencing
  token every commit checks) and returns the record and the mailbox entries from applied+1 to seq.

  KEYS[1] lease   KEYS[2] record   KEYS[3] mailbox   KEYS[4] results
  ARGV[1] token   ARGV[2] lease duration (ms)   ARGV[3] seq
  ARGV[4] a holder the caller knows is dead (its lease is taken over at once), or ""

  Returns: {2, result JSON} already applied; {1, epoch, record as HGETALL, entries} taken (or
  renewed by the same holder); {0, ms left, holder} held by another; {-1} no such container
]]
local stored = redis.call("HGET", KEYS[4], ARGV[3])
if stored then return {2, stored} end
if redis.call("EXISTS", KEYS[2]) == 0 then return {-1} end
local holder = redis.call("GET", KEYS[1])
if holder and holder ~= ARGV[1] and holder ~= ARGV[4] then return {0, redis.call("PTTL", KEYS[1]), holder} end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
local epoch
if holder == ARGV[1] then
  epoch = tonumber(redis.call("HGET", KEYS[2], "epoch"))
else
  epoch = redis.call("HINCRBY", KEYS[2], "epoch", 1)
end
local applied = tonumber(redis.call("HGET", KEYS[2], "applied") or "0")
local entries = {}
for s = applied + 1, tonumber(ARGV[3]) do
  entries[#entries + 1] = redis.call("HGET", KEYS[3], s) or ""
end
return {1, epoch, redis.call("HGETALL", KEYS[2]), entries}
