--[[
  Releases a lease held by the caller and tells workers waiting for it.
  KEYS[1] lease   ARGV[1] token   ARGV[2] release channel   ARGV[3] container id
  Returns: 1 released; 0 not the holder
  Events: PUBLISH <channel> <container id>
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  redis.call("PUBLISH", ARGV[2], ARGV[3])
  return 1
end
return 0
