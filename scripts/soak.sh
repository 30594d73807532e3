#!/usr/bin/env bash
# Soak benchmark: hours of job traffic compressed into minutes (jobs created, run and finished
# continuously, far more than the page holds) against the release build in headless Chromium,
# sampling the JS heap and the wasm memory; prints a table and whether each levels off.
# Figures, not a test. Writes target/bench/soak-<retention>.md and .json.
#
#   scripts/soak.sh                          # 10 minutes, 200,000 jobs, the app's default retention
#   SOAK_MINUTES=3 SOAK_JOBS=60000 scripts/soak.sh
#   SOAK_RETAIN=100000000 scripts/soak.sh    # retention effectively off, for contrast
#   SOAK_DIST=/path/to/dist scripts/soak.sh  # another build (no trunk build then)
#
# Other settings (SOAK_RATE, SOAK_SAMPLE_S, SOAK_FIXED_JOBS, SOAK_OUT) are described at the top
# of tests/e2e/examples/soak.rs.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/setup.sh"

bench_dist SOAK_DIST
run_bench_example soak
