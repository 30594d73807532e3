#!/usr/bin/env bash
# Performance benchmark: the app's release build and a hand-written JavaScript page (the floor,
# tests/e2e/bench/floor/) on the same synthetic input in headless Chromium, side by side.
# Prints a markdown table; writes target/bench/perf-<timestamp>.json and perf-latest.md.
# Figures, not a test. What each figure means: docs/performance.md.
#
#   scripts/bench.sh                          # full run (about 10 minutes on 2 cores)
#   PERF_QUICK=1 scripts/bench.sh             # short phases, for development
#   PERF_DIST=/path/to/dist scripts/bench.sh  # measure another build (no trunk build then)
#
# Other settings (PERF_RATES, PERF_FLOOD_S, PERF_IDLE_S, PERF_JOBS, PERF_RUNNING, PERF_TARGETS,
# PERF_ONLY, PERF_LOG_LINES, PERF_LOG_RATE, PERF_OUT) are described at the top of
# tests/e2e/examples/perf_bench.rs.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/setup.sh"

if [ -z "${PERF_DIST:-}" ]; then
  log "trunk build --release"
  (cd "$ROOT" && trunk build --release)
  export PERF_DIST="$ROOT/dist"
fi
[ -f "$PERF_DIST/index.html" ] || die "PERF_DIST=$PERF_DIST has no index.html"

log "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (nproc $(nproc)); other work on the machine skews the figures"
# A debug build of the harness: its dependencies are shared with the e2e tests' build, and the
# in-process flood server sends 20,000 events/s with a fraction of one core even unoptimised
# (its own ceiling is printed in the report).
cd "$ROOT"
exec cargo run --quiet -p jobs-e2e --example perf_bench
