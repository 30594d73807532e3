# Shared helpers for the project scripts (sourced, not run).
# Every install step checks first, so running any script twice is cheap and safe.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$ROOT/tests/backend/.venv"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
# Accessibility engine injected by tests/e2e/tests/accessibility.rs (read from .tools/node_modules).
AXE_CORE_VERSION=4.10.3

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $*"; fi
}

# The wasm-bindgen CLI must match the library version pinned in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock"
}

# A free TCP port on 127.0.0.1 (or the preferred one when it is free).
free_port() {
  python3 - "${1:-0}" <<'PY'
import socket, sys
pref = int(sys.argv[1])
for port in ([pref] if pref else []) + [0]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        print(s.getsockname()[1]); break
    except OSError:
        continue
    finally:
        s.close()
PY
}

wait_http() { # url seconds
  local url=$1 deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# For the benchmark scripts (bench.sh, soak.sh): the release build to measure. Unless the
# variable named $1 (PERF_DIST, SOAK_DIST) already names one, builds dist/ and exports the
# variable as "$ROOT/dist"; then checks the build has an index.html.
bench_dist() {
  local var=$1
  if [ -z "${!var:-}" ]; then
    log "trunk build --release"
    (cd "$ROOT" && trunk build --release)
    export "$var=$ROOT/dist"
  fi
  [ -f "${!var}/index.html" ] || die "$var=${!var} has no index.html"
}

# Runs the harness's example $1 from the repository root in place of the script (exec: its exit
# status is the script's), after logging the load average, since other work on the machine
# skews the figures; $2, if given, is added to that line.
run_bench_example() {
  local example=$1 note=${2:-}
  log "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (nproc $(nproc))${note:+; $note}"
  cd "$ROOT"
  exec cargo run --quiet -p jobs-e2e --example "$example"
}
