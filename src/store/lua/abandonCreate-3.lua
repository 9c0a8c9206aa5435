--[[
  Forgets a create command that failed before its record was written, so a failed create changes
  nothing (the id's counter and mailbox are dropped).
  KEYS[1] record   KEYS[2] seq counter   KEYS[3] mailbox
  Returns: 1 dropped; 0 the record exists (nothing to abandon)
]]
if redis.call("EXISTS", KEYS[1]) == 1 then return 0 end
redis.call("DEL", KEYS[2], KEYS[3])
return 1
