//! The bulk toolbar: what is selected, widening to "all N matching", and the bulk actions.

use yew::prelude::*;

use crate::state::bulk::BulkKind;
use crate::state::format::thousands;

#[derive(Properties, PartialEq)]
pub struct BulkBarProps {
    /// Selected jobs (ignored when `all_matching`).
    pub selected: usize,
    pub all_matching: bool,
    /// Jobs on screen (the current filter's result).
    pub visible: usize,
    /// Eligible jobs in the current filter for each action, for the quick actions.
    pub cancellable: usize,
    pub retryable: usize,
    /// Of the selection (or all matching), how many each action would act on.
    pub selected_cancellable: usize,
    pub selected_retryable: usize,
    pub on_toggle_all: Callback<()>,
    pub on_select_matching: Callback<()>,
    pub on_clear: Callback<()>,
    /// Act on the selection (or all matching when so widened).
    pub on_selected: Callback<BulkKind>,
    /// Act on every eligible job of the current filter, whatever is selected.
    pub on_matching: Callback<BulkKind>,
}

/// A bulk action's button stating how many jobs it acts on (`label (N)`), disabled at 0;
/// a click hands `kind` to `on`. Cancelling is styled as the dangerous one.
fn counted(
    testid: &'static str,
    label: &str,
    n: usize,
    kind: BulkKind,
    on: &Callback<BulkKind>,
) -> Html {
    let danger = kind == BulkKind::Cancel;
    let onclick = on.reform(move |_: MouseEvent| kind);
    html! {
        <button type="button" class={classes!("btn", "btn-small", danger.then_some("btn-danger"))}
                data-testid={testid} disabled={n == 0} {onclick}>
            { format!("{label} ({})", thousands(n as u64)) }
        </button>
    }
}

#[component]
pub fn BulkBar(props: &BulkBarProps) -> Html {
    let emit = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let has_selection = props.all_matching || props.selected > 0;
    let all_on_screen = props.visible > 0 && props.selected >= props.visible;
    html! {
        <div class="bulk-bar" role="toolbar" aria-label="Bulk actions" data-testid="bulk-bar">
            <button type="button" class="btn btn-small" data-testid="select-all-visible"
                    onclick={emit(&props.on_toggle_all)}>
                { if all_on_screen { "Clear selection on screen" } else { "Select all on screen" } }
            </button>
            if has_selection {
                <span class="bulk-count" data-testid="selection-count" role="status">
                    { if props.all_matching {
                        format!("All {} matching jobs selected", thousands(props.visible as u64))
                    } else {
                        format!("{} selected", thousands(props.selected as u64))
                    } }
                </span>
                if !props.all_matching && all_on_screen {
                    <button type="button" class="btn btn-small" data-testid="select-all-matching"
                            onclick={emit(&props.on_select_matching)}>
                        { format!("Select all {} matching this filter", thousands(props.visible as u64)) }
                    </button>
                }
                { counted("bulk-cancel-selected", "Cancel selected", props.selected_cancellable, BulkKind::Cancel, &props.on_selected) }
                { counted("bulk-retry-selected", "Retry selected", props.selected_retryable, BulkKind::Retry, &props.on_selected) }
                <button type="button" class="btn btn-small" onclick={emit(&props.on_clear)}>{ "Clear selection" }</button>
            } else {
                { counted("bulk-cancel-all", "Cancel all active", props.cancellable, BulkKind::Cancel, &props.on_matching) }
                { counted("bulk-retry-all", "Retry all failed", props.retryable, BulkKind::Retry, &props.on_matching) }
            }
        </div>
    }
}
