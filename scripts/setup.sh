#!/usr/bin/env bash
# Installs everything hoptac needs to build and test, skipping what is already there at
# the right version. Safe to run again. Called by `make run` and `make test`.
#
# Works on a fresh Debian machine where rustup has no wasm32 target (Debian's rustc-web
# with its std source builds std for wasm32: "build-std"), and on an ordinary developer
# machine where `rustup target add wasm32-unknown-unknown` works.
#
# Writes .tools/env.sh, which the other scripts source: PATH and the wasm build settings.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TRUNK_VERSION=0.21.14
# wasm-split-cli (crate wasm_split_cli_support): cuts the app's wasm at its lazy pages.
WASM_SPLIT_VERSION=0.2.4
mkdir -p .tools

step() { printf '\n==> setup: %s\n' "$*"; }
die() { printf '\nsetup FAILED at step "%s": %s\n' "$CURRENT" "$*" >&2; exit 1; }
CURRENT=start
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install these packages by hand: $*"
  if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq || die "apt-get update failed (no network?)"; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}

CURRENT="Rust toolchain"
step "$CURRENT"
command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs) and run again"
export PATH="$HOME/.cargo/bin:$PATH"

# The wasm-bindgen version is pinned in Cargo.toml ("=X"); the CLI must match it exactly.
WBG_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$WBG_VERSION" ] || die "could not read the wasm-bindgen version pinned in Cargo.toml"

CURRENT="wasm32 target"
step "$CURRENT"
WASM_ENV=""
# Extra flags for the release app only (issue 6's size budget): with std built from
# source they drop Debug formatting code, panic location strings and the panic machinery
# (about 10% of the wasm; see docs/BENCHMARKS.md). Unavailable with rustup's prebuilt std.
SIZE_FLAGS=""
# std built from source for the release app uses its smaller implementations (sorting,
# formatting): 1.5% less wasm (docs/BENCHMARKS.md). Only with build-std.
RELEASE_STD=":"
if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "rustup's wasm32-unknown-unknown target is installed"
else
  # Debian's rustc-web ships the std source: build std for wasm32 ourselves.
  if [ ! -x /usr/lib/llvm-22/bin/wasm-ld ] || [ ! -d /usr/lib/rustlib/src/rust/library ] || ! /usr/bin/rustc --version 2>/dev/null | grep -q '^rustc 1\.9[6-9]'; then
    if command -v apt-get >/dev/null; then
      echo "installing Debian's rustc-web, its std source and wasm-ld (about a minute)"
      apt_install rustc-web cargo-web rust-web-src lld-22
    elif command -v rustup >/dev/null; then
      echo "trying rustup target add wasm32-unknown-unknown"
      timeout 600 rustup target add wasm32-unknown-unknown || die "no wasm32 target: run 'rustup target add wasm32-unknown-unknown' or install Debian's rustc-web rust-web-src lld-22"
    fi
  fi
  if ! (command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown); then
    [ -x /usr/bin/rustc ] && [ -x /usr/lib/llvm-22/bin/wasm-ld ] || die "Debian's rustc-web / lld-22 are missing after install"
    TOOLCHAIN_LINE=""
    if command -v rustup >/dev/null; then
      rustup toolchain list | grep -q '^hoptac-debian' || rustup toolchain link hoptac-debian /usr || die "rustup toolchain link hoptac-debian /usr failed"
      TOOLCHAIN_LINE="export RUSTUP_TOOLCHAIN=hoptac-debian"
    else
      TOOLCHAIN_LINE="export PATH=/usr/bin:\$PATH"
    fi
    WASM_ENV="$TOOLCHAIN_LINE
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-22/bin/wasm-ld"
    SIZE_FLAGS="-Zfmt-debug=none -Zlocation-detail=none -Zunstable-options -Cpanic=immediate-abort"
    RELEASE_STD="export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size"
    echo "wasm32 via Debian's $(/usr/bin/rustc --version) with build-std"
  fi
fi

CURRENT="Chromium and ChromeDriver"
step "$CURRENT"
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "found $(/usr/bin/chromium --version 2>/dev/null | head -1)"
else
  apt_install chromium chromium-driver
fi

CURRENT="PostgreSQL (for the tests of the PostgreSQL storage)"
step "$CURRENT"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "found $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
else
  apt_install postgresql
  # Debian starts a cluster of its own on install; the tests start their own (scripts/pg.sh).
fi

CURRENT="nginx (the proxy in front of two server instances in the tests)"
step "$CURRENT"
if [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null; then
  echo "found $(/usr/sbin/nginx -v 2>&1 || nginx -v 2>&1)"
else
  apt_install nginx
fi

CURRENT="wasm-bindgen-cli $WBG_VERSION"
step "$CURRENT"
if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WBG_VERSION"; then
  echo "found wasm-bindgen $WBG_VERSION"
else
  echo "building wasm-bindgen-cli $WBG_VERSION (about 4 minutes)"
  cargo install wasm-bindgen-cli --version "=$WBG_VERSION" --force || die "cargo install wasm-bindgen-cli failed; check that crates.io is reachable"
fi

CURRENT="wasm-split-cli $WASM_SPLIT_VERSION"
step "$CURRENT"
# Splits the app's wasm at its #[lazy] pages before wasm-bindgen runs (scripts/split-bin).
if cargo install --list 2>/dev/null | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  echo "found wasm-split-cli $WASM_SPLIT_VERSION"
else
  echo "building wasm-split-cli $WASM_SPLIT_VERSION (about 2 minutes)"
  cargo install wasm_split_cli_support --version "=$WASM_SPLIT_VERSION" --features build-binary --force || die "cargo install wasm_split_cli_support failed; check that crates.io is reachable"
fi

CURRENT="trunk $TRUNK_VERSION"
step "$CURRENT"
if trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  echo "found trunk $TRUNK_VERSION"
else
  # A debug build: Trunk only runs cargo, wasm-bindgen and the hooks, so its own speed
  # does not matter, and it builds in about 3 minutes instead of 12 (docs/BENCHMARKS.md,
  # "make test").
  echo "building trunk $TRUNK_VERSION (about 3 minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --debug --force || die "cargo install trunk failed; check that crates.io is reachable"
fi

CURRENT="npm packages (wasm-opt, playwright-core)"
step "$CURRENT"
command -v npm >/dev/null || { apt_install nodejs npm; }
if [ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "node_modules is up to date"
else
  # npm_config_yes: ExifReader's postinstall runs `npx webpack`, which newer npm refuses to
  # fetch without it (npm 11: "npx canceled due to missing packages and no YES option").
  npm_config_yes=true npm ci --no-audit --no-fund || die "npm ci failed; check that the npm registry is reachable"
fi
# ExifReader built with only what the photo worker reads (package.json's "exifreader":
# JPEG, the file group, a dozen EXIF tags): 10 KB brotli instead of 34 (docs/BENCHMARKS.md).
# Its postinstall does it on `npm ci`, but newer npm may skip install scripts, and a changed
# configuration needs a rebuild: the stamp says the bundle was built from this package.json.
stamp=.tools/exifreader.stamp
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || [ node_modules/exifreader/dist/exif-reader.js -nt "$stamp" ]; then
  npm_config_yes=true npx exifreader build >/dev/null 2>&1 || die "npx exifreader build failed; check that the npm registry is reachable"
  touch "$stamp"
fi

CURRENT="write .tools/env.sh"
cat > .tools/env.sh <<ENV
# Written by scripts/setup.sh: the tools and wasm build settings for this machine.
export PATH="$ROOT/node_modules/.bin:\$HOME/.cargo/bin:\$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT=60
export HOPTAC_CHROMIUM=/usr/bin/chromium
# Applied only to wasm builds (scripts call wasm_env first).
wasm_env() {
$WASM_ENV
# Trunk's wasm-bindgen step goes through scripts/split-bin (the lazy pages' split).
export PATH="$ROOT/scripts/split-bin:\$PATH"
# The app's wasm builds in a target folder of its own, so they never wait on the native
# builds' cargo lock (scripts/test.sh runs the two side by side).
export CARGO_TARGET_DIR="$ROOT/target/app"
export HOPTAC_SPLIT_DIR="$ROOT/target/wasm-split"
:
}
# The release app build (scripts/build.sh, bench/app-size.sh): wasm_env plus size flags.
# The variable replaces .cargo/config.toml's rustflags, so it repeats them.
wasm_release_env() {
wasm_env
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Clink-arg=--emit-relocs $SIZE_FLAGS"
$RELEASE_STD
}
ENV
step "done"
