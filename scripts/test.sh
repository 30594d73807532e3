#!/usr/bin/env bash
# Installs what is missing, then runs every test: fmt, clippy (native and wasm32), native unit
# and property tests, browser component tests, backend tests, release build, end-to-end tests.
# Stops at the first failing layer. Prints test counts per layer at the end.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"

LOGS="$ROOT/target/test-logs"
mkdir -p "$LOGS"
summary=()

# step NAME CMD...: runs CMD with output teed to a log; records its test count.
step() {
  local name=$1; shift
  local logf="$LOGS/$name.log" start=$SECONDS
  log "$name: $*"
  if ! "$@" 2>&1 | tee "$logf"; then
    printf '\nFAILED: %s (log: %s)\n' "$name" "$logf" >&2
    exit 1
  fi
  local passed
  # No match (fmt, clippy, build) is fine: grep's status must not end the script.
  passed=$( { grep -Eo '[0-9]+ passed' "$logf" || true; } | awk '{s += $1} END {print s + 0}')
  summary+=("$(printf '%-14s %5s tests  %4ss' "$name" "$passed" $((SECONDS - start)))")
}

step fmt cargo fmt --all -- --check
step clippy cargo clippy --workspace --all-targets -- -D warnings
step clippy-wasm cargo clippy -p jobs-page --target wasm32-unknown-unknown --lib --bins --test browser --test browser_dialogs --test browser_log_line --test browser_charts -- -D warnings
step native cargo test -p jobs-page
# wasm-bindgen-test's runner stops Chromium without letting it clean up, which left its
# profile and shared-memory dirs (about 64 MB per test binary) in /tmp: give it its own TMPDIR,
# removed when this script ends.
BROWSER_TMP=$(mktemp -d)
trap 'rm -rf "$BROWSER_TMP"' EXIT
step browser env TMPDIR="$BROWSER_TMP" CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=60 \
  cargo test -p jobs-page --target wasm32-unknown-unknown --test browser --test browser_dialogs --test browser_log_line --test browser_charts
step backend bash -c "cd tests/backend && exec '$VENV/bin/python' -m pytest -q -p no:cacheprovider"
step build trunk build --release
step e2e cargo test -p jobs-e2e -- --test-threads=1

printf '\nAll tests passed.\n'
printf '  %s\n' "${summary[@]}"
