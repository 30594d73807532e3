//! The one funnel every HTTP request to the backend goes through: URL building, the bearer
//! token, JSON decoding and FastAPI error bodies turned into typed errors with the server's own
//! words. A 401 asks the host for a fresh token once (`services::auth::refresh`) and retries
//! once; what to do is decided by `state::auth`. Answers that are not the data asked for (a
//! proxy's HTML error page, plain text, an empty or oversized body, JSON of another shape) are
//! described in words by `state::http_answer`.

use gloo_net::http::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

use crate::services::auth;
use crate::state::auth::{
    refreshed, unauthorized_message, Next, RefreshBudget, REFRESH_TIMEOUT_MS,
};
use crate::state::http_answer::{declared_too_large, read_error, read_json, ErrorAnswer, Problem};
use crate::state::url::encode_component;
use crate::types::{
    error::Detail, BulkResponse, DatasetList, ErrorBody, Job, JobCreate, JobList, LogPage, Metrics,
    QueueStatus, Stats,
};

/// Why a request failed, in terms a user can act on.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ApiError {
    /// The request never got an HTTP answer (server down, DNS, CORS, offline). The browser's
    /// own wording ("TypeError: Failed to fetch") is kept for the console, not shown.
    #[error("cannot reach the server; check the connection and try again")]
    Network(String),
    /// The server answered with an error status; `detail` is its own message.
    #[error("{detail} (HTTP {status})")]
    Server {
        status: u16,
        detail: String,
        fields: Option<Detail>,
    },
    /// The server answered 2xx with a body this app does not understand (a sentence from
    /// `state::http_answer`, status included), or the request could not be built.
    #[error("{0}")]
    Decode(String),
    /// The server refused the token (HTTP 401) even after one fresh token from the host, or
    /// there was no fresh token to try. Holds the server's `detail`.
    #[error("{}", unauthorized_message(.0))]
    Unauthorized(String),
}

/// Filters and paging of `GET /jobs`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobQuery {
    pub status: Vec<String>,
    pub dataset: Option<String>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

impl JobQuery {
    /// The query string, `?`-prefixed, or empty.
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.status.is_empty() {
            pairs.push(("status", self.status.join(",")));
        }
        for (k, v) in [
            ("dataset", &self.dataset),
            ("kind", &self.kind),
            ("q", &self.q),
            ("sort", &self.sort),
        ] {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        }
        if let Some(o) = self.offset {
            pairs.push(("offset", o.to_string()));
        }
        if let Some(l) = self.limit {
            pairs.push(("limit", l.to_string()));
        }
        if pairs.is_empty() {
            return String::new();
        }
        let encoded: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_component(&v)))
            .collect();
        format!("?{}", encoded.join("&"))
    }
}

/// Which jobs a bulk cancel/retry applies to: listed ids, or whatever matches a filter on the
/// server at request time.
#[derive(Clone, Debug, PartialEq)]
pub enum BulkScope {
    Ids(Vec<String>),
    Filter {
        status: Vec<String>,
        dataset: Option<String>,
        kind: Option<String>,
        q: Option<String>,
    },
}

impl BulkScope {
    fn body(&self) -> serde_json::Value {
        match self {
            BulkScope::Ids(ids) => serde_json::json!({ "ids": ids }),
            BulkScope::Filter {
                status,
                dataset,
                kind,
                q,
            } => serde_json::json!({
                "filter": { "status": status, "dataset": dataset, "kind": kind, "q": q }
            }),
        }
    }
}

/// A handle on the backend's HTTP API.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiClient {
    base: String,
}

impl ApiClient {
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into() }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn list_jobs(&self, query: &JobQuery) -> Result<JobList, ApiError> {
        get(&self.url(&format!("/jobs{}", query.to_query_string()))).await
    }

    pub async fn get_job(&self, id: &str) -> Result<Job, ApiError> {
        get(&self.url(&format!("/jobs/{}", encode_component(id)))).await
    }

    pub async fn cancel_job(&self, id: &str) -> Result<Job, ApiError> {
        post(
            &self.url(&format!("/jobs/{}/cancel", encode_component(id))),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn retry_job(&self, id: &str) -> Result<Job, ApiError> {
        post(
            &self.url(&format!("/jobs/{}/retry", encode_component(id))),
            &serde_json::json!({}),
        )
        .await
    }

    /// The last `tail` log lines of a job.
    pub async fn job_logs_tail(&self, id: &str, tail: u64) -> Result<LogPage, ApiError> {
        get(&self.url(&format!("/jobs/{}/logs?tail={tail}", encode_component(id)))).await
    }

    /// Up to `limit` log lines of a job after line `after` (polling while the WebSocket cannot
    /// be used).
    pub async fn job_logs_after(
        &self,
        id: &str,
        after: u64,
        limit: u64,
    ) -> Result<LogPage, ApiError> {
        get(&self.url(&format!(
            "/jobs/{}/logs?after={after}&limit={limit}",
            encode_component(id)
        )))
        .await
    }

    /// Up to `limit` log lines of a job before line `before`.
    pub async fn job_logs_before(
        &self,
        id: &str,
        before: u64,
        limit: u64,
    ) -> Result<LogPage, ApiError> {
        get(&self.url(&format!(
            "/jobs/{}/logs?before={before}&limit={limit}",
            encode_component(id)
        )))
        .await
    }

    pub async fn create_job(&self, body: &JobCreate) -> Result<Job, ApiError> {
        post(&self.url("/jobs"), body).await
    }

    /// Starts several jobs in one request; one result per item, in order.
    pub async fn bulk_start(&self, jobs: &[JobCreate]) -> Result<BulkResponse, ApiError> {
        post(
            &self.url("/jobs/bulk/start"),
            &serde_json::json!({ "jobs": jobs }),
        )
        .await
    }

    /// Cancels every job in `scope` in one request.
    pub async fn bulk_cancel(&self, scope: &BulkScope) -> Result<BulkResponse, ApiError> {
        post(&self.url("/jobs/bulk/cancel"), &scope.body()).await
    }

    /// Retries every job in `scope` in one request.
    pub async fn bulk_retry(&self, scope: &BulkScope) -> Result<BulkResponse, ApiError> {
        post(&self.url("/jobs/bulk/retry"), &scope.body()).await
    }

    /// The whole log as text (`/logs/download`), for saving it when the download needs the
    /// bearer token (a plain link cannot send it).
    pub async fn job_log_text(&self, id: &str) -> Result<String, ApiError> {
        let url = self.url(&format!("/jobs/{}/logs/download", encode_component(id)));
        let resp = authorised(Method::GET, &url, None).await?;
        let status = resp.status();
        let content_type = resp.headers().get("content-type");
        let text = resp
            .text()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(server_error_typed(status, content_type.as_deref(), &text))
        }
    }

    pub async fn list_datasets(&self) -> Result<DatasetList, ApiError> {
        get(&self.url("/datasets")).await
    }

    /// The job's last (at most 2,000) metric samples, oldest first.
    pub async fn job_metrics(&self, id: &str) -> Result<Metrics, ApiError> {
        get(&self.url(&format!("/jobs/{}/metrics", encode_component(id)))).await
    }

    /// Completion and failure figures over the last `window_s`, bucketed by `bucket_s`.
    pub async fn stats(&self, window_s: u64, bucket_s: u64) -> Result<Stats, ApiError> {
        get(&self.url(&format!("/stats?window_s={window_s}&bucket_s={bucket_s}"))).await
    }

    pub async fn queue(&self) -> Result<QueueStatus, ApiError> {
        get(&self.url("/queue")).await
    }
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    send(Method::GET, url, None).await
}

async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, ApiError> {
    let json = serde_json::to_string(body)
        .map_err(|e| ApiError::Decode(format!("could not encode the request: {e}")))?;
    send(Method::POST, url, Some(&json)).await
}

async fn send<T: DeserializeOwned>(
    method: Method,
    url: &str,
    body: Option<&str>,
) -> Result<T, ApiError> {
    decode(authorised(method, url, body).await?).await
}

/// Sends the request with the current token; on a 401, one more try (see `state::auth`). Any
/// other answer is returned as it is.
async fn authorised(method: Method, url: &str, body: Option<&str>) -> Result<Response, ApiError> {
    let mut budget = RefreshBudget::default();
    let mut sent = auth::token();
    loop {
        let resp = send_once(method.clone(), url, body, sent.as_deref()).await?;
        if resp.status() != 401 {
            return Ok(resp);
        }
        let detail = refusal_detail(resp).await;
        let current = auth::token();
        sent = match budget.on_refused(sent.as_deref(), current.as_deref()) {
            Next::RetryWithCurrent => current,
            Next::Refresh => match auth::refresh(REFRESH_TIMEOUT_MS).await {
                Some(token) if refreshed(Some(&token)) => Some(token),
                _ => return Err(ApiError::Unauthorized(detail)),
            },
            Next::GiveUp => return Err(ApiError::Unauthorized(detail)),
        };
    }
}

async fn send_once(
    method: Method,
    url: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> Result<Response, ApiError> {
    let mut req = RequestBuilder::new(url).method(method);
    if let Some(token) = token {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    let req = match body {
        Some(json) => req
            .header("Content-Type", "application/json")
            .body(json.to_string()),
        None => req.build(),
    }
    .map_err(|e| ApiError::Decode(format!("could not build the request: {e}")))?;
    req.send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// The `detail` of a 401 body (empty when it has none).
async fn refusal_detail(resp: Response) -> String {
    let text = resp.text().await.unwrap_or_default();
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => body.detail.to_message(),
        Err(_) => String::new(),
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let status = resp.status();
    let headers = resp.headers();
    let content_type = headers.get("content-type");
    let too_large = declared_too_large(status, headers.get("content-length").as_deref());
    if let Some(problem) = too_large {
        // Not read at all: a hostile body cannot take the tab's memory.
        return Err(problem_error(problem));
    }
    let text = resp
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if resp.ok() {
        read_json(status, content_type.as_deref(), &text).map_err(problem_error)
    } else {
        Err(server_error_typed(status, content_type.as_deref(), &text))
    }
}

/// A 2xx answer that is not the data asked for, or any oversized answer.
fn problem_error(problem: Problem) -> ApiError {
    if (200..300).contains(&problem.status()) {
        ApiError::Decode(problem.to_string())
    } else {
        ApiError::Server {
            status: problem.status(),
            detail: problem.message(),
            fields: None,
        }
    }
}

/// Reads an error answer: FastAPI's `detail` in the server's words, or what came instead
/// (an HTML error page, text, nothing) described in words (see `state::http_answer`).
pub fn server_error_typed(status: u16, content_type: Option<&str>, text: &str) -> ApiError {
    match read_error(status, content_type, text) {
        ErrorAnswer::Detail(detail) => ApiError::Server {
            status,
            detail: detail.to_message(),
            fields: Some(detail),
        },
        ErrorAnswer::Other(problem) => problem_error(problem),
    }
}

/// [`server_error_typed`] without a `Content-Type`.
pub fn server_error(status: u16, text: &str) -> ApiError {
    server_error_typed(status, None, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_encoded() {
        let q = JobQuery {
            status: vec!["failed".into(), "cancelled".into()],
            q: Some("a&b=c é".into()),
            limit: Some(10),
            ..Default::default()
        };
        assert_eq!(
            q.to_query_string(),
            "?status=failed%2Ccancelled&q=a%26b%3Dc%20%C3%A9&limit=10"
        );
        assert_eq!(JobQuery::default().to_query_string(), "");
    }

    #[test]
    fn fastapi_detail_becomes_the_message() {
        let e = server_error(409, r#"{"detail":"job job_1 is already succeeded"}"#);
        assert_eq!(e.to_string(), "job job_1 is already succeeded (HTTP 409)");
    }

    #[test]
    fn a_final_401_tells_the_user_what_to_do() {
        let e = ApiError::Unauthorized("token revoked".into());
        assert_eq!(
            e.to_string(),
            "This session is not authorised to see jobs (the server said: token revoked). \
             Reload the platform page or sign in again."
        );
    }

    #[test]
    fn non_json_error_bodies_still_read_as_words() {
        let e = server_error_typed(502, Some("text/html"), "<html>Bad Gateway</html>");
        let text = e.to_string();
        assert!(
            text.starts_with("The server answered with an HTML page instead of data"),
            "{text}"
        );
        assert!(text.ends_with("(HTTP 502)"), "{text}");
        assert!(matches!(
            e,
            ApiError::Server {
                status: 502,
                fields: None,
                ..
            }
        ));
        let e = server_error(500, "");
        assert_eq!(
            e.to_string(),
            "The server answered with an error and no explanation (HTTP 500)"
        );
    }

    #[test]
    fn oversized_and_misshapen_answers() {
        let e = problem_error(Problem::TooLarge {
            status: 200,
            bytes: 100 << 20,
        });
        assert!(matches!(e, ApiError::Decode(_)));
        assert!(e.to_string().contains("too large"), "{e}");
        let e = problem_error(Problem::Shape {
            status: 200,
            detail: "missing field `total`".into(),
        });
        assert_eq!(
            e.to_string(),
            "The server sent data this page cannot read (missing field `total`) (HTTP 200)"
        );
    }
}
