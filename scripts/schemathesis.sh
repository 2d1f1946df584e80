#!/usr/bin/env bash
# Runs schemathesis (from PyPI, into .venv) with every check against a started `ti mock`, using
# openapi/meetings.yaml, the stateful phase following the spec's links (listing -> detail -> attendance).
# Exits non-zero on any failure. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
PORT=${PORT:-18080}

if [ "$(.venv/bin/st --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1)" != "$SCHEMATHESIS_VERSION" ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}"
fi
# `--install`: only install the tool (CI does it while it compiles).
[ "${1:-}" = "--install" ] && exit 0

. scripts/ti-bin.sh
"$ti" mock --port "$PORT" --meetings 300 --courses 6 >/dev/null 2>"${TMPDIR:-/tmp}/ti-mock-schemathesis.log" &
mock=$!
trap 'kill "$mock" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null && break
  sleep 0.1
done

.venv/bin/st run openapi/meetings.yaml \
  --url "http://127.0.0.1:${PORT}" \
  --header "Authorization: Bearer ti-demo-token" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples 200 \
  --workers 1 \
  --seed 1
