"""WebSocket ``/api/v1/ws?after=<seq>``: hello, replay or resync, live events, log subscriptions.

Each connection tails the Redis event stream ``jb:events`` with its own ``XREAD BLOCK`` from the
last ``seq`` it read, so replay and live delivery are one loop and nothing can fall between them.
It keeps the ``prev_seq`` chain over the ``job.*``/``metric`` frames it sends.

Log lines travel in their own stream, ``jb:logstream`` (store.py), which the same XREAD reads
while the connection has log subscriptions. A subscription sends the backlog from the job's log
list, then live lines from the log stream; per job it remembers the last ``n`` sent, skips lines
at or below it and fills any gap from the list, so lines arrive in order, without gaps, exactly
once. When log entries were trimmed before this connection read them (a flood it could not keep
up with), every subscription is filled from its list instead: a log flood costs a backfill,
never a resync.

``resync_required`` is sent only when job events are really lost: the reader finds ``seq``
numbers missing from ``jb:events`` (trimmed before it read them) or Redis was reset. It then
continues live from the newest event; the chain restarts at that frame's ``seq``. If Redis
becomes unreachable the socket is closed with code 1011.

Client input is bounded: a message over ``ws_max_message_bytes`` closes the socket with 1009
(the contract's "message too big"); a malformed frame gets an ``error`` frame and changes
nothing; at most ``ws_max_log_subscriptions`` log subscriptions per connection (one more gets
an ``error`` frame naming the limit, the existing ones carry on).

With auth on, the handshake's token was checked by ``auth.BearerAuth``; the connection re-checks
it every ``AUTH_RECHECK_S`` and closes with 4401 ``unauthorized`` once it is revoked, so a
revocation reaches open pages too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import anyio
import redis
import redis.asyncio as aredis
from fastapi import APIRouter, Query, WebSocket
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from .auth import WS_CLOSE_REASON, WS_CLOSE_UNAUTHORIZED, TokenCheck, query_token
from .models import MAX_INT, WS_CLIENT_FRAMES
from .store import K_EVENTS, K_LOGSEQ, K_LOGSTREAM, K_SEQ, job_key, logs_key

router = APIRouter(prefix="/api/v1")
log = logging.getLogger("jobs_backend.ws")
XREAD_BLOCK_MS = 1000
XREAD_COUNT = 500
LOG_PAGE = 1000
AUTH_RECHECK_S = 1.0


def _ms() -> int:
    return int(time.time() * 1000)


class _Sub:
    __slots__ = ("last_n", "lock")

    def __init__(self, last_n: int):
        self.last_n = last_n
        self.lock = asyncio.Lock()


def _is_disconnect(exc: BaseException) -> bool:
    """Errors that only mean the client went away while we were sending."""
    return isinstance(exc, (WebSocketDisconnect, OSError)) or (
        isinstance(exc, RuntimeError) and "close" in str(exc).lower()) or type(exc).__name__ in (
        "ClientDisconnected", "ConnectionClosed", "ConnectionClosedOK", "ConnectionClosedError")


class Connection:
    def __init__(self, ws: WebSocket, r: aredis.Redis, snapshot, heartbeat_ms: int, queue_ms: int,
                 auth: TokenCheck | None = None, max_message_bytes: int = 64 << 10, max_subs: int = 50):
        self.ws, self.r, self.snapshot = ws, r, snapshot
        self.auth = auth if auth is not None and auth.enabled else None
        self.token = query_token(ws.scope["query_string"]) if self.auth else None
        self.heartbeat_ms, self.queue_ms = heartbeat_ms, queue_ms
        self.max_message_bytes, self.max_subs = max_message_bytes, max_subs
        self.send_lock = asyncio.Lock()
        self.pos = 0  # seq of the last jb:events entry read
        self.last_sent = 0  # seq of the last job.*/metric frame sent (chain head)
        # Position in jb:logstream (its logseq); None while there are no subscriptions (the
        # stream is not read then, so an idle connection costs nothing during a log flood).
        self.log_pos: int | None = None
        # Bounded by max_subs (the receiver refuses more).
        self.subs: dict[str, _Sub] = {}

    # ------------------------------------------------------------ sending

    async def send(self, text: str) -> None:
        async with self.send_lock:
            await self.ws.send_text(text)

    async def send_obj(self, obj: dict) -> None:
        await self.send(json.dumps(obj, separators=(",", ":")))

    async def send_chained(self, seq: int, head: str, tail: str) -> None:
        async with self.send_lock:
            await self.ws.send_text(f'{head},"seq":{seq},"prev_seq":{self.last_sent},{tail}')
            self.last_sent = seq

    async def resync(self, reason: str) -> None:
        head = int(await self.r.get(K_SEQ) or 0)
        async with self.send_lock:
            await self.ws.send_text(json.dumps({"type": "resync_required", "seq": head, "reason": reason}))
            self.pos = self.last_sent = head

    # ------------------------------------------------------------ lifecycle

    async def run(self, after: int | None) -> None:
        await self.ws.accept()
        try:
            head = int(await self.r.get(K_SEQ) or 0)
            reason = None
            if after is not None:
                first = await self.r.xrange(K_EVENTS, count=1)
                oldest = int(first[0][0].split("-")[0]) if first else head + 1
                if after > head:
                    reason = (f"after={after} is newer than the newest event ({head}): "
                              "the server's event store was reset")
                elif after < oldest - 1:
                    reason = f"events after {after} are no longer kept (the oldest kept event is {oldest})"
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            await self._close(1011, "redis unavailable")
            return
        resumed = after is not None and reason is None
        self.pos = self.last_sent = after if resumed else head
        await self.send_obj({"type": "hello", "seq": head, "server_time": _ms(),
                             "heartbeat_ms": self.heartbeat_ms, "resumed": resumed})
        if reason:
            await self.send_obj({"type": "resync_required", "seq": head, "reason": reason})

        coros = [self.reader(), self.receiver(), self.ticker()]
        watch = asyncio.create_task(self.auth_watch()) if self.auth else None
        tasks = [asyncio.create_task(c) for c in coros] + ([watch] if watch else [])
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        errors = [t.exception() for t in done if not t.cancelled() and t.exception() is not None]
        if watch in done and not errors:
            await self._close(WS_CLOSE_UNAUTHORIZED, WS_CLOSE_REASON)
        elif any(isinstance(e, (redis.ConnectionError, redis.TimeoutError)) for e in errors):
            await self._close(1011, "redis unavailable")
        elif any(not _is_disconnect(e) for e in errors):
            log.error("websocket connection failed", exc_info=errors[0])
            await self._close(1011, "internal error")

    async def _close(self, code: int, reason: str) -> None:
        try:
            await self.ws.close(code=code, reason=reason)
        except Exception:  # the client may be gone already
            pass

    async def auth_watch(self) -> None:
        """Returns once the connection's token is no longer accepted."""
        while True:
            await asyncio.sleep(AUTH_RECHECK_S)
            if await self.auth.refusal(self.token) is not None:
                return

    async def receiver(self) -> None:
        while True:
            msg = await self.ws.receive()
            if msg["type"] == "websocket.disconnect":
                return
            text = msg.get("text")
            if self._too_big(text, msg.get("bytes")):
                await self._close(1009, f"message too big: at most {self.max_message_bytes} bytes")
                return
            if text is None:
                await self.error("binary frames are not supported; send JSON text frames")
                continue
            try:
                data = json.loads(text)
            except ValueError as e:
                await self.error(f"invalid JSON: {e}")
                continue
            ftype = data.get("type") if isinstance(data, dict) else None
            model = WS_CLIENT_FRAMES.get(ftype) if isinstance(ftype, str) else None
            if model is None:
                await self.error(f"unknown frame type {ftype!r}; expected one of {sorted(WS_CLIENT_FRAMES)}")
                continue
            try:
                frame = model.model_validate(data)
            except ValidationError as e:
                summary = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
                await self.error(f"bad {ftype} frame: {summary}")
                continue
            if ftype == "unsubscribe_logs":
                self.subs.pop(frame.job_id, None)
            elif frame.job_id not in self.subs and len(self.subs) >= self.max_subs:
                await self.error(f"too many log subscriptions: at most {self.max_subs} per connection; "
                                 f"job {frame.job_id} was not subscribed (unsubscribe from another first)")
            else:
                await self.subscribe(frame.job_id, frame.after_line)

    def _too_big(self, text: str | None, data: bytes | None) -> bool:
        if text is not None:
            # a character is at most 4 bytes of UTF-8: only long texts need encoding to measure
            return len(text) * 4 > self.max_message_bytes and \
                len(text.encode("utf-8", "surrogatepass")) > self.max_message_bytes
        return data is not None and len(data) > self.max_message_bytes

    async def error(self, detail: str) -> None:
        await self.send_obj({"type": "error", "detail": detail})

    async def ticker(self) -> None:
        loop = asyncio.get_running_loop()
        next_hb = loop.time() + self.heartbeat_ms / 1000
        next_q = loop.time()
        while True:
            now = loop.time()
            if now >= next_q:
                snap = await anyio.to_thread.run_sync(self.snapshot.get)
                await self.send_obj({"type": "queue", "queue": snap})
                next_q = max(next_q + self.queue_ms / 1000, loop.time())
            if now >= next_hb:
                async with self.send_lock:
                    await self.ws.send_text(json.dumps({"type": "heartbeat", "seq": self.last_sent,
                                                        "server_time": _ms()}))
                next_hb = max(next_hb + self.heartbeat_ms / 1000, loop.time())
            await asyncio.sleep(max(0.0, min(next_hb, next_q) - loop.time()))

    # ------------------------------------------------------------ the event stream

    async def reader(self) -> None:
        while True:
            streams = {K_EVENTS: f"{self.pos}-0"}
            if await self._track_logs():
                streams[K_LOGSTREAM] = f"{self.log_pos}-0"
            resp = await self.r.xread(streams, count=XREAD_COUNT, block=XREAD_BLOCK_MS)
            if not resp:
                await self._check_reset()
                continue
            got = dict(resp)
            await self._job_events(got.get(K_EVENTS) or [])
            if self.log_pos is not None:
                await self._log_entries(got.get(K_LOGSTREAM) or [])

    async def _job_events(self, entries) -> None:
        for eid, fields in entries:
            seq = int(eid.split("-")[0])
            if seq <= self.pos:
                continue
            if seq != self.pos + 1:
                await self.resync(f"events {self.pos + 1}..{seq - 1} were dropped from the event "
                                  "buffer before this connection could send them")
                return
            self.pos = seq
            await self.dispatch(seq, fields)

    async def _track_logs(self) -> bool:
        """Whether to read the log stream; starts (or stops) following it as subscriptions come and go."""
        if not self.subs:
            self.log_pos = None
            return False
        if self.log_pos is None:
            self.log_pos = int(await self.r.get(K_LOGSEQ) or 0)
            # Lines up to log_pos are in the lists already (one commit writes both): the ones
            # written since a subscription sent its backlog are sent now, the rest come live.
            await self.catch_up()
        return True

    async def _check_reset(self) -> None:
        """Nothing new: if a counter went backwards, Redis was reset under this connection."""
        seq, logseq = await self.r.mget(K_SEQ, K_LOGSEQ)
        if int(seq or 0) < self.pos:
            await self.resync("the server's event store was reset")
        if self.log_pos is not None and int(logseq or 0) < self.log_pos:
            self.log_pos = int(logseq or 0)

    async def _log_entries(self, entries) -> None:
        for eid, fields in entries:
            lseq = int(eid.split("-")[0])
            if lseq <= self.log_pos:
                continue
            if lseq != self.log_pos + 1:
                # Trimmed before this connection read them: the lists have every line.
                await self.catch_up()
            self.log_pos = lseq
            job_id = fields["job_id"]
            sub = self.subs.get(job_id)
            if sub is not None:
                await self.live_line(job_id, sub, int(fields["n"]), fields["body"])

    async def dispatch(self, seq: int, fields: dict) -> None:
        etype, job_id, body = fields["type"], fields["job_id"], fields["body"]
        if etype == "metric":
            await self.send_chained(seq, '{"type":"metric"', f'"job_id":{json.dumps(job_id)},"sample":{body}}}')
        else:
            await self.send_chained(seq, f'{{"type":"{etype}"', f'"job":{body}}}')

    # ------------------------------------------------------------ log subscriptions

    async def subscribe(self, job_id: str, after_line: int) -> None:
        sub = _Sub(after_line)
        self.subs[job_id] = sub  # replaces any earlier subscription to this job
        async with sub.lock:
            if not await self.r.exists(job_key(job_id)):
                if self.subs.get(job_id) is sub:
                    del self.subs[job_id]
                await self.error(f"job {job_id} not found")
                return
            await self.send_lines(job_id, sub, upto=None)

    async def catch_up(self) -> None:
        """Send every subscription the lines its job's list has beyond what it was sent."""
        for job_id, sub in list(self.subs.items()):
            async with sub.lock:
                if self.subs.get(job_id) is sub:
                    await self.send_lines(job_id, sub, upto=None)

    async def live_line(self, job_id: str, sub: _Sub, n: int, body: str) -> None:
        async with sub.lock:
            if self.subs.get(job_id) is not sub or n <= sub.last_n:
                return
            if n > sub.last_n + 1:
                await self.send_lines(job_id, sub, upto=n - 1)
            await self.send(f'{{"type":"log","job_id":{json.dumps(job_id)},"line":{body}}}')
            sub.last_n = n

    async def send_lines(self, job_id: str, sub: _Sub, upto: int | None) -> None:
        """Send kept lines with last_n < n <= upto (upto None: all the job has now).

        The target is fixed when this starts, so a job that keeps logging cannot keep it going:
        later lines come from the log stream (or the next gap fill). A job at its line cap has
        lines trimmed from the head of its list between reading the list's length and reading a
        page, which shifts the page to later lines: the page's own first ``n`` says where it
        really starts (lines before it were trimmed meanwhile, i.e. no longer kept).
        """
        prefix = f'{{"type":"log","job_id":{json.dumps(job_id)},"line":'
        while True:
            async with self.r.pipeline(transaction=True) as pipe:
                pipe.get(job_key(job_id))
                pipe.llen(logs_key(job_id))
                raw, llen = await pipe.execute()
            if not raw:
                return
            count = json.loads(raw)["log_count"]
            if upto is None:
                upto = count
            first = count - llen + 1
            last = min(upto, count)
            lo = max(sub.last_n + 1, first)
            if lo > last:
                return
            hi = min(lo + LOG_PAGE - 1, last)
            lines = await self.r.lrange(logs_key(job_id), lo - first, hi - first)
            if not lines:
                return
            n0 = json.loads(lines[0])["n"]  # >= lo: trimming only ever moves the page later
            skip = max(0, sub.last_n + 1 - n0)  # never more than 0; kept as a guard against resends
            lines = lines[skip:max(skip, upto - n0 + 1)]
            if not lines:
                return  # the page now starts beyond the target
            for line in lines:
                await self.send(prefix + line + "}")
            sub.last_n = n0 + skip + len(lines) - 1


@router.websocket("/ws")
async def ws_endpoint(websocket: WebSocket, after: int | None = Query(None, ge=0, le=MAX_INT)):
    st = websocket.app.state
    s = st.settings
    conn = Connection(websocket, st.aredis, st.snapshot, s.heartbeat_ms, s.queue_interval_ms, st.auth,
                      s.ws_max_message_bytes, s.ws_max_log_subscriptions)
    try:
        await conn.run(after)
    except WebSocketDisconnect:
        pass
