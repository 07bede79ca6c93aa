#!/usr/bin/env bash
# Release app size (raw and gzip -9) per kind of file in dist/, against the 250 KB
# gzipped first-load budget, and, with --cold, the cold build time of the release app
# (Trunk + wasm-opt, a fresh target folder, dependencies already downloaded).
# Usage: bash bench/app-size.sh [--cold]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
. .tools/env.sh
if [ "${1:-}" = "--cold" ]; then
  cold=$(mktemp -d)
  start=$(date +%s)
  ( wasm_env; CARGO_TARGET_DIR="$cold" trunk build --release --offline --dist "$cold/dist" >/dev/null 2>&1 )
  end=$(date +%s)
  echo "cold release build of the app (trunk + wasm-opt, $(nproc) cores): $((end - start)) s"
  rm -rf "$cold"
fi
( wasm_env; trunk build --release --offline >/dev/null 2>&1 )
total_raw=0; total_gz=0
printf '%-6s %10s %10s\n' kind raw gzip
for kind in wasm js css html; do
  raw=0; gz=0
  for f in $(find dist -maxdepth 1 -name "*.$kind"); do
    raw=$((raw + $(stat -c %s "$f")))
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
  done
  printf '%-6s %10d %10d\n' "$kind" "$raw" "$gz"
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
done
printf '%-6s %10d %10d\n' total "$total_raw" "$total_gz"
awk -v g="$total_gz" 'BEGIN { printf "first load gzipped / 250 KB budget = %.2f\n", g / 256000 }'
