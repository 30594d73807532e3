//! A running job's rate at a glance on its card: the chart's series, downsampled to the
//! sparkline's width. An inline SVG polyline (a canvas per card would cost a context each);
//! cards exist only while on screen (the list is virtualised), so only those draw one.

use yew::prelude::*;

use crate::state::chart::downsample::Point;

/// Width and height of the drawing (SVG user units = CSS pixels).
const W: f64 = 96.0;
const H: f64 = 20.0;

#[derive(Properties, PartialEq)]
pub struct SparklineProps {
    /// Normalised points (x and y in 0..=1), from `state::chart::job_series::sparkline`.
    pub points: Vec<Point>,
    /// What it shows, for screen readers ("rate 1.2k rows/s, peak 2.1k").
    pub label: AttrValue,
}

#[component]
pub fn Sparkline(props: &SparklineProps) -> Html {
    if props.points.len() < 2 {
        return html! {};
    }
    let pts: Vec<String> = props
        .points
        .iter()
        .map(|p| format!("{:.1},{:.1}", p.x * W, H - 1.0 - p.y * (H - 2.0)))
        .collect();
    html! {
        <svg class="sparkline" data-testid="sparkline" role="img" aria-label={props.label.clone()}
             viewBox={format!("0 0 {W} {H}")} width={W.to_string()} height={H.to_string()}
             data-points={props.points.len().to_string()}>
            <polyline points={pts.join(" ")} fill="none" />
        </svg>
    }
}
