// Starts the app. Trunk's default bootstrap is an inline <script>, which a CSP with
// `script-src 'self'` forbids; this file is served from the app's origin instead (hashed by
// trunk like every asset). Trunk.toml's `pattern_script` writes the hashed names of the
// wasm-bindgen module and the wasm binary into <meta name="jobs-boot">.
const meta = document.querySelector('meta[name="jobs-boot"]');
const bindings = await import(meta.dataset.js);
const wasm = await bindings.default({ module_or_path: meta.dataset.wasm });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", { detail: { wasm } }));
