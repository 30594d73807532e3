// What both floor pages (index.html: the list, logs.html: the log viewer) share, loaded before
// their own script: numbers written the way the app writes them (20000 → "20,000").
window.floorThousands = function (n) {
  const s = String(n);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return out;
};
