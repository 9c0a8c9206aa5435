--[[
  Creates a container record in state configured: the create command's commit.

  KEYS[1] container record   KEYS[2] name index   KEYS[3] id set (zset)   KEYS[4] events stream
  KEYS[5] history list       KEYS[6] results      KEYS[7] mailbox          KEYS[8] node's container set

  ARGV[1] id  ARGV[2] name  ARGV[3] node  ARGV[4] spec JSON  ARGV[5] snapshot JSON
  ARGV[6] status  ARGV[7] created (ISO)  ARGV[8] created (ms, zset score)  ARGV[9] seq
  ARGV[10] result JSON  ARGV[11] history entry JSON  ARGV[12] event JSON  ARGV[13] stream max length
  ARGV[14] the inspect object (JSON), kept for readers that do not hydrate the snapshot

  Returns: 1 (version); -2 id or name already taken
  Events: one stream entry (id, name, version=1, data)
]]
if redis.call("EXISTS", KEYS[1]) == 1 then return -2 end
if redis.call("HEXISTS", KEYS[2], ARGV[2]) == 1 then return -2 end
redis.call("HSET", KEYS[1], "id", ARGV[1], "name", ARGV[2], "node", ARGV[3], "spec", ARGV[4],
  "snapshot", ARGV[5], "status", ARGV[6], "created", ARGV[7], "version", 1, "epoch", 0, "applied", ARGV[9], "inspect", ARGV[14])
redis.call("HSET", KEYS[2], ARGV[2], ARGV[1])
redis.call("ZADD", KEYS[3], ARGV[8], ARGV[1])
redis.call("SADD", KEYS[8], ARGV[1])
redis.call("RPUSH", KEYS[5], ARGV[11])
redis.call("HSET", KEYS[6], ARGV[9], ARGV[10])
redis.call("HDEL", KEYS[7], ARGV[9])
redis.call("XADD", KEYS[4], "MAXLEN", "~", ARGV[13], "*", "id", ARGV[1], "name", ARGV[2], "version", 1, "data", ARGV[12])
return 1
