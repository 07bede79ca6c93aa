#!/usr/bin/env bash
# Release app size per kind of file in dist/: raw, gzip -9, and brotli (the .br files the
# build writes and the server sends), against the 250 KB first-load budget, and, with --cold, the cold build time of the release app
# (Trunk + wasm-opt, a fresh target folder, dependencies already downloaded).
# Usage: bash bench/app-size.sh [--cold]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
. .tools/env.sh
if [ "${1:-}" = "--cold" ]; then
  cold=$(mktemp -d)
  start=$(date +%s)
  ( wasm_release_env; CARGO_TARGET_DIR="$cold" trunk build --release --offline --dist "$cold/dist" >/dev/null 2>&1 )
  end=$(date +%s)
  echo "cold release build of the app (trunk + wasm-opt, $(nproc) cores): $((end - start)) s"
  rm -rf "$cold"
fi
( wasm_release_env; trunk build --release --offline >/dev/null 2>&1 )
total_raw=0; total_gz=0; total_br=0
printf '%-6s %10s %10s %10s\n' kind raw gzip brotli
for kind in wasm js css html; do
  raw=0; gz=0; br=0
  for f in $(find dist -maxdepth 1 -name "*.$kind"); do
    raw=$((raw + $(stat -c %s "$f")))
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
    br=$((br + $(stat -c %s "$f.br")))
  done
  printf '%-6s %10d %10d %10d\n' "$kind" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
done
printf '%-6s %10d %10d %10d\n' total "$total_raw" "$total_gz" "$total_br"
awk -v g="$total_gz" -v b="$total_br" 'BEGIN { printf "first load / 250 KB budget: gzip %.2f, brotli (as served) %.2f\n", g / 256000, b / 256000 }'
