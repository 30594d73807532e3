//! The job page's chart: progress (with the ETA range drawn ahead as a band) and throughput
//! over time for one attempt, or all attempts with the earlier ones faded and their boundaries
//! marked. Periods the page was not live are shaded as gaps; missing data breaks the line.
//! Beside it the key figures as text, and a text summary for screen readers and tests.

use std::rc::Rc;

use plotters::prelude::*;
use yew::prelude::*;

use crate::components::charts::chart_canvas::{Canvas, ChartCanvas, Painter};
use crate::components::charts::draw::{
    bands, blend, err, number_label, percent_label, segments, time_frame, Chart,
};
use crate::hooks::{use_jobs, UseJobMetricsHandle};
use crate::state::chart::downsample::{min_max, Point};
use crate::state::chart::job_series::{attempts_in, job_chart, JobChart};
use crate::state::duration::duration;
use crate::state::eta::{describe, EtaConfig};
use crate::state::format::{clock_time, thousands};
use crate::types::{Job, JobStatus};

#[derive(Properties, PartialEq)]
pub struct JobProgressChartProps {
    pub job: Rc<Job>,
    /// The status as shown (a pending cancel already reads "cancelling").
    pub shown: JobStatus,
    pub now_ms: i64,
    /// The job's samples (`use_job_metrics`), from the page: its header estimates the ETA from
    /// the same samples, so both state the same range.
    pub metrics: UseJobMetricsHandle,
}

/// Which attempts the chart shows.
#[derive(Clone, Copy, PartialEq)]
enum Shown {
    Current,
    Attempt(u32),
    All,
}

#[component]
pub fn JobProgressChart(props: &JobProgressChartProps) -> Html {
    let job = &props.job;
    let metrics = &props.metrics;
    let jobs = use_jobs();
    let not_live = jobs.state().not_live.clone();
    let choice = use_state(|| Shown::Current);
    let running = matches!(props.shown, JobStatus::Running | JobStatus::Cancelling);
    let mut attempts = attempts_in(&metrics.samples);
    if !attempts.contains(&job.attempt) {
        attempts.push(job.attempt);
    }
    let wanted: Vec<u32> = match *choice {
        Shown::Current => vec![job.attempt],
        Shown::Attempt(n) if attempts.contains(&n) => vec![n],
        Shown::Attempt(_) => vec![job.attempt],
        Shown::All => attempts.clone(),
    };
    // The clock only matters while the job runs (the x axis and the ETA band move with it).
    let clock = if running { props.now_ms / 1000 } else { 0 };
    let charts: Rc<Vec<JobChart>> = {
        let (samples, job, not_live, wanted) = (
            metrics.samples.clone(),
            job.clone(),
            not_live.clone(),
            wanted.clone(),
        );
        let now_ms = props.now_ms;
        use_memo(
            (
                samples.clone(),
                not_live.clone(),
                wanted.clone(),
                clock,
                running,
            ),
            move |_| {
                wanted
                    .iter()
                    .map(|n| {
                        let current = *n == job.attempt;
                        let started = job
                            .attempts
                            .iter()
                            .find(|a| a.number == *n)
                            .and_then(|a| a.started_at);
                        job_chart(
                            &samples,
                            *n,
                            running && current,
                            started,
                            now_ms,
                            &not_live,
                            &EtaConfig::default(),
                        )
                    })
                    .collect()
            },
        )
    };
    // A new painter (and so one redraw, at the next frame) whenever what it draws changed.
    let painter = {
        let current = job.attempt;
        use_memo(charts.clone(), move |charts| {
            let charts = charts.clone();
            Painter {
                revision: charts.iter().map(|c| c.samples as u64).sum(),
                paint: Rc::new(move |c: &Canvas| paint(c, &charts, current)),
            }
        })
    };

    let main = charts
        .iter()
        .find(|c| c.attempt == job.attempt)
        .or(charts.last());
    let samples: usize = charts.iter().map(|c| c.samples).sum();
    let gaps: usize = charts.iter().map(|c| c.gaps).sum();
    let summary = summary_text(&charts, &job.progress.unit);
    let placeholder = if metrics.loading && samples == 0 {
        Some(AttrValue::from("Loading the job's metrics…"))
    } else if samples == 0 {
        Some(AttrValue::from(match &metrics.error {
            Some(e) => format!("No samples to chart: {e}"),
            None => "No samples yet: the chart starts with the job's first chunk.".to_string(),
        }))
    } else {
        None
    };
    let select = |s: Shown| {
        let choice = choice.clone();
        Callback::from(move |_: MouseEvent| choice.set(s))
    };
    let chosen = |s: Shown| (*choice == s).to_string();
    html! {
        <section class="job-chart" aria-labelledby="job-chart-title" data-testid="job-chart"
                 data-samples={samples.to_string()} data-gaps={gaps.to_string()}>
            <div class="chart-head">
                <h2 id="job-chart-title">{ "Progress and throughput" }</h2>
                if attempts.len() > 1 {
                    <div class="segmented" role="group" aria-label="Attempts to show">
                        { for attempts.iter().rev().map(|n| {
                            let s = if *n == job.attempt { Shown::Current } else { Shown::Attempt(*n) };
                            html! {
                                <button type="button" class="btn btn-small" aria-pressed={chosen(s)}
                                        data-testid="chart-attempt" data-attempt={n.to_string()}
                                        onclick={select(s)}>{ format!("Attempt {n}") }</button>
                            }
                        }) }
                        <button type="button" class="btn btn-small" aria-pressed={chosen(Shown::All)}
                                data-testid="chart-all-attempts" onclick={select(Shown::All)}>{ "All attempts" }</button>
                    </div>
                }
            </div>
            <div class="chart-body">
                <ChartCanvas painter={(*painter).clone()} summary={summary.clone()} height={260}
                             placeholder={placeholder} testid="job-chart-canvas" />
                { main.map(|c| figures_view(c, &job.progress.unit)).unwrap_or_default() }
            </div>
            <p class="visually-hidden" data-testid="chart-summary">{ summary }</p>
        </section>
    }
}

/// The chart in words: samples, time span, gaps, figures (what a screen reader hears).
fn summary_text(charts: &[JobChart], unit: &str) -> String {
    charts
        .iter()
        .map(|c| {
            let f = &c.figures;
            let span = if c.samples > 0 {
                format!(" from {} to {}", hms(c.x_range.0), hms(c.x_range.1))
            } else {
                String::new()
            };
            let pct = if f.total > 0 {
                format!(" ({:.0} %)", f.processed as f64 * 100.0 / f.total as f64)
            } else {
                String::new()
            };
            format!(
                "Attempt {}: {} samples{span}; {} gap{}; {} of {} {unit}{pct}; peak rate {}; ETA {}.",
                c.attempt,
                c.samples,
                c.gaps,
                if c.gaps == 1 { "" } else { "s" },
                thousands(f.processed),
                thousands(f.total),
                f.peak_rate.map(|r| format!("{}/s", thousands(r.round() as u64))).unwrap_or_else(|| "—".into()),
                describe(&f.eta),
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn hms(ms: i64) -> String {
    clock_time(ms).chars().take(8).collect()
}

fn figures_view(c: &JobChart, unit: &str) -> Html {
    let f = &c.figures;
    let rate = |r: Option<f64>| {
        r.map(|r| format!("{} {unit}/s", thousands(r.round() as u64)))
            .unwrap_or_else(|| "—".into())
    };
    let row = |label: &str, value: String, id: &str| {
        html! { <><dt>{ label.to_string() }</dt><dd data-testid={id.to_string()}>{ value }</dd></> }
    };
    html! {
        <dl class="chart-figures" data-testid="chart-figures">
            { row("Processed", format!("{} / {} {unit}", thousands(f.processed), thousands(f.total)), "fig-processed") }
            { row("Current rate", rate(f.current_rate), "fig-current") }
            { row("Average rate", rate(f.average_rate), "fig-average") }
            { row("Peak rate", rate(f.peak_rate), "fig-peak") }
            { row("Elapsed", f.elapsed_ms.map(duration).unwrap_or_else(|| "—".into()), "fig-elapsed") }
            { row("ETA", describe(&f.eta), "fig-eta") }
            { row("Samples", thousands(c.samples as u64), "fig-samples") }
        </dl>
    }
}

/// Draws progress (top) and rate (bottom) for every chart; `current` is drawn strongest.
/// Public so browser tests and benchmarks can draw given series without a backend.
pub fn paint(c: &Canvas, charts: &[JobChart], current: u32) -> Result<(), String> {
    let t = c.theme;
    c.area.fill(&t.surface).map_err(err)?;
    let x0 = charts.iter().map(|ch| ch.x_range.0).min().unwrap_or(0);
    let x1 = charts
        .iter()
        .map(|ch| ch.x_range.1)
        .max()
        .unwrap_or(1)
        .max(x0 + 1);
    let rate_max = charts
        .iter()
        .map(|ch| ch.rate_max)
        .fold(0.0, f64::max)
        .max(1.0);
    let (w, h) = c.area.dim_in_pixel();
    let (top, bottom) = c.area.split_vertically((h as f64 * 0.58) as u32);
    let buckets = ((w as f64 / c.dpr) / 2.0).max(16.0) as usize;
    let thin = |segs: &[Vec<Point>]| -> Vec<Vec<Point>> {
        segs.iter().map(|s| min_max(s, buckets)).collect()
    };
    let line_w = (2.0 * c.dpr).round() as u32;
    let faded = |col: RGBColor| blend(col, t.surface, 0.66);
    // One line per attempt, the current one strongest.
    let attempt_lines = |chart: &mut Chart,
                         color: RGBColor,
                         series: fn(&JobChart) -> &[Vec<Point>]|
     -> Result<(), String> {
        for ch in charts {
            let col = if ch.attempt == current {
                color
            } else {
                faded(color)
            };
            segments(chart, &thin(series(ch)), col, line_w)?;
        }
        Ok(())
    };
    let not_live: Vec<(i64, i64)> = charts
        .iter()
        .flat_map(|ch| ch.not_live.iter().copied())
        .collect();

    let mut chart = time_frame(
        &top,
        t,
        c.dpr,
        (x0, x1),
        (0.0, 1.0),
        &percent_label,
        "Progress",
    )?;
    bands(&mut chart, &not_live, t.gap, (0.0, 1.0))?;
    for ch in charts {
        if let Some(b) = &ch.eta_band {
            let poly = vec![
                (b.from_t as f64, b.from_fraction),
                (b.lo_t as f64, 1.0),
                (b.hi_t as f64, 1.0),
            ];
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    t.band.mix(0.3).filled(),
                )))
                .map_err(err)?;
        }
    }
    marks(&mut chart, charts, t.axis, (0.0, 1.0), c.dpr)?;
    attempt_lines(&mut chart, t.line, |ch| ch.progress.as_slice())?;

    let mut chart = time_frame(
        &bottom,
        t,
        c.dpr,
        (x0, x1),
        (0.0, rate_max),
        &number_label,
        "Rate (per second)",
    )?;
    bands(&mut chart, &not_live, t.gap, (0.0, rate_max))?;
    marks(&mut chart, charts, t.axis, (0.0, rate_max), c.dpr)?;
    attempt_lines(&mut chart, t.rate, |ch| ch.rate.as_slice())?;
    Ok(())
}

/// A dashed line where each attempt after the first begins.
fn marks(
    chart: &mut crate::components::charts::draw::Chart,
    charts: &[JobChart],
    color: RGBColor,
    y: (f64, f64),
    dpr: f64,
) -> Result<(), String> {
    if charts.len() < 2 {
        return Ok(());
    }
    let style = ShapeStyle::from(color).stroke_width(dpr.round().max(1.0) as u32);
    for ch in &charts[1..] {
        let x = ch.x_range.0 as f64;
        let steps = 12;
        let dashes = (0..steps).filter(|i| i % 2 == 0).map(|i| {
            let a = y.0 + (y.1 - y.0) * i as f64 / steps as f64;
            let b = y.0 + (y.1 - y.0) * (i + 1) as f64 / steps as f64;
            PathElement::new(vec![(x, a), (x, b)], style)
        });
        chart.draw_series(dashes).map_err(err)?;
    }
    Ok(())
}
