#!/usr/bin/env bash
# Issue 18: 500 simulated tablets pushing and pulling through nginx to one and two
# instances, SQLite and PostgreSQL (crates/server/benches/load.rs); or the memory soak:
#   bash bench/load.sh
#   HOPTAC_SOAK_MINUTES=10 bash bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${HOPTAC_TEST_PG_URL:-}" ]; then eval "$(bash scripts/pg.sh start)"; fi
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true
cargo bench -p hoptac-server --bench load
