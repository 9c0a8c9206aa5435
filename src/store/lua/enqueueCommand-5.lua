--[[
  Appends a command to a container's mailbox and gives it the container's next sequence number.
  The mailbox, not the BullMQ job, is the durable record of the command: a worker applies
  mailbox entries strictly in seq order, whoever's job woke it.

  KEYS[1] container record (hash)
  KEYS[2] container seq counter
  KEYS[3] container mailbox (hash seq -> command JSON)
  KEYS[4] name index (hash name -> id)
  KEYS[5] the command's id key (the producer's id for this command; "" in ARGV[5] for none)

  ARGV[1] mode: "create" (the record must not exist yet) or "command"
  ARGV[2] command JSON
  ARGV[3] name (create only; "" for none)
  ARGV[4] dedupe key ("" for none): a command whose key equals the last one is dropped (returns 0)
  ARGV[5] command id ("" for none): a retry of a command already queued gets the seq it was given
  ARGV[6] seconds to remember a command id

  Returns: seq (> 0); 0 deduplicated; -1 no such container; -2 id or name already taken
]]
if ARGV[5] ~= "" then
  local known = redis.call("GET", KEYS[5])
  if known then return tonumber(known) end
end
local mode = ARGV[1]
if mode == "create" then
  if redis.call("EXISTS", KEYS[1]) == 1 then return -2 end
  if ARGV[3] ~= "" and redis.call("HEXISTS", KEYS[4], ARGV[3]) == 1 then return -2 end
else
  local status = redis.call("HGET", KEYS[1], "status")
  if (not status) or status == "removed" then return -1 end
  if ARGV[4] ~= "" then
    if redis.call("HGET", KEYS[1], "dedupe") == ARGV[4] then return 0 end
    redis.call("HSET", KEYS[1], "dedupe", ARGV[4])
  end
end
local seq = redis.call("INCR", KEYS[2])
redis.call("HSET", KEYS[3], seq, ARGV[2])
if ARGV[5] ~= "" then redis.call("SET", KEYS[5], seq, "EX", ARGV[6]) end
return seq
