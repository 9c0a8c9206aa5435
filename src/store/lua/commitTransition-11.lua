--[[
  Commits one step of a container: fenced by the lease token and epoch, compare-and-set on the
  snapshot version, and (for the last step of a command) in strict mailbox order.

  KEYS[1] record   KEYS[2] history   KEYS[3] events stream   KEYS[4] mailbox   KEYS[5] results
  KEYS[6] lease    KEYS[7] name index   KEYS[8] id set   KEYS[9] node's container set
  KEYS[10] seq counter   KEYS[11] output stream (store/streams.ts)

  ARGV[1] lease token   ARGV[2] epoch   ARGV[3] expected version
  ARGV[4] snapshot JSON ("" = unchanged: a refused command, acknowledged without a transition)
  ARGV[5] status        ARGV[6] seq of the command this step completes (0 = an intermediate step)
  ARGV[7] result JSON (with seq > 0)   ARGV[8] history entry JSON ("" = none)
  ARGV[9] event JSON    ARGV[10] stream max length   ARGV[11] seconds to keep a removed record
  ARGV[12] the step's effects other than runtime calls (timers, cleanup requests) as JSON, "" for
           none: kept in the record until the next step, so a worker that dies before running
           them leaves them for the next one (they are idempotent)
  ARGV[13] ms to extend the lease by (the commit proves it is held), "" to leave it
  ARGV[14] release channel: the drain's last step releases the lease and tells waiting workers
           (PUBLISH <channel> <container id>), as releaseLease; "" to keep it
  ARGV[15] the inspect object after the step (JSON), kept in the record for readers that do not
           hydrate the snapshot (another machine version, ps, the inspector); "" to leave it
  ARGV[16] the durable timers pending after the step (JSON: timer id -> the version that
           scheduled it), "" for none

  Returns: the new version; -1 no such container; -3 lease lost or epoch fenced; -4 version
  conflict; -5 out of order (seq is not applied+1)
  On removal only the container's own keys expire (record, history, mailbox, results, seq), never
  the global events stream; its output stream is dropped at once.
  Events: a stream entry (id, name, version, data) for every transition; a PUBLISH on release
]]
local rec = KEYS[1]
if redis.call("EXISTS", rec) == 0 then return -1 end
if redis.call("GET", KEYS[6]) ~= ARGV[1] then return -3 end
if redis.call("HGET", rec, "epoch") ~= ARGV[2] then return -3 end
if ARGV[13] ~= "" then redis.call("PEXPIRE", KEYS[6], ARGV[13]) end
local version = tonumber(redis.call("HGET", rec, "version"))
if version ~= tonumber(ARGV[3]) then return -4 end
local seq = tonumber(ARGV[6])
if seq > 0 then
  local applied = tonumber(redis.call("HGET", rec, "applied") or "0")
  if seq ~= applied + 1 then return -5 end
  redis.call("HSET", rec, "applied", seq)
  redis.call("HSET", KEYS[5], seq, ARGV[7])
  redis.call("HDEL", KEYS[4], seq)
  -- keep the last 200 results for replays of retried jobs
  if seq > 200 then redis.call("HDEL", KEYS[5], seq - 200) end
end
local function release()
  if ARGV[14] ~= "" then
    redis.call("DEL", KEYS[6])
    redis.call("PUBLISH", ARGV[14], redis.call("HGET", rec, "id"))
  end
end
if ARGV[4] == "" then
  release()
  return version
end
version = version + 1
redis.call("HSET", rec, "snapshot", ARGV[4], "status", ARGV[5], "version", version)
if ARGV[15] ~= "" then redis.call("HSET", rec, "inspect", ARGV[15]) end
if ARGV[12] ~= "" then redis.call("HSET", rec, "effects", ARGV[12]) else redis.call("HDEL", rec, "effects") end
if ARGV[16] ~= "" then redis.call("HSET", rec, "timers", ARGV[16]) else redis.call("HDEL", rec, "timers") end
if ARGV[8] ~= "" then redis.call("RPUSH", KEYS[2], ARGV[8]) end
local id = redis.call("HGET", rec, "id")
local name = redis.call("HGET", rec, "name")
redis.call("XADD", KEYS[3], "MAXLEN", "~", ARGV[10], "*", "id", id, "name", name, "version", version, "data", ARGV[9])
if ARGV[5] == "removed" then
  if redis.call("HGET", KEYS[7], name) == id then redis.call("HDEL", KEYS[7], name) end
  redis.call("ZREM", KEYS[8], id)
  redis.call("SREM", KEYS[9], id)
  -- only the removed container's own keys expire: never the events stream (KEYS[3]), which is global
  local ttl = tonumber(ARGV[11])
  for _, i in ipairs({1, 2, 4, 5, 10}) do redis.call("EXPIRE", KEYS[i], ttl) end
  redis.call("DEL", KEYS[6], KEYS[11])
end
release()
return version
