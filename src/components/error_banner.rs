//! An error said in words, with an optional retry.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    /// What the user was trying to see, e.g. "Could not load jobs".
    pub title: AttrValue,
    /// The cause, usually the server's own message.
    pub message: AttrValue,
    #[prop_or_default]
    pub on_retry: Option<Callback<()>>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[component]
pub fn ErrorBanner(props: &ErrorBannerProps) -> Html {
    let retry = props.on_retry.clone().map(|cb| {
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(()));
        html! { <button type="button" class="btn" {onclick}>{ "Retry" }</button> }
    });
    html! {
        <div class="error-banner" role="alert" data-testid={props.testid.clone()}>
            <strong>{ props.title.clone() }</strong>
            <p>{ props.message.clone() }</p>
            { for retry }
        </div>
    }
}
