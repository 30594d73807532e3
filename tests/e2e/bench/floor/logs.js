// The benchmark's floor log viewer: the least a page must do to follow a job's log live, by
// hand, no framework, against the same server as the app's viewer (docs/performance.md).
// The last 1,000 lines over HTTP (`tail`), then `subscribe_logs` after the last line on the
// WebSocket; lines kept in order without duplicates (by `n`), at most 200,000 (+10,000) in
// memory (like the app); rendered at most once per animation frame and only when something changed: the
// status "N lines · following" and only the rows on screen (fixed row height), following the
// end. Log text is untrusted: rows get it as text, ANSI colour codes stripped.
'use strict';
(() => {
  const params = new URLSearchParams(location.search);
  const API = (params.get('api') || location.origin + '/api/v1').replace(/\/+$/, '');
  const WS = params.get('ws') || API.replace(/^http/, 'ws') + '/ws';
  const JOB = params.get('job') || '';
  const ROW = 18;
  const OVERSCAN = 10;
  const MAX_LINES = 200000;
  const ANSI = /\x1b\[[0-9;]*m/g;

  const perf = window.__floorPerf = { applied: 0, renders: 0 };
  const lines = [];
  let lastN = 0;
  let shifted = false;
  let dirty = true;
  let raf = 0;

  const statusEl = document.querySelector('[data-testid="log-status"]');
  const viewport = document.querySelector('[data-testid="log-viewport"]');
  const rowsEl = document.querySelector('[data-testid="log-rows"]');
  const shown = new Map(); // n → row element

  const thousands = window.floorThousands; // common.js

  function schedule() {
    dirty = true;
    if (!raf) raf = requestAnimationFrame(render);
  }

  function add(line) {
    if (line.n <= lastN) return;
    lastN = line.n;
    lines.push(line);
    // Dropped in chunks: one splice per 10,000 lines, not one per line.
    if (lines.length > MAX_LINES + 10000) {
      lines.splice(0, lines.length - MAX_LINES);
      shifted = true;
    }
    perf.applied += 1;
    schedule();
  }

  function render() {
    raf = 0;
    if (!dirty) return;
    dirty = false;
    perf.renders += 1;
    const text = thousands(lines.length) + ' lines · following';
    if (statusEl.textContent !== text) statusEl.textContent = text;
    rowsEl.style.height = lines.length * ROW + 'px';
    // Following: the end is always in view.
    viewport.scrollTop = viewport.scrollHeight;
    const top = viewport.scrollTop;
    const height = viewport.clientHeight || 600;
    const start = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const end = Math.min(lines.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    const keep = new Set();
    for (let i = start; i < end; i++) keep.add(lines[i].n);
    for (const [n, el] of shown) if (!keep.has(n)) { el.remove(); shown.delete(n); }
    for (let i = start; i < end; i++) {
      const l = lines[i];
      if (shown.has(l.n)) continue;
      const row = document.createElement('div');
      row.className = 'log-row ' + l.level;
      row.setAttribute('data-testid', 'log-row');
      row.setAttribute('data-n', l.n);
      row.style.top = i * ROW + 'px';
      const n = document.createElement('span');
      n.className = 'n';
      n.textContent = l.n;
      row.append(n, l.level + ' ' + l.text.replace(ANSI, ''));
      rowsEl.append(row);
      shown.set(l.n, row);
    }
    // Dropping old lines shifts positions: rows still shown get their place again.
    if (shifted) {
      shifted = false;
      for (let i = start; i < end; i++) shown.get(lines[i].n).style.top = i * ROW + 'px';
    }
  }

  function connect() {
    const ws = new WebSocket(WS);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe_logs', job_id: JOB, after_line: lastN }));
    ws.onmessage = ev => {
      const m = JSON.parse(ev.data);
      if (m.type === 'log' && m.job_id === JOB) add(m.line);
    };
    ws.onclose = () => setTimeout(connect, 1000);
  }

  async function start() {
    try {
      const r = await fetch(API + '/jobs/' + encodeURIComponent(JOB) + '/logs?tail=1000');
      if (!r.ok) throw new Error('GET logs: HTTP ' + r.status);
      for (const l of (await r.json()).lines) add(l);
      connect();
    } catch (e) {
      console.warn('[floor] ' + e);
      setTimeout(start, 1000);
    }
  }
  start();
})();
