//! Saving text the page fetched itself as a file: for downloads that need the bearer token,
//! which a plain `<a href download>` cannot send.

use wasm_bindgen::JsCast;

/// Offers `text` to the user as the file `file_name` (a `Blob` behind a temporary object URL,
/// clicked through a detached link).
pub fn save_text(file_name: &str, text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not hold the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not offer the file")?;
    let link = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or("the browser could not offer the file")?;
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // Released a while later: revoking at once can cancel a download that has not started.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
