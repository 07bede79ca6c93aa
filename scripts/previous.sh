#!/usr/bin/env bash
# Builds the previous release for the rolling-upgrade test (tests/e2e/upgrade.test.mjs):
# the commit named in tests/e2e/previous-release (or $HOPTAC_PREVIOUS), its files taken
# with `git archive` into target/previous/src and built there by that release's own
# scripts/build.sh, giving target/previous/src/target/release/hoptac-server and
# target/previous/src/dist. Run after this checkout's own build (scripts/build.sh): the
# previous server's build starts from a copy of its build folder. Built once per commit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COMMIT=${HOPTAC_PREVIOUS:-$(grep -v '^#' tests/e2e/previous-release | head -1)}
OUT=target/previous
if [ -f "$OUT/built" ] && [ "$(cat "$OUT/built")" = "$COMMIT" ] && [ -x "$OUT/src/target/release/hoptac-server" ]; then
  echo "previous release $COMMIT: built already"
  exit 0
fi
if ! git cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
  # A shallow clone (CI's may be): fetch the history, or at least the commit.
  echo "previous.sh: $COMMIT is not in this clone; fetching it"
  if [ "$(git rev-parse --is-shallow-repository)" = true ]; then git fetch -q --unshallow || true; fi
  git cat-file -e "$COMMIT^{commit}" 2>/dev/null || git fetch -q origin "$COMMIT" || true
  git cat-file -e "$COMMIT^{commit}" 2>/dev/null || { echo "previous.sh: commit $COMMIT could not be fetched (git fetch origin $COMMIT)" >&2; exit 1; }
fi
rm -rf "$OUT"
mkdir -p "$OUT/src/target" "$OUT/src/.tools"
git archive --format=tar "$COMMIT" | tar -x -C "$OUT/src"
# The server's dependencies as this checkout built them (a copy: cargo rewrites some
# files of the units it finds fresh). Their fingerprints do not depend on where the
# workspace is, so cargo compiles only what differs: hoptac's crates and a few whose
# features changed (about 3 minutes instead of 5). The app's wasm is compiled whole
# (std built from source is fingerprinted with the workspace's place).
[ -d target/server ] && cp -r --reflink=auto target/server "$OUT/src/target/server"
# The build tools (wasm-opt, the ExifReader bundle) from this checkout.
ln -s "$ROOT/node_modules" "$OUT/src/node_modules"
[ -f .tools/exifreader.stamp ] && cp .tools/exifreader.stamp "$OUT/src/.tools/"
echo "==> previous release $COMMIT: build (its own scripts/build.sh)"
( cd "$OUT/src" && bash scripts/build.sh )
echo "$COMMIT" > "$OUT/built"
