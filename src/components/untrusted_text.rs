//! `<UntrustedText text=… />`: a string from uploaded data (dataset name, job id, parameter,
//! error) placed among the app's own words. Rendered as a `<bdi>`, so its direction cannot leak
//! into the surrounding sentence, with every bidi control shown as a marked `⟨U+202E⟩` instead
//! of obeyed (see `state::bidi`). Always text nodes, never HTML.

use yew::prelude::*;

use crate::state::bidi::{control_name, marker, segments, Segment};

#[derive(Properties, PartialEq)]
pub struct UntrustedTextProps {
    pub text: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[component]
pub fn UntrustedText(props: &UntrustedTextProps) -> Html {
    let parts = segments(&props.text).into_iter().map(|s| match s {
        Segment::Text(t) => html! { { t.to_string() } },
        Segment::Control(c) => html! {
            <span class="bidi-control" data-testid="bidi-control"
                  title={format!("hidden text-direction character: {}", control_name(c))}>
                { marker(c) }
            </span>
        },
    });
    html! {
        <bdi class={props.class.clone()} data-testid={props.testid.clone()}>{ for parts }</bdi>
    }
}
