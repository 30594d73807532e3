//! The backend's jobs as a test drives them through the stack's API client: plain `GET` and
//! `POST` that panic only when no answer came, creating a job (and keeping just its id),
//! reading one, and waiting for a job to reach a state.

use std::time::Duration;

use serde_json::{json, Value};

use super::Stack;
use crate::error::Error;
use crate::wait::try_wait_for;

/// A backend job's id (JSON `id`); panics when there is none.
pub fn job_id(job: &Value) -> String {
    job["id"].as_str().expect("job id").to_string()
}

/// A backend job's `log_count`; panics when there is none.
pub fn log_count(job: &Value) -> u64 {
    job["log_count"].as_u64().expect("log_count")
}

impl Stack {
    /// `GET` an API path (`"jobs"`, `"/jobs/<id>"`, `"/api/v1/queue"`); panics only if the
    /// request could not be made at all.
    pub async fn api_get(&self, path: &str) -> (u16, Value) {
        match self.http.get(path).await {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    /// `POST` JSON to an API path; panics only if the request could not be made at all.
    pub async fn api_post(&self, path: &str, body: Value) -> (u16, Value) {
        match self.http.post(path, &body).await {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    /// `GET /datasets` items.
    pub async fn datasets(&self) -> Vec<Value> {
        let (status, body) = self.api_get("datasets").await;
        assert_eq!(status, 200, "GET /datasets: {body}");
        body["items"].as_array().cloned().unwrap_or_default()
    }

    /// Creates a job (`POST /jobs`, expecting 201) and returns it.
    pub async fn create_job(&self, dataset_id: &str, kind: &str, params: Value) -> Value {
        let body = json!({"dataset_id": dataset_id, "kind": kind, "params": params});
        let (status, job) = self.api_post("jobs", body).await;
        assert_eq!(status, 201, "POST /jobs ({dataset_id}, {kind}): {job}");
        job
    }

    /// `GET /jobs/<id>`, expecting 200.
    pub async fn job(&self, id: &str) -> Value {
        let (status, job) = self.api_get(&format!("jobs/{id}")).await;
        assert_eq!(status, 200, "GET /jobs/{id}: {job}");
        job
    }

    /// Polls `GET /jobs/<id>` until `pred` holds for the job; returns it.
    pub async fn wait_job<P>(&self, id: &str, what: &str, timeout: Duration, pred: P) -> Value
    where
        P: Fn(&Value) -> bool,
    {
        let result = try_wait_for(&format!("job {id} {what}"), timeout, || async {
            let (status, job) = self.http.get(&format!("jobs/{id}")).await?;
            if status == 200 && pred(&job) {
                Ok(job)
            } else {
                Err(Error::msg(format!(
                    "status {status}, job status {}, progress {}",
                    job["status"], job["progress"]
                )))
            }
        })
        .await;
        match result {
            Ok(job) => job,
            Err(e) => panic!("{e}"),
        }
    }

    /// Creates a job (`POST /jobs`, expecting 201) and returns its id.
    pub async fn start_job(&self, dataset_id: &str, kind: &str, params: Value) -> String {
        job_id(&self.create_job(dataset_id, kind, params).await)
    }

    /// Polls `GET /jobs/<id>` until the job's status is `status` (`"running"`, `"succeeded"`…);
    /// returns the job.
    pub async fn wait_status(&self, id: &str, status: &str, timeout: Duration) -> Value {
        self.wait_job(id, &format!("to be {status}"), timeout, |j| {
            j["status"] == status
        })
        .await
    }

    /// A short profile job of `dataset_id` (5,000 rows in one chunk, no pauses), waited for
    /// until it succeeded; returns the finished job.
    pub async fn quick_job(&self, dataset_id: &str, timeout: Duration) -> Value {
        let params = json!({"chunk_rows": 5000, "chunk_delay_ms": 0});
        let id = self.start_job(dataset_id, "profile", params).await;
        self.wait_status(&id, "succeeded", timeout).await
    }
}
