-- One workbench save as the page's script makes it: a note's area, signed in, with the CSRF
-- token, asking for JSON. Requests take the notes of BENCH_NOTE_IDS and the areas of
-- BENCH_AREA_IDS in turn, so that each save changes something and no two wait on one row lock.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
done = dofile(here .. "report.lua").done

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local function numbers(text)
  local found = {}
  for number in string.gmatch(text or "", "%d+") do
    found[#found + 1] = number
  end
  return found
end

local csrf_token = os.getenv("BENCH_CSRF_TOKEN")
local notes = numbers(os.getenv("BENCH_NOTE_IDS"))
local areas = numbers(os.getenv("BENCH_AREA_IDS"))
local sent = 0

function request()
  sent = sent + 1
  -- Each thread keeps to its own half of the notes.
  local note = notes[(sent * 2 + (thread_number or 1)) % #notes + 1]
  local area = areas[sent % #areas + 1]
  local body = "csrfmiddlewaretoken=" .. csrf_token .. "&action=one&note=" .. note ..
    "&n" .. note .. "-area=" .. area .. "&n" .. note .. "-hidden_reason="
  return wrk.format("POST", nil, {
    ["Cookie"] = os.getenv("BENCH_COOKIE") .. "; csrftoken=" .. csrf_token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["X-CSRFToken"] = csrf_token,
  }, body)
end
