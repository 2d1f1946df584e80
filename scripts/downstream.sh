#!/usr/bin/env bash
# Builds every publishable crate as `cargo package` ships it, then builds and runs
# examples/downstream (a user's crate that depends on `thoughtindustries = "0.1"`) and
# examples/newcomer (a first program: list, detail, bulk write, errors matched by predicate, with
# no dependency but the SDK, futures and tokio) against those packaged crates and a started
# `ti mock` (TI_BIN: the `ti` binary to run, default: built here). The examples never see the
# source tree: they are built beside the `.crate` contents unpacked under target/package/verify/,
# their registry dependencies patched to those.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac

# Outside CI the work tree may hold uncommitted changes; CI packages the clean clone as is.
dirty=()
[ -n "${CI:-}" ] || dirty=(--allow-dirty)

# `cargo package` verifies each crate by building it alone, each with its own feature set, in a
# directory of its own: most of the dependency graph compiled eight times over. Instead the
# .crate files are unpacked side by side into one workspace and built once, in the shared target
# directory and with the workspace's lockfile, which is what the verification proves (the
# contents build on their own, against each other's packaged versions) at the cost of one build.
# The examples are members of that workspace too: built on their own, they would compile the SDK's
# dependencies once more, with their feature set. That each crate builds with its own features
# alone is what `cargo hack` checks in CI, for the client and the models.
echo "--- cargo package: every publishable crate"
cargo package --workspace --exclude xtask --exclude contract-tests --exclude thoughtindustries-fuzz \
  --no-verify "${dirty[@]}"

version=$(cargo metadata --no-deps --format-version 1 --offline |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "thoughtindustries"))')
crates=(thoughtindustries-spec thoughtindustries-codegen thoughtindustries-models thoughtindustries-mock
  thoughtindustries thoughtindustries-attendance-import thoughtindustries-contract thoughtindustries-cli)
verify=$target/package/verify
rm -rf "$verify"
mkdir -p "$verify"
{
  echo '# The packaged crates, unpacked: written by scripts/downstream.sh.'
  echo '[workspace]'
  echo 'resolver = "3"'
  printf 'members = [%s, "downstream", "newcomer"]\n' \
    "$(printf '"%s-'"$version"'", ' "${crates[@]}" | sed 's/, $//')"
  echo '[patch.crates-io]'
  for crate in "${crates[@]}"; do
    echo "$crate = { path = \"$crate-$version\" }"
  done
} >"$verify/Cargo.toml"
for crate in "${crates[@]}"; do
  tar -xzf "$target/package/$crate-$version.crate" -C "$verify"
done
cp Cargo.lock "$verify/Cargo.lock"
for example in downstream newcomer; do
  mkdir "$verify/$example"
  cp -R "examples/$example/Cargo.toml" "examples/$example/src" "$verify/$example/"
done

patches=()
# The client's build script (its default `codegen` feature) depends on the codegen and spec
# crates, so they are patched in too.
for crate in thoughtindustries thoughtindustries-models thoughtindustries-codegen thoughtindustries-spec; do
  patches+=(--config "patch.crates-io.$crate.path=\"$verify/$crate-$version\"")
done
# The examples' own lockfiles resolve against the packaged crates. TI_UPDATE_LOCKFILES=1 lets
# cargo update them (after a dependency change); otherwise they must be current (--locked).
locked=(--locked)
[ -z "${TI_UPDATE_LOCKFILES:-}" ] || locked=()
for example in downstream newcomer; do
  echo "--- examples/$example: its lockfile resolves against the packaged crates"
  cargo metadata "${locked[@]}" --format-version 1 --manifest-path "examples/$example/Cargo.toml" \
    "${patches[@]}" >/dev/null
done

echo "--- the packaged crates and the examples: built together from the .crate contents alone"
# What `cargo package` also checks: a build script must not write into the sources.
sources() { (cd "$verify" && find . -path ./target -prune -o -type f ! -name Cargo.lock -print0 | sort -z | xargs -0 sha256sum); }
before=$(sources)
CARGO_TARGET_DIR="$target" cargo build --offline --manifest-path "$verify/Cargo.toml" --workspace
if [ "$(sources)" != "$before" ]; then
  echo "building the packaged crates changed their sources (a build script writes outside OUT_DIR)" >&2
  exit 1
fi
# Built in this workspace, the examples get its lockfile's versions: they must be the ones their
# own lockfiles name, so that the build is the one their users would get.
python3 - "$verify/Cargo.lock" examples/downstream/Cargo.lock examples/newcomer/Cargo.lock <<'PY'
import sys, tomllib
def packages(path):
    with open(path, "rb") as f:
        return {(p["name"], p["version"]) for p in tomllib.load(f)["package"]}
built = packages(sys.argv[1])
for lockfile in sys.argv[2:]:
    missing = sorted(packages(lockfile) - built)
    if missing:
        sys.exit(f"{lockfile} names versions the packaged build did not use: "
                 + ", ".join(f"{n} {v}" for n, v in missing[:10]))
PY

echo "--- examples/downstream and examples/newcomer: run against ti mock"
. scripts/ti-bin.sh
meetings=137
log=$(mktemp)
"$ti" mock --port 0 --meetings "$meetings" --courses 5 >"$log" 2>/dev/null &
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

# The same program against a tenant one record of each page of which has no id (`id: null`): the
# natural `?` loop must still list every other meeting, and report each skipped record.
drifted_log=$(mktemp)
"$ti" mock --port 0 --meetings "$meetings" --courses 5 --drift '/data/Meetings/meetings/1/id=null' \
  >"$drifted_log" 2>/dev/null &
drifted=$!
trap 'kill "$mock" "$drifted" 2>/dev/null || true; rm -f "$log" "$drifted_log"' EXIT
for _ in $(seq 1 100); do
  [ -s "$drifted_log" ] && break
  sleep 0.1
done
skipped_log=$(mktemp)
lines=$(TI_BASE_URL="$(head -n 1 "$drifted_log")" TI_API_KEY=ti-demo-token "$target/debug/downstream" \
  2>"$skipped_log" | wc -l)
skipped=$(grep -c '^skipped: page [0-9]*: meeting #1 .*meetings\[1\]\.id' "$skipped_log" || true)
rm -f "$skipped_log"
if [ "$skipped" -lt 1 ] || [ $((lines + skipped)) -ne "$meetings" ]; then
  echo "downstream against a record without an id on every page: $lines listed + $skipped reported, not $meetings" >&2
  exit 1
fi
echo "downstream: with a record without an id on each page, listed $lines and reported $skipped"

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
