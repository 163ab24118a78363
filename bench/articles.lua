-- Article reads for bench/mixed.sh: cycles through the article paths listed (one per line) in
-- the file named by ARTICLES_FILE, so that reads spread over many cached entries.
local paths = {}
for line in io.lines(os.getenv("ARTICLES_FILE")) do
  paths[#paths + 1] = line
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
