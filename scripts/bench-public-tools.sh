#!/usr/bin/env bash
# Reproduces figures of BENCHMARKS.md with public tools instead of `cargo bench`: hyperfine (the
# suite's wall time; the losgehts scenarios beside Hurl), GNU time (peak RSS), wrk (a mock under
# load). The round-trip-time figures need the bench's own proxy (`cargo bench`) or tc netem. Installs them from
# Debian when missing (needs root). Run from anywhere: it works in the repository's folder.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in hyperfine wrk curl; do
  command -v "$tool" > /dev/null || need+=("$tool")
done
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  apt-get install -y "${need[@]}" || { apt-get update && apt-get install -y "${need[@]}"; }
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}"
cargo build --release
bin="$CARGO_TARGET_DIR/release/idp-conformance"
tmp="$(mktemp -d)"
mock_pid=""
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2> /dev/null; rm -rf "$tmp"' EXIT

echo "== machine"
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"

echo "== the run's counters (run --stats): exchanges, schemas compiled, connections per mock"
"$bin" run --no-color --reports "$tmp/r" --stats "$tmp/stats.json" > /dev/null
grep -E '"(schemas_compiled|schema_files|exchanges|provider|connections|requests)"' "$tmp/stats.json"

echo "== the whole suite against the embedded mocks, process start to exit (budget: 200 ms median)"
hyperfine -N --warmup 3 --runs 30 "$bin run --no-color --reports $tmp/r"

echo "== peak RSS of the suite (budget: 64 MiB)"
/usr/bin/time -f "%M KiB peak RSS, %e s" "$bin" run --no-color --reports "$tmp/r" > /dev/null

echo "== the losgehts scenarios against the standalone mock, beside Hurl making the same exchanges"
echo "   (benches/hurl/losgehts). No added latency here: to add a round-trip time with public tools,"
echo "   on a kernel with sch_netem: tc qdisc add dev lo root netem delay 25ms (50 ms RTT on loopback)."
MOCK_CLIENT_SECRET=bench-secret "$bin" mock losgehts --port 0 \
  --redirect-uri http://127.0.0.1:9999/callback > "$tmp/mock.out" &
mock_pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/mock.out" 2> /dev/null && break; sleep 0.1; done
base="$(head -1 "$tmp/mock.out" | grep -o 'http://[0-9.:]*')"
printf '[providers.losgehts]\nbase_url = "%s"\nclient_id = "40"\nclient_secret_env = "MOCK_CLIENT_SECRET"\nredirect_uri = "http://127.0.0.1:9999/callback"\nauthorization = "redirect-capture"\n' \
  "$base" > "$tmp/target.toml"
runs=("env MOCK_CLIENT_SECRET=bench-secret $bin run --target $tmp/target.toml --provider losgehts --no-color --reports $tmp/t")
if command -v hurl > /dev/null; then
  runs+=("hurl --test --parallel --jobs 32 --variable base=$base --variable client_id=40 --variable client_secret=bench-secret --variable redirect_uri=http://127.0.0.1:9999/callback benches/hurl/losgehts")
else
  echo "hurl not found (cargo install hurl --version 8.0.1 --locked): the harness alone"
fi
hyperfine -N --warmup 3 --runs 20 "${runs[@]}"
kill "$mock_pid" 2> /dev/null
mock_pid=""

echo "== the losgehts mock under wrk: 64 connections, 10 s, token exchange (code-reusable: one code)"
MOCK_CLIENT_SECRET=wrk-secret "$bin" mock losgehts --port 0 --defect code-reusable > "$tmp/mock.out" &
mock_pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/mock.out" 2> /dev/null && break; sleep 0.1; done
base="$(head -1 "$tmp/mock.out" | grep -o 'http://[0-9.:]*')"
location="$(curl -s -o /dev/null -w '%{redirect_url}' "$base/oauth/authorize?client_id=40&state=wrk&scope=signup")"
code="$(echo "$location" | sed 's/.*code=\([^&]*\).*/\1/')"
CODE="$code" MOCK_CLIENT_SECRET=wrk-secret wrk -t2 -c64 -d10s -s scripts/wrk-token.lua "$base"
echo "-- mock RSS after the load: $(awk '/VmRSS/ {print $2, $3}' "/proc/$mock_pid/status")"
