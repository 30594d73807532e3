// Counts a page's WebSocket messages before the page's own handler runs, whichever way the
// page listens (`onmessage` or `addEventListener('message')`): `count(ev)` for every message,
// `opened()` for every message handler attached (one per socket the app opens). Shared by the
// performance probe (probe.js) and the log benchmark's WebSocket probe (src/page_probes.rs):
// each names a placeholder where this function goes, and the harness puts it there.
(count, opened) => {
  const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  if (desc && desc.set) {
    Object.defineProperty(WebSocket.prototype, 'onmessage', {
      configurable: true, enumerable: desc.enumerable,
      get() { return desc.get.call(this); },
      set(fn) {
        if (typeof fn === 'function') {
          opened();
          const inner = fn;
          fn = function (ev) { count(ev); return inner.call(this, ev); };
        }
        desc.set.call(this, fn);
      },
    });
  }
  const wrapped = new WeakMap();
  const add = WebSocket.prototype.addEventListener;
  const remove = WebSocket.prototype.removeEventListener;
  WebSocket.prototype.addEventListener = function (type, fn, opts) {
    if (type === 'message' && typeof fn === 'function') {
      if (!wrapped.has(fn)) wrapped.set(fn, function (ev) { count(ev); return fn.call(this, ev); });
      opened();
      return add.call(this, type, wrapped.get(fn), opts);
    }
    return add.call(this, type, fn, opts);
  };
  WebSocket.prototype.removeEventListener = function (type, fn, opts) {
    return remove.call(this, type, (type === 'message' && wrapped.get(fn)) || fn, opts);
  };
}
