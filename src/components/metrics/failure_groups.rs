//! Failure patterns: the window's failed jobs grouped by exception type or by fingerprint
//! (type + normalised message + innermost frame), each with its count, share, datasets, first
//! and last seen, and an example. A group can filter the list to exactly its jobs or retry them.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::components::untrusted_text::UntrustedText;
use crate::state::bidi::isolate_visible;
use crate::state::chart::throughput::Window;
use crate::state::failures::{FailureGroup, FailureGroups, FailureKey};
use crate::state::format::{clock_time, thousands};

#[derive(Properties, PartialEq)]
pub struct FailureGroupsViewProps {
    pub groups: Rc<FailureGroups>,
    /// Per group, how many of its jobs its retry would retry (`bulk_scope::group_retry_count`).
    pub retryable: Rc<BTreeMap<FailureKey, usize>>,
    pub window: Window,
    /// The backend's count of failures in the window, to say so when the page holds fewer.
    #[prop_or_default]
    pub backend_failed: Option<u64>,
    pub on_show: Callback<FailureKey>,
    pub on_retry: Callback<FailureGroup>,
}

/// Groups shown per grouping; the rest are summarised in one line.
const SHOWN_GROUPS: usize = 20;

#[derive(Clone, Copy, PartialEq)]
enum By {
    Type,
    Pattern,
}

#[component]
pub fn FailureGroupsView(props: &FailureGroupsViewProps) -> Html {
    let by = use_state(|| By::Type);
    let groups = match *by {
        By::Type => &props.groups.by_type,
        By::Pattern => &props.groups.by_fingerprint,
    };
    let pick = |b: By| {
        let by = by.clone();
        Callback::from(move |_: MouseEvent| by.set(b))
    };
    let pressed = |b: By| (*by == b).to_string();
    let held = props.groups.total_failed as u64;
    let mismatch = props.backend_failed.filter(|n| *n != held).map(|n| {
        html! {
            <p class="group-meta" data-testid="failure-groups-partial">
                { format!("The server counts {} failures in this window; the page holds {} of them, and groups those.", thousands(n), thousands(held)) }
            </p>
        }
    });
    html! {
        <section class="failure-groups" aria-labelledby="failure-groups-title" data-testid="failure-groups">
            <div class="chart-head">
                <h3 id="failure-groups-title">
                    { format!("Failure patterns · {} failed in the last {}", thousands(held), props.window.label()) }
                </h3>
                <div class="segmented" role="group" aria-label="Group failures by">
                    <button type="button" class="btn btn-small" aria-pressed={pressed(By::Type)}
                            data-testid="group-by-type" onclick={pick(By::Type)}>{ "By type" }</button>
                    <button type="button" class="btn btn-small" aria-pressed={pressed(By::Pattern)}
                            data-testid="group-by-pattern" onclick={pick(By::Pattern)}>{ "By pattern" }</button>
                </div>
            </div>
            { for mismatch }
            if groups.is_empty() {
                <p class="group-meta" data-testid="failure-groups-empty">
                    { format!("No job failed in the last {}.", props.window.label()) }
                </p>
            } else {
                <ul class="failure-group-list" data-testid="failure-group-list">
                    { for groups.iter().take(SHOWN_GROUPS).map(|g| group_view(g, props)) }
                </ul>
                if groups.len() > SHOWN_GROUPS {
                    <p class="group-meta">{ format!("…and {} smaller groups.", groups.len() - SHOWN_GROUPS) }</p>
                }
            }
        </section>
    }
}

fn group_view(g: &FailureGroup, props: &FailureGroupsViewProps) -> Html {
    let show = {
        let (cb, key) = (props.on_show.clone(), g.key.clone());
        Callback::from(move |_: MouseEvent| cb.emit(key.clone()))
    };
    let retry = {
        let (cb, g) = (props.on_retry.clone(), g.clone());
        Callback::from(move |_: MouseEvent| cb.emit(g.clone()))
    };
    let datasets: Vec<(String, usize)> = g
        .datasets
        .iter()
        .take(3)
        .map(|(_, name, n)| (name.clone(), *n))
        .collect();
    let more = g.datasets.len().saturating_sub(3);
    let retryable = props.retryable.get(&g.key).copied().unwrap_or(g.count);
    let jobs = if g.count == 1 { "job" } else { "jobs" };
    html! {
        <li class="failure-group" data-testid="failure-group" data-key={g.key.to_param()}
            data-count={g.count.to_string()} data-kind={g.kind.clone()}>
            <div class="group-head">
                <span class="group-count" data-testid="group-count">{ thousands(g.count as u64) }</span>
                <code class="group-label" data-testid="group-label"><UntrustedText text={g.label.clone()} /></code>
                <span class="group-meta" data-testid="group-share">{ format!("{:.0} % of failures", g.share * 100.0) }</span>
            </div>
            <p class="group-example" data-testid="group-example" title="The newest failure's message"><UntrustedText text={g.example.clone()} /></p>
            <p class="group-meta">
                { "Datasets: " }
                { for datasets.iter().enumerate().map(|(i, (name, n))| html! {
                    <>{ if i > 0 { ", " } else { "" } }<UntrustedText text={name.clone()} />{ format!(" ({n})") }</>
                }) }
                if more > 0 { { format!(" and {more} more") } }
                { format!(" · first {} · last {}", hm(g.first_seen), hm(g.last_seen)) }
                if let Some(f) = &g.frame {
                    { " · in " }<code><UntrustedText text={f.clone()} /></code>
                }
            </p>
            <div class="group-actions">
                <button type="button" class="btn btn-small" data-testid="group-show" onclick={show}
                        aria-label={format!("Show the {} {jobs} of the failure group {}", g.count, isolate_visible(&g.label))}>
                    { if g.count == 1 { "Show this job".to_string() } else { format!("Show these {} jobs", thousands(g.count as u64)) } }
                </button>
                <button type="button" class="btn btn-small" data-testid="group-retry" onclick={retry}
                        disabled={retryable == 0} data-retryable={retryable.to_string()}
                        aria-label={format!("Retry the {retryable} failed {} of the failure group {}", if retryable == 1 { "job" } else { "jobs" }, isolate_visible(&g.label))}>
                    { format!("Retry this group ({})", thousands(retryable as u64)) }
                </button>
            </div>
        </li>
    }
}

/// "HH:MM:SS" (UTC, like the charts' axes).
fn hm(ms: i64) -> String {
    clock_time(ms).chars().take(8).collect()
}
