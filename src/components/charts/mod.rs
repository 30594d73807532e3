//! Charts drawn with plotters on a canvas: one canvas host that redraws at most once per
//! animation frame, and the drawing helpers the charts share.

pub mod chart_canvas;
pub mod draw;
pub mod sparkline;
