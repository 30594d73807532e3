// The performance benchmark's probe (tests/e2e/examples/perf_bench.rs), injected through CDP
// `Page.addScriptToEvaluateOnNewDocument` so it runs before the page's own scripts, in the app
// and in the floor page alike; it needs nothing from either but their DOM contract: cards are
// `[data-testid="job-card"][data-job-id]`, their phase text `[data-testid="job-phase"]`, the
// list `[data-testid="job-scroller"]`, its summary `[data-testid="list-summary"]`.
//
// It records, in bounded arrays (a long run cannot grow them without limit):
// - firstCardAt: performance.now() when a job card first exists (a MutationObserver);
// - frame intervals: a requestAnimationFrame loop (`frames_on(false)` pauses it);
// - marker latency: the marker job's phase text is `m<send time, epoch ms>`; at the first
//   frame whose layout finds a new marker text on its card (see afterLayout), Date.now() −
//   send time. The MutationObserver also notes when the text changed in the DOM (domLat);
// - long tasks (PerformanceObserver 'longtask', buffered);
// - WebSocket messages received (job.updated ones counted apart), sockets opened.
// `__MARKER_ID__` and the WebSocket counter placeholder (bench/ws_count.js) are replaced by
// the harness.
(() => {
  if (window.__perfProbe) return;
  const MARKER = '__MARKER_ID__';
  const CARD = '[data-testid="job-card"]';
  const PHASE_SEL = CARD + '[data-job-id="' + MARKER + '"] [data-testid="job-phase"]';
  const CAP = 50000;
  const push = (arr, v) => { if (arr.length < CAP) arr.push(v); };
  const p = window.__perfProbe = {
    firstCardAt: null, frames: [], lat: [], domLat: [], longtasks: [],
    lastMarker: null, lastMarkerShownAt: 0, markersSeen: 0, since: 0,
    ws: { sockets: 0, frames: 0, updates: 0, chars: 0 },
    longtaskSupported: false,
  };
  // Starts a new measurement window: the arrays restart, counters stay monotonic.
  p.reset = () => {
    p.frames = []; p.lat = []; p.domLat = []; p.longtasks = []; p.markersSeen = 0;
    p.since = performance.now();
  };
  // The page's own applied-events counter: the app's (when it has one) or the floor's.
  p.applied = () => {
    const a = (window.__jobsPerf && window.__jobsPerf.applied);
    if (typeof a === 'number') return a;
    const f = (window.__floorPerf && window.__floorPerf.applied);
    return typeof f === 'number' ? f : null;
  };

  try {
    p.longtaskSupported = (PerformanceObserver.supportedEntryTypes || []).includes('longtask');
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) push(p.longtasks, [e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { p.longtaskError = String(e); }

  // WebSocket messages, counted before the page's handler runs (both `onmessage` and
  // `addEventListener('message')`, whichever the page uses).
  const count = ev => {
    const w = p.ws; w.frames += 1;
    const d = ev.data;
    if (typeof d !== 'string') return;
    w.chars += d.length;
    if (d.startsWith('{"type":"job.updated"')) w.updates += 1;
  };
  (__WS_COUNT__)(count, () => { p.ws.sockets += 1; });

  // The marker's phase element, re-found when the page replaced it.
  let phaseEl = null;
  const markerText = () => {
    if (!phaseEl || !phaseEl.isConnected) phaseEl = document.querySelector(PHASE_SEL);
    return phaseEl ? phaseEl.textContent : null;
  };
  // "On screen" means: in the DOM when a frame's layout ran. Every DOM change (the
  // MutationObserver) also changes the width of a 1-pixel element, once per frame; a
  // ResizeObserver on that element calls back in the frame that lays the change out, after
  // every rAF callback of that frame (the page's own rendering included, whatever order they
  // were registered in) and after layout, before paint: what the DOM holds then is what that
  // frame paints. An idle page costs no extra layout.
  const ro = new ResizeObserver(() => { flipPending = false; afterLayout(); });
  let dummy = null, width = 0, flipPending = false;
  const flip = () => {
    if (flipPending || !document.documentElement) return;
    if (!dummy) {
      dummy = document.createElement('div');
      dummy.setAttribute('aria-hidden', 'true');
      const st = dummy.style;
      st.position = 'fixed'; st.left = '-64px'; st.top = '0'; st.height = '1px';
      st.pointerEvents = 'none';
      document.documentElement.appendChild(dummy);
      ro.observe(dummy);
    }
    width = width % 50 + 1;
    dummy.style.width = width + 'px';
    flipPending = true;
  };
  let domText = null, domAt = 0;
  const mo = new MutationObserver(() => {
    if (p.firstCardAt === null && document.querySelector(CARD)) p.firstCardAt = performance.now();
    const t = markerText();
    if (t !== null && t !== domText) { domText = t; domAt = Date.now(); }
    flip();
  });
  mo.observe(document, { childList: true, subtree: true, characterData: true });

  // Frame intervals; paused for the idle figures (a rAF loop is work an idle page would not do).
  let last = null, framesOn = true, looping = false;
  const frame = () => {
    if (!framesOn) { looping = false; last = null; return; }
    const now = performance.now();
    if (last !== null) push(p.frames, now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  const startFrames = () => {
    framesOn = true;
    if (!looping) { looping = true; requestAnimationFrame(frame); }
  };
  p.frames_on = on => { if (on) startFrames(); else framesOn = false; };
  startFrames();

  let pendingOp = null;
  const afterLayout = () => {
    const t = markerText();
    if (t !== null && t !== p.lastMarker) {
      p.lastMarker = t;
      const sent = t.charAt(0) === 'm' ? Number(t.slice(1)) : NaN;
      if (Number.isFinite(sent)) {
        const shown = Date.now();
        p.lastMarkerShownAt = shown;
        p.markersSeen += 1;
        push(p.lat, shown - sent);
        if (domText === t) push(p.domLat, domAt - sent);
      }
    }
    if (pendingOp) {
      const op = pendingOp;
      const now = p.listState();
      const ms = performance.now() - op.t0;
      if (now.first !== op.before.first || now.summary !== op.before.summary) {
        pendingOp = null;
        op.resolve({ ms, before: op.before, after: now });
      }
    }
  };

  // What the list shows now: first card, summary text, cards in the DOM.
  p.listState = () => {
    const first = document.querySelector(CARD);
    const sum = document.querySelector('[data-testid="list-summary"]');
    return {
      first: first ? first.getAttribute('data-job-id') : null,
      summary: sum ? sum.textContent : null,
      cards: document.querySelectorAll(CARD).length,
    };
  };
  // Sets location.hash at the start of a frame (so every page starts at the same point of
  // its frame) and resolves with the ms until the first frame that shows something else in
  // the list (first card or summary), or null after 20 s.
  p.timeHash = hash => new Promise(resolve => {
    requestAnimationFrame(() => {
      const op = { before: p.listState(), t0: performance.now(), resolve };
      pendingOp = op;
      location.hash = hash;
      setTimeout(() => {
        if (pendingOp === op) { pendingOp = null; resolve({ ms: null, before: op.before }); }
      }, 20000);
    });
  });
  // Scrolls the list by `px` per animation frame for `steps` frames; resolves with the frame
  // intervals and how far it got.
  p.scrollTest = (steps, px) => new Promise(resolve => {
    const el = document.querySelector('[data-testid="job-scroller"]');
    if (!el) { resolve(null); return; }
    el.scrollTop = 0;
    const intervals = [];
    let prev = null, i = 0;
    const step = () => {
      const now = performance.now();
      if (prev !== null) intervals.push(now - prev);
      prev = now;
      if (i++ >= steps) {
        resolve({ intervals, scrollTop: el.scrollTop, scrollHeight: el.scrollHeight,
                  cards: document.querySelectorAll(CARD).length });
        return;
      }
      el.scrollTop += px;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
})();
