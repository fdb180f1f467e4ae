-- wrk script for the serve bench: each request takes the next link of LINKS ("uid/token" lines),
-- thread i taking lines i, i+T, i+2T, …, so that no two requests use one link.
--   METHOD=GET|POST  SHAPE=accounts|django  (accounts posts to the form path, Django to the link)
local links = {}
for line in io.lines(os.getenv("LINKS")) do links[#links + 1] = line end
local method = os.getenv("METHOD")
local shape = os.getenv("SHAPE")
local threads = tonumber(os.getenv("THREADS"))
local created = 0

function setup(thread)
    thread:set("id", created)
    created = created + 1
end

function init()
    next_index = id
end

function request()
    local link = links[(next_index % #links) + 1]
    next_index = next_index + threads
    local uid, token = link:match("([^/]+)/([^/]+)")
    if method == "GET" then
        return wrk.format("GET", "/users/activate/" .. link .. "/")
    end
    local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
    if shape == "accounts" then
        return wrk.format("POST", "/users/activate/", headers, "uid=" .. uid .. "&token=" .. token .. "&action=activate")
    end
    return wrk.format("POST", "/users/activate/" .. link .. "/", headers, "")
end

done = function(summary, latency, requests)
    local statuses = summary.errors
    io.write(string.format("LINKS_USED %d\n", summary.requests))
    io.write(string.format("NON2XX %d\n", statuses.status))
end
