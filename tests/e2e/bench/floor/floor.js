// The benchmark's floor: the least a browser has to do to show the Jobs list live, written by
// hand without a framework, so the app's figures can be read against it (docs/performance.md).
//
// Same input and visible result as the app's list: the snapshot over HTTP (paged with
// offset/limit, so all jobs, not only the first 5,000), then the WebSocket from the snapshot's
// `seq`, one JSON.parse per frame, a Map id → job kept by `version` (the contract's rule), the
// `seq`/`prev_seq` chain checked (a break reloads the snapshot, as does `resync_required`).
// Rendering happens at most once per animation frame and only when something changed: status
// counts, "N of M jobs", and only the cards on screen (a virtualised list with the app's row
// height), each showing the app card's content — dataset, kind, status, attempt, progress bar,
// processed/total, phase, elapsed, error. Cards are reused and only changed text is written.
// The view follows `location.hash` like the app's URL (`#/jobs?status=failed&q=x&sort=oldest`;
// sorts newest, oldest, progress), so the benchmark times the same operations on both.
// `window.__floorPerf.applied` counts the events applied (newer versions).
'use strict';
(() => {
  const params = new URLSearchParams(location.search);
  const API = (params.get('api') || location.origin + '/api/v1').replace(/\/+$/, '');
  const WS = params.get('ws') || API.replace(/^http/, 'ws') + '/ws';
  const ROW = 176;
  const OVERSCAN = 4;
  const PAGE = 5000;
  const STATUSES = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'];
  const SORTS = ['newest', 'oldest', 'progress'];

  const perf = window.__floorPerf = { applied: 0, renders: 0, snapshots: 0, sockets: 0, resyncs: 0 };
  const jobs = new Map();
  const counts = Object.fromEntries(STATUSES.map(s => [s, 0]));
  let view = parseHash();
  let order = [];          // ids shown, in order
  let orderStale = true;   // the job set, a status or a sort key changed
  let dirty = true;        // something on screen may have changed
  let raf = 0;
  let now = Date.now();
  let socket = null;

  const countsEl = document.querySelector('[data-testid="status-counts"]');
  const summaryEl = document.querySelector('[data-testid="list-summary"]');
  const scroller = document.querySelector('[data-testid="job-scroller"]');
  const list = document.querySelector('[data-testid="job-list"]');
  let cards = new Map();   // id → card on screen

  function parseHash() {
    const h = location.hash;
    const i = h.indexOf('?');
    const sp = new URLSearchParams(i >= 0 ? h.slice(i + 1) : '');
    const status = new Set((sp.get('status') || '').split(',').filter(s => STATUSES.includes(s)));
    const sort = SORTS.includes(sp.get('sort')) ? sp.get('sort') : 'newest';
    return { status, q: (sp.get('q') || '').toLowerCase(), sort };
  }

  const fraction = j => (j.progress.total > 0 ? Math.min(1, j.progress.processed / j.progress.total) : 0);

  function schedule() {
    dirty = true;
    if (!raf) raf = requestAnimationFrame(render);
  }

  // Keeps the newer version; notes whether the order has to be recomputed.
  function put(job) {
    const cur = jobs.get(job.id);
    if (cur && job.version <= cur.version) return false;
    if (!cur) {
      counts[job.status] += 1;
      orderStale = true;
    } else if (cur.status !== job.status) {
      counts[cur.status] -= 1;
      counts[job.status] += 1;
      orderStale = true;
    } else if (view.sort === 'progress' && fraction(cur) !== fraction(job)) {
      orderStale = true;
    }
    jobs.set(job.id, job);
    schedule();
    return true;
  }

  function matches(j) {
    if (view.status.size && !view.status.has(j.status)) return false;
    const q = view.q;
    if (!q) return true;
    return j.id.toLowerCase().includes(q) || j.dataset_name.toLowerCase().includes(q)
      || j.kind.includes(q)
      || (j.error !== null && (j.error.type.toLowerCase().includes(q)
                               || j.error.message.toLowerCase().includes(q)));
  }

  const newest = (a, b) => (b.created_at - a.created_at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

  function recomputeOrder() {
    const shown = [];
    for (const j of jobs.values()) if (matches(j)) shown.push(j);
    if (view.sort === 'oldest') shown.sort((a, b) => newest(b, a));
    else if (view.sort === 'progress') shown.sort((a, b) => (fraction(b) - fraction(a)) || newest(a, b));
    else shown.sort(newest);
    order = shown.map(j => j.id);
  }

  const thousands = window.floorThousands; // common.js

  function duration(ms) {
    const s = Math.floor(Math.max(0, ms) / 1000);
    const two = n => (n < 10 ? '0' + n : String(n));
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + two(s % 60) + 's';
    return Math.floor(s / 3600) + 'h ' + two(Math.floor((s % 3600) / 60)) + 'm';
  }

  function el(tag, cls, testid) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (testid) e.setAttribute('data-testid', testid);
    return e;
  }

  function makeCard() {
    const li = el('li', 'job-card', 'job-card');
    const head = el('div', 'head');
    const c = {
      li, id: null, version: -1, elapsedText: '',
      dataset: el('span', 'dataset', 'job-dataset'), kind: el('span', 'kind', 'job-kind'),
      status: el('span', 'status', 'job-status'), attempt: el('span', 'attempt', 'job-attempt'),
      fill: el('div', 'fill'), progress: el('span', '', 'job-progress'),
      phase: el('span', 'phase', 'job-phase'), elapsed: el('span', '', 'job-elapsed'),
      error: el('p', 'error', 'job-error'),
    };
    head.append(c.dataset, c.kind, c.status, c.attempt);
    const bar = el('div', 'bar');
    bar.append(c.fill);
    const text = el('div', 'meta');
    text.append(c.progress, c.phase);
    const meta = el('div', 'meta');
    meta.append(c.elapsed);
    li.append(head, bar, text, meta, c.error);
    return c;
  }

  const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };

  function fillCard(c, j) {
    if (c.version !== j.version || c.id !== j.id) {
      c.version = j.version;
      if (c.id !== j.id) {
        c.id = j.id;
        c.li.setAttribute('data-job-id', j.id);
      }
      if (c.li.getAttribute('data-status') !== j.status) c.li.setAttribute('data-status', j.status);
      setText(c.dataset, j.dataset_name);
      setText(c.kind, j.kind);
      setText(c.status, j.status);
      setText(c.attempt, 'attempt ' + j.attempt);
      const p = j.progress;
      const pct = p.total > 0 ? Math.round(fraction(j) * 100) : null;
      const width = (pct || 0) + '%';
      if (c.fill.style.width !== width) c.fill.style.width = width;
      setText(c.progress, pct === null
        ? thousands(p.processed) + ' ' + p.unit
        : thousands(p.processed) + ' / ' + thousands(p.total) + ' ' + p.unit + ' (' + pct + '%)');
      setText(c.phase, p.phase);
      const err = j.status === 'failed' && j.error ? j.error.type + ': ' + j.error.message.split('\n')[0] : '';
      setText(c.error, err);
      c.error.hidden = !err;
    }
    const elapsed = j.started_at === null ? '' : 'elapsed ' + duration((j.finished_at || now) - j.started_at);
    if (elapsed !== c.elapsedText) {
      c.elapsedText = elapsed;
      c.elapsed.textContent = elapsed;
    }
  }

  function render() {
    raf = 0;
    if (!dirty) return;
    dirty = false;
    perf.renders += 1;
    if (orderStale) {
      recomputeOrder();
      orderStale = false;
    }
    setText(countsEl, STATUSES.map(s => s + ' ' + thousands(counts[s])).join(' · '));
    setText(summaryEl, thousands(order.length) + ' of ' + thousands(jobs.size) + ' jobs');
    const top = scroller.scrollTop;
    const height = scroller.clientHeight || 800;
    const start = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const end = Math.min(order.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    list.style.paddingTop = start * ROW + 'px';
    list.style.paddingBottom = (order.length - end) * ROW + 'px';
    const visible = new Set();
    for (let i = start; i < end; i++) visible.add(order[i]);
    // Cards that scrolled out (or were filtered out) are reused for the ones that came in.
    const spare = [];
    for (const [id, c] of cards) if (!visible.has(id)) spare.push(c);
    const next = new Map();
    let at = 0;
    for (let i = start; i < end; i++) {
      const id = order[i];
      const c = cards.get(id) || spare.pop() || makeCard();
      fillCard(c, jobs.get(id));
      next.set(id, c);
      const here = list.children[at];
      if (here !== c.li) list.insertBefore(c.li, here || null);
      at += 1;
    }
    for (const c of spare) if (c.li.parentNode) c.li.remove();
    while (list.children.length > at) list.lastChild.remove();
    cards = next;
  }

  async function loadSnapshot() {
    perf.snapshots += 1;
    let offset = 0;
    let total = Infinity;
    let seq = null;
    while (offset < total) {
      const r = await fetch(API + '/jobs?sort=newest&offset=' + offset + '&limit=' + PAGE);
      if (!r.ok) throw new Error('GET /jobs: HTTP ' + r.status);
      const page = await r.json();
      // The first page's position: resuming there misses nothing of the later pages.
      if (seq === null) seq = page.seq;
      for (const j of page.items) put(j);
      total = page.total;
      offset += page.items.length;
      if (page.items.length === 0) break;
    }
    return seq;
  }

  function connect(after) {
    const ws = new WebSocket(WS + '?after=' + after);
    socket = ws;
    perf.sockets += 1;
    let last = after;
    ws.onmessage = ev => {
      const m = JSON.parse(ev.data);
      switch (m.type) {
        case 'hello':
          if (!m.resumed) last = m.seq;
          break;
        case 'job.created':
        case 'job.updated':
        case 'metric':
          if (m.prev_seq !== last) { resync(); return; }
          last = m.seq;
          if (m.job && put(m.job)) perf.applied += 1;
          break;
        case 'resync_required':
          resync();
          break;
        default:
          break;
      }
    };
    ws.onclose = () => {
      if (socket === ws) setTimeout(start, 1000);
    };
  }

  function resync() {
    perf.resyncs += 1;
    const old = socket;
    socket = null;
    if (old) old.close();
    start();
  }

  async function start() {
    try {
      connect(await loadSnapshot());
    } catch (e) {
      console.warn('[floor] ' + e);
      setTimeout(start, 1000);
    }
  }

  window.addEventListener('hashchange', () => {
    view = parseHash();
    orderStale = true;
    scroller.scrollTop = 0;
    schedule();
  });
  scroller.addEventListener('scroll', schedule, { passive: true });
  setInterval(() => { now = Date.now(); schedule(); }, 1000);
  start();
})();
