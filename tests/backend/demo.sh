#!/usr/bin/env bash
# Demo of the reference jobs backend with curl. Usage: tests/backend/demo.sh http://127.0.0.1:8000
# Needs a running API and workers (see README.md) and tests/backend/.venv (for JSON and the WebSocket client).
set -euo pipefail

API="${1:?usage: $0 <api base url, e.g. http://127.0.0.1:8000>}"
API="${API%/}/api/v1"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$HERE/.venv/bin/python"
[ -x "$PY" ] || PY=python3

json() { "$PY" -c "import sys, json; d = json.load(sys.stdin); print($1)"; }
post() { curl -sS -f -X POST "$API$1" -H 'content-type: application/json' ${2:+-d "$2"}; }
get() { curl -sS -f "$API$1"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "datasets"
get /datasets | json '"\n".join("{id:<20} {rows:>6} rows  {columns}".format(**x) for x in d["items"])'

SEQ0=$(get "/jobs?limit=1" | json 'd["seq"]')

say "start a profile job on ds_sales and watch it progress"
RUN=$(post /jobs '{"dataset_id": "ds_sales", "kind": "profile", "params": {"chunk_rows": 1000, "chunk_delay_ms": 150, "note": "demo \u001b[36mcyan\u001b[0m note"}}' | json 'd["id"]')
echo "job $RUN"
for _ in 1 2 3 4 5; do
  sleep 0.5
  get "/jobs/$RUN" | json '"  {status:<10} {p[processed]:>6}/{p[total]} rows  phase={p[phase]}  version={version}".format(p=d["progress"], **d)'
done

say "validate ds_sensors_corrupt: fails with a ValueError and a traceback"
BAD=$(post /jobs '{"dataset_id": "ds_sensors_corrupt", "kind": "validate", "params": {"chunk_rows": 1000, "chunk_delay_ms": 20}}' | json 'd["id"]')
echo "job $BAD"
until [ "$(get "/jobs/$BAD" | json 'd["status"]')" = failed ]; do sleep 0.2; done
get "/jobs/$BAD" | json '"  error: {type}: {message}\n{traceback}".format(**d["error"])'

say "cancel a running job"
CAN=$(post /jobs '{"dataset_id": "ds_sensors", "kind": "profile", "params": {"chunk_rows": 500, "chunk_delay_ms": 200}}' | json 'd["id"]')
until [ "$(get "/jobs/$CAN" | json 'd["status"]')" = running ]; do sleep 0.1; done
sleep 0.5
post "/jobs/$CAN/cancel" | json '"  after POST cancel: " + d["status"]'
until [ "$(get "/jobs/$CAN" | json 'd["status"]')" = cancelled ]; do sleep 0.05; done
get "/jobs/$CAN" | json '"  now: {} at {} rows".format(d["status"], d["progress"]["processed"])'
echo "  cancel again -> HTTP $(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/jobs/$CAN/cancel") (409: already cancelled)"

say "retry the failed job: attempt 2, history kept"
post "/jobs/$BAD/retry" | json '"  status={} attempt={} attempts={}".format(d["status"], d["attempt"], [a["status"] for a in d["attempts"]])'

say "last log lines of $RUN"
get "/jobs/$RUN/logs?tail=5" | json '"\n".join("  {:>4} {:<7} {!r}".format(l["n"], l["level"], l["text"]) for l in d["lines"])'

say "queue"
get /queue | json '"  queued={queued} running={running} redis={redis}\n".format(**d) + "\n".join("  {name:<18} {state:<6} {current_job}".format(**w) for w in d["workers"])'

say "WebSocket: events since seq $SEQ0 (replay), with logs of $BAD"
WS="${API/#http/ws}/ws?after=$SEQ0"
"$PY" - "$WS" "$BAD" <<'EOF'
import json, sys, time
from websockets.sync.client import connect

url, job_id = sys.argv[1], sys.argv[2]
shown = {"chain": 0, "log": 0}
with connect(url, max_size=None) as ws:
    ws.send(json.dumps({"type": "subscribe_logs", "job_id": job_id, "after_line": 0}))
    end = time.time() + 4
    while time.time() < end and (shown["chain"] < 12 or shown["log"] < 4):
        try:
            f = json.loads(ws.recv(timeout=max(0.05, end - time.time())))
        except TimeoutError:
            break
        t = f["type"]
        if t in ("job.created", "job.updated") and shown["chain"] < 12:
            shown["chain"] += 1
            j = f["job"]
            print(f"  {t:<12} seq={f['seq']:<6} prev_seq={f['prev_seq']:<6} {j['id']} {j['status']:<10} "
                  f"v{j['version']} {j['progress']['processed']}/{j['progress']['total']}")
        elif t == "metric" and shown["chain"] < 12:
            shown["chain"] += 1
            s = f["sample"]
            print(f"  metric       seq={f['seq']:<6} prev_seq={f['prev_seq']:<6} {f['job_id']} "
                  f"{s['processed']}/{s['total']} rate={s['rate']}")
        elif t == "log" and shown["log"] < 4:
            shown["log"] += 1
            print(f"  log          {f['job_id']} n={f['line']['n']} {f['line']['level']} {f['line']['text'][:70]!r}")
        elif t in ("hello", "resync_required", "heartbeat", "error"):
            print(f"  {t:<12} {json.dumps(f)[:110]}")
EOF

say "done"
