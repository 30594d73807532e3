//! Browser tests of the charts (headless Chromium via wasm-bindgen-test): the canvas is really
//! drawn (pixels that differ from the background inside the plot area), redrawn when its data
//! changes and when the theme changes, in light and dark; and how long one redraw of a
//! 2,000-sample job chart takes (printed, asserted only to finish).
#![cfg(target_arch = "wasm32")]

mod support;

use std::rc::Rc;
use std::time::Duration;

use jobs_page::components::charts::chart_canvas::{ChartCanvas, ChartCanvasProps, Painter};
use jobs_page::components::jobs::job_progress_chart::paint;
use jobs_page::components::metrics::throughput_chart::{ThroughputChart, ThroughputChartProps};
use jobs_page::state::chart::job_series::{job_chart, NotLive};
use jobs_page::state::chart::throughput::Window;
use jobs_page::state::eta::EtaConfig;
use jobs_page::types::{MetricSample, Stats, StatsBucket};
use support::document;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A mount point `width_px` wide.
fn root(width_px: u32) -> Element {
    let el = support::root();
    el.set_attribute("style", &format!("width: {width_px}px"))
        .unwrap();
    el
}

fn set_theme(theme: &str) {
    document()
        .document_element()
        .unwrap()
        .set_attribute("data-theme", theme)
        .unwrap();
}

/// The stylesheet's theme variables, as the app's CSS declares them (the test page has no
/// app stylesheet): light on :root, dark under data-theme="dark".
fn install_theme_css() {
    if document().get_element_by_id("test-theme").is_some() {
        return;
    }
    let style = document().create_element("style").unwrap();
    style.set_id("test-theme");
    style.set_text_content(Some(
        ":root { --surface: #ffffff; --chart-grid: #e3e7ee; --chart-axis: #5c6778; \
         --chart-line: #1d6fd8; --chart-rate: #b26a00; --chart-band: #1d6fd8; --chart-gap: #f3e3e4; \
         --succeeded: #187a3c; --failed: #c0262d; --cancelled: #6b4fa0; } \
         :root[data-theme=\"dark\"] { --surface: #1b212b; --chart-grid: #2c3441; --chart-axis: #9aa5b5; \
         --chart-line: #5fa8ff; --chart-rate: #f0a53a; --chart-band: #5fa8ff; --chart-gap: #3a2f3f; \
         --succeeded: #4cc27a; --failed: #ff6b70; --cancelled: #b39ddb; }",
    ));
    document().head().unwrap().append_child(&style).unwrap();
}

async fn canvas_in(root: &Element) -> HtmlCanvasElement {
    yew::scheduler::flush().await;
    root.query_selector("canvas")
        .unwrap()
        .unwrap_or_else(|| panic!("no canvas in {}", root.inner_html()))
        .dyn_into()
        .unwrap()
}

fn draws(canvas: &HtmlCanvasElement) -> u64 {
    canvas
        .get_attribute("data-draws")
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

/// Waits (frame by frame, up to 5 s) until the canvas has been drawn more than `after` times.
async fn drawn_after(canvas: &HtmlCanvasElement, after: u64) {
    for _ in 0..300 {
        yew::scheduler::flush().await;
        if draws(canvas) > after
            && canvas.get_attribute("data-chart-state").as_deref() == Some("drawn")
        {
            return;
        }
        yew::platform::time::sleep(Duration::from_millis(16)).await;
    }
    panic!(
        "canvas not drawn (draws {}, state {:?})",
        draws(canvas),
        canvas.get_attribute("data-chart-state")
    );
}

fn context(canvas: &HtmlCanvasElement) -> CanvasRenderingContext2d {
    canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap()
}

/// RGBA of every pixel inside the middle of the canvas (where the plot area is).
fn plot_pixels(canvas: &HtmlCanvasElement) -> Vec<u8> {
    let ctx = context(canvas);
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    ctx.get_image_data(w * 0.2, h * 0.15, w * 0.75, h * 0.7)
        .unwrap()
        .data()
        .0
}

fn background(canvas: &HtmlCanvasElement) -> [u8; 3] {
    let ctx = context(canvas);
    let d = ctx.get_image_data(1.0, 1.0, 1.0, 1.0).unwrap().data().0;
    [d[0], d[1], d[2]]
}

/// Pixels that differ clearly from `bg` (antialiasing aside).
fn ink(pixels: &[u8], bg: [u8; 3]) -> usize {
    pixels
        .chunks(4)
        .filter(|p| {
            (0..3)
                .map(|i| (p[i] as i32 - bg[i] as i32).abs())
                .sum::<i32>()
                > 60
        })
        .count()
}

fn stats(counts: &[(u64, u64, u64)]) -> Rc<Stats> {
    let since = 1_764_370_000_000 - 15 * 60_000;
    let series: Vec<StatsBucket> = counts
        .iter()
        .enumerate()
        .map(|(i, (s, f, c))| StatsBucket {
            t: since + i as i64 * 60_000,
            succeeded: *s,
            failed: *f,
            cancelled: *c,
        })
        .collect();
    let sum = |k: usize| counts.iter().map(|c| [c.0, c.1, c.2][k]).sum::<u64>();
    let finished = sum(0) + sum(1) + sum(2);
    Rc::new(Stats {
        window_s: 900,
        since,
        finished,
        succeeded: sum(0),
        failed: sum(1),
        cancelled: sum(2),
        completion_rate: 0.0,
        failure_rate: 0.0,
        failures_by_type: vec![],
        bucket_s: 60,
        series,
    })
}

fn throughput_props(counts: &[(u64, u64, u64)]) -> ThroughputChartProps {
    ThroughputChartProps {
        stats: stats(counts),
        window: Window::M15,
    }
}

fn mount_throughput(root: &Element, counts: &[(u64, u64, u64)]) -> yew::AppHandle<ThroughputChart> {
    yew::Renderer::<ThroughputChart>::with_root_and_props(root.clone(), throughput_props(counts))
        .render()
}

async fn throughput_is_drawn_and_redrawn(theme: &str, expected_bg: [u8; 3]) {
    install_theme_css();
    set_theme(theme);
    let root = root(600);
    let mut app = mount_throughput(&root, &[(3, 1, 0); 15]);
    let canvas = canvas_in(&root).await;
    drawn_after(&canvas, 0).await;
    let bg = background(&canvas);
    assert_eq!(bg, expected_bg, "the background is the theme's surface");
    let first = plot_pixels(&canvas);
    let first_ink = ink(&first, bg);
    assert!(
        first_ink > 1000,
        "bars drawn: {first_ink} non-background pixels"
    );

    // New data: drawn again, and differently (one tall bar instead of fifteen short ones).
    let before = draws(&canvas);
    let mut tall = vec![(0, 0, 0); 15];
    tall[7] = (2, 20, 5);
    app.update(throughput_props(&tall));
    drawn_after(&canvas, before).await;
    let second = plot_pixels(&canvas);
    assert_ne!(first, second, "the canvas changed with the data");
    assert!(ink(&second, bg) > 200);
    app.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn throughput_canvas_draws_and_redraws_in_light_theme() {
    throughput_is_drawn_and_redrawn("light", [255, 255, 255]).await;
}

#[wasm_bindgen_test]
async fn throughput_canvas_draws_and_redraws_in_dark_theme() {
    throughput_is_drawn_and_redrawn("dark", [0x1b, 0x21, 0x2b]).await;
    set_theme("light");
}

#[wasm_bindgen_test]
async fn a_theme_change_redraws_with_the_new_colours() {
    install_theme_css();
    set_theme("light");
    let root = root(500);
    let app = mount_throughput(&root, &[(2, 2, 1); 15]);
    let canvas = canvas_in(&root).await;
    drawn_after(&canvas, 0).await;
    assert_eq!(background(&canvas), [255, 255, 255]);
    let before = draws(&canvas);
    set_theme("dark");
    drawn_after(&canvas, before).await;
    assert_eq!(background(&canvas), [0x1b, 0x21, 0x2b]);
    set_theme("light");
    app.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn no_data_shows_a_placeholder_in_words() {
    let root = root(400);
    let app = mount_throughput(&root, &[(0, 0, 0); 15]);
    yew::scheduler::flush().await;
    let p = root
        .query_selector("[data-testid=chart-placeholder]")
        .unwrap()
        .expect("placeholder");
    assert_eq!(
        p.text_content().unwrap(),
        "No jobs finished in the last 15 min."
    );
    app.destroy();
    root.remove();
}

fn samples(n: usize) -> Vec<MetricSample> {
    (0..n)
        .map(|i| MetricSample {
            t: 1_764_370_000_000 + i as i64 * 250,
            processed: i as u64 * 100,
            total: n as u64 * 100,
            // A wavy rate, so min/max downsampling has extremes to keep.
            rate: 400.0 + 300.0 * ((i as f64) / 7.0).sin(),
            attempt: 1,
        })
        .collect()
}

#[wasm_bindgen_test]
async fn job_chart_with_2000_samples_redraw_time() {
    install_theme_css();
    set_theme("light");
    let root = root(900);
    let s = samples(2_000);
    let now = s.last().unwrap().t;
    let mut not_live = NotLive::new();
    not_live.on_connection(now - 400_000, true);
    // A 20 s outage in the middle: drawn as a shaded gap.
    not_live.on_connection(now - 300_000, false);
    not_live.on_connection(now - 280_000, true);
    let chart = job_chart(
        &s,
        1,
        true,
        Some(s[0].t),
        now,
        &not_live,
        &EtaConfig::default(),
    );
    assert_eq!(chart.samples, 2_000);
    assert!(chart.gaps >= 1);
    let charts = Rc::new(vec![chart]);
    let painter = |rev: u64| {
        let charts = charts.clone();
        Painter {
            revision: rev,
            paint: Rc::new(
                move |c: &jobs_page::components::charts::chart_canvas::Canvas| paint(c, &charts, 1),
            ),
        }
    };
    let mut app = yew::Renderer::<ChartCanvas>::with_root_and_props(
        root.clone(),
        ChartCanvasProps {
            painter: painter(1),
            summary: "test".into(),
            height: 220,
            placeholder: None,
            testid: "t".into(),
        },
    )
    .render();
    let canvas = canvas_in(&root).await;
    drawn_after(&canvas, 0).await;
    assert!(ink(&plot_pixels(&canvas), background(&canvas)) > 1000);
    let mut times = Vec::new();
    for rev in 2..12 {
        let before = draws(&canvas);
        app.update(ChartCanvasProps {
            painter: painter(rev),
            summary: "test".into(),
            height: 220,
            placeholder: None,
            testid: "t".into(),
        });
        drawn_after(&canvas, before).await;
        let ms: f64 = canvas
            .get_attribute("data-draw-ms")
            .unwrap()
            .parse()
            .unwrap();
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    console_log!(
        "CHART_REDRAW samples=2000 width_css=900 dpr={} runs=10 median_ms={:.2} max_ms={:.2}",
        web_sys::window().unwrap().device_pixel_ratio(),
        times[times.len() / 2],
        times[times.len() - 1]
    );
    app.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn many_updates_in_one_frame_cost_one_draw() {
    install_theme_css();
    let root = root(500);
    let mut app = mount_throughput(&root, &[(1, 0, 0); 15]);
    let canvas = canvas_in(&root).await;
    drawn_after(&canvas, 0).await;
    let before = draws(&canvas);
    // Twenty data changes rendered before the browser paints a frame.
    for i in 0..20u64 {
        app.update(throughput_props(&[(i + 2, 1, 0); 15]));
        yew::scheduler::flush().await;
    }
    drawn_after(&canvas, before).await;
    // Let a few more frames pass: nothing is left queued.
    for _ in 0..5 {
        gloo_timers_frame().await;
    }
    let after = draws(&canvas);
    assert!(
        after - before <= 2,
        "20 updates drew {} times (at most once per animation frame)",
        after - before
    );
    app.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn the_canvas_follows_its_container_width() {
    install_theme_css();
    let root = root(400);
    let app = mount_throughput(&root, &[(1, 1, 1); 15]);
    let canvas = canvas_in(&root).await;
    drawn_after(&canvas, 0).await;
    let dpr = web_sys::window().unwrap().device_pixel_ratio();
    let host = root.query_selector(".chart-canvas").unwrap().unwrap();
    let narrow = host.client_width();
    assert_eq!(canvas.width(), (narrow as f64 * dpr).round() as u32);
    let before = draws(&canvas);
    root.set_attribute("style", "width: 700px").unwrap();
    drawn_after(&canvas, before).await;
    let wide = host.client_width();
    assert_eq!(wide - narrow, 300, "the container grew by 300 px");
    assert_eq!(canvas.width(), (wide as f64 * dpr).round() as u32);
    app.destroy();
    root.remove();
}

/// One animation frame.
async fn gloo_timers_frame() {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let frame = gloo_render::request_animation_frame(move |_| {
        let _ = tx.send(());
    });
    let _ = rx.await;
    drop(frame);
}
