#!/usr/bin/env bash
# Builds the release app into dist/ (Trunk, wasm-opt, service worker list) and the server.
#   bash scripts/build.sh          # both
#   bash scripts/build.sh app      # the app alone (its wasm in target/app: wasm_env)
#   bash scripts/build.sh server   # the server alone (target/server, copied to target/release)
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT=${1:-all}
case "$WHAT" in all|app|server) ;; *) echo "usage: bash scripts/build.sh [app|server]" >&2; exit 2;; esac
bash scripts/setup.sh
. .tools/env.sh
echo "==> build: fetch dependencies"
# Trunk runs cargo with --offline: every crate must be downloaded first.
cargo fetch --locked 2>/dev/null || cargo fetch || { echo "build FAILED: cargo fetch (is crates.io reachable?)" >&2; exit 1; }
if [ "$WHAT" != server ]; then
  echo "==> build: the app (release, wasm)"
  ( wasm_release_env; trunk build --release --offline ) || { echo "build FAILED: trunk build (see the errors above)" >&2; exit 1; }
fi
if [ "$WHAT" != app ]; then
  echo "==> build: the server (profile \"server\": release, unwinding on a panic)"
  cargo build --profile server -p hoptac-server || { echo "build FAILED: cargo build -p hoptac-server" >&2; exit 1; }
  mkdir -p target/release
  cp -f target/server/hoptac-server target/release/hoptac-server
fi
