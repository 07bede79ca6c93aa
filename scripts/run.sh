#!/usr/bin/env bash
# Builds everything, then runs the server on http://127.0.0.1:8080 with SQLite in ./data
# and the Ninh Bình demo data (demo accounts are printed). Ctrl-C stops it.
# Extra arguments go to the server, e.g. scripts/run.sh --listen 127.0.0.1:8081
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec ./target/release/hoptac-server --db sqlite://data/hoptac.db --static-dir dist --demo "$@"
