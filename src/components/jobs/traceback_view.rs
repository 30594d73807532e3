//! A stack trace: monospace, highlighted piece by piece (as text, never HTML), collapsible,
//! with copy to clipboard.

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::state::traceback::{line, Kind};
use crate::types::JobError;

#[derive(Properties, PartialEq)]
pub struct TracebackViewProps {
    pub error: JobError,
    /// Open on first render.
    #[prop_or_default]
    pub open: bool,
}

fn class(kind: Kind) -> &'static str {
    match kind {
        Kind::Header => "tb-header",
        Kind::Path => "tb-path",
        Kind::LineNo => "tb-lineno",
        Kind::Function => "tb-func",
        Kind::Source => "tb-source",
        Kind::ExceptionType => "tb-exc",
        Kind::ExceptionMessage => "tb-msg",
        Kind::Plain => "tb-plain",
    }
}

#[component]
pub fn TracebackView(props: &TracebackViewProps) -> Html {
    let copied = use_state(|| None::<Result<(), String>>);
    let copy = {
        let text = props.error.traceback.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let text = text.clone();
            let copied = copied.clone();
            spawn_local(async move {
                copied.set(Some(copy_text(&text).await));
            });
        })
    };
    let lines = props.error.traceback.lines().map(|l| {
        html! {
            <span class="tb-line">
                { for line(l).into_iter().map(|p| html! { <span class={class(p.kind)}>{ p.text }</span> }) }
                { "\n" }
            </span>
        }
    });
    let n = props.error.traceback.lines().count();
    let feedback = match &*copied {
        Some(Ok(())) => html! { <span role="status" class="copied">{ "Copied" }</span> },
        Some(Err(e)) => {
            html! { <span role="alert" class="copy-failed">{ format!("Could not copy: {e}") }</span> }
        }
        None => html! {},
    };
    html! {
        <div class="traceback-view" data-testid="traceback">
            <details open={props.open}>
                <summary>{ format!("Stack trace ({n} lines)") }</summary>
                <div class="traceback-tools">
                    <button type="button" class="btn btn-small" onclick={copy}>{ "Copy stack trace" }</button>
                    { feedback }
                </div>
                <pre class="traceback"><code>{ for lines }</code></pre>
            </details>
        </div>
    }
}

async fn copy_text(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| {
            e.as_string()
                .unwrap_or_else(|| "the browser refused".into())
        })
}
