#!/usr/bin/env bash
# Outside validators: tools we did not write must read openapi/meetings.yaml as we mean it.
#
# 1. redocly lint (recommended rules, redocly.yaml), any warning fails;
# 2. Prism as a validating proxy (`prism proxy --errors`) in front of `ti mock`: every page of two
#    realistic synthetic tenants, every course filter, the page past the end, the vendor's example
#    served as a tenant, and the mock's drift fault injecting an unknown enum value, a null
#    aggregation entry and a null bucket entry; any response Prism flags fails;
# 3. openapi-schema-validator (OAS30Validator, formats checked) over every body collected above,
#    over the vendor's example (openapi/examples/reference-page.json) and over the mock's error
#    bodies (400, 429, 503) against ErrorBody;
# 4. Prism as a mock (`prism mock --dynamic`): 25 bodies generated from the schemas, each accepted
#    by `ti validate` and openapi-schema-validator, and a generated page listed by `ti meetings list`.
#
# Tools are pinned and installed once into $OUTSIDE_TOOLS (default target/outside-tools; keep it
# in the CI cache). Everything binds 127.0.0.1. Exits non-zero on any violation.
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_VERSION=5.14.2
REDOCLY_VERSION=2.77.0
OPENAPI_SCHEMA_VALIDATOR_VERSION=0.9.0
PYYAML_VERSION=6.0.2
TOOLS=${OUTSIDE_TOOLS:-target/outside-tools}
MOCK_PORT=${OUTSIDE_MOCK_PORT:-18181}
PRISM_PORT=${OUTSIDE_PRISM_PORT:-18182}
TOKEN=ti-demo-token
SPEC=${OUTSIDE_SPEC:-openapi/meetings.yaml}

# --- tools ------------------------------------------------------------------------------------
installed_npm() { node -p "require(require('path').resolve('$TOOLS/npm/node_modules/$1/package.json')).version" 2>/dev/null || true; }
if [ "$(installed_npm @stoplight/prism-cli)" != "$PRISM_VERSION" ] \
  || [ "$(installed_npm @redocly/cli)" != "$REDOCLY_VERSION" ]; then
  npm install --prefix "$TOOLS/npm" --no-audit --no-fund --loglevel=error \
    "@stoplight/prism-cli@$PRISM_VERSION" "@redocly/cli@$REDOCLY_VERSION"
fi
PY="$TOOLS/venv/bin/python"
if ! "$PY" -c "import openapi_schema_validator, yaml, sys; sys.exit(openapi_schema_validator.__version__ != '$OPENAPI_SCHEMA_VALIDATOR_VERSION')" 2>/dev/null; then
  python3 -m venv "$TOOLS/venv"
  "$PY" -m pip install --quiet --disable-pip-version-check \
    "openapi-schema-validator==$OPENAPI_SCHEMA_VALIDATOR_VERSION" "PyYAML==$PYYAML_VERSION"
fi
BIN="$TOOLS/npm/node_modules/.bin"
# `--install`: only install the tools (CI does it while it compiles).
[ "${1:-}" = "--install" ] && exit 0
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

# --- 1. redocly -------------------------------------------------------------------------------
echo "--- redocly lint (recommended, redocly.yaml)"
"$BIN/redocly" lint "$SPEC" --format stylish --max-problems 1000 2>&1 | tee "${TMPDIR:-/tmp}/redocly.out" | grep -v '║\|╔\|╚' || true
if ! grep -q "Your API description is valid" "${TMPDIR:-/tmp}/redocly.out" \
  || grep -q "You have [0-9]* warning" "${TMPDIR:-/tmp}/redocly.out"; then
  echo "redocly lint: not clean" >&2
  exit 1
fi

# --- 2. Prism proxy in front of ti mock -------------------------------------------------------
. scripts/ti-bin.sh
TI=$ti
WORK=$(mktemp -d)
mock=""
prism=""
cleanup() {
  [ -n "$mock" ] && kill "$mock" 2>/dev/null || true
  [ -n "$prism" ] && kill "$prism" 2>/dev/null || true
  [ -n "${OUTSIDE_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

wait_for_port() {
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# Starts `ti mock` on $MOCK_PORT with the given options (the previous one is stopped first; the
# proxy in front of it keeps running).
start_mock() {
  if [ -n "$mock" ]; then
    kill "$mock" 2>/dev/null || true
    wait "$mock" 2>/dev/null || true
  fi
  "$TI" mock --port "$MOCK_PORT" "$@" >/dev/null 2>>"$WORK/mock.log" &
  mock=$!
  wait_for_port "$MOCK_PORT"
}

violations=0
bodies=0
# Fetches one page through the proxy; the response must be Prism's pass-through of a 200 without
# an `sl-violations` header. The body is kept for openapi-schema-validator.
fetch() {
  local name=$1 query=$2
  bodies=$((bodies + 1))
  local body="$WORK/bodies/$(printf '%04d' "$bodies")-$name.json"
  local status
  status=$(curl -sS -o "$body" -D "$WORK/headers" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PRISM_PORT/incoming/v2/meetings?$query")
  if [ "$status" != 200 ] || grep -qi '^sl-violations:' "$WORK/headers"; then
    violations=$((violations + 1))
    echo "prism: $name ?$query: status $status" >&2
    grep -i '^sl-violations:' "$WORK/headers" >&2 || head -c 2000 "$body" >&2
    echo >&2
  fi
  LAST_BODY=$body
}

# Every page of the listing (and the empty one past the end), optionally filtered.
every_page() {
  local name=$1 filter=${2:-}
  local page=1
  while :; do
    fetch "$name" "${filter}page=$page"
    "$PY" -c 'import json,sys; m=(json.load(open(sys.argv[1])).get("data") or {}).get("Meetings") or {}; sys.exit(0 if m.get("meetings") else 1)' "$LAST_BODY" || break
    page=$((page + 1))
  done
}

mkdir -p "$WORK/bodies"
start_mock --meetings 300 --courses 6 --seed 1
"$BIN/prism" proxy "$SPEC" "http://127.0.0.1:$MOCK_PORT" --host 127.0.0.1 --port "$PRISM_PORT" \
  --errors >"$WORK/prism.log" 2>&1 &
prism=$!
wait_for_port "$PRISM_PORT"

echo "--- prism proxy --errors $PRISM_VERSION in front of ti mock"
every_page tenant-seed-1
for course in $("$PY" -c '
import json, sys
body = json.load(open(sys.argv[1]))
for agg in ((body.get("data") or {}).get("Meetings") or {}).get("aggregations") or []:
    if agg and agg.get("key") == "course":
        print("\n".join(b["value"] for b in agg["buckets"] if b))' "$WORK/bodies/0001-tenant-seed-1.json"); do
  every_page course "courseId=$course&"
done
start_mock --meetings 250 --courses 12 --seed 2 --per-page 100
every_page tenant-seed-2
start_mock --data openapi/examples/reference-page.json
fetch vendor-example "page=1"
start_mock --meetings 30 --drift '/data/Meetings/meetings/0/course/status="retired"'
fetch unknown-enum "page=1"
start_mock --meetings 30 --drift '/data/Meetings/meetings/1/course/kind="podcast"'
fetch unknown-enum "page=1"
start_mock --meetings 30 --drift '/data/Meetings/aggregations=[null]'
fetch null-aggregation "page=1"
start_mock --meetings 30 --drift '/data/Meetings/aggregations/0/buckets/0=null'
fetch null-bucket "page=1"
echo "prism: $bodies responses checked, $violations flagged"

# --- Prism as a mock: bodies an outside generator makes from the spec --------------------------
# `prism mock --dynamic` generates every body from the schemas (nulls, absent fields, unknown
# enum values). Our own validator (`ti validate`) and our client (`ti meetings list`) must accept
# each of them, and openapi-schema-validator checks them below.
echo "--- prism mock --dynamic $PRISM_VERSION: ti validate and ti meetings list over its bodies"
kill "$prism" 2>/dev/null || true
wait "$prism" 2>/dev/null || true
"$BIN/prism" mock "$SPEC" --host 127.0.0.1 --port "$PRISM_PORT" --dynamic --seed 1 \
  >"$WORK/prism-mock.log" 2>&1 &
prism=$!
wait_for_port "$PRISM_PORT"
generated=0
for n in $(seq 1 25); do
  body="$WORK/bodies/generated-$n.json"
  curl -sS -o "$body" -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PRISM_PORT/incoming/v2/meetings?page=$n"
  generated=$((generated + 1))
  if ! "$TI" validate "$body" >"$WORK/ti-validate.out" 2>&1; then
    violations=$((violations + 1))
    echo "ti validate rejects a body prism generated from the spec ($body):" >&2
    cat "$WORK/ti-validate.out" >&2
  fi
done
if ! TI_BASE_URL="http://127.0.0.1:$PRISM_PORT" TI_API_KEY="$TOKEN" \
  "$TI" meetings list --page 1 --format ndjson >/dev/null 2>"$WORK/ti-list.err"; then
  violations=$((violations + 1))
  echo "ti meetings list fails on a page prism generated from the spec:" >&2
  cat "$WORK/ti-list.err" >&2
fi
echo "prism mock: $generated generated bodies accepted by ti validate"

# --- 3. openapi-schema-validator --------------------------------------------------------------
echo "--- openapi-schema-validator $OPENAPI_SCHEMA_VALIDATOR_VERSION"
errors_ok=0
# The error bodies, straight from the mock (Prism would answer a bad request itself).
error_body() {
  local status=$1 query=$2
  local got
  got=$(curl -sS -o "$WORK/error-$status.json" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$MOCK_PORT/incoming/v2/meetings?$query")
  if [ "$got" != "$status" ]; then
    echo "ti mock answered $got, not $status, to ?$query" >&2
    errors_ok=1
  fi
}
start_mock --meetings 30
error_body 400 "page=0"
start_mock --meetings 30 --throttle-every 1 --retry-after 1
error_body 429 "page=1"
start_mock --meetings 30 --fail-every 1 --error-status 503
error_body 503 "page=1"
"$PY" scripts/outside/validate_bodies.py "$SPEC" ErrorBody \
  "$WORK/error-400.json" "$WORK/error-429.json" "$WORK/error-503.json" || errors_ok=1
"$PY" scripts/outside/validate_bodies.py "$SPEC" MeetingsResponse \
  openapi/examples/reference-page.json "$WORK"/bodies/*.json || errors_ok=1

if [ "$violations" -ne 0 ] || [ "$errors_ok" -ne 0 ]; then
  echo "outside validators: FAILED" >&2
  exit 1
fi
echo "outside validators: redocly clean, prism proxy $bodies responses without violation, prism mock $generated generated bodies accepted, openapi-schema-validator clean"
