#!/usr/bin/env bash
# Issue 18: the review queue and the six-monthly review on the national dataset in
# PostgreSQL, against psql (crates/server/benches/national.rs). The dataset is generated
# once per PostgreSQL started here (several minutes at scale 1) and reused by later runs
# until `bash scripts/pg.sh stop`.
#   bash bench/national.sh [SCALE]     # SCALE: 1 = 100,000 cooperatives, 1,000,000 reports
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${HOPTAC_TEST_PG_URL:-}" ]; then eval "$(bash scripts/pg.sh start)"; fi
export HOPTAC_NATIONAL_SCALE="${1:-1}"
cargo bench -p hoptac-server --bench national
