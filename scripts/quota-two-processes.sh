#!/usr/bin/env bash
# Two `ti meetings list --all` processes sharing one key under `ti mock --quota 8/2s` (40 pages
# of 25 meetings each, 20 ms latency): each process's time, exit code and the 429s it was answered
# (counted from its -v log). Usage: scripts/quota-two-processes.sh [path/to/ti]
set -euo pipefail
ti=${1:-target/debug/ti}
dir=$(mktemp -d)
"$ti" mock --port 0 --meetings 1000 --per-page 25 --latency-ms 20 --quota 8/2s >"$dir/url" 2>/dev/null &
mock=$!
trap 'kill $mock 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do [[ -s "$dir/url" ]] && break; sleep 0.1; done
export TI_BASE_URL=$(head -1 "$dir/url") TI_API_KEY=ti-demo-token
run() {
  local start=$(date +%s.%N) code=0
  "$ti" -v meetings list --all --format ndjson >"$dir/$1.out" 2>"$dir/$1.err" || code=$?
  local end=$(date +%s.%N)
  printf '%s: %.2f s, exit %s, %s meetings, %s answers of 429, %s waiting lines\n' "$1" \
    "$(echo "$end - $start" | bc)" "$code" "$(wc -l <"$dir/$1.out")" \
    "$(grep -c '429 Too Many Requests' "$dir/$1.err" || true)" \
    "$(grep -c '^ti: rate limit' "$dir/$1.err" || true)"
}
run first & a=$!
run second & b=$!
wait $a $b
