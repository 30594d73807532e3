//! The theme control: System / Light / Dark, a labelled native `<select>` (one Tab stop, arrow
//! keys, read out by screen readers as it is). Disabled, with a note in words, while the host
//! page decides the theme. What it changes lives in `services/theme.rs`.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::services::theme;
use crate::state::theme::Choice;

#[component]
pub fn ThemeToggle() -> Html {
    let state = use_state(theme::current);
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            // The host or another tab may change the theme while this is shown.
            let watch = theme::watch(move |s| state.set(s));
            move || drop(watch)
        });
    }
    let onchange = Callback::from(|e: Event| {
        let value = e.target_unchecked_into::<HtmlSelectElement>().value();
        if let Some(choice) = Choice::parse(&value) {
            theme::choose(choice);
        }
    });
    let note = state.note();
    let options = Choice::ALL.iter().map(|&c| {
        html! {
            <option value={c.as_str()} selected={state.choice == c}>{ state.option_label(c) }</option>
        }
    });
    html! {
        <div class="theme-toggle" data-testid="theme-toggle" data-source={state.source().as_str()}>
            <label for="theme-choice">{ "Theme" }</label>
            <select id="theme-choice" data-testid="theme-choice" {onchange}
                    disabled={!state.choice_applies()}
                    aria-describedby={note.is_some().then_some("theme-note")}>
                { for options }
            </select>
            if let Some(note) = note {
                <span id="theme-note" class="theme-note">{ note }</span>
            }
        </div>
    }
}
