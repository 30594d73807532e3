//! The log viewer's view toolbar: wrap, timestamps, full screen, copying the shown lines and
//! downloading the full log (with a bearer token, fetched and saved, since a plain link cannot
//! send it). It owns the copy and download actions and the message they leave.

use std::rc::Rc;
use std::time::Duration;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::hooks::{use_api, use_config};
use crate::services::{auth, download};
use crate::state::log_tokens::strip_ansi;
use crate::state::url::encode_component;
use crate::types::LogLine;

/// Lines copied at most.
pub const COPY_MAX: usize = 50_000;
/// Lines of the copied text formatted per task (the rest after yielding to the page).
const COPY_SLICE: usize = 5_000;

#[derive(Properties, PartialEq)]
pub struct LogViewBarProps {
    pub job_id: AttrValue,
    pub wrap: bool,
    pub timestamps: bool,
    pub fullscreen: bool,
    pub on_wrap: Callback<()>,
    pub on_timestamps: Callback<()>,
    pub on_fullscreen: Callback<()>,
    /// The shown lines to copy (at most the newest [`COPY_MAX`]); shared, so cheap to take.
    pub copy_lines: Callback<(), Vec<Rc<LogLine>>>,
}

/// The shown lines' text, as copied: `n LEVEL text` per line, escapes removed. Formats
/// `COPY_SLICE` lines per task so a long copy never blocks the page.
async fn copy_text(lines: Vec<Rc<LogLine>>) -> String {
    let mut out = String::new();
    for (i, chunk) in lines.chunks(COPY_SLICE).enumerate() {
        if i > 0 {
            yew::platform::time::sleep(Duration::ZERO).await;
        }
        for l in chunk {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{} {} {}", l.n, l.level, strip_ansi(&l.text)));
        }
    }
    out
}

/// Writes `text` to the clipboard; the outcome in words.
async fn write_clipboard(text: &str) -> String {
    match web_sys::window() {
        Some(w) => wasm_bindgen_futures::JsFuture::from(w.navigator().clipboard().write_text(text))
            .await
            .map(|_| "Copied the shown lines".to_string())
            .unwrap_or_else(|_| "The browser refused to copy".to_string()),
        None => "Copy is not available".into(),
    }
}

#[component]
pub fn LogViewBar(props: &LogViewBarProps) -> Html {
    let config = use_config();
    let api = use_api();
    let message = use_state(|| None::<String>);
    let copy = {
        let (copy_lines, message) = (props.copy_lines.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            // The lines themselves are shared: taking them is cheap, formatting is sliced.
            let lines = copy_lines.emit(());
            let message = message.clone();
            spawn_local(async move {
                let text = copy_text(lines).await;
                message.set(Some(write_clipboard(&text).await));
            });
        })
    };
    // A plain link cannot send the bearer token: with one, fetch the file and save it.
    let download_authorised = {
        let (api, message, job_id) = (api.clone(), message.clone(), props.job_id.clone());
        Callback::from(move |e: MouseEvent| {
            if auth::token().is_none() {
                return; // the link's own download
            }
            e.prevent_default();
            let (api, message, job_id) = (api.clone(), message.clone(), job_id.clone());
            spawn_local(async move {
                let saved = match api.job_log_text(&job_id).await {
                    Ok(text) => download::save_text(&format!("{job_id}.log"), &text),
                    Err(e) => Err(e.to_string()),
                };
                if let Err(why) = saved {
                    message.set(Some(format!("Download failed: {why}")));
                }
            });
        })
    };
    let href = format!(
        "{}/jobs/{}/logs/download",
        config.api_base,
        encode_component(&props.job_id)
    );
    let flip = |on: &Callback<()>| on.reform(|_: MouseEvent| ());
    let fullscreen = props.fullscreen;
    html! {
        <div class="log-toolbar" role="toolbar" aria-label="Log view">
            <button type="button" class="btn btn-small" aria-pressed={props.wrap.to_string()} data-testid="log-wrap"
                    onclick={flip(&props.on_wrap)}>{ "Wrap" }</button>
            <button type="button" class="btn btn-small" aria-pressed={props.timestamps.to_string()}
                    data-testid="log-timestamps" onclick={flip(&props.on_timestamps)}>{ "Timestamps" }</button>
            <a class="btn btn-small" href={href} download="" target="_blank" rel="noopener"
               data-testid="log-download" onclick={download_authorised}>{ "Download full log" }</a>
            <button type="button" class="btn btn-small" data-testid="log-copy" onclick={copy}>{ "Copy" }</button>
            <button type="button" class="btn btn-small" aria-pressed={fullscreen.to_string()}
                    data-testid="log-fullscreen" onclick={flip(&props.on_fullscreen)}>
                { if fullscreen { "Exit full screen" } else { "Full screen" } }
            </button>
            if let Some(m) = &*message {
                <span role="status">{ m.clone() }</span>
            }
        </div>
    }
}
