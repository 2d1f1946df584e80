#!/usr/bin/env bash
# Builds every publishable crate as `cargo package` ships it, then builds and runs
# examples/downstream (a user's crate that depends on `thoughtindustries = "0.1"`) and
# examples/newcomer (a first program: list, detail, bulk write, errors matched by predicate, with
# no dependency but the SDK, futures and tokio) against those packaged crates and a started
# `ti mock`. The downstream crate never sees the source tree: its
# registry dependencies are patched, on the command line, to the verified `.crate` contents
# unpacked under target/package/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac

# Outside CI the work tree may hold uncommitted changes; CI packages the clean clone as is.
dirty=()
[ -n "${CI:-}" ] || dirty=(--allow-dirty)

# cargo unpacks the .crate files of its temporary registry (target/package/tmp-registry) under
# $CARGO_HOME/registry/src, and treats what it built from a registry as immutable: a local rerun
# would verify against the unpacked copies, and the builds, of an earlier run. Outside CI (always a
# clean clone) remove both for our own crates first.
if [ -z "${CI:-}" ]; then
  rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/thoughtindustries*-0.* \
    "$target"/debug/.fingerprint/thoughtindustries* "$target"/debug/deps/libthoughtindustries*
fi

echo "--- cargo package: every publishable crate, each verified by building its .crate alone"
cargo package --workspace --exclude xtask --exclude contract-tests "${dirty[@]}"

version=$(cargo metadata --no-deps --format-version 1 --offline |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "thoughtindustries"))')
patches=()
# The client's build script (its default `codegen` feature) depends on the codegen and spec
# crates, so they are patched in too.
for crate in thoughtindustries thoughtindustries-models thoughtindustries-codegen thoughtindustries-spec; do
  dir="$target/package/$crate-$version"
  [ -f "$dir/Cargo.toml" ] || { echo "no packaged $crate at $dir" >&2; exit 1; }
  patches+=(--config "patch.crates-io.$crate.path=\"$dir\"")
done

# TI_UPDATE_LOCKFILES=1 lets cargo update the examples' lockfiles (after a dependency change);
# otherwise they must be current (--locked).
locked=(--locked)
[ -z "${TI_UPDATE_LOCKFILES:-}" ] || locked=()
for example in downstream newcomer; do
  echo "--- examples/$example: build against the packaged crates"
  CARGO_TARGET_DIR="$target" cargo build "${locked[@]}" --manifest-path "examples/$example/Cargo.toml" "${patches[@]}"
done

echo "--- examples/downstream and examples/newcomer: run against ti mock"
cargo build --quiet -p thoughtindustries-cli
meetings=137
log=$(mktemp)
"$target/debug/ti" mock --port 0 --meetings "$meetings" --courses 5 >"$log" 2>/dev/null &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  [ -s "$log" ] && break
  sleep 0.1
done
base_url=$(head -n 1 "$log")
lines=$(TI_BASE_URL="$base_url" TI_API_KEY=ti-demo-token "$target/debug/downstream" | wc -l)
if [ "$lines" -ne "$meetings" ]; then
  echo "downstream printed $lines meetings, the mock serves $meetings" >&2
  exit 1
fi
echo "downstream: listed all $lines meetings of the mock through the packaged SDK"

output=$(TI_BASE_URL="$base_url" TI_API_KEY=ti-demo-token "$target/debug/newcomer")
printf '%s\n' "$output"
for expected in '^course [0-9a-f-]*: [1-9][0-9]* meeting' '^meeting .* attendee' \
  '^bulk: [0-9]* succeeded, 1 failed, 1 duplicate' '^single: user .* not found' '^newcomer: done$'; do
  grep -q "$expected" <<<"$output" || {
    echo "newcomer printed no line matching $expected" >&2
    exit 1
  }
done
echo "newcomer: listed, fetched, wrote in bulk and matched errors through the packaged SDK"
