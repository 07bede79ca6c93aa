#!/usr/bin/env bash
# Builds the release app into dist/ (Trunk, wasm-opt, service worker list) and the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .tools/env.sh
echo "==> build: fetch dependencies"
# Trunk runs cargo with --offline: every crate must be downloaded first.
cargo fetch --locked 2>/dev/null || cargo fetch || { echo "build FAILED: cargo fetch (is crates.io reachable?)" >&2; exit 1; }
echo "==> build: the app (release, wasm)"
( wasm_release_env; trunk build --release --offline ) || { echo "build FAILED: trunk build (see the errors above)" >&2; exit 1; }
echo "==> build: the server (profile \"server\": release, unwinding on a panic)"
cargo build --profile server -p hoptac-server || { echo "build FAILED: cargo build -p hoptac-server" >&2; exit 1; }
mkdir -p target/release
cp -f target/server/hoptac-server target/release/hoptac-server
