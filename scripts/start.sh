#!/usr/bin/env bash
# Starts everything for a demo or for development: Redis, the reference API, RQ workers and the
# built app on a plain static server, then prints the URL. Ctrl-C stops it all.
# Ports (defaults, a free one is picked when taken): APP_PORT=8080 API_PORT=8000 REDIS_PORT=6380.
# WORKERS=4 worker processes. State is kept in .run/ between starts (Redis AOF, datasets).
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/setup.sh"
log "building the app (trunk build --release)"
(cd "$ROOT" && trunk build --release)

RUN="$ROOT/.run"
mkdir -p "$RUN/redis" "$RUN/data"
REDIS_PORT=$(free_port "${REDIS_PORT:-6380}")
API_PORT=$(free_port "${API_PORT:-8000}")
APP_PORT=$(free_port "${APP_PORT:-8080}")
[ "$API_PORT" != "$REDIS_PORT" ] || API_PORT=$(free_port 0)

pids=()
cleanup() {
  trap - EXIT INT TERM
  log "stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$RUN/redis" \
  --save '' --appendonly yes --loglevel warning >"$RUN/redis.log" 2>&1 &
pids+=($!)
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done

export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" DATA_DIR="$RUN/data"
# The page is served from another origin than the API: allow exactly that one (the backend
# allows none by default). localhost is the same server under the name people type.
export CORS_ORIGINS="${CORS_ORIGINS:-http://127.0.0.1:$APP_PORT,http://localhost:$APP_PORT}"
(cd "$ROOT/tests/backend" && exec "$VENV/bin/python" -m uvicorn jobs_backend.app:app \
  --host 127.0.0.1 --port "$API_PORT" --log-level warning) >"$RUN/api.log" 2>&1 &
pids+=($!)
(cd "$ROOT/tests/backend" && exec "$VENV/bin/python" -m jobs_backend.worker \
  --processes "${WORKERS:-4}") >"$RUN/worker.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$API_PORT/api/v1/queue" 60 || die "API did not start, see $RUN/api.log"

cat >"$ROOT/dist/config.json" <<JSON
{
  "api_base": "http://127.0.0.1:$API_PORT/api/v1",
  "ws_url": "ws://127.0.0.1:$API_PORT/api/v1/ws",
  "allowed_parent_origins": []
}
JSON
python3 -m http.server --bind 127.0.0.1 --directory "$ROOT/dist" "$APP_PORT" >"$RUN/static.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$APP_PORT/" 20 || die "static server did not start"

cat <<MSG

  Jobs page:  http://127.0.0.1:$APP_PORT/#/jobs
  API:        http://127.0.0.1:$API_PORT/api/v1   (OpenAPI: http://127.0.0.1:$API_PORT/docs)
  Redis:      127.0.0.1:$REDIS_PORT               logs: $RUN/*.log
  Demo:       tests/backend/demo.sh http://127.0.0.1:$API_PORT

  Ctrl-C stops everything.
MSG
wait -n "${pids[@]}" || true
die "a service stopped unexpectedly; see $RUN/*.log"
