//! JSON over HTTP to the API under test: every call answers `(status, body)`, the body parsed as
//! JSON (or a JSON string holding the raw text when it is not JSON). Against a backend in auth
//! mode the client sends its bearer token ([`ApiClient::with_token`]).

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::error::{Context, Result};

/// A client bound to one API origin (`http://127.0.0.1:<port>`).
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    origin: String,
    token: Option<String>,
}

impl ApiClient {
    /// A client for the API at `origin`; requests time out after 15 s.
    pub fn new(origin: impl Into<String>) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .no_proxy()
            .build()
            .context("building the HTTP client")?;
        Ok(Self {
            http,
            origin: origin.into(),
            token: None,
        })
    }

    /// The same client, sending `Authorization: Bearer <token>` (or nothing, for `None`).
    pub fn with_token(&self, token: Option<&str>) -> Self {
        Self {
            token: token.map(str::to_string),
            ..self.clone()
        }
    }

    /// The bearer token this client sends, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// `http://127.0.0.1:<port>/api/v1`.
    pub fn api_base(&self) -> String {
        format!("{}/api/v1", self.origin)
    }

    /// The full URL of `path`: absolute URLs are kept, `/api/...` is taken from the origin, and
    /// anything else is relative to `/api/v1` (`"jobs"`, `"/jobs?status=running"`).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else if path.starts_with("/api/") || path == "/openapi.json" {
            format!("{}{path}", self.origin)
        } else {
            format!("{}/{}", self.api_base(), path.trim_start_matches('/'))
        }
    }

    /// Sends one request; transport failures (connection refused, timeout) are errors, any
    /// HTTP status is a normal answer.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value)> {
        let url = self.url(path);
        let mut req = self.http.request(method.clone(), &url);
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.context(format!("{method} {url}"))?;
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .context(format!("reading the body of {method} {url}"))?;
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok((status, value))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<(u16, Value)> {
        self.request(Method::GET, path, None).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<(u16, Value)> {
        self.request(Method::POST, path, Some(body)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_resolution() {
        let c = ApiClient::new("http://127.0.0.1:9").expect("client");
        assert_eq!(c.url("jobs"), "http://127.0.0.1:9/api/v1/jobs");
        assert_eq!(c.url("/jobs?x=1"), "http://127.0.0.1:9/api/v1/jobs?x=1");
        assert_eq!(c.url("/api/v1/queue"), "http://127.0.0.1:9/api/v1/queue");
        assert_eq!(c.url("/openapi.json"), "http://127.0.0.1:9/openapi.json");
        assert_eq!(c.url("http://x/y"), "http://x/y");
    }
}
