//! The list's controls: status chips with counts, dataset and kind, text search, sort, and
//! the layout (cards or compact rows).

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::state::job_filter::{JobFilter, Sort};
use crate::state::list_layout::Layout;
use crate::types::{Dataset, JobKind, JobStatus};

#[derive(Properties, PartialEq)]
pub struct JobFiltersProps {
    pub filter: JobFilter,
    /// What each status chip lists when clicked (`Listed::chip_counts`).
    pub counts: [u64; 6],
    pub datasets: Rc<Vec<Dataset>>,
    pub on_change: Callback<JobFilter>,
}

#[component]
pub fn JobFilters(props: &JobFiltersProps) -> Html {
    let f = &props.filter;
    let chips = JobStatus::ALL.iter().zip(props.counts).map(|(s, n)| {
        let active = f.status.contains(s);
        let onclick = {
            let (f, cb, s) = (f.clone(), props.on_change.clone(), *s);
            Callback::from(move |_: MouseEvent| {
                let mut next = f.clone();
                if !next.status.remove(&s) {
                    next.status.insert(s);
                }
                cb.emit(next)
            })
        };
        html! {
            <button type="button" class={classes!("chip", format!("status-{s}"), active.then_some("active"))}
                    aria-pressed={active.to_string()} data-testid={format!("filter-status-{s}")} {onclick}>
                { s.as_str() }{ " " }<strong data-testid={format!("count-{s}")}>{ n }</strong>
            </button>
        }
    });
    let on_dataset = on_select(f, &props.on_change, |next, v| {
        next.dataset = (!v.is_empty()).then_some(v)
    });
    let on_kind = on_select(f, &props.on_change, |next, v| {
        next.kind = JobKind::ALL.into_iter().find(|k| k.as_str() == v)
    });
    let on_sort = on_select(f, &props.on_change, |next, v| {
        next.sort = Sort::parse(&v).unwrap_or_default()
    });
    let on_search = {
        let (f, cb) = (f.clone(), props.on_change.clone());
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            cb.emit(JobFilter { q: v, ..f.clone() })
        })
    };
    let clear = {
        let (f, cb) = (f.clone(), props.on_change.clone());
        Callback::from(move |_: MouseEvent| {
            // Clears what narrows the list; how it is ordered and laid out stays.
            cb.emit(JobFilter {
                sort: f.sort,
                layout: f.layout,
                ..JobFilter::default()
            })
        })
    };
    let layouts = Layout::ALL.iter().map(|l| {
        let pressed = f.layout == *l;
        let onclick = {
            let (f, cb, l) = (f.clone(), props.on_change.clone(), *l);
            Callback::from(move |_: MouseEvent| {
                cb.emit(JobFilter {
                    layout: l,
                    ..f.clone()
                })
            })
        };
        html! {
            <button type="button" class="btn btn-small" aria-pressed={pressed.to_string()}
                    data-testid={format!("layout-{}", l.as_str())} {onclick}>{ l.label() }</button>
        }
    });
    let dataset_known = f
        .dataset
        .as_ref()
        .is_none_or(|d| props.datasets.iter().any(|x| &x.id == d));
    html! {
        <div class="filters" role="search" aria-label="Filter jobs">
            <div class="chips" role="group" aria-label="Status">{ for chips }</div>
            <label class="field-inline">
                <span>{ "Dataset" }</span>
                <select data-testid="filter-dataset" onchange={on_dataset}>
                    <option value="" selected={f.dataset.is_none()}>{ "All datasets" }</option>
                    { for props.datasets.iter().map(|d| html! {
                        <option value={d.id.clone()} selected={f.dataset.as_deref() == Some(d.id.as_str())}>{ crate::state::bidi::visible(&d.name) }</option>
                    }) }
                    if !dataset_known {
                        <option value={f.dataset.clone().unwrap_or_default()} selected=true>{ f.dataset.clone().unwrap_or_default() }</option>
                    }
                </select>
            </label>
            <label class="field-inline">
                <span>{ "Kind" }</span>
                <select data-testid="filter-kind" onchange={on_kind}>
                    <option value="" selected={f.kind.is_none()}>{ "All kinds" }</option>
                    { for JobKind::ALL.iter().map(|k| html! {
                        <option value={k.as_str()} selected={f.kind == Some(*k)}>{ k.as_str() }</option>
                    }) }
                </select>
            </label>
            <label class="field-inline grow">
                <span>{ "Search" }</span>
                <input type="search" data-testid="filter-search" placeholder="id, dataset, error…"
                       value={f.q.clone()} oninput={on_search} />
            </label>
            <label class="field-inline">
                <span>{ "Sort" }</span>
                <select data-testid="filter-sort" onchange={on_sort}>
                    { for Sort::ALL.iter().map(|s| html! {
                        <option value={s.as_str()} selected={f.sort == *s}>{ s.label() }</option>
                    }) }
                </select>
            </label>
            <div class="segmented layout-switch" role="group" aria-label="Layout">{ for layouts }</div>
            if f.is_narrowed() {
                <button type="button" class="btn btn-small" onclick={clear}>{ "Clear filters" }</button>
            }
        </div>
    }
}

/// A select's change handler: the filter with what `set` makes of the chosen value.
fn on_select(
    filter: &JobFilter,
    on_change: &Callback<JobFilter>,
    set: impl Fn(&mut JobFilter, String) + 'static,
) -> Callback<Event> {
    let (f, cb) = (filter.clone(), on_change.clone());
    Callback::from(move |e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        let mut next = f.clone();
        set(&mut next, v);
        cb.emit(next)
    })
}
