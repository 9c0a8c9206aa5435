--[[
  Takes a container's lease and bumps its epoch (the fencing token every commit checks).

  KEYS[1] lease   KEYS[2] record
  ARGV[1] token   ARGV[2] lease duration (ms)
  ARGV[3] a holder the caller knows is dead (its lease is taken over at once), or ""

  Returns: {epoch, 0, ""} taken (or renewed by the same holder); {0, ms left, holder} held by
  another; {-1, 0, ""} no such container
]]
if redis.call("EXISTS", KEYS[2]) == 0 then return {-1, 0, ""} end
local holder = redis.call("GET", KEYS[1])
if holder and holder ~= ARGV[1] and holder ~= ARGV[3] then return {0, redis.call("PTTL", KEYS[1]), holder} end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
if holder == ARGV[1] then return {tonumber(redis.call("HGET", KEYS[2], "epoch")), 0, ""} end
return {redis.call("HINCRBY", KEYS[2], "epoch", 1), 0, ""}
