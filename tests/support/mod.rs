//! What the browser tests share (`mod support;` in each `tests/browser*.rs`): the document, a
//! fresh mount point, and finding rendered elements. The jobs and log lines they render come
//! from `jobs_page::fixtures`.
// Each test binary includes this module and uses only some of it.
#![allow(dead_code)]

use wasm_bindgen::JsCast;
use web_sys::Element;

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A new empty `<div>` at the end of the body, for one test to render into.
pub fn root() -> Element {
    let el = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

/// Renders `C` with `props` into a fresh root and waits for the render; returns the root.
pub async fn mount<C>(props: C::Properties) -> Element
where
    C: yew::BaseComponent,
{
    let el = root();
    yew::Renderer::<C>::with_root_and_props(el.clone(), props).render();
    yew::scheduler::flush().await;
    el
}

/// The first element under `root` matching `sel`; panics (showing the markup) when none does.
pub fn q(root: &Element, sel: &str) -> Element {
    root.query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("{sel} not rendered in {}", root.inner_html()))
}

/// Every element under `root` matching `sel`, in document order.
pub fn all(root: &Element, sel: &str) -> Vec<Element> {
    let list = root.query_selector_all(sel).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(JsCast::unchecked_into::<Element>)
        .collect()
}
