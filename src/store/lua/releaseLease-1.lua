--[[
  Releases a lease held by the caller.
  KEYS[1] lease   ARGV[1] token
  Returns: 1 released; 0 not the holder
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  return 1
end
return 0
