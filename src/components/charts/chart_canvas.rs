//! A canvas that a chart draws into, at most once per animation frame however often its data
//! changes, sharp on high-DPI screens, resized with its container and redrawn when the theme
//! changes. Drawing failures and empty data show a placeholder in words, never a panic.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_render::{request_animation_frame, AnimationFrame};
use plotters::coord::Shift;
use plotters::prelude::DrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement};
use yew::prelude::*;

use crate::components::charts::draw::Theme;

/// The area a painter draws on (device pixels) and how to draw there.
pub struct Canvas<'a> {
    pub area: &'a DrawingArea<CanvasBackend, Shift>,
    pub theme: &'a Theme,
    /// Device pixels per CSS pixel: line widths and fonts are multiplied by it.
    pub dpr: f64,
}

/// Draws one chart; `Err` is shown as a placeholder.
pub type PaintFn = dyn Fn(&Canvas) -> Result<(), String>;

/// A painter and the revision of the data it draws: a new revision asks for a redraw.
#[derive(Clone)]
pub struct Painter {
    pub revision: u64,
    pub paint: Rc<PaintFn>,
}

impl PartialEq for Painter {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision && Rc::ptr_eq(&self.paint, &other.paint)
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartCanvasProps {
    pub painter: Painter,
    /// The chart in words, for screen readers (`aria-label` of the canvas).
    pub summary: AttrValue,
    /// Height in CSS pixels; the width follows the container.
    pub height: u32,
    /// Shown instead of the drawing (no data yet, nothing to draw).
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub testid: AttrValue,
}

/// What the last draw did, also written to the canvas as `data-chart-state`.
#[derive(Clone, PartialEq)]
enum Drawn {
    Pending,
    Ok,
    Failed(String),
}

struct Host {
    canvas: NodeRef,
    container: NodeRef,
    painter: Option<Painter>,
    frame: Option<AnimationFrame>,
    draws: u64,
    on_state: Callback<Drawn>,
}

type SharedHost = Rc<RefCell<Host>>;

/// Asks for a draw at the next animation frame (one per frame, whatever the number of calls).
fn schedule(host: &SharedHost) {
    if host.borrow().frame.is_some() {
        return;
    }
    let weak = Rc::downgrade(host);
    let frame = request_animation_frame(move |_| {
        if let Some(host) = weak.upgrade() {
            host.borrow_mut().frame = None;
            draw_now(&host);
        }
    });
    host.borrow_mut().frame = Some(frame);
}

fn draw_now(host: &SharedHost) {
    let (canvas, container, painter, on_state) = {
        let h = host.borrow();
        (
            h.canvas.cast::<HtmlCanvasElement>(),
            h.container.cast::<HtmlElement>(),
            h.painter.clone(),
            h.on_state.clone(),
        )
    };
    let (Some(canvas), Some(container), Some(painter)) = (canvas, container, painter) else {
        return;
    };
    let result = paint(&canvas, &container, &painter);
    let draws = {
        let mut h = host.borrow_mut();
        h.draws += 1;
        h.draws
    };
    let _ = canvas.set_attribute("data-draws", &draws.to_string());
    let state = match result {
        Ok(ms) => {
            let _ = canvas.set_attribute("data-draw-ms", &format!("{ms:.2}"));
            Drawn::Ok
        }
        Err(e) => Drawn::Failed(e),
    };
    on_state.emit(state);
}

/// Sizes the canvas to its container in device pixels and runs the painter; the time taken (ms).
fn paint(
    canvas: &HtmlCanvasElement,
    container: &HtmlElement,
    painter: &Painter,
) -> Result<f64, String> {
    let window = web_sys::window().ok_or("no window")?;
    let started = window.performance().map(|p| p.now());
    let css_w = container.client_width();
    let css_h = canvas.client_height();
    if css_w <= 0 || css_h <= 0 {
        return Err("The chart has no room to draw in.".into());
    }
    let dpr = window.device_pixel_ratio().clamp(1.0, 4.0);
    let (w, h) = (
        (css_w as f64 * dpr).round() as u32,
        (css_h as f64 * dpr).round() as u32,
    );
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    let theme = Theme::read(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or("This browser cannot draw on a canvas.")?;
    let area = plotters::prelude::IntoDrawingArea::into_drawing_area(backend);
    (painter.paint)(&Canvas {
        area: &area,
        theme: &theme,
        dpr,
    })?;
    area.present().map_err(|e| e.to_string())?;
    let ended = window.performance().map(|p| p.now());
    Ok(match (started, ended) {
        (Some(s), Some(e)) => e - s,
        _ => 0.0,
    })
}

/// Redraws on container resizes and on theme changes (`data-theme` on `<html>`).
struct Observers {
    resize: Option<web_sys::ResizeObserver>,
    theme: Option<web_sys::MutationObserver>,
    _callback: Closure<dyn FnMut()>,
}

impl Drop for Observers {
    fn drop(&mut self) {
        if let Some(r) = &self.resize {
            r.disconnect();
        }
        if let Some(m) = &self.theme {
            m.disconnect();
        }
    }
}

fn observe(host: &SharedHost) -> Observers {
    let weak = Rc::downgrade(host);
    let callback = Closure::<dyn FnMut()>::new(move || {
        if let Some(host) = weak.upgrade() {
            schedule(&host);
        }
    });
    let f: &js_sys::Function = callback.as_ref().unchecked_ref();
    let resize = web_sys::ResizeObserver::new(f).ok();
    if let (Some(r), Some(el)) = (&resize, host.borrow().container.cast::<web_sys::Element>()) {
        r.observe(&el);
    }
    let theme = web_sys::MutationObserver::new(f).ok();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let (Some(m), Some(root)) = (&theme, root) {
        let init = web_sys::MutationObserverInit::new();
        init.set_attributes(true);
        init.set_attribute_filter(&js_sys::Array::of1(&"data-theme".into()));
        let _ = m.observe_with_options(&root, &init);
    }
    Observers {
        resize,
        theme,
        _callback: callback,
    }
}

#[component]
pub fn ChartCanvas(props: &ChartCanvasProps) -> Html {
    let canvas = use_node_ref();
    let container = use_node_ref();
    let drawn = use_state(|| Drawn::Pending);
    let host: Rc<SharedHost> = {
        let (canvas, container, drawn) = (canvas.clone(), container.clone(), drawn.clone());
        use_memo((), move |_| {
            Rc::new(RefCell::new(Host {
                canvas,
                container,
                painter: None,
                frame: None,
                draws: 0,
                on_state: Callback::from(move |d: Drawn| {
                    if *drawn != d {
                        drawn.set(d)
                    }
                }),
            }))
        })
    };
    {
        let host = (*host).clone();
        // Also when the placeholder goes: the canvas only has a size once it is shown.
        let shown = props.placeholder.is_none();
        use_effect_with((props.painter.clone(), shown), move |(painter, _)| {
            host.borrow_mut().painter = Some(painter.clone());
            schedule(&host);
        });
    }
    {
        let host = (*host).clone();
        use_effect_with((), move |_| {
            let observers = observe(&host);
            move || {
                host.borrow_mut().frame = None;
                drop(observers);
            }
        });
    }
    let failed = match &*drawn {
        Drawn::Failed(e) => Some(e.clone()),
        _ => None,
    };
    let placeholder = props.placeholder.as_ref().map(|p| p.to_string()).or(failed);
    let state = match (&*drawn, &props.placeholder) {
        (_, Some(_)) => "placeholder",
        (Drawn::Pending, _) => "pending",
        (Drawn::Ok, _) => "drawn",
        (Drawn::Failed(_), _) => "failed",
    };
    html! {
        <div class="chart-canvas" ref={container} data-testid={props.testid.clone()}>
            <canvas ref={canvas} role="img" aria-label={props.summary.clone()}
                    data-chart-state={state}
                    style={format!("height: {}px; width: 100%", props.height)}
                    hidden={props.placeholder.is_some()} />
            if let Some(text) = placeholder {
                <p class="chart-placeholder" data-testid="chart-placeholder"
                   style={format!("min-height: {}px", props.height)}>{ text }</p>
            }
        </div>
    }
}
