--[[
  Extends a lease held by the caller.
  KEYS[1] lease   ARGV[1] token   ARGV[2] lease duration (ms)
  Returns: 1 renewed; 0 not the holder (lost)
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return 1
end
return 0
