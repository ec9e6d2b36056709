# Every target installs what it lacks (scripts/setup.sh) and nothing more on a second run.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

WASM_TEST := cargo test --target wasm32-unknown-unknown --features js --test wasm
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER := wasm-bindgen-test-runner
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
TARBALL := target/npm/cekmutasi-$(VERSION).tgz

.PHONY: all build pack lint test test-native test-wasm-node test-wasm-browser test-js bench size fuzz demo clean

all: build

## build: pkg/ — the npm package (wasm-pack, wasm-opt from npm's pinned binaryen, pkg-template/): the
## module users load, and the sandbox's own module (the same plus the server side of the API)
build:
	scripts/setup.sh rust node
	rm -rf pkg
	wasm-pack --quiet build --release --target web --out-dir pkg/sandbox-wasm --out-name sandbox --no-pack -- --features js,sandbox
	wasm-pack --quiet build --release --target web --out-dir pkg/wasm --out-name cekmutasi --no-pack -- --features js
	node scripts/package.mjs

## pack: the tarball users install, in target/npm/
pack: build
	mkdir -p target/npm
	npm pack ./pkg --pack-destination target/npm --silent >/dev/null
	@echo "packed $(TARBALL) ($$(wc -c < $(TARBALL)) bytes)"

## lint: formatting and lints, Rust (native and wasm32) and JavaScript (Biome, biome.json): the gate that
## opens make test
lint:
	scripts/setup.sh rust node
	cargo fmt --check
	cargo clippy --all-targets --features sandbox -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --features js,sandbox -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --features js --test wasm -- -D warnings
	biome ci --colors=off --error-on-warnings
	@echo "lint: rustfmt, clippy (native, wasm32) and biome found nothing"

## test: every layer, in order
test: lint test-native test-wasm-node test-wasm-browser test-js

# --features sandbox: the server side of the endpoint table (the sandbox's) is tested here too.
test-native:
	scripts/setup.sh php
	cargo test --features sandbox

test-wasm-node:
	scripts/setup.sh rust
	$(WASM_TEST)

# Chromium's flags are in webdriver.json (headless, no background networking: see ../shared/TOOLCHAIN.md).
test-wasm-browser:
	scripts/setup.sh rust chromium
	CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1 $(WASM_TEST)

# The packed tarball installed into a scratch project, imported as users do: Node ESM and CJS, and every
# other runtime the package promises (tests/js/runtimes.test.mjs: Bun, Deno, workerd, edge-runtime, Chromium
# with Vite, esbuild and no bundler); its table of results is printed at the end.
test-js: pack
	scripts/setup.sh chromium node24 postgres
	cd tests/js && npm install --no-save --no-package-lock --no-audit --no-fund --silent ../../$(TARBALL)
	node --test tests/js/*.test.mjs tests/js/*.test.cjs
	tsc -p tests/js/tsconfig.json && echo "types: tests/js/types.ts compiles against the package's .d.ts"
	@echo "runtimes (tests/js/runtimes.test.mjs):" && cat target/runtimes.md

## bench: speed against a pure-JS baseline in the same process (the Ledger: against a hand-written receiver
## on the same database), the .wasm size, and the Ledger's longer crash run
bench: build
	node benches/callback.mjs
	node --expose-gc benches/matching.mjs
	node benches/coldstart.mjs
	node benches/ledger.mjs
	node benches/ledger-crash.mjs

## size: the .wasm by crate and module (twiggy, from crates.io)
size: build
	scripts/setup.sh twiggy
	node scripts/size.mjs

## fuzz: every fuzz target (fuzz/fuzz_targets) for FUZZ_SECONDS each (default 60), or FUZZ_RUNS executions.
# cargo-fuzz from crates.io on the installed stable toolchain: RUSTC_BOOTSTRAP=1 lets it pass its -Z flags,
# and --sanitizer none needs no nightly sanitizer runtime (the targets check their own invariants).
# The working corpus (fuzz/corpus/) stays out of git; fuzz/seeds/ is the small committed start.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := json callback amount form matcher
fuzz:
	scripts/setup.sh fuzz
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  mkdir -p corpus/$$t; \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none -O $$t corpus/$$t seeds/$$t -- \
	    $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS)) -max_len=65536 -print_final_stats=1 2>&1 \
	    | grep -E '^(Done|stat::number_of_executed_units|==|thread|SUMMARY)' | sed "s/^/$$t: /"; \
	  test "$${PIPESTATUS[0]}" = 0 || exit 1; \
	done

## demo: builds the package, runs the sandbox (http://127.0.0.1:8787/v1) and serves www/ (http://127.0.0.1:8080/)
demo: build
	node www/server.mjs

clean:
	rm -rf pkg target/npm tests/js/node_modules
