//! Drawing helpers shared by the charts: the theme's colours, axes with the ticks computed in
//! `state::chart::axis`, line segments, bands and bars. Everything in device pixels.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;

use crate::state::chart::axis::{nice_axis, short_number, time_ticks};
use crate::state::chart::color::{parse_color, Rgb};
use crate::state::chart::downsample::Point;

/// Chart colours, read from the theme's custom properties at draw time.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub surface: RGBColor,
    pub grid: RGBColor,
    pub axis: RGBColor,
    pub line: RGBColor,
    pub rate: RGBColor,
    pub band: RGBColor,
    pub gap: RGBColor,
    pub succeeded: RGBColor,
    pub failed: RGBColor,
    pub cancelled: RGBColor,
    pub queued: RGBColor,
    pub running: RGBColor,
}

impl Theme {
    /// The colours in effect on `el` (light defaults when a property is missing).
    pub fn read(el: &web_sys::Element) -> Theme {
        let style = web_sys::window().and_then(|w| w.get_computed_style(el).ok().flatten());
        let get = |name: &str, fallback: Rgb| {
            let Rgb(r, g, b) = style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .and_then(|v| parse_color(&v))
                .unwrap_or(fallback);
            RGBColor(r, g, b)
        };
        Theme {
            surface: get("--surface", Rgb(255, 255, 255)),
            grid: get("--chart-grid", Rgb(0xe3, 0xe7, 0xee)),
            axis: get("--chart-axis", Rgb(0x5c, 0x67, 0x78)),
            line: get("--chart-line", Rgb(0x1d, 0x6f, 0xd8)),
            rate: get("--chart-rate", Rgb(0xb2, 0x6a, 0x00)),
            band: get("--chart-band", Rgb(0x1d, 0x6f, 0xd8)),
            gap: get("--chart-gap", Rgb(0xf3, 0xe3, 0xe4)),
            succeeded: get("--succeeded", Rgb(0x18, 0x7a, 0x3c)),
            failed: get("--failed", Rgb(0xc0, 0x26, 0x2d)),
            cancelled: get("--cancelled", Rgb(0x6b, 0x4f, 0xa0)),
            queued: get("--queued", Rgb(0x6b, 0x72, 0x80)),
            running: get("--running", Rgb(0x1d, 0x6f, 0xd8)),
        }
    }
}

/// `a` moved towards `b` by `t` (0 = a, 1 = b): faded lines and light underlays without
/// transparency, so overlapping series stay distinguishable.
pub fn blend(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t.clamp(0.0, 1.0)).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Error text for a failed plotters call.
pub fn err<E: std::fmt::Display>(e: E) -> String {
    format!("The chart could not be drawn: {e}")
}

pub type Chart<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A time (x, epoch ms) × value (y) plot in `area`: the coordinate system, gridlines and the
/// tick labels (ticks from `state::chart::axis`); `y_label` formats y ticks.
pub fn time_frame<'a>(
    area: &'a DrawingArea<CanvasBackend, Shift>,
    theme: &Theme,
    dpr: f64,
    x_ms: (i64, i64),
    y: (f64, f64),
    y_label: &dyn Fn(f64) -> String,
    title: &str,
) -> Result<Chart<'a>, String> {
    let px = |v: f64| (v * dpr).round() as u32;
    let (w, h) = area.dim_in_pixel();
    // One y label per 28 CSS px of height at most, so labels never overlap on short plots.
    let max_y_ticks = ((h as f64 / dpr - 38.0) / 28.0).floor().clamp(1.0, 5.0) as usize;
    let y_axis = nice_axis(y.0, y.1, max_y_ticks);
    let mut chart = ChartBuilder::on(area)
        .margin_top(px(26.0))
        .margin_right(px(10.0))
        .x_label_area_size(px(20.0))
        .y_label_area_size(px(46.0))
        .build_cartesian_2d(x_ms.0 as f64..x_ms.1 as f64, y_axis.min..y_axis.max)
        .map_err(err)?;
    let font = ("sans-serif", 11.0 * dpr).into_font();
    // `backend_coord` is in canvas pixels; text drawn on a split area is relative to the area.
    let (ax, ay) = area.get_base_pixel();
    let local = |(x, y): (i32, i32)| (x - ax, y - ay);
    let grid = ShapeStyle::from(theme.grid).stroke_width(px(1.0).max(1));
    let (x0, x1) = (x_ms.0 as f64, x_ms.1 as f64);
    let max_x_ticks = ((w as f64 / dpr) / 90.0).floor().max(2.0) as usize;
    for tick in &y_axis.ticks {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x0, *tick), (x1, *tick)],
                grid,
            )))
            .map_err(err)?;
        let (bx, by) = local(chart.backend_coord(&(x0, *tick)));
        area.draw(&Text::new(
            y_label(*tick),
            (bx - px(4.0) as i32, by),
            font.color(&theme.axis)
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(err)?;
    }
    for (t, label) in time_ticks(x_ms.0, x_ms.1, max_x_ticks) {
        let (bx, by) = local(chart.backend_coord(&(t as f64, y_axis.min)));
        area.draw(&Text::new(
            label,
            (bx, by + px(4.0) as i32),
            font.color(&theme.axis)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
    }
    area.draw(&Text::new(
        title.to_string(),
        (px(4.0) as i32, px(2.0) as i32),
        ("sans-serif", 12.0 * dpr)
            .into_font()
            .color(&theme.axis)
            .pos(Pos::new(HPos::Left, VPos::Top)),
    ))
    .map_err(err)?;
    Ok(chart)
}

/// Y tick labels as short numbers ("1.2k").
pub fn number_label(v: f64) -> String {
    short_number(v)
}

/// Y tick labels as percentages of 1.
pub fn percent_label(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

/// Shaded bands over `[from, to]` (epoch ms) across the whole plot height: periods the page
/// was not live, drawn as gaps.
pub fn bands(
    chart: &mut Chart,
    periods: &[(i64, i64)],
    color: RGBColor,
    y: (f64, f64),
) -> Result<(), String> {
    let style = color.mix(0.9).filled();
    chart
        .draw_series(
            periods
                .iter()
                .map(|(a, b)| Rectangle::new([(*a as f64, y.0), (*b as f64, y.1)], style)),
        )
        .map_err(err)?;
    Ok(())
}

/// One polyline per segment (a new segment after a gap: never a line across missing data).
pub fn segments(
    chart: &mut Chart,
    segs: &[Vec<Point>],
    color: RGBColor,
    width: u32,
) -> Result<(), String> {
    let style = ShapeStyle::from(color).stroke_width(width.max(1));
    for seg in segs {
        if seg.len() == 1 {
            let p = seg[0];
            chart
                .draw_series(std::iter::once(Circle::new(
                    (p.x, p.y),
                    width + 1,
                    color.filled(),
                )))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(seg.iter().map(|p| (p.x, p.y)), style))
                .map_err(err)?;
        }
    }
    Ok(())
}
