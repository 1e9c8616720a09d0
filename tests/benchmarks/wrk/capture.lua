-- A facilitator's capture submit: BENCH_NOTES notes, signed in, with the CSRF token, and a new
-- one-time key on every request so that each submit stores its notes.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
done = dofile(here .. "report.lua").done

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local csrf_token = os.getenv("BENCH_CSRF_TOKEN")
local notes = {}
for n = 1, tonumber(os.getenv("BENCH_NOTES")) do
  notes[n] = "Benchmark+note+" .. n
end
local started = os.time()
local submitted = 0

-- Unique within a run by thread and count, and between runs by the start time.
local function new_key()
  submitted = submitted + 1
  return string.format("%08x-%04x-4%03x-8%03x-%012x", started % 0x100000000, thread_number,
    math.random(0, 0xfff), math.random(0, 0xfff), submitted)
end

-- The notes differ on every request too: the same notes from the same person within 30 minutes
-- are taken as the same submit sent again, and store nothing.
function request()
  local key = new_key()
  local body = "csrfmiddlewaretoken=" .. csrf_token .. "&kind=comment&key=" .. key ..
    "&notes=" .. table.concat(notes, "+" .. key .. "%0D%0A") .. "+" .. key
  return wrk.format("POST", nil, {
    ["Cookie"] = os.getenv("BENCH_COOKIE") .. "; csrftoken=" .. csrf_token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
