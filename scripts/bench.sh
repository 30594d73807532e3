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

bench_dist PERF_DIST
# A debug build of the harness: its dependencies are shared with the e2e tests' build, and the
# in-process flood server sends 20,000 events/s with a fraction of one core even unoptimised
# (its own ceiling is printed in the report).
run_bench_example perf_bench "other work on the machine skews the figures"
