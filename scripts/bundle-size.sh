#!/usr/bin/env bash
# Prints the release bundle's sizes (raw, gzip -9, brotli -q 11) per kind of file.
# Usage: scripts/bundle-size.sh [DIST_DIR]   (default: dist/, built by `trunk build --release`)
# A benchmark-style report, not a test. Installs the brotli module into .tools/ if missing.
source "$(dirname "$0")/lib.sh"
DIST=${1:-$ROOT/dist}
[ -d "$DIST" ] || die "no $DIST: run trunk build --release first"
PY="$TOOLS/pyenv/bin/python"
if ! "$PY" -c 'import brotli' 2>/dev/null; then
  python3 -m venv "$TOOLS/pyenv"
  "$TOOLS/pyenv/bin/pip" install --quiet --disable-pip-version-check brotli
fi
"$PY" - "$DIST" <<'PY'
import brotli, gzip, pathlib, sys
dist = pathlib.Path(sys.argv[1])
kinds = {"wasm": [], "js": [], "css": [], "html": []}
for f in sorted(dist.iterdir()):
    ext = f.suffix.lstrip(".")
    if ext in kinds:
        kinds[ext].append(f.read_bytes())
print(f"{'kind':<6}{'raw':>12}{'gzip':>12}{'brotli':>12}")
total = [0, 0, 0]
for kind, blobs in kinds.items():
    raw = sum(len(b) for b in blobs)
    gz = sum(len(gzip.compress(b, 9)) for b in blobs)
    br = sum(len(brotli.compress(b, quality=11)) for b in blobs)
    total = [total[0] + raw, total[1] + gz, total[2] + br]
    print(f"{kind:<6}{raw:>12,}{gz:>12,}{br:>12,}")
print(f"{'total':<6}{total[0]:>12,}{total[1]:>12,}{total[2]:>12,}")
PY
