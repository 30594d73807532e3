//! Any route the app does not know.

use yew::prelude::*;

#[component]
pub fn NotFound() -> Html {
    html! {
        <section class="not-found" data-testid="not-found" aria-labelledby="nf-title">
            <h1 id="nf-title">{ "Page not found" }</h1>
            <p>{ "There is nothing at this address." }</p>
            <a href="#/jobs">{ "Back to jobs" }</a>
        </section>
    }
}
