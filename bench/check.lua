-- wrk script for bench/run.sh: counts every answer that is not a 200 with exactly the
-- expected body (the file named by the first argument after `--`), so a benchmark of
-- a server answering 404s, or the wrong page, cannot pass for a result. Bodies are
-- compared as received, compressed ones too. Prints one line at the end:
--   checked N bad_status S bad_body B
-- Every thread has its own Lua state, so the counts are kept per thread and added up.
--
-- A second argument paces the load: each connection waits that many milliseconds
-- after an answer before its next request, so the servers are measured at a steady
-- rate below what saturates the cores rather than flat out.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"), "cannot open the expected body")
  expected = file:read("*a")
  file:close()
  checked = 0
  bad_status = 0
  bad_body = 0
  local pause = tonumber(args[2])
  -- wrk looks for `delay` after `init`, and only when it exists does it put a timer
  -- before every request: defined only when pacing, so the flat-out runs stay as they were.
  if pause then
    function delay()
      return pause
    end
  end
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif body ~= expected then
    bad_body = bad_body + 1
  end
end

function done(summary, latency, requests)
  local c, s, b = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("checked")
    s = s + thread:get("bad_status")
    b = b + thread:get("bad_body")
  end
  io.write(string.format("checked %d bad_status %d bad_body %d\n", c, s, b))
end
