#!/usr/bin/env bash
# Installs the pinned build tools into a cache folder this project owns, once per version:
# a second run finds them and does nothing. Prints the folder's bin paths for the Makefile.
#
#   TOOLS_DIR  where tools live (default: ~/.cache/twilio-baas-plugin/tools)
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
WASM_TOOLS_VERSION=1.263.0
BINARYEN_VERSION=132.0.0        # Debian's binaryen is too old to read wasm-bindgen's output

TOOLS_DIR=${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/twilio-baas-plugin/tools}
mkdir -p "$TOOLS_DIR"
log() { echo "tools: $*" >&2; }

# One at a time: two rustup installs at once can leave a target half installed.
for target in wasm32-unknown-unknown wasm32-wasip2; do
  if ! rustup target list --installed | grep -qx "$target"; then
    log "adding the $target target"
    rustup target add "$target" >&2
  fi
done

# cargo_tool NAME CRATE VERSION [--locked]: installs into its own versioned folder; a folder is
# only used once the install finished (a marker file), so an interrupted install is redone.
cargo_tool() {
  local name=$1 crate=$2 version=$3 locked=${4:-}
  local root="$TOOLS_DIR/$name-$version"
  if [ ! -f "$root/.complete" ]; then
    log "installing $crate $version (a few minutes, once)"
    rm -rf "$root"
    cargo install "$crate" --version "$version" $locked --root "$root" >&2
    touch "$root/.complete"
  fi
  echo "$root/bin"
}

# wasm-bindgen-cli's lockfile wants a crate release the registry mirror lacks: no --locked.
WB_BIN=$(cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION")
WT_BIN=$(cargo_tool wasm-tools wasm-tools "$WASM_TOOLS_VERSION" --locked)

BINARYEN_ROOT="$TOOLS_DIR/binaryen-$BINARYEN_VERSION"
if [ ! -f "$BINARYEN_ROOT/.complete" ]; then
  log "installing binaryen $BINARYEN_VERSION from npm (once)"
  rm -rf "$BINARYEN_ROOT"
  npm install --no-audit --no-fund --silent --prefix "$BINARYEN_ROOT" "binaryen@$BINARYEN_VERSION" >&2
  touch "$BINARYEN_ROOT/.complete"
fi

echo "$WB_BIN:$WT_BIN:$BINARYEN_ROOT/node_modules/.bin"
