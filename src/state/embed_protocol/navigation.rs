//! Which URL a host request leads to: the list's hash for a `filter` (keeping the list's other
//! filters) or a `route`, and which hashes show the list.

use crate::state::job_filter::JobFilter;
use crate::state::url::hash_query;

use super::HostRoute;

/// The hash that shows the list with the host's dataset filter, keeping the list's other
/// filters (`list_href` is the list's last `#/jobs?…`). The filter lives in the URL like every
/// list filter, so the page reads it the same way.
pub fn filter_hash(list_href: &str, dataset: Option<&str>) -> String {
    let mut filter = JobFilter::from_query(hash_query(list_href));
    filter.dataset = dataset.map(str::to_string);
    let query = filter.to_query();
    if query.is_empty() {
        "#/jobs".to_string()
    } else {
        format!("#/jobs?{query}")
    }
}

/// The hash a host `route` leads to; the list keeps its last filters (`list_href`).
pub fn route_hash(route: &HostRoute, list_href: &str) -> String {
    match route {
        HostRoute::Jobs if is_list_hash(list_href) => list_href.to_string(),
        HostRoute::Jobs => "#/jobs".to_string(),
        HostRoute::Job(id) => format!("#/jobs/{id}"),
    }
}

/// Whether a location hash shows the list (`#/jobs`, with or without a query): only then does
/// the list re-read its filters from the URL.
pub fn is_list_hash(hash: &str) -> bool {
    let path = hash.split_once('?').map_or(hash, |(p, _)| p);
    matches!(path, "#/jobs" | "#/jobs/")
}
