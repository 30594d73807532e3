//! Mounts the app; everything else lives in the library so tests can reach it.

fn main() {
    yew::Renderer::<jobs_page::app::App>::new().render();
}
