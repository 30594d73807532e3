//! Queue health over the window, from the `queue` frames the page received this session:
//! queued and running jobs and busy workers (top), Redis latency (bottom). Periods the page
//! was not live are shaded; silences break the lines.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::charts::chart_canvas::{Canvas, ChartCanvas, Painter};
use crate::components::charts::draw::{bands, blend, err, number_label, segments, time_frame};
use crate::hooks::use_jobs;
use crate::state::chart::job_series::Outage;
use crate::state::chart::queue_history::{queue_lines, QueueLines};
use crate::state::chart::throughput::Window;

#[derive(Properties, PartialEq)]
pub struct QueueChartProps {
    pub window: Window,
    pub now_ms: i64,
}

#[component]
pub fn QueueChart(props: &QueueChartProps) -> Html {
    let jobs = use_jobs();
    let state = jobs.state();
    let since = props.now_ms - props.window.seconds() as i64 * 1000;
    let history = state.queue_history.clone();
    // The history starts when the page opened: the axis starts there too when that is later
    // than the window's start, instead of drawing an hour of nothing.
    let first = history.since(since).next().map(|s| s.t);
    let start = first.map_or(since, |t| t.max(since));
    let range = (start, props.now_ms.max(start + 10_000));
    let lines: Rc<QueueLines> = {
        let history = history.clone();
        use_memo((history.clone(), since), move |_| {
            queue_lines(history.samples().iter(), since)
        })
    };
    let not_live: Rc<Vec<(i64, i64)>> = {
        let nl = state.not_live.clone();
        let now = props.now_ms;
        use_memo((nl.clone(), since / 1000, now / 1000), move |_| {
            nl.periods()
                .iter()
                .filter_map(|o: &Outage| {
                    let end = o.end.unwrap_or(now);
                    (end >= since).then_some((o.start.max(since), end))
                })
                .collect()
        })
    };
    let painter = {
        let (lines, not_live) = (lines.clone(), not_live.clone());
        use_memo(
            (lines.clone(), not_live.clone(), range),
            move |(_, _, range)| {
                let range = *range;
                Painter {
                    revision: range.1 as u64,
                    paint: Rc::new(move |c: &Canvas| paint(c, &lines, &not_live, range)),
                }
            },
        )
    };
    let latest = history.latest();
    let summary = match latest {
        Some(q) => format!(
            "Queue over the last {}{} ({} samples): now {} queued, {} running, {} of {} workers busy, Redis {}.",
            props.window.label(),
            if start > since { ", since the page opened" } else { "" },
            lines.samples,
            q.queued,
            q.running,
            q.busy,
            q.busy + q.idle,
            match (q.redis_ok, q.redis_latency_ms) {
                (true, Some(l)) => format!("answering in {l:.1} ms"),
                (true, None) => "ok".to_string(),
                (false, _) => "unreachable".to_string(),
            }
        ),
        None => "No queue reports yet.".to_string(),
    };
    let placeholder = (lines.samples == 0).then(|| {
        AttrValue::from("No queue reports yet: the server sends one about every 2 seconds while the page is live.")
    });
    html! {
        <figure class="metrics-chart" data-testid="queue-chart" data-samples={lines.samples.to_string()}>
            <ChartCanvas painter={(*painter).clone()} summary={summary.clone()} height={240}
                         {placeholder} testid="queue-canvas" />
            <figcaption>
                <ul class="chart-legend">
                    <li><span class="swatch queued"></span>{ "queued" }</li>
                    <li><span class="swatch running"></span>{ "running" }</li>
                    <li><span class="swatch succeeded"></span>{ "busy workers" }</li>
                    <li><span class="swatch cancelled"></span>{ "idle workers" }</li>
                    <li><span class="swatch gap"></span>{ "not live" }</li>
                </ul>
                <p class="visually-hidden" data-testid="queue-summary">{ summary }</p>
            </figcaption>
        </figure>
    }
}

fn paint(
    c: &Canvas,
    l: &QueueLines,
    not_live: &[(i64, i64)],
    range: (i64, i64),
) -> Result<(), String> {
    let t = c.theme;
    c.area.fill(&t.surface).map_err(err)?;
    let (_, h) = c.area.dim_in_pixel();
    let (top, bottom) = c.area.split_vertically((h as f64 * 0.6) as u32);
    let w = (1.5 * c.dpr).round() as u32;
    let y_top = (0.0, l.max_count.max(1.0));
    let mut chart = time_frame(
        &top,
        t,
        c.dpr,
        range,
        y_top,
        &number_label,
        "Jobs and workers",
    )?;
    bands(&mut chart, not_live, t.gap, y_top)?;
    // Busy workers wide and light underneath, so "running" stays visible when they are equal.
    let wide = (4.0 * c.dpr).round() as u32;
    segments(
        &mut chart,
        &l.busy,
        blend(t.succeeded, t.surface, 0.5),
        wide,
    )?;
    segments(&mut chart, &l.idle, t.cancelled, w)?;
    segments(&mut chart, &l.queued, t.queued, w)?;
    segments(&mut chart, &l.running, t.running, w)?;
    let y_bottom = (0.0, l.max_latency.max(1.0));
    let ms = |v: f64| format!("{} ms", number_label(v));
    let mut chart = time_frame(&bottom, t, c.dpr, range, y_bottom, &ms, "Redis latency")?;
    bands(&mut chart, not_live, t.gap, y_bottom)?;
    segments(&mut chart, &l.latency, t.line, w)?;
    Ok(())
}
