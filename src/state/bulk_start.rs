//! A start request's outcome, per requested dataset: the bulk answer matched back to the request
//! by index, what was started, and which datasets still need starting (so a partial failure is
//! shown per dataset and retried without duplicating a job).

use crate::types::{BulkResponse, Job, JobCreate};

/// How starting one dataset's job went.
#[derive(Clone, Debug, PartialEq)]
pub struct StartResult {
    pub dataset_id: String,
    /// The created job, when it was started.
    pub job_id: Option<String>,
    /// The server's reason, when it was not.
    pub error: Option<String>,
}

impl StartResult {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// A bulk start's answer, per requested dataset (in request order), plus the jobs it created.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkOutcome {
    pub results: Vec<StartResult>,
    pub started: Vec<Job>,
}

impl BulkOutcome {
    pub fn all_ok(&self) -> bool {
        self.results.iter().all(StartResult::ok)
    }

    /// Datasets whose job was not started.
    pub fn failed_datasets(&self) -> Vec<String> {
        self.results
            .iter()
            .filter(|r| !r.ok())
            .map(|r| r.dataset_id.clone())
            .collect()
    }
}

/// Matches a bulk response to the request by each result's `index`; a request item the server
/// did not answer counts as failed, so nothing is silently reported as started.
pub fn bulk_outcome(requested: &[JobCreate], response: BulkResponse) -> BulkOutcome {
    let mut results: Vec<StartResult> = requested
        .iter()
        .map(|j| StartResult {
            dataset_id: j.dataset_id.clone(),
            job_id: None,
            error: Some("the server did not answer for this dataset".to_string()),
        })
        .collect();
    let mut started = Vec::new();
    for item in response.results {
        let Some(slot) = results.get_mut(item.index as usize) else {
            continue;
        };
        if item.ok {
            slot.job_id = item.job.as_ref().map(|j| j.id.clone()).or(item.id);
            slot.error = None;
            started.extend(item.job);
        } else {
            let detail = item
                .detail
                .unwrap_or_else(|| "the server refused it".to_string());
            slot.error = Some(format!("{detail} (HTTP {})", item.status_code));
        }
    }
    BulkOutcome { results, started }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::params;
    use crate::types::{BulkItemResult, JobKind};

    /// The form tests' job (one fixture, not a second copy of it) under another id.
    fn job(id: &str) -> Job {
        Job {
            id: id.into(),
            ..crate::state::job_form::tests::job(params())
        }
    }

    fn item(index: u32, ok: bool, job_id: Option<&str>, detail: Option<&str>) -> BulkItemResult {
        BulkItemResult {
            id: None,
            index,
            ok,
            status_code: if ok { 201 } else { 404 },
            detail: detail.map(String::from),
            job: job_id.map(job),
        }
    }

    /// The outcome of a bulk answer holding `results` (its totals counted from them).
    fn answered(req: &[JobCreate], results: Vec<BulkItemResult>) -> BulkOutcome {
        let ok = results.iter().filter(|r| r.ok).count() as u32;
        let failed = results.len() as u32 - ok;
        bulk_outcome(
            req,
            BulkResponse {
                results,
                ok,
                failed,
            },
        )
    }

    fn requested(ids: &[&str]) -> Vec<JobCreate> {
        ids.iter()
            .map(|id| JobCreate {
                dataset_id: id.to_string(),
                kind: JobKind::Profile,
                params: None,
            })
            .collect()
    }

    #[test]
    fn bulk_results_follow_the_request_order() {
        let req = requested(&["ds_a", "ds_b", "ds_c"]);
        // Out of order on purpose: `index` says which item each result is.
        let outcome = answered(
            &req,
            vec![
                item(2, true, Some("job_c"), None),
                item(0, true, Some("job_a"), None),
                item(1, false, None, Some("dataset ds_b not found")),
            ],
        );
        assert!(!outcome.all_ok());
        assert_eq!(outcome.failed_datasets(), vec!["ds_b"]);
        let ids: Vec<_> = outcome.started.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, vec!["job_c", "job_a"]);
        assert_eq!(outcome.results[0].job_id.as_deref(), Some("job_a"));
        assert_eq!(
            outcome.results[1].error.as_deref(),
            Some("dataset ds_b not found (HTTP 404)")
        );
        assert_eq!(outcome.results[2].dataset_id, "ds_c");
    }

    #[test]
    fn unanswered_items_count_as_failed() {
        let req = requested(&["ds_a", "ds_b"]);
        let outcome = answered(
            &req,
            vec![
                item(0, true, Some("job_a"), None),
                item(7, true, Some("x"), None),
            ],
        );
        assert!(!outcome.all_ok());
        assert_eq!(outcome.failed_datasets(), vec!["ds_b"]);
        assert_eq!(outcome.started.len(), 1);
        let all = answered(
            &req,
            vec![
                item(0, true, Some("a"), None),
                item(1, true, Some("b"), None),
            ],
        );
        assert!(all.all_ok());
        assert_eq!(all.started.len(), 2);
    }
}
