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
# The app as the first load gets it (every file but the lazy pages' parts, including the
# service worker and snippets), then the lazy pages' wasm parts that are fetched when their
# page is first opened, and cached by the service worker after the first load.
total_raw=0; total_gz=0; total_br=0
row() {  # label, files...
  local label=$1; shift
  local raw=0 gz=0 br=0 f
  for f in "$@"; do
    raw=$((raw + $(stat -c %s "$f")))
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
    if [ -f "$f.br" ]; then br=$((br + $(stat -c %s "$f.br"))); else br=$((br + $(stat -c %s "$f"))); fi
  done
  printf '%-14s %4d %10d %10d %10d\n' "$label" "$#" "$raw" "$gz" "$br"
  last_raw=$raw; last_gz=$gz; last_br=$br
}
is_part() { case "$(basename "$1")" in split_*.wasm|chunk_*.wasm) return 0;; *) return 1;; esac; }
printf '%-14s %4s %10s %10s %10s\n' kind files raw gzip brotli
for kind in wasm js css html; do
  files=()
  while IFS= read -r f; do is_part "$f" || files+=("$f"); done < <(find dist -name "*.$kind" | sort)
  row "$kind" "${files[@]}"
  total_raw=$((total_raw + last_raw)); total_gz=$((total_gz + last_gz)); total_br=$((total_br + last_br))
done
printf '%-14s %4s %10d %10d %10d\n' "first load" "" "$total_raw" "$total_gz" "$total_br"
parts=()
while IFS= read -r f; do if is_part "$f"; then parts+=("$f"); fi; done < <(find dist -name "*.wasm" | sort)
row "lazy parts" "${parts[@]}"
printf '%-14s %4s %10d %10d %10d\n' "whole app" "" "$((total_raw + last_raw))" "$((total_gz + last_gz))" "$((total_br + last_br))"
# What a device keeps for offline use: every file but the parts (the service worker's
# PRECACHE), plus the parts of its user's role (sw.js PARTS; src/pwa.rs keep_parts).
precache=()
while IFS= read -r f; do is_part "$f" || precache+=("$f"); done < <(find dist -type f ! -name "*.br" ! -name "*.gz" ! -name "sw.js" | sort)
parts_of() {  # role names → their wasm files, as the built sw.js lists them
  node -e '
    const sw = require("fs").readFileSync("dist/sw.js", "utf8");
    const parts = JSON.parse(sw.match(/const PARTS = (\{.*\});/)[1]);
    const files = new Set(process.argv.slice(1).flatMap((n) => parts[n] || []));
    for (const f of files) console.log("dist" + f);
  ' "$@"
}
mapfile -t officer_parts < <(parts_of officer)
mapfile -t supervisor_parts < <(parts_of supervisor)
row "kept: officer" "${precache[@]}" "${officer_parts[@]}"
row "kept: superv." "${precache[@]}" "${supervisor_parts[@]}"
awk -v g="$total_gz" -v b="$total_br" 'BEGIN { printf "first load / 250 KB budget: gzip %.2f, brotli (as served) %.2f\n", g / 256000, b / 256000 }'
