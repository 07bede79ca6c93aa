#!/usr/bin/env bash
# Runs every test: that no module of a crate is part of an import cycle
# (scripts/check_cycles.py), the shared crate and the server natively (real SQLite files and a real
# PostgreSQL server started for the run by scripts/pg.sh; photos in a directory and in an
# S3-compatible server started by scripts/s3.sh), the
# IndexedDB store in headless Chromium (wasm-bindgen-test), then the release build served
# by the real server, fuzzed over its OpenAPI document (schemathesis) and driven end to end
# in Chromium (Playwright).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .tools/env.sh

echo "==> test: no import cycle between the modules of the app, core or the server"
python3 scripts/check_cycles.py --strict src crates/core/src crates/server/src

echo "==> test: start a throwaway PostgreSQL and an S3-compatible server (moto) on loopback"
eval "$(bash scripts/pg.sh start)"
trap 'bash scripts/pg.sh stop; bash scripts/s3.sh stop' EXIT
eval "$(bash scripts/s3.sh start)"

echo "==> test: shared crate and server (native; SQLite and PostgreSQL)"
cargo test -p hoptac-core -p hoptac-server

echo "==> test: the app's store in headless Chromium (wasm-bindgen-test)"
( wasm_env; cargo test --target wasm32-unknown-unknown -p hoptac )

echo "==> test: build the release app and server"
bash scripts/build.sh >/dev/null

echo "==> test: fuzz the API with schemathesis (no 5xx, every answer as documented)"
bash scripts/fuzz-api.sh target/release/hoptac-server

echo "==> test: end to end in Chromium (Playwright)"
npm run --silent e2e
