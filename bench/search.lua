-- Search queries for bench/run.sh: cycles through Arabic and English queries (one request each).
-- Percent-encoded; the plain queries are listed in docs/PERFORMANCE.md.
local queries = {
  "%D8%A7%D9%84%D9%82%D8%A7%D9%87%D8%B1%D8%A9", -- القاهرة
  "%D9%85%D8%B5%D8%B1", -- مصر
  "%D9%84%D9%8A%D9%84%D9%89%20%D8%AD%D8%AF%D8%A7%D8%AF", -- ليلى حداد
  "%D9%83%D8%B1%D8%A9%20%D8%A7%D9%84%D9%82%D8%AF%D9%85", -- كرة القدم
  "%22%D8%A7%D9%84%D8%A8%D9%86%D9%83%20%D8%A7%D9%84%D9%85%D8%B1%D9%83%D8%B2%D9%8A%22", -- "البنك المركزي"
  "%D8%A7%D9%84%D8%AD%D9%83%D9%88%D9%85%D8%A9", -- الحكومة
  "Cairo", -- Cairo
  "Egypt", -- Egypt
  "Sara%20Khoury", -- Sara Khoury
  "football", -- football
  "%22central%20bank%22", -- "central bank"
  "government", -- government
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/search?q=" .. queries[(i % #queries) + 1])
end
