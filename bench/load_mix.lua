-- wrk script for bench/load_mix.ts: a mix of pages with real sessions.
--
-- Every request takes the next of the four paths; every four requests the thread moves on to
-- the next session cookie (so each "visit" is login page, dashboard, balance, water of one
-- resident; the login page is asked for without a cookie, as a visitor would). Threads start
-- at different cookies. wrk has no per-connection hook, so the cookie follows the thread's
-- request counter, not the connection.
--
-- Cookies: one "name=value" a line in the file named by $LOAD_MIX_COOKIES.
-- Any response outside 2xx (3xx included: a redirect to /logowanie is a lost session) is
-- counted; done() prints the counts as "LOAD_MIX ..." lines for bench/load_mix.ts to read.

local paths = { "/logowanie", "/ebok", "/ebok/saldo", "/ebok/woda" }
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  local file = assert(io.open(os.getenv("LOAD_MIX_COOKIES"), "r"))
  for line in file:lines() do
    if line ~= "" then table.insert(cookies, line) end
  end
  file:close()
  assert(#cookies > 0, "no cookies")
  counter = id * 4
  ok2xx, bad3xx, bad4xx, bad5xx, other = 0, 0, 0, 0, 0
end

function request()
  local path = paths[(counter % 4) + 1]
  local cookie = cookies[(math.floor(counter / 4) % #cookies) + 1]
  counter = counter + 1
  if path == "/logowanie" then
    -- The login page as an anonymous visitor sees it (with a session it redirects to /ebok).
    return wrk.format("GET", path)
  end
  return wrk.format("GET", path, { Cookie = cookie })
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
  elseif status >= 300 and status < 400 then
    bad3xx = bad3xx + 1
  elseif status >= 400 and status < 500 then
    bad4xx = bad4xx + 1
  elseif status >= 500 then
    bad5xx = bad5xx + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t = { ok2xx = 0, bad3xx = 0, bad4xx = 0, bad5xx = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + (thread:get(k) or 0)
    end
  end
  io.write(string.format("LOAD_MIX ok2xx=%d 3xx=%d 4xx=%d 5xx=%d other=%d\n",
    t.ok2xx, t.bad3xx, t.bad4xx, t.bad5xx, t.other))
end
