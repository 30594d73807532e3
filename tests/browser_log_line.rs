//! Browser tests of the highlighted log text (headless Chromium via wasm-bindgen-test): that
//! untrusted text stays text in a real DOM, which classes and inline styles the spans get, and
//! that search marks wrap matches even across tokens.
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;

use jobs_page::components::jobs::log_line::{LogText, LogTextProps};
use support::{all, q, root};
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

async fn render(text: &str, highlight: Option<&str>) -> Element {
    let el = root();
    yew::Renderer::<LogText>::with_root_and_props(
        el.clone(),
        LogTextProps {
            text: text.to_string().into(),
            highlight: highlight.map(|h| h.to_string().into()),
        },
    )
    .render();
    yew::scheduler::flush().await;
    el
}

#[wasm_bindgen_test]
async fn ansi_markup_and_json_render_as_styled_text() {
    let line = "\x1b[1;31mERROR\x1b[0m <img src=x onerror=window.__x=1> {\"a\": 1}";
    let el = render(line, None).await;

    let red = q(&el, "span.ansi-fg-1.ansi-bold");
    assert_eq!(text(&red), "ERROR");
    assert_eq!(
        red.get_attribute("class").as_deref(),
        Some("tok-level tok-level-error ansi-fg-1 ansi-bold")
    );

    assert!(
        el.query_selector("img").unwrap().is_none(),
        "markup was parsed"
    );
    assert_eq!(
        text(&el),
        "ERROR <img src=x onerror=window.__x=1> {\"a\": 1}"
    );
    // Had an <img> been created, its error handler would have run by now.
    gloo_timers::future::sleep(Duration::from_millis(50)).await;
    let x = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__x".into()).unwrap();
    assert!(x.is_undefined());

    assert_eq!(text(&q(&el, "span.tok-json-key")), "\"a\"");
    assert_eq!(text(&q(&el, "span.tok-json-num")), "1");
    assert!(el.query_selector("[style]").unwrap().is_none());
    assert!(el.query_selector("mark").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn palette_and_truecolour_are_inline_styles() {
    let el = render("\x1b[38;2;1;2;3mrgb \x1b[48;5;208mpal", None).await;
    let spans = all(&el, "span[style]");
    assert_eq!(spans.len(), 2, "{}", el.inner_html());
    // On the log's own background: one value per theme, each readable there (near-black is
    // kept for the light theme and lightened for the dark one).
    let themed = spans[0].get_attribute("style").unwrap_or_default();
    assert!(
        themed.starts_with("--fg-light: rgb(1, 2, 3); --fg-dark: rgb("),
        "{themed}"
    );
    let class = spans[0].get_attribute("class").unwrap_or_default();
    assert!(class.split(' ').any(|c| c == "ansi-fg-themed"), "{class}");
    assert_eq!(
        spans[1].get_attribute("style").as_deref(),
        Some("color: rgb(1, 2, 3); background-color: rgb(255, 135, 0)")
    );
}

#[wasm_bindgen_test]
async fn highlight_wraps_matches_in_mark_even_across_tokens() {
    // "ERR" is red, "OR" is not: the first match spans two spans.
    let el = render("\x1b[31mERR\x1b[0mOR code 42: error", Some("RRor")).await;
    let marks = all(&el, "mark");
    assert_eq!(marks.len(), 2, "{}", el.inner_html());
    assert_eq!(text(&marks[0]), "RROR");
    assert_eq!(all(&marks[0], "span").len(), 2);
    assert!(marks[0].query_selector("span.ansi-fg-1").unwrap().is_some());
    assert_eq!(text(&marks[1]), "rror");
    // The text is whole, marks included.
    assert_eq!(text(&el), "ERROR code 42: error");
}

#[wasm_bindgen_test]
async fn an_empty_highlight_marks_nothing() {
    let el = render("error error", Some("")).await;
    assert!(el.query_selector("mark").unwrap().is_none());
    assert_eq!(text(&el), "error error");
}

#[wasm_bindgen_test]
async fn a_viewer_row_is_text_with_a_permalink_and_its_state_classes() {
    use jobs_page::components::jobs::log_row::{LogRow, LogRowProps};
    let el = root();
    let marks = std::rc::Rc::new(std::cell::RefCell::new(Vec::<u64>::new()));
    let line = jobs_page::fixtures::log_line(42, "ERROR", "<b onmouseover=x>bold?</b> needle");
    yew::Renderer::<LogRow>::with_root_and_props(
        el.clone(),
        LogRowProps {
            line: std::rc::Rc::new(line),
            job_id: "job_1".into(),
            wrap: false,
            timestamps: false,
            current: true,
            marked: false,
            highlight: Some("needle".into()),
            on_mark: Some(yew::Callback::from({
                let marks = marks.clone();
                move |n: u64| marks.borrow_mut().push(n)
            })),
        },
    )
    .render();
    yew::scheduler::flush().await;
    let row = q(&el, "[data-testid=\"log-row\"]");
    assert_eq!(row.get_attribute("data-n").as_deref(), Some("42"));
    let class = row.get_attribute("class").unwrap_or_default();
    assert!(
        class.contains("level-error") && class.contains("current-match"),
        "{class}"
    );
    assert!(!class.contains("marked"), "{class}");
    assert_eq!(
        q(&row, "a.log-n").get_attribute("href").as_deref(),
        Some("#/jobs/job_1/logs?line=42")
    );
    assert!(
        row.query_selector("b").unwrap().is_none(),
        "markup was parsed"
    );
    assert!(row.query_selector(".log-ts").unwrap().is_none());
    assert_eq!(text(&q(&row, "mark")), "needle");
    assert_eq!(
        text(&q(&row, ".log-text")),
        "<b onmouseover=x>bold?</b> needle"
    );

    // A plain click on the line number marks the line instead of following the link; a
    // modified click is left to the browser (open the permalink in a new tab, copy it).
    let click = |ctrl: bool| {
        let init = web_sys::MouseEventInit::new();
        init.set_bubbles(true);
        init.set_cancelable(true);
        init.set_ctrl_key(ctrl);
        let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
        q(&row, "a.log-n").dispatch_event(&ev).unwrap();
        ev.default_prevented()
    };
    assert!(click(false), "a plain click followed the link");
    assert_eq!(*marks.borrow(), vec![42]);
    assert!(!click(true), "a ctrl-click was taken from the browser");
    assert_eq!(*marks.borrow(), vec![42]);
}
