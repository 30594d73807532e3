//! Jobs finished per bucket over the window, stacked by outcome (succeeded, failed,
//! cancelled), from the backend's `/stats` series.

use std::rc::Rc;

use plotters::prelude::*;
use yew::prelude::*;

use crate::components::charts::chart_canvas::{Canvas, ChartCanvas, Painter};
use crate::components::charts::draw::{err, number_label, time_frame};
use crate::state::chart::throughput::{throughput, Throughput, Window};
use crate::state::format::thousands;
use crate::types::Stats;

#[derive(Properties, PartialEq)]
pub struct ThroughputChartProps {
    pub stats: Rc<Stats>,
    pub window: Window,
}

#[component]
pub fn ThroughputChart(props: &ThroughputChartProps) -> Html {
    let data: Rc<Throughput> = use_memo(props.stats.clone(), |s| throughput(&s.series, s.bucket_s));
    let range = (
        props.stats.since,
        props.stats.since + props.stats.window_s as i64 * 1000,
    );
    let painter = {
        let data = data.clone();
        use_memo((data.clone(), range), move |(_, range)| {
            let range = *range;
            Painter {
                revision: data.total ^ (range.1 as u64),
                paint: Rc::new(move |c: &Canvas| paint(c, &data, range)),
            }
        })
    };
    let per = if props.window.bucket_s() == 60 {
        "minute".to_string()
    } else {
        format!("{} min", props.window.bucket_s() / 60)
    };
    let busiest = data.bars.iter().max_by_key(|b| b.total());
    let summary = format!(
        "Jobs finished per {per} over the last {}: {} in total ({} succeeded, {} failed, {} cancelled){}.",
        props.window.label(),
        thousands(data.total),
        thousands(props.stats.succeeded),
        thousands(props.stats.failed),
        thousands(props.stats.cancelled),
        busiest
            .filter(|b| b.total() > 0)
            .map(|b| format!("; busiest {per}: {}", thousands(b.total())))
            .unwrap_or_default()
    );
    let placeholder = (data.total == 0).then(|| {
        AttrValue::from(format!(
            "No jobs finished in the last {}.",
            props.window.label()
        ))
    });
    html! {
        <figure class="metrics-chart" data-testid="throughput-chart" data-total={data.total.to_string()}
                data-bars={data.bars.len().to_string()}>
            <ChartCanvas painter={(*painter).clone()} summary={summary.clone()} height={240}
                         {placeholder} testid="throughput-canvas" />
            <figcaption>
                <ul class="chart-legend">
                    <li><span class="swatch succeeded"></span>{ "succeeded" }</li>
                    <li><span class="swatch failed"></span>{ "failed" }</li>
                    <li><span class="swatch cancelled"></span>{ "cancelled" }</li>
                </ul>
                <p class="visually-hidden" data-testid="throughput-summary">{ summary }</p>
            </figcaption>
        </figure>
    }
}

fn paint(c: &Canvas, data: &Throughput, range: (i64, i64)) -> Result<(), String> {
    let t = c.theme;
    c.area.fill(&t.surface).map_err(err)?;
    let title = "Finished jobs";
    let mut chart = time_frame(
        c.area,
        t,
        c.dpr,
        range,
        (0.0, data.y_max as f64),
        &number_label,
        title,
    )?;
    // A hairline between bars keeps neighbours apart at any width.
    let inset = |b: &crate::state::chart::throughput::Bar| (b.width_ms as f64 * 0.08).max(1.0);
    let layers = [(t.succeeded, 0usize), (t.failed, 1), (t.cancelled, 2)];
    for (color, layer) in layers {
        chart
            .draw_series(data.bars.iter().filter_map(|b| {
                let parts = [b.succeeded, b.failed, b.cancelled];
                let base: u64 = parts[..layer].iter().sum();
                let top = base + parts[layer];
                (parts[layer] > 0).then(|| {
                    let x0 = b.t as f64 + inset(b);
                    let x1 = (b.t + b.width_ms) as f64 - inset(b);
                    Rectangle::new([(x0, base as f64), (x1, top as f64)], color.filled())
                })
            }))
            .map_err(err)?;
    }
    Ok(())
}
