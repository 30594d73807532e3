"""FastAPI application: ``uvicorn jobs_backend.app:app`` (settings from the environment).

``create_app(settings)`` builds an app for explicit settings (used by tests). Redis errors become
503 responses (except GET /queue, which reports ``redis.ok = false``), unknown jobs 404, illegal
state changes 409, bad input 422 in FastAPI's shape, a body over ``MAX_BODY_BYTES`` 413, anything
unexpected 500 with a fixed message (never the exception's text). Every error is JSON
``{"detail": ...}``; no response is HTML built from input. With ``API_TOKENS`` set, every
``/api/v1`` route needs a bearer token (``auth.py``). CORS answers only ``CORS_ORIGINS`` (none by
default: same origin only), and the WebSocket refuses other browser origins (``guards.py``).
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import anyio
import redis
import redis.asyncio as aredis
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import auth, datasets, guards, http_api, models, ws
from .config import Settings
from .rqueue import RQ, CachedSnapshot
from .statemachine import IllegalTransition
from .store import JobNotFound, JobStore

DESCRIPTION = """Reference implementation of the Jobs API contract (docs/api.md).

WebSocket: `GET /api/v1/ws?after=<seq>`. Server frames: `WsHello`, `WsResyncRequired`, `WsJobEvent`,
`WsMetric`, `WsLog`, `WsHeartbeat`, `WsQueue`, `WsError`; client frames: `WsSubscribeLogs`,
`WsUnsubscribeLogs` (schemas under components; also listed in `x-websocket`)."""


def _error(status: int, detail) -> Response:
    # ensure_ascii: echoed input may hold text that is not valid UTF-8 (lone surrogates)
    return Response(json.dumps({"detail": detail}, ensure_ascii=True), status_code=status,
                    media_type="application/json")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await anyio.to_thread.run_sync(datasets.ensure_samples, settings.data_dir)
        yield
        await app.state.aredis.aclose()

    app = FastAPI(title="Jobs backend (reference)", version="1.0.0", description=DESCRIPTION, lifespan=lifespan)
    store = JobStore.from_settings(settings)
    rq = RQ(settings.redis_url)
    app.state.settings = settings
    app.state.store = store
    app.state.rq = rq
    app.state.snapshot = CachedSnapshot(store, rq)
    app.state.aredis = aredis.Redis.from_url(settings.redis_url, decode_responses=True, protocol=2,
                                             socket_connect_timeout=2)

    app.state.auth = auth.TokenCheck(settings.api_tokens, app.state.aredis)
    auth.install_log_redaction()
    # Middleware added first runs innermost. Request order: CORS, origin check (WebSocket), auth,
    # body limit, app; so a 401 or 413 carries the CORS headers too, and a request is refused
    # for its token before its body is read.
    app.add_middleware(guards.BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(auth.BearerAuth, check=app.state.auth)
    app.add_middleware(guards.OriginCheck, allowed=settings.cors_origins)
    # Only what the app sends: JSON bodies and the bearer token; no cookies, no exposed headers.
    # No origins configured: no CORS headers at all, i.e. same-origin pages only.
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"])

    @app.exception_handler(RequestValidationError)
    async def _422(request: Request, exc: RequestValidationError):
        return _error(422, jsonable_encoder(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        resp = _error(exc.status_code, exc.detail)
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(JobNotFound)
    async def _404(request: Request, exc: JobNotFound):
        return _error(404, str(exc))

    @app.exception_handler(IllegalTransition)
    async def _409(request: Request, exc: IllegalTransition):
        return _error(409, exc.detail)

    @app.exception_handler(Exception)
    async def _500(request: Request, exc: Exception):
        # the exception's text may hold input; it goes to the log (by Starlette), not to the client
        return _error(500, "internal server error")

    @app.exception_handler(redis.ConnectionError)
    @app.exception_handler(redis.TimeoutError)
    async def _503(request: Request, exc: Exception):
        return _error(503, f"redis unavailable: {exc}")

    app.include_router(http_api.router)
    app.include_router(ws.router)

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        frames = {**models.WS_SERVER_FRAMES, **models.WS_CLIENT_FRAMES}
        _, top = models_json_schema([(m, "serialization") for m in dict.fromkeys(frames.values())],
                                    ref_template="#/components/schemas/{model}")
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, sub in top.get("$defs", {}).items():
            comps.setdefault(name, sub)
        schema["x-websocket"] = {
            "path": "/api/v1/ws",
            "query": {"after": {"type": "integer", "description": "resume after this event seq"},
                      "token": {"type": "string", "description": "bearer token, when the API runs with auth"}},
            "server_frames": {t: {"$ref": f"#/components/schemas/{m.__name__}"} for t, m in models.WS_SERVER_FRAMES.items()},
            "client_frames": {t: {"$ref": f"#/components/schemas/{m.__name__}"} for t, m in models.WS_CLIENT_FRAMES.items()},
        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
    return app


app = create_app()
