-- wrk: the losgehts token exchange, one code exchanged over and over. Start the mock with
-- `--defect code-reusable` (the only change: the code is not marked unusable), so every request
-- runs the whole exchange and gets 200 with a new access token. Set CODE to a code the mock
-- issued (scripts/bench-public-tools.sh does it).
local code = os.getenv("CODE")
local secret = os.getenv("MOCK_CLIENT_SECRET")
wrk.method = "POST"
wrk.path = "/oauth/token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format(
  '{"grant_type":"authorization_code","code":"%s","client_id":"40","client_secret":"%s","state":"wrk"}',
  code, secret)

done = function(summary, latency, requests)
  io.write(string.format("p50 %d us, p99 %d us, non-2xx or errors: %d\n",
    latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
