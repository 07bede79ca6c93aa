#!/usr/bin/env bash
# Runs every test: that no module of a crate is part of an import cycle
# (scripts/check_cycles.py), the shared crate and the server natively (real SQLite files and a real
# PostgreSQL server started for the run by scripts/pg.sh; photos in a directory and in an
# S3-compatible server started by scripts/s3.sh), the
# IndexedDB store in headless Chromium (wasm-bindgen-test), then the release build served
# by the real server, fuzzed over its OpenAPI document (schemathesis) and driven end to end
# in Chromium (Playwright).
#
# Two lanes run side by side (the machine has two cores; each lane's steps run in order):
#   native: the shared crate's and the server's tests, the release server, the API fuzz;
#   app:    the app's store in Chromium, the release app (Trunk, wasm-split, wasm-opt).
# They build in separate target folders (the app's wasm in target/app: .tools/env.sh's
# wasm_env), so neither waits on the other's cargo lock, and each fills the other's idle
# time (tests waiting on a database or a browser, the app's one-threaded link and
# wasm-opt). Each lane's output is kept in target/lanes/ and printed when it ends. Then
# the previous release is built (for the rolling-upgrade test) from both lanes' build
# folders, and the end-to-end tests run last, on all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .tools/env.sh
START=$(date +%s)
elapsed() { echo "$(( $(date +%s) - START )) s"; }

echo "==> test: no import cycle between the modules of the app, core or the server"
python3 scripts/check_cycles.py --strict src crates/core/src crates/server/src

echo "==> test: start a throwaway PostgreSQL and an S3-compatible server (moto) on loopback"
eval "$(bash scripts/pg.sh start)"
trap 'bash scripts/pg.sh stop; bash scripts/s3.sh stop' EXIT
eval "$(bash scripts/s3.sh start)"
# Downloads once, before two cargo runs would both try.
cargo fetch --locked 2>/dev/null || cargo fetch

native_lane() {
  echo "==> test: shared crate and server (native; SQLite and PostgreSQL)"
  cargo test -p hoptac-core -p hoptac-server
  echo "==> test: build the release server"
  bash scripts/build.sh server
  echo "==> test: fuzz the API with schemathesis (no 5xx, every answer as documented)"
  bash scripts/fuzz-api.sh target/release/hoptac-server
}

app_lane() {
  echo "==> test: the app's store in headless Chromium (wasm-bindgen-test)"
  ( wasm_env; cargo test --target wasm32-unknown-unknown -p hoptac )
  echo "==> test: build the release app"
  bash scripts/build.sh app
}

mkdir -p target/lanes
echo "==> test: two lanes side by side (native; app): their output follows as each ends"
( native_lane ) > target/lanes/native.log 2>&1 &
NATIVE=$!
( app_lane ) > target/lanes/app.log 2>&1 &
APP=$!
failed=""
# Whichever ends first is printed first.
running=("$NATIVE" "$APP")
while [ "${#running[@]}" -gt 0 ]; do
  set +e
  wait -n -p DONE "${running[@]}"
  status=$?
  set -e
  if [ "$DONE" = "$NATIVE" ]; then name=native; else name=app; fi
  still=()
  for pid in "${running[@]}"; do [ "$pid" = "$DONE" ] || still+=("$pid"); done
  running=("${still[@]}")
  echo "==> lane $name ended (exit $status) after $(elapsed):"
  cat "target/lanes/$name.log"
  [ "$status" = 0 ] || failed="$failed $name"
done
[ -z "$failed" ] || { echo "test FAILED in lane(s):$failed (logs in target/lanes/)" >&2; exit 1; }

echo "==> test: build the previous release for the rolling-upgrade test (scripts/previous.sh), after $(elapsed)"
bash scripts/previous.sh

echo "==> test: end to end in Chromium (Playwright), after $(elapsed)"
npm run --silent e2e
echo "==> test: all passed in $(elapsed)"
