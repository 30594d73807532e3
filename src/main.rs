//! Mounts the app; everything else lives in the library so tests can reach it.

fn main() {
    // First, so a panic anywhere, even during start-up, shows the crash fallback.
    jobs_page::services::crash::install();
    // Before the first render, so the page never flashes the wrong theme. The listener lives
    // as long as the page.
    std::mem::forget(jobs_page::services::theme::apply());
    yew::Renderer::<jobs_page::app::App>::new().render();
}
