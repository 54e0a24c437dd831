-- wrk script for bench/runs.sh: run ingest, POST /api/runs/{externalId},
-- every request creating a new run the way the run bridge does.
--
-- Usage:
--   wrk -t2 -c16 -d5s -s bench/runs_ingest.lua http://127.0.0.1:PORT -- \
--     BEAMTIME_ID SAMPLE_ID CHEMICAL_ID STRING_ID INTEGER_ID NUMBER_ID BOOLEAN_ID CHOICE_ID
--
-- The arguments are the ids of the beamtime, of the chemical attributo
-- "sample", of a chemical, and of one run attributo each of kind string,
-- integer, number, boolean and choice (enum a/b/c), as created by
-- bench/generate_beamtime.py.
--
-- Each body is the run bridge's create call (spec §10): a value for a handful
-- of attributi by id, one raw file glob, `started` in UTC ms, no `stopped`
-- (the bridge sends it only with its final stop update), create_data_set
-- false.
--
-- External ids: wrk runs every thread in its own Lua state, so a counter in
-- one state knows nothing of the others. setup() (run once per thread in the
-- main state) hands each thread a disjoint block of ids; within a thread
-- requests take consecutive ids from its block. Blocks start above any run
-- number the generator uses.

local FIRST_EXTERNAL_ID = 1000000
local IDS_PER_THREAD = 100000000

local thread_count = 0

function setup(thread)
  thread:set("first_external_id", FIRST_EXTERNAL_ID + thread_count * IDS_PER_THREAD)
  thread_count = thread_count + 1
end

local next_external_id
local last_external_id
local ids = {}
local started_ms

function init(args)
  local names = { "beamtime", "sample", "chemical", "string", "integer", "number", "boolean", "choice" }
  for i, name in ipairs(names) do
    local v = tonumber(args[i])
    if v == nil then
      error("runs_ingest.lua: argument " .. i .. " (" .. name .. " id) missing or not a number")
    end
    ids[name] = v
  end
  next_external_id = first_external_id
  last_external_id = first_external_id + IDS_PER_THREAD - 1
  started_ms = os.time() * 1000
end

function request()
  local n = next_external_id
  if n > last_external_id then
    error("runs_ingest.lua: thread ran out of external ids")
  end
  next_external_id = n + 1
  local body = string.format(
    '{"beamtime_id":%d,"attributi":['
      .. '{"attributo_id":%d,"attributo_value_str":"value %d"},'
      .. '{"attributo_id":%d,"attributo_value_int":%d},'
      .. '{"attributo_id":%d,"attributo_value_float":%.4f},'
      .. '{"attributo_id":%d,"attributo_value_bool":%s},'
      .. '{"attributo_id":%d,"attributo_value_str":"%s"},'
      .. '{"attributo_id":%d,"attributo_value_chemical":%d}],'
      .. '"files":[{"id":0,"glob":"/data/raw/run-%d/*.h5","source":"raw"}],'
      .. '"started":%d,"create_data_set":false}',
    ids.beamtime,
    ids.string, n % 97,
    ids.integer, n % 1000,
    ids.number, (n % 500) / 7,
    ids.boolean, (n % 2 == 0) and "true" or "false",
    ids.choice, ({ "a", "b", "c" })[n % 3 + 1],
    ids.sample, ids.chemical,
    n,
    started_ms + (n - first_external_id))
  return wrk.format("POST", "/api/runs/" .. n, { ["Content-Type"] = "application/json" }, body)
end
