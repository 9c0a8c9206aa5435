--[[
  Frees the active jobs of BullMQ workers known dead, so BullMQ's next stalled check moves them
  back to wait at once, instead of after their lock expires and two more checks pass.
  A job is freed only while its lock is still a dead worker's (token "<worker id>:<n>").

  KEYS[1] the queue's active list   KEYS[2] its stalled set   KEYS[3] its stalled-check key
  ARGV[1] the queue's job key prefix ("<prefix>:<queue>:")   ARGV[2..] dead worker ids

  Returns: the number of jobs freed
]]
local dead = {}
for i = 2, #ARGV do dead[ARGV[i]] = true end
local freed = 0
for _, jobId in ipairs(redis.call("LRANGE", KEYS[1], 0, -1)) do
  local lockKey = ARGV[1] .. jobId .. ":lock"
  local lock = redis.call("GET", lockKey)
  if lock then
    local worker = string.match(lock, "^(.*):%d+$")
    if worker and dead[worker] then
      redis.call("DEL", lockKey)
      redis.call("SADD", KEYS[2], jobId)
      freed = freed + 1
    end
  end
end
-- the stalled check is rate limited by this key: let the next one run now
if freed > 0 then redis.call("DEL", KEYS[3]) end
return freed
