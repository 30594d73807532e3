//! Browser tests of the dialogs (headless Chromium via wasm-bindgen-test): focus, keyboard and
//! the Start Job form's requests, which only a real DOM can show.
//!
//! HTTP is observed and answered by a small `window.fetch` wrapper (installed once): it records
//! every request and answers the routes a test registers; anything else goes to the real fetch,
//! and the API base points at port 9 where nothing listens.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use jobs_page::components::confirm_dialog::{ConfirmDialog, ConfirmDialogProps};
use jobs_page::components::jobs::start_job_modal::StartJobModal;
use jobs_page::components::modal::{Modal, ModalProps};
use jobs_page::fixtures::JobBuilder;
use jobs_page::hooks::ConfigContext;
use jobs_page::state::config::resolve;
use jobs_page::types::{Job, JobKind, JobParams};
use serde_json::{json, Value};
use support::{document, root};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};
use yew::{html, Callback, Classes};

wasm_bindgen_test_configure!(run_in_browser);

fn q(root: &Element, sel: &str) -> HtmlElement {
    support::q(root, sel).dyn_into().unwrap()
}

fn active() -> Option<Element> {
    document().active_element()
}

fn press(target: &Element, key: &str, shift: bool) -> KeyboardEvent {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
    event
}

fn counter() -> (Rc<Cell<u32>>, Callback<()>) {
    let count = Rc::new(Cell::new(0));
    let c = count.clone();
    (count, Callback::from(move |_| c.set(c.get() + 1)))
}

/// Polls `cond` (rendering in between) until it holds, or panics after about 3 s.
async fn wait_for(what: &str, root: &Element, cond: impl Fn() -> bool) {
    for _ in 0..300 {
        yew::scheduler::flush().await;
        if cond() {
            return;
        }
        gloo_timers::future::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}; DOM: {}", root.inner_html());
}

// ---------------------------------------------------------------------------------- Modal

fn modal_props(on_close: Callback<()>) -> ModalProps {
    ModalProps {
        title: "Test dialog".into(),
        on_close,
        children: html! {
            <>
                <button type="button" id="inside-a">{ "A" }</button>
                <button type="button" id="inside-b">{ "B" }</button>
            </>
        },
        testid: Some("test-modal".into()),
        wide: false,
        fullscreen: false,
        class: Classes::new(),
    }
}

#[wasm_bindgen_test]
async fn modal_is_a_labelled_dialog_that_takes_focus() {
    let el = root();
    let (_, on_close) = counter();
    let app =
        yew::Renderer::<Modal>::with_root_and_props(el.clone(), modal_props(on_close)).render();
    yew::scheduler::flush().await;
    let dialog = q(&el, "[data-testid=test-modal]");
    assert_eq!(dialog.get_attribute("role").as_deref(), Some("dialog"));
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    let title = document().get_element_by_id(&title_id).unwrap();
    assert_eq!(title.text_content().as_deref(), Some("Test dialog"));
    let close = q(&el, ".modal-close");
    assert_eq!(close.text_content().as_deref(), Some("Close"));
    assert_eq!(
        active().as_ref(),
        Some(close.as_ref()),
        "the first focusable element has focus"
    );
    app.destroy();
}

#[wasm_bindgen_test]
async fn escape_calls_on_close() {
    let el = root();
    let (closed, on_close) = counter();
    let app =
        yew::Renderer::<Modal>::with_root_and_props(el.clone(), modal_props(on_close)).render();
    yew::scheduler::flush().await;
    let event = press(&q(&el, "#inside-a"), "Escape", false);
    yew::scheduler::flush().await;
    assert_eq!(closed.get(), 1);
    assert!(event.default_prevented());
    // Other keys do nothing.
    press(&q(&el, "#inside-a"), "a", false);
    assert_eq!(closed.get(), 1);
    app.destroy();
}

#[wasm_bindgen_test]
async fn tab_wraps_around_inside_the_dialog() {
    let el = root();
    let (_, on_close) = counter();
    let app =
        yew::Renderer::<Modal>::with_root_and_props(el.clone(), modal_props(on_close)).render();
    yew::scheduler::flush().await;
    let close = q(&el, ".modal-close");
    let last = q(&el, "#inside-b");
    last.focus().unwrap();
    let event = press(&last, "Tab", false);
    assert!(event.default_prevented());
    assert_eq!(
        active().as_ref(),
        Some(close.as_ref()),
        "Tab on the last wraps to the first"
    );
    let event = press(&close, "Tab", true);
    assert!(event.default_prevented());
    assert_eq!(
        active().as_ref(),
        Some(last.as_ref()),
        "Shift+Tab on the first wraps to the last"
    );
    // In the middle the browser moves focus itself.
    let middle = q(&el, "#inside-a");
    middle.focus().unwrap();
    assert!(!press(&middle, "Tab", false).default_prevented());
    app.destroy();
}

#[wasm_bindgen_test]
async fn backdrop_click_closes_but_a_click_inside_does_not() {
    let el = root();
    let (closed, on_close) = counter();
    let app =
        yew::Renderer::<Modal>::with_root_and_props(el.clone(), modal_props(on_close)).render();
    yew::scheduler::flush().await;
    let mouse = |target: &HtmlElement, kind: &str| {
        let init = web_sys::MouseEventInit::new();
        init.set_bubbles(true);
        let e = web_sys::MouseEvent::new_with_mouse_event_init_dict(kind, &init).unwrap();
        target.dispatch_event(&e).unwrap();
    };
    let title = q(&el, ".modal-title");
    mouse(&title, "mousedown");
    mouse(&title, "click");
    yew::scheduler::flush().await;
    assert_eq!(closed.get(), 0);
    let backdrop = q(&el, ".modal-backdrop");
    mouse(&backdrop, "mousedown");
    mouse(&backdrop, "click");
    yew::scheduler::flush().await;
    assert_eq!(closed.get(), 1);
    q(&el, ".modal-close").click();
    yew::scheduler::flush().await;
    assert_eq!(closed.get(), 2);
    app.destroy();
}

#[wasm_bindgen_test]
async fn focus_returns_to_the_opener_when_the_dialog_goes() {
    let opener: HtmlElement = document()
        .create_element("button")
        .unwrap()
        .dyn_into()
        .unwrap();
    opener.set_text_content(Some("Open"));
    document().body().unwrap().append_child(&opener).unwrap();
    opener.focus().unwrap();
    let el = root();
    let (_, on_close) = counter();
    let app =
        yew::Renderer::<Modal>::with_root_and_props(el.clone(), modal_props(on_close)).render();
    yew::scheduler::flush().await;
    assert_ne!(active().as_ref(), Some(opener.as_ref()));
    app.destroy();
    yew::scheduler::flush().await;
    assert_eq!(active().as_ref(), Some(opener.as_ref()));
    opener.remove();
}

// -------------------------------------------------------------------------- ConfirmDialog

fn confirm_props(
    busy: bool,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> ConfirmDialogProps {
    ConfirmDialogProps {
        title: "Cancel jobs?".into(),
        message: html! { <p>{ "3 running jobs will stop. <b>sure?</b>" }</p> },
        confirm_label: "Cancel 3 jobs".into(),
        danger: true,
        busy,
        on_confirm,
        on_cancel,
        testid: Some("confirm".into()),
    }
}

#[wasm_bindgen_test]
async fn confirm_has_focus_and_is_disabled_while_busy() {
    let el = root();
    let (confirmed, on_confirm) = counter();
    let (cancelled, on_cancel) = counter();
    let mut app = yew::Renderer::<ConfirmDialog>::with_root_and_props(
        el.clone(),
        confirm_props(false, on_confirm.clone(), on_cancel.clone()),
    )
    .render();
    yew::scheduler::flush().await;
    let button = q(&el, "[data-testid=confirm-button]");
    assert_eq!(button.text_content().as_deref(), Some("Cancel 3 jobs"));
    assert_eq!(
        active().as_ref(),
        Some(button.as_ref()),
        "Enter confirms: the confirm button has focus"
    );
    assert!(
        el.query_selector("b").unwrap().is_none(),
        "messages are text"
    );
    // Two clicks before any re-render send once.
    button.click();
    button.click();
    assert_eq!(confirmed.get(), 1);

    app.update(confirm_props(true, on_confirm.clone(), on_cancel.clone()));
    yew::scheduler::flush().await;
    let button = q(&el, "[data-testid=confirm-button]");
    assert!(button.has_attribute("disabled"));
    assert_eq!(button.text_content().as_deref(), Some("Working…"));
    button.click();
    yew::scheduler::flush().await;
    assert_eq!(confirmed.get(), 1, "nothing is sent twice while busy");
    // Escape still cancels, even though the disabled button lost focus.
    press(&document().body().unwrap(), "Escape", false);
    yew::scheduler::flush().await;
    assert_eq!(cancelled.get(), 1);

    app.update(confirm_props(false, on_confirm, on_cancel));
    yew::scheduler::flush().await;
    let button = q(&el, "[data-testid=confirm-button]");
    assert!(!button.has_attribute("disabled"));
    assert_eq!(
        active().as_ref(),
        Some(button.as_ref()),
        "focus comes back after a failed request"
    );
    button.click();
    assert_eq!(confirmed.get(), 2);
    app.destroy();
}

// ------------------------------------------------------------------------- StartJobModal

const FETCH_STUB: &str = r#"
if (!window.__fetchStub) {
  window.__fetchStub = true;
  const real = window.fetch.bind(window);
  window.__routes = {};
  window.__calls = [];
  window.fetch = async function (input, init) {
    const req = new Request(input, init);
    const path = new URL(req.url).pathname.replace(/^\/api\/v1/, '');
    const body = req.method === 'GET' ? null : await req.clone().text();
    window.__calls.push({ method: req.method, path: path, body: body });
    const route = window.__routes[req.method + ' ' + path];
    if (!route) { return real(req); }
    return new Response(JSON.stringify(route.body),
      { status: route.status, headers: { 'content-type': 'application/json' } });
  };
}
window.__routes = {};
window.__calls = [];
"#;

/// Installs (once) and resets the fetch recorder, then registers `routes`.
fn stub_fetch(routes: Value) {
    js_sys::Function::new_no_args(FETCH_STUB)
        .call0(&JsValue::NULL)
        .unwrap();
    let window = web_sys::window().unwrap();
    let routes = js_sys::JSON::parse(&routes.to_string()).unwrap();
    js_sys::Reflect::set(&window, &"__routes".into(), &routes).unwrap();
}

/// Requests sent so far, as `{method, path, body}`.
fn calls() -> Vec<Value> {
    let window = web_sys::window().unwrap();
    let calls = js_sys::Reflect::get(&window, &"__calls".into()).unwrap();
    let text = js_sys::JSON::stringify(&calls)
        .unwrap()
        .as_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn posts() -> Vec<Value> {
    calls()
        .into_iter()
        .filter(|c| c["method"] == "POST")
        .collect()
}

/// The job the backend answers a start with: `dataset_id` just queued.
fn job(id: &str, dataset_id: &str) -> Job {
    JobBuilder::new(id)
        .dataset(dataset_id, format!("{dataset_id}.csv"))
        .created_at(1)
        .updated_at(1)
        .build()
}

const EVIL: &str = r#"<img src=x onerror="window.__pwned=1">evil.csv"#;

fn datasets() -> Value {
    json!({"status": 200, "body": {"items": [
        {"id": "ds_a", "name": "a.csv", "rows": 20000, "columns": ["x"], "size_bytes": 612345, "created_at": 1},
        {"id": "ds_b", "name": EVIL, "rows": 5, "columns": ["x"], "size_bytes": 100, "created_at": 1}
    ]}})
}

fn queue() -> Value {
    json!({"status": 200, "body": {"queued": 2, "running": 1,
        "workers": [{"name": "w1", "state": "busy", "current_job": null},
                    {"name": "w2", "state": "idle", "current_job": null},
                    {"name": "w3", "state": "idle", "current_job": null},
                    {"name": "w4", "state": "idle", "current_job": null}],
        "redis": {"ok": true, "version": "7", "latency_ms": 0.3, "used_memory_bytes": 1}}})
}

#[derive(yew::Properties, PartialEq)]
struct HostProps {
    on_close: Callback<()>,
    on_started: Callback<Vec<Job>>,
    #[prop_or_default]
    prefill: Option<Job>,
}

#[yew::component]
fn Host(props: &HostProps) -> yew::Html {
    // Nothing listens on port 9: whatever the stub does not answer fails as a network error.
    let config: ConfigContext =
        Rc::new(resolve("http://127.0.0.1:9", None, &[]).expect("a valid test configuration"));
    html! {
        <yew::ContextProvider<ConfigContext> context={config}>
            <StartJobModal on_close={props.on_close.clone()} on_started={props.on_started.clone()}
                           prefill={props.prefill.clone()} />
        </yew::ContextProvider<ConfigContext>>
    }
}

struct Started(Rc<RefCell<Vec<Job>>>);

fn start_modal(
    el: &Element,
    prefill: Option<Job>,
) -> (yew::AppHandle<Host>, Rc<Cell<u32>>, Started) {
    let (closed, on_close) = counter();
    let started = Rc::new(RefCell::new(Vec::new()));
    let s = started.clone();
    let app = yew::Renderer::<Host>::with_root_and_props(
        el.clone(),
        HostProps {
            on_close,
            on_started: Callback::from(move |jobs: Vec<Job>| s.borrow_mut().extend(jobs)),
            prefill,
        },
    )
    .render();
    (app, closed, Started(started))
}

fn type_into(el: &Element, testid: &str, text: &str) {
    let input = el
        .query_selector(&format!("[data-testid=\"{testid}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("{testid} not rendered"));
    js_sys::Reflect::set(&input, &"value".into(), &text.into()).unwrap();
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

fn exists(el: &Element, sel: &str) -> bool {
    el.query_selector(sel).unwrap().is_some()
}

#[wasm_bindgen_test]
async fn start_form_flags_chunk_rows_0_without_sending_anything() {
    stub_fetch(json!({}));
    let el = root();
    let (app, closed, _) = start_modal(&el, None);
    wait_for("the datasets error", &el, || {
        exists(&el, "[data-testid=start-datasets-error]")
    })
    .await;
    let error = q(&el, "[data-testid=start-datasets-error]");
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert!(error
        .text_content()
        .unwrap()
        .contains("cannot reach the server"));

    type_into(&el, "start-param-chunk_rows", "0");
    yew::scheduler::flush().await;
    q(&el, "[data-testid=start-submit]").click();
    yew::scheduler::flush().await;

    let message = q(&el, "[data-testid=\"field-error-params.chunk_rows\"]");
    assert_eq!(
        message.text_content().as_deref(),
        Some("Enter a whole number from 1 to 100,000, or leave it empty for the default.")
    );
    let input: HtmlInputElement = q(&el, "[data-testid=start-param-chunk_rows]")
        .dyn_into()
        .unwrap();
    assert_eq!(input.value(), "0", "what was typed stays");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described = input.get_attribute("aria-describedby").unwrap();
    assert!(
        described.split(' ').any(|id| id == message.id()),
        "{described}"
    );
    assert!(exists(&el, "[data-testid=field-error-dataset]"));
    assert_eq!(
        active().as_ref(),
        Some(input.as_ref()),
        "focus goes to the field to fix"
    );
    gloo_timers::future::sleep(Duration::from_millis(50)).await;
    assert!(posts().is_empty(), "sent: {:?}", posts());
    assert!(!q(&el, "[data-testid=start-submit]").has_attribute("disabled"));
    assert_eq!(closed.get(), 0);

    // The Retry button loads the datasets again.
    stub_fetch(json!({"GET /datasets": datasets()}));
    let retry = q(&el, "[data-testid=start-datasets-error] button");
    retry.click();
    wait_for("the dataset list", &el, || {
        exists(&el, "[data-testid=start-dataset-ds_a]")
    })
    .await;
    app.destroy();
}

#[wasm_bindgen_test]
async fn start_form_lists_datasets_as_text_and_starts_one_job() {
    stub_fetch(json!({
        "GET /datasets": datasets(),
        "GET /queue": queue(),
        "POST /jobs": {"status": 201, "body": serde_json::to_value(job("job_new", "ds_a")).unwrap()},
    }));
    let el = root();
    let (app, closed, started) = start_modal(&el, None);
    wait_for("the dataset list", &el, || {
        exists(&el, "[data-testid=start-dataset-ds_b]")
    })
    .await;
    wait_for("the queue summary", &el, || {
        q(&el, "[data-testid=start-capacity]")
            .text_content()
            .as_deref()
            == Some("4 workers available, 2 jobs queued")
    })
    .await;
    assert!(el.text_content().unwrap().contains(EVIL));
    assert!(
        el.query_selector("img").unwrap().is_none(),
        "names are text"
    );
    assert!(el.text_content().unwrap().contains("20,000 rows · 598 KB"));

    q(&el, "[data-testid=start-dataset-ds_a]").click();
    yew::scheduler::flush().await;
    let submit = q(&el, "[data-testid=start-submit]");
    assert_eq!(submit.text_content().as_deref(), Some("Start 1 job"));
    type_into(&el, "start-param-passes", "3");
    type_into(&el, "start-param-note", "hello <b>");
    let kind: web_sys::HtmlSelectElement = q(&el, "[data-testid=start-kind]").dyn_into().unwrap();
    kind.set_value("validate");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    kind.dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    submit.click();
    wait_for("the dialog to close", &el, || closed.get() == 1).await;
    let sent = posts();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["path"], "/jobs");
    let body: Value = serde_json::from_str(sent[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"dataset_id": "ds_a", "kind": "validate", "params": {"passes": 3, "note": "hello <b>"}})
    );
    let ids: Vec<String> = started.0.borrow().iter().map(|j| j.id.clone()).collect();
    assert_eq!(ids, vec!["job_new"]);
    app.destroy();
}

#[wasm_bindgen_test]
async fn partial_bulk_failure_lists_each_dataset_and_keeps_the_failed_ones() {
    let ok = serde_json::to_value(job("job_a", "ds_a")).unwrap();
    stub_fetch(json!({
        "GET /datasets": datasets(),
        "POST /jobs/bulk/start": {"status": 200, "body": {"ok": 1, "failed": 1, "results": [
            {"id": "job_a", "index": 0, "ok": true, "status_code": 201, "detail": null, "job": ok},
            {"id": null, "index": 1, "ok": false, "status_code": 404,
             "detail": "dataset ds_b not found <i>", "job": null}
        ]}},
    }));
    let el = root();
    let (app, closed, started) = start_modal(&el, None);
    wait_for("the dataset list", &el, || {
        exists(&el, "[data-testid=start-dataset-ds_b]")
    })
    .await;
    q(&el, "[data-testid=start-dataset-ds_a]").click();
    q(&el, "[data-testid=start-dataset-ds_b]").click();
    yew::scheduler::flush().await;
    let submit = q(&el, "[data-testid=start-submit]");
    assert_eq!(submit.text_content().as_deref(), Some("Start 2 jobs"));
    submit.click();
    wait_for("the results", &el, || {
        exists(&el, "[data-testid=start-results]")
    })
    .await;

    let sent = posts();
    assert_eq!(sent.len(), 1, "one bulk request: {sent:?}");
    assert_eq!(sent[0]["path"], "/jobs/bulk/start");
    let body: Value = serde_json::from_str(sent[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["jobs"].as_array().unwrap().len(), 2);

    let items = el
        .query_selector_all("[data-testid=start-results] li")
        .unwrap();
    assert_eq!(items.length(), 2);
    let failed = q(&el, "[data-testid=start-results] li[data-ok=false]");
    assert_eq!(
        failed.get_attribute("data-dataset-id").as_deref(),
        Some("ds_b")
    );
    assert!(failed
        .text_content()
        .unwrap()
        .contains("dataset ds_b not found <i> (HTTP 404)"));
    assert!(el.query_selector("i").unwrap().is_none());
    assert_eq!(started.0.borrow().len(), 1, "the created job is reported");
    assert_eq!(closed.get(), 0, "the dialog stays open");
    // Only the failed dataset is still selected, so starting again cannot duplicate job_a.
    let a: HtmlInputElement = q(&el, "[data-testid=start-dataset-ds_a]")
        .dyn_into()
        .unwrap();
    let b: HtmlInputElement = q(&el, "[data-testid=start-dataset-ds_b]")
        .dyn_into()
        .unwrap();
    assert!(!a.checked());
    assert!(b.checked());
    assert_eq!(submit.text_content().as_deref(), Some("Start 1 job"));
    app.destroy();
}

#[wasm_bindgen_test]
async fn server_422_messages_show_next_to_their_fields() {
    stub_fetch(json!({
        "GET /datasets": datasets(),
        "POST /jobs": {"status": 422, "body": {"detail": [
            {"loc": ["body", "params", "chunk_rows"], "msg": "Input should be less than or equal to 50000", "type": "x"},
            {"loc": ["body", "params", "colour"], "msg": "Extra inputs are not permitted", "type": "x"}
        ]}},
    }));
    let el = root();
    let (app, closed, started) = start_modal(&el, None);
    wait_for("the dataset list", &el, || {
        exists(&el, "[data-testid=start-dataset-ds_a]")
    })
    .await;
    q(&el, "[data-testid=start-dataset-ds_a]").click();
    type_into(&el, "start-param-chunk_rows", "90000");
    yew::scheduler::flush().await;
    q(&el, "[data-testid=start-submit]").click();
    wait_for("the server's field error", &el, || {
        exists(&el, "[data-testid=\"field-error-params.chunk_rows\"]")
    })
    .await;
    assert_eq!(
        q(&el, "[data-testid=\"field-error-params.chunk_rows\"]")
            .text_content()
            .as_deref(),
        Some("Input should be less than or equal to 50000")
    );
    let general = q(&el, "[data-testid=start-error]");
    assert_eq!(general.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(
        general.text_content().as_deref(),
        Some("params.colour: Extra inputs are not permitted")
    );
    assert!(!q(&el, "[data-testid=start-submit]").has_attribute("disabled"));
    assert_eq!((closed.get(), started.0.borrow().len()), (0, 0));
    app.destroy();
}

#[wasm_bindgen_test]
async fn network_errors_are_said_in_words_and_keep_the_form() {
    // Datasets answer; the POST is not stubbed and fails to connect.
    stub_fetch(json!({"GET /datasets": datasets()}));
    let el = root();
    let prefill = Job {
        params: JobParams {
            chunk_rows: 250,
            chunk_delay_ms: 0,
            fail_at: Some(0.5),
            passes: 2,
            note: Some("again".into()),
            log_burst: 0,
        },
        kind: JobKind::Validate,
        ..job("job_old", "ds_a")
    };
    let (app, closed, _) = start_modal(&el, Some(prefill));
    wait_for("the dataset list", &el, || {
        exists(&el, "[data-testid=start-dataset-ds_a]")
    })
    .await;
    let a: HtmlInputElement = q(&el, "[data-testid=start-dataset-ds_a]")
        .dyn_into()
        .unwrap();
    assert!(a.checked(), "prefilled from the job");
    let value = |id: &str| -> String {
        q(&el, &format!("[data-testid={id}]"))
            .dyn_into::<HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    };
    assert_eq!(value("start-param-chunk_rows"), "250");
    assert_eq!(value("start-param-fail_at"), "0.5");
    let kind: web_sys::HtmlSelectElement = q(&el, "[data-testid=start-kind]").dyn_into().unwrap();
    assert_eq!(kind.value(), "validate");

    q(&el, "[data-testid=start-submit]").click();
    wait_for("the network error", &el, || {
        exists(&el, "[data-testid=start-error]")
    })
    .await;
    let alert = q(&el, "[data-testid=start-error]");
    assert_eq!(alert.get_attribute("role").as_deref(), Some("alert"));
    assert!(alert
        .text_content()
        .unwrap()
        .contains("cannot reach the server"));
    assert_eq!(value("start-param-chunk_rows"), "250");
    assert_eq!(value("start-param-passes"), "2");
    assert!(a.checked());
    assert!(!q(&el, "[data-testid=start-submit]").has_attribute("disabled"));
    assert_eq!(closed.get(), 0);
    app.destroy();
}
