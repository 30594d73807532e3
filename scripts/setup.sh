#!/usr/bin/env bash
# Installs whatever is missing to build, run and test the project. Idempotent: each step
# checks what is there first (see ../shared/notes/toolchain.md for why these exact versions).
source "$(dirname "$0")/lib.sh"

apt_pkgs=()
command -v chromium >/dev/null 2>&1 || apt_pkgs+=(chromium)
command -v chromedriver >/dev/null 2>&1 || apt_pkgs+=(chromium-driver)
command -v redis-server >/dev/null 2>&1 || apt_pkgs+=(redis-server)
command -v curl >/dev/null 2>&1 || apt_pkgs+=(curl)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  log "apt-get install ${apt_pkgs[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for comp in rustfmt clippy; do
  rustup component list --installed | grep -q "^$comp" || rustup component add "$comp"
done

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  log "cargo install trunk $TRUNK_VERSION (about 8 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

WB=$(wasm_bindgen_version)
[ -n "$WB" ] || die "no wasm-bindgen in Cargo.lock"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB\$" \
   || ! command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  log "cargo install wasm-bindgen-cli $WB (about 3 minutes)"
  # Not --locked: a pinned transitive version is missing from the registry mirror.
  cargo install wasm-bindgen-cli --version "$WB" --force
fi

if ! "$TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  log "npm install binaryen@$BINARYEN_VERSION (wasm-opt; Debian's is too old for rustc 1.95)"
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" "binaryen@$BINARYEN_VERSION" >/dev/null
fi

AXE_PKG="$TOOLS/node_modules/axe-core/package.json"
if [ ! -f "$TOOLS/node_modules/axe-core/axe.min.js" ] \
   || ! grep -q "\"version\": \"$AXE_CORE_VERSION\"" "$AXE_PKG" 2>/dev/null; then
  log "npm install axe-core@$AXE_CORE_VERSION (injected by the accessibility e2e test)"
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --save-exact --prefix "$TOOLS" "axe-core@$AXE_CORE_VERSION" >/dev/null
fi

REQ="$ROOT/tests/backend/requirements.txt"
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  log "python venv for the reference backend"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
  echo "$want" > "$STAMP"
fi
log "tools ready"
