#!/usr/bin/env bash
# Reproduces the figures of BENCHMARKS.md with public tools instead of `cargo bench`:
# hyperfine (wall time, suite vs floor), GNU time (peak RSS), valgrind's callgrind (where the
# instructions go, how many regexes are compiled), wrk (a mock under load). Installs them from
# Debian when missing (needs root). Run from anywhere: it works in the repository's folder.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in hyperfine wrk valgrind curl; do
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

echo "== wall time, process start to exit: the suite, then the floor (the same exchanges by a bare"
echo "   reqwest client against the same mocks), 32 at once, 8 at once and one by one"
hyperfine -N --warmup 3 --runs 30 \
  "$bin run --no-color --reports $tmp/r" \
  "$bin bench floor --jobs 32 --stats $tmp/stats.json --out $tmp/floor32.json" \
  "$bin bench floor --jobs 8 --stats $tmp/stats.json --out $tmp/floor8.json" \
  "$bin bench floor --jobs 1 --stats $tmp/stats.json --out $tmp/floor1.json"
echo "the replay loop alone (last run): 32 at once $(grep -o '"loop_ms": [0-9.]*' "$tmp/floor32.json")," \
  "8 at once $(grep -o '"loop_ms": [0-9.]*' "$tmp/floor8.json"),"  \
  "one by one $(grep -o '"loop_ms": [0-9.]*' "$tmp/floor1.json")"

echo "== peak RSS of the suite"
/usr/bin/time -f "%M KiB peak RSS, %e s" "$bin" run --no-color --reports "$tmp/r" > /dev/null

echo "== where the instructions go (callgrind, inclusive, top 40)"
valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" \
  "$bin" run --no-color --reports "$tmp/r" > /dev/null 2> "$tmp/valgrind.log"
callgrind_annotate --inclusive=yes "$tmp/callgrind.out" > "$tmp/inclusive.txt"
sed -n '/file:function/,$p' "$tmp/inclusive.txt" | sed -n '1,42p'
echo "-- regexes compiled in the run (calls of regex::Regex::new), by caller"
callgrind_annotate --inclusive=yes --tree=caller "$tmp/callgrind.out" > "$tmp/callers.txt"
grep -B4 '\*  ???:regex::regex::string::Regex::new ' "$tmp/callers.txt" || true

echo "== the losgehts mock under wrk: 64 connections, 10 s, token exchange (code-reusable: one code)"
MOCK_CLIENT_SECRET=wrk-secret "$bin" mock losgehts --port 0 --defect code-reusable > "$tmp/mock.out" &
mock_pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/mock.out" 2> /dev/null && break; sleep 0.1; done
base="$(head -1 "$tmp/mock.out" | grep -o 'http://[0-9.:]*')"
location="$(curl -s -o /dev/null -w '%{redirect_url}' "$base/oauth/authorize?client_id=40&state=wrk&scope=signup")"
code="$(echo "$location" | sed 's/.*code=\([^&]*\).*/\1/')"
CODE="$code" MOCK_CLIENT_SECRET=wrk-secret wrk -t2 -c64 -d10s -s scripts/wrk-token.lua "$base"
echo "-- mock RSS after the load: $(awk '/VmRSS/ {print $2, $3}' "/proc/$mock_pid/status")"
