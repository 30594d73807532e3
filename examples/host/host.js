// Example host of the Jobs page: the shell's side of the embedding protocol
// (docs/embedding.md), in plain script. It talks to exactly one origin, the app's: messages
// are posted to it by name (never "*") and read only from it, only from the iframe.
'use strict';

/** The app to embed when the page has no `?app=` parameter. */
const DEFAULT_APP_URL = 'http://127.0.0.1:8080/index.html#/jobs';

const PROTOCOL = 'jobs-page';
const VERSION = 1;

const $ = (id) => document.getElementById(id);
const appUrl = new URL(new URLSearchParams(location.search).get('app') || DEFAULT_APP_URL,
  location.href);
const appOrigin = appUrl.origin;
const frame = $('app');
const list = $('messages');

// For scripted demos and tests: `#token=<token>` pre-fills the token field (a fragment never
// reaches a server) and is removed from the address bar at once.
const initialToken = new URLSearchParams(location.hash.slice(1)).get('token');
if (initialToken) {
  $('token').value = initialToken;
  history.replaceState(null, '', location.pathname + location.search);
}

/** Shows a message in the list; the token itself is never displayed. */
function show(direction, msg) {
  const shown = msg && typeof msg === 'object' && 'token' in msg ? { ...msg, token: '…' } : msg;
  const li = document.createElement('li');
  li.className = direction;
  li.dataset.direction = direction;
  li.dataset.type = String(msg && msg.type);
  li.dataset.json = JSON.stringify(shown);
  li.textContent = `${direction === 'in' ? '←' : '→'} ${JSON.stringify(shown)}`;
  list.append(li);
}

function send(type, fields = {}) {
  const msg = { protocol: PROTOCOL, version: VERSION, type, ...fields };
  frame.contentWindow.postMessage(msg, appOrigin);
  show('out', msg);
}

function sendToken() {
  const token = $('token').value.trim();
  if (token) send('auth', { token });
}

window.addEventListener('message', (event) => {
  if (event.origin !== appOrigin || event.source !== frame.contentWindow) return;
  const msg = event.data;
  if (!msg || msg.protocol !== PROTOCOL || msg.version !== VERSION) return;
  show('in', msg);
  switch (msg.type) {
    case 'ready':
      sendToken();
      break;
    case 'height':
      // Sized to the content: the iframe never needs a scrollbar of its own.
      frame.style.height = `${msg.px}px`;
      break;
    case 'summary': {
      const badge = $('badge');
      badge.dataset.running = String(msg.running);
      badge.dataset.failed = String(msg.failed);
      badge.textContent = `${msg.running} running · ${msg.failed} failed`;
      break;
    }
    case 'navigate': {
      const explorer = $('explorer');
      if (msg.target === 'dataset') {
        explorer.dataset.datasetId = msg.dataset_id;
        explorer.textContent = `Dataset Explorer: ${msg.dataset_id}`;
      } else if (msg.target === 'job') {
        // A real shell opens its own route for the job, e.g.
        // window.open(`/platform/jobs/${encodeURIComponent(msg.job_id)}`, '_blank', 'noopener');
        explorer.dataset.jobId = msg.job_id;
        explorer.textContent = `Would open job ${msg.job_id} in a new tab.`;
      }
      break;
    }
    case 'token_request':
      if ($('auto-token').checked) sendToken();
      break;
    case 'error':
      $('explorer').textContent = `The Jobs page crashed: ${msg.message}`;
      break;
    default:
      break; // `diagnostics`: shown in the list
  }
});

$('send-token').addEventListener('click', sendToken);
for (const theme of ['light', 'dark']) {
  $(`theme-${theme}`).addEventListener('click', () => {
    document.documentElement.dataset.theme = theme;
    send('theme', { theme });
  });
}
$('set-filter').addEventListener('click', () => {
  const dataset = $('dataset').value.trim();
  send('filter', { dataset: dataset || null });
});
$('clear-filter').addEventListener('click', () => send('filter', { dataset: null }));
$('route-job').addEventListener('click', () => {
  const job = $('job').value.trim();
  if (job) send('route', { path: `/jobs/${job}` });
});
$('route-list').addEventListener('click', () => send('route', { path: '/jobs' }));
$('diagnostics').addEventListener('click', () => send('diagnostics_request'));
$('clear-log').addEventListener('click', () => list.replaceChildren());

frame.src = appUrl.href;
