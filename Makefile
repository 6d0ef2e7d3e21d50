# Two commands do everything on a fresh machine:
#   make run   build the plugin and start the local BaaS with the Twilio simulator
#   make test  every check: format, lints, native tests, the wasm build, WIT, Node tests
.PHONY: all build run test lint test-rust test-node check-wit check-size tools bench bench-scale clean browser redis screenshots

SHELL := /bin/bash
CRATE := twilio_baas_plugin
WASM_TARGET := wasm32-unknown-unknown
RELEASE_WASM := target/$(WASM_TARGET)/release/$(CRATE).wasm
PKG_WASM := pkg/$(CRATE)_bg.wasm
# The same plugin as a WebAssembly component, built from wit/, and jco's transpilation of it
# that the reference host's component host loads.
COMPONENT_TARGET := wasm32-wasip2
COMPONENT_WASM := pkg/component/$(CRATE).wasm
COMPONENT_JS := pkg/component/js/twilio-plugin.js
# What a host loads: the manifest with module paths relative to pkg/ and the files' SHA-256.
PKG_MANIFEST := pkg/plugin-manifest.json
# The WIT world with every type resolved, which the contract test holds the TypeScript
# declarations and the manifest to.
WIT_JSON := pkg/wit.json
HARNESS := host-harness
NPM_STAMP := $(HARNESS)/node_modules/.installed

# Release flags for the module: SHA-256's compact backend (a loop, not 64 unrolled rounds:
# about 2 KB less gzipped), and the registry's and this checkout's paths mapped to short names,
# so panic locations in the module carry no path of the machine that built it.
CARGO_REGISTRY := $(or $(CARGO_HOME),$(HOME)/.cargo)/registry/src
RUST_SOURCE := /rustc/$(shell rustc -vV | sed -n 's/^commit-hash: //p')
WASM_RUSTFLAGS := --cfg sha2_backend_soft="compact" \
  --remap-path-prefix=$(CARGO_REGISTRY)=crates --remap-path-prefix=$(CURDIR)=plugin \
  --remap-path-prefix=$(RUST_SOURCE)=rust
# The module's size budget, checked by `make test` (bytes; gzip at level 9). Every host downloads
# and instantiates the module. Code that can panic on text (`str` slicing, the substring searcher,
# `Value`'s `IndexMut`) links `Debug` text escaping and Unicode tables into it: see src/text.rs.
MAX_WASM_BYTES := 250000
# The gzip budget went from 100,000 to 108,000 with Twilio Verify, WhatsApp, calls and the
# fallback between channels (about 6.5 KB gzipped), and to 109,000 for the boundary's fast paths
# (hooks with nothing to do answered from the fields that decide it, the context read by name,
# host imports called directly: about 1.1 KB, for pass-through hooks 3 to 6 times cheaper and a
# tenth off the others), then 109,500 for users read by field (whatever else an app keeps in a
# user cannot fail its login), and 110,000 for the module's own executor and the faster JSON
# reader and writer (about 0.5 KB net of wasm-bindgen-futures, for a fifth off the hooks that call
# the host). The one-crossing fast paths (fast_path.js: a pass-through hook in about 1 us
# instead of 1.5 to 3.3) fit in it with similar functions merged by wasm-opt; the rest of the
# performance work is to bring it down.
MAX_WASM_GZIP_BYTES := 110000
WASM_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue

# Pinned tools, installed once into a cache folder the build owns (see scripts/tools.sh).
TOOLS_PATH = $(shell scripts/tools.sh)
WITH_TOOLS = PATH="$(TOOLS_PATH):$$PATH"

all: build

tools:
	@scripts/tools.sh >/dev/null

$(NPM_STAMP): $(HARNESS)/package.json $(HARNESS)/package-lock.json
	cd $(HARNESS) && npm ci --no-audit --no-fund
	touch $@

build: $(PKG_WASM) $(COMPONENT_JS) $(PKG_MANIFEST) $(WIT_JSON)
	@echo "module (wasm-bindgen, pkg/): $$(stat -c %s $(PKG_WASM)) bytes, $$(gzip -9c $(PKG_WASM) | wc -c) gzipped"
	@echo "component (wit/, pkg/component/): $$(stat -c %s $(COMPONENT_WASM)) bytes, $$(gzip -9c $(COMPONENT_WASM) | wc -c) gzipped"

# pkg/plugin-manifest.json and pkg/package.json (pkg/ as an installable npm package).
$(PKG_MANIFEST): $(PKG_WASM) $(COMPONENT_WASM) $(WIT_JSON) plugin-manifest.json \
  plugin-manifest.schema.json scripts/package-manifest.js $(HARNESS)/src/host/json-schema.js \
  $(NPM_STAMP)
	node scripts/package-manifest.js

$(WIT_JSON): $(wildcard wit/*.wit) scripts/tools.sh
	scripts/tools.sh >/dev/null
	mkdir -p pkg
	$(WITH_TOOLS) wasm-tools component wit wit/ --json >$@.tmp
	mv $@.tmp $@

# wasm-opt: similar functions merged (before and after a first -Oz: about 1.3 KB raw, 250 bytes
# gzipped), then the control flow flattened and re-looped and -Oz three times, which folds more
# of the async state machines than one -Oz (about 1 % smaller gzipped, a few seconds more).
$(PKG_WASM): Cargo.toml Cargo.lock $(shell find src -type f) scripts/tools.sh
	scripts/tools.sh >/dev/null
	RUSTFLAGS='$(WASM_RUSTFLAGS)' cargo build --release --locked --target $(WASM_TARGET)
	rm -rf pkg/$(CRATE)* pkg/snippets
	$(WITH_TOOLS) wasm-bindgen $(RELEASE_WASM) --target nodejs --out-dir pkg \
	  --remove-name-section --remove-producers-section
	$(WITH_TOOLS) wasm-opt --merge-similar-functions -Oz --merge-similar-functions \
	  --flatten --rereloop -Oz -Oz -Oz $(WASM_FEATURES) $(PKG_WASM) -o $(PKG_WASM)

# The component: wit-bindgen's exports and imports, linked by the target's component linker;
# names and producer sections stripped, as in the module.
$(COMPONENT_WASM): Cargo.toml Cargo.lock $(shell find src wit -type f) scripts/tools.sh
	scripts/tools.sh >/dev/null
	RUSTFLAGS='$(WASM_RUSTFLAGS)' cargo build --release --locked --target $(COMPONENT_TARGET)
	mkdir -p pkg/component
	$(WITH_TOOLS) wasm-tools strip target/$(COMPONENT_TARGET)/release/$(CRATE).wasm -o $@

$(COMPONENT_JS): $(COMPONENT_WASM) $(NPM_STAMP) $(HARNESS)/scripts/transpile-component.mjs
	cd $(HARNESS) && node scripts/transpile-component.mjs ../$(COMPONENT_WASM) ../pkg/component/js

lint: $(NPM_STAMP)
	cargo fmt --all --check
	cargo clippy --locked --all-targets -- -D warnings
	cargo clippy --locked --target $(WASM_TARGET) --lib -- -D warnings
	cd $(HARNESS) && npx biome check . ../examples ../scripts ../src

test-rust:
	cargo test --locked

# Fails when the module outgrows its budget: every host downloads and instantiates it.
check-size: build
	@raw=$$(stat -c %s $(PKG_WASM)); gz=$$(gzip -9c $(PKG_WASM) | wc -c); \
	echo "module size: $$raw bytes (budget $(MAX_WASM_BYTES)), $$gz gzipped (budget $(MAX_WASM_GZIP_BYTES))"; \
	test $$raw -le $(MAX_WASM_BYTES) && test $$gz -le $(MAX_WASM_GZIP_BYTES) || \
	  { echo "the module is over its size budget"; exit 1; }

check-wit: tools
	$(WITH_TOOLS) wasm-tools component wit wit/ >/dev/null
	@echo "wit/: valid"

# The console's browser tests drive Debian's Chromium; installed once when missing (CI runs as root).
browser:
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# Redis for the several-hosts tests, the conformance kit and the scale bench: Debian's server,
# installed once when missing; the tests start their own on a free port (the service is not used).
redis:
	@test -x /usr/bin/redis-server || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server)

test-node: build $(NPM_STAMP) browser redis
	cd $(HARNESS) && node --test --test-concurrency=1 test/

test: tools lint test-rust build check-size check-wit test-node

# The README's console screenshots, from the console's browser test (a test run writes them
# into the ignored host-harness/test-output instead).
screenshots: build $(NPM_STAMP) browser
	cd $(HARNESS) && SCREENSHOTS_DIR=docs node --test --test-concurrency=1 test/console-browser.test.js

bench: build $(NPM_STAMP)
	node $(HARNESS)/bench/plugin-bench.js
	node $(HARNESS)/bench/plugin-vs-js.js
	node $(HARNESS)/bench/enumeration-bench.js
	node $(HARNESS)/bench/login-flood-bench.js

# Several hosts on one Redis against one host, with the simulator (not a timed test).
bench-scale: build $(NPM_STAMP) redis
	node $(HARNESS)/bench/scale-bench.js

run: build $(NPM_STAMP)
	node $(HARNESS)/bin/baas.js

clean:
	rm -rf target pkg
