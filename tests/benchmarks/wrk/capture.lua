-- A facilitator's capture submit: BENCH_NOTES notes, signed in, with the CSRF token, and a new
-- one-time key and new notes on every request so that each submit stores its notes (the same
-- notes from the same person within the repeat window are taken as a resend and store nothing).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
done = dofile(here .. "report.lua").done

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local csrf_token = os.getenv("BENCH_CSRF_TOKEN")
local note_count = tonumber(os.getenv("BENCH_NOTES"))
local started = os.time()
local submitted = 0

-- Unique within a run by thread and count, and between runs by the start time.
local function new_key()
  submitted = submitted + 1
  return string.format("%08x-%04x-4%03x-8%03x-%012x", started % 0x100000000, thread_number,
    math.random(0, 0xfff), math.random(0, 0xfff), submitted)
end

local function new_notes()
  local notes = {}
  for n = 1, note_count do
    notes[n] = string.format("Benchmark+note+%d+of+submit+%d-%d-%d", n, started, thread_number,
      submitted)
  end
  return table.concat(notes, "%0D%0A")
end

function request()
  local key = new_key()
  local body = "csrfmiddlewaretoken=" .. csrf_token .. "&kind=comment&key=" .. key ..
    "&notes=" .. new_notes()
  return wrk.format("POST", nil, {
    ["Cookie"] = os.getenv("BENCH_COOKIE") .. "; csrftoken=" .. csrf_token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
