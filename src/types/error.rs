//! FastAPI's error body: `{"detail": "..."}` or, for 422, a list of field errors.

use serde::{Deserialize, Serialize};

/// One entry of a 422 `detail` list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub loc: Vec<serde_json::Value>,
    pub msg: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// The `detail` of an error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Detail {
    Message(String),
    Fields(Vec<FieldError>),
    Other(serde_json::Value),
}

/// A FastAPI error response body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub detail: Detail,
}

impl FieldError {
    /// The field path without FastAPI's leading `body`/`query`, e.g. `params.chunk_rows`.
    pub fn field(&self) -> String {
        let parts: Vec<String> = self
            .loc
            .iter()
            .skip_while(|p| matches!(p.as_str(), Some("body" | "query" | "path")))
            .map(|p| match p {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        parts.join(".")
    }
}

impl Detail {
    /// The whole detail as one sentence for a user.
    pub fn to_message(&self) -> String {
        match self {
            Detail::Message(m) => m.clone(),
            Detail::Fields(fields) => fields
                .iter()
                .map(|f| {
                    let field = f.field();
                    if field.is_empty() {
                        f.msg.clone()
                    } else {
                        format!("{field}: {}", f.msg)
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
            Detail::Other(v) => v.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_detail_reads_as_text() {
        let body: ErrorBody = serde_json::from_str(r#"{"detail":"job not found"}"#).unwrap();
        assert_eq!(body.detail.to_message(), "job not found");
    }

    #[test]
    fn validation_detail_names_the_field() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"detail":[{"loc":["body","params","chunk_rows"],"msg":"Input should be greater than or equal to 1","type":"greater_than_equal"},
                          {"loc":["body"],"msg":"JSON decode error","type":"json_invalid"}]}"#,
        )
        .unwrap();
        assert_eq!(
            body.detail.to_message(),
            "params.chunk_rows: Input should be greater than or equal to 1; JSON decode error"
        );
    }
}
