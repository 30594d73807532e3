//! The bulk toolbar wired to the jobs page: the selection it widens, narrows and clears, and
//! the plan each action makes (`state::bulk_scope`), handed to the page to confirm.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::jobs::bulk_bar::BulkBar;
use crate::state::bulk::{BulkKind, Plan};
use crate::state::bulk_scope::{plan_for_selection, plan_quick, quick_count, selection_count};
use crate::state::job_filter::JobFilter;
use crate::state::job_list::Listed;
use crate::state::selection::Selection;

#[derive(Properties)]
pub struct BulkControlsProps {
    /// The list as shown (compared by identity, as the page rebuilds it only on change).
    pub listed: Rc<Listed>,
    pub filter: JobFilter,
    pub selection: UseStateHandle<Selection>,
    /// The ids of the list as last rendered, in order, read when the user acts.
    pub order: Callback<(), Vec<String>>,
    /// A planned action, to confirm.
    pub on_plan: Callback<Plan>,
}

impl PartialEq for BulkControlsProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.listed, &other.listed)
            && self.filter == other.filter
            && self.selection == other.selection
            && self.order == other.order
            && self.on_plan == other.on_plan
    }
}

#[component]
pub fn BulkControls(props: &BulkControlsProps) -> Html {
    let (listed, filter, selection) = (&props.listed, &props.filter, &props.selection);
    let toggle_all = {
        let (selection, order) = (selection.clone(), props.order.clone());
        Callback::from(move |_| {
            let mut next = (*selection).clone();
            next.toggle_all(&order.emit(()));
            selection.set(next);
        })
    };
    let select_matching = {
        let selection = selection.clone();
        Callback::from(move |_| {
            let mut next = (*selection).clone();
            next.select_all_matching();
            selection.set(next);
        })
    };
    let clear = {
        let selection = selection.clone();
        Callback::from(move |_| selection.set(Selection::default()))
    };
    let on_selected = {
        let (selection, listed, on_plan, filter) = (
            selection.clone(),
            listed.clone(),
            props.on_plan.clone(),
            filter.clone(),
        );
        Callback::from(move |kind: BulkKind| {
            let shown = listed.jobs.iter().map(|(j, s)| (&**j, *s));
            on_plan.emit(plan_for_selection(kind, &selection, &filter, shown));
        })
    };
    let on_matching = {
        let (listed, on_plan, filter) = (listed.clone(), props.on_plan.clone(), filter.clone());
        Callback::from(move |kind: BulkKind| {
            let shown = listed.jobs.iter().map(|(j, s)| (&**j, *s));
            on_plan.emit(plan_quick(kind, &filter, shown));
        })
    };
    // What each action would act on, so its label states the count it confirms.
    let on_selection = |kind| {
        let shown = listed.jobs.iter().map(|(j, s)| (&**j, *s));
        selection_count(kind, selection, listed.listed_counts, shown)
    };
    html! {
        <BulkBar selected={selection.ids().len()} all_matching={selection.all_matching()}
                 visible={listed.jobs.len()}
                 cancellable={quick_count(BulkKind::Cancel, filter, listed.listed_counts)}
                 retryable={quick_count(BulkKind::Retry, filter, listed.listed_counts)}
                 selected_cancellable={on_selection(BulkKind::Cancel)}
                 selected_retryable={on_selection(BulkKind::Retry)}
                 on_toggle_all={toggle_all} on_select_matching={select_matching}
                 on_clear={clear} {on_selected} {on_matching} />
    }
}
