--[[
  Appends a batch of a source's output (a container's stdout and stderr) to its stream,
  compare-and-set on the stream's position: the file generation and byte offset the batch was
  read from. Shippers that race (a node's worker pool) or resume (a worker restarted after
  SIGKILL) therefore never append a batch twice nor skip one: the loser is told the position and
  reads again from there. The position lives in the stream itself, in the last entry of every
  batch (fields g, o, r), so trimming (MAXLEN ~, oldest first) never loses it and dropping the
  stream (the container's removal) drops it too.

  KEYS[1] the container's record   KEYS[2] the stream

  ARGV[1] expected generation ("" for a stream without a position yet)
  ARGV[2] expected offset
  ARGV[3] generation after the batch (a new file starts a new one)
  ARGV[4] offset after the batch
  ARGV[5] stream max length (MAXLEN ~)
  ARGV[6] the run this batch ends ("" for none): an end entry is appended after the lines, once
          per run (a run at or below the last ended one, r, adds none)
  ARGV[7] its exit code   ARGV[8] its time (ISO)
  ARGV[9..] the lines, 4 arguments each: stream (stdout|stderr), conmon's time, partial ("1" or
          ""), the bytes (binary, as read)

  Entries: a line {s, t, b[, p]}; an end {end, x, t}; the last entry of a batch also carries
  {g, o, r}: generation, offset, last ended run.

  Returns: {1, entries appended, generation, offset, last ended run} appended (the position after
  it: unchanged when there was nothing to append); {0, generation, offset, last ended run} the
  stream is not at the expected position (nothing appended); {2} the container is removed;
  {-1} no such container
]]
local rec = KEYS[1]
if redis.call("EXISTS", rec) == 0 then return {-1} end
if redis.call("HGET", rec, "status") == "removed" then return {2} end
local gen, off, ended = "", 0, -1
local last = redis.call("XREVRANGE", KEYS[2], "+", "-", "COUNT", 1)[1]
if last then
  local f = last[2]
  for i = 1, #f, 2 do
    if f[i] == "g" then gen = f[i + 1] elseif f[i] == "o" then off = tonumber(f[i + 1]) elseif f[i] == "r" then ended = tonumber(f[i + 1]) end
  end
end
if gen ~= ARGV[1] or off ~= tonumber(ARGV[2]) then return {0, gen, off, ended} end
local lines = (#ARGV - 8) / 4
local endRun = tonumber(ARGV[6])
local withEnd = endRun ~= nil and endRun > ended
if withEnd then ended = endRun end
local total = lines + (withEnd and 1 or 0)
if total == 0 then return {1, 0, gen, off, ended} end
local function add(fields, n)
  if n == total then
    fields[#fields + 1] = "g"; fields[#fields + 1] = ARGV[3]
    fields[#fields + 1] = "o"; fields[#fields + 1] = ARGV[4]
    fields[#fields + 1] = "r"; fields[#fields + 1] = ended
  end
  redis.call("XADD", KEYS[2], "MAXLEN", "~", ARGV[5], "*", unpack(fields))
end
for i = 1, lines do
  local a = 8 + (i - 1) * 4
  local fields = {"s", ARGV[a + 1], "t", ARGV[a + 2], "b", ARGV[a + 4]}
  if ARGV[a + 3] == "1" then fields[#fields + 1] = "p"; fields[#fields + 1] = "1" end
  add(fields, i)
end
if withEnd then add({"end", endRun, "x", ARGV[7], "t", ARGV[8]}, total) end
return {1, total, ARGV[3], tonumber(ARGV[4]), ended}
