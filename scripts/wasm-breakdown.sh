#!/usr/bin/env bash
# Prints what the app's wasm is made of: code bytes per crate or app area, with each one's share.
# Usage: scripts/wasm-breakdown.sh [WASM] [DEPTH]
#   WASM  default target/wasm32-unknown-unknown/release/jobs-page.wasm (the release build before
#         wasm-bindgen and wasm-opt: it still has function names; its sizes are larger than the
#         final ones, the shares are what matters)
#   DEPTH how many module levels of this app to show (default 1: components, pages, state, ...)
# Needs twiggy (`cargo install twiggy`). A benchmark-style report, not a test.
source "$(dirname "$0")/lib.sh"
WASM=${1:-$ROOT/target/wasm32-unknown-unknown/release/jobs-page.wasm}
DEPTH=${2:-1}
[ -f "$WASM" ] || die "no $WASM: run trunk build --release first"
command -v twiggy >/dev/null || die "twiggy not found: cargo install twiggy"
REPORT=$(cat <<'PY'
import collections, csv, re, sys
depth = int(sys.argv[1])
GROUPS = [  # (label, regex on the item name with crate hashes removed); first match wins
    ("wasm-bindgen glue (removed by wasm-bindgen)", r"^\"?(export|import) |^__wbindgen_describe|::describe::|WasmDescribe"),
    ("sections, names (stripped)", r"subsection|^custom section"),
    ("data (strings, tables)", r"^data segment"),
    ("std: slice sort", r"^core::slice::sort"),
    ("std: fmt (float)", r"^core::fmt::float|^core::num::flt2dec|^core::num::fmt"),
    ("std: fmt (other)", r"^core::fmt|^alloc::fmt"),
    ("std: collections (btree, hashbrown)", r"^alloc::collections|^hashbrown|^std::collections"),
    ("std: Rc/Arc/drop/closure shims", r"^alloc::rc|^alloc::sync|^core::ptr::drop_in_place|^core::ops::function|^T as "),
    ("std: other core/alloc/std", r"^(core|alloc|std|compiler_builtins|str|char|\[T\]|T)\b"),
    ("allocator (dlmalloc)", r"^dlmalloc"),
    ("serde derive code (app types)", r"^jobs_page::.*::_::|^jobs_page::.*serde"),
    ("serde, serde_json", r"^serde"),
    ("imbl (+archery, sized-chunks)", r"^(imbl|archery|imbl_sized_chunks|bitmaps|rand_xoshiro)"),
    ("yew-router (+route-recognizer, gloo-history), app::Route", r"^(yew_router|route_recognizer|gloo_history|jobs_page::app::Route)"),
    ("yew (generic code, per component)", r"^yew::.*<COMP>|^yew::.*COMP"),
    ("yew (runtime)", r"^(yew|implicit_clone|tracing)"),
    ("plotters", r"^plotters"),
    ("wasm-bindgen, js-sys, web-sys, gloo", r"^(wasm_bindgen|js_sys|web_sys|gloo|futures|console_error_panic_hook)"),
]
groups = collections.Counter()
for row in csv.DictReader(sys.stdin):
    name, size = row["Name"], int(row["ShallowSize"])
    if name.startswith(("Σ", "... ")):
        continue
    n = re.sub(r"\[[0-9a-f]{16}\]", "", name)
    n = re.sub(r"^[<&]+(mut |dyn )?", "", n)
    for label, rx in GROUPS:
        if re.search(rx, n):
            groups[label] += size
            break
    else:
        m = re.match(r"jobs_page((?:::[a-z_0-9]+){0,%d})" % depth, n)
        groups[("app: jobs_page" + m.group(1)) if m else "other (unnamed)"] += size
skip = ("wasm-bindgen glue (removed by wasm-bindgen)", "sections, names (stripped)")
code = sum(v for k, v in groups.items() if k not in skip)
print(f"{'crate / area':<58}{'bytes':>10}{'share':>8}")
for k, v in groups.most_common():
    if k not in skip:
        print(f"{k:<58}{v:>10,}{100 * v / code:>7.1f}%")
print(f"{'total (code + data)':<58}{code:>10,}")
PY
)
twiggy top --format csv -n 1000000 "$WASM" | python3 -c "$REPORT" "$DEPTH"
