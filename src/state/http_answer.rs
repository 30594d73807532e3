//! What an HTTP answer from the API is, before the page trusts it as data.
//!
//! Between the page and the backend there may be a reverse proxy, a gateway or a captive portal:
//! a 502 comes back as an HTML page, a misconfigured `api_base` returns the app's own
//! `index.html` with 200, a crashed backend answers with an empty body or plain text, a broken
//! one with JSON of another shape or with megabytes of junk. Each is classified here (pure,
//! tested natively) and turned into a sentence a user can act on, with the HTTP status;
//! `services::api` only reads the body and calls [`read_json`] / [`read_error`].

use serde::de::DeserializeOwned;

use crate::types::ErrorBody;

/// The largest body the page reads as data: 64 MiB. The largest legitimate answers are pages of
/// `GET /jobs` (up to 5,000 jobs, a few KB each with their attempts and tracebacks, so tens of
/// MB at worst) and `GET /jobs/{id}/logs` (up to 10,000 lines of at most a few KB); this leaves
/// room for those while refusing a body that would take the tab's memory with it. Checked on
/// `Content-Length` before reading when the server sends one, and on the text after.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// Why an answer is not the data asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// An HTML page (a proxy's error page, a login portal, the app's own `index.html`).
    Html { status: u16 },
    /// Not JSON and not HTML: plain text, XML, binary.
    NotJson { status: u16, content_type: String },
    /// No body at all.
    Empty { status: u16 },
    /// Over [`MAX_BODY_BYTES`].
    TooLarge { status: u16, bytes: u64 },
    /// JSON, but not of the shape the contract describes (a missing field, a wrong type);
    /// `detail` is the parser's words (field name and position).
    Shape { status: u16, detail: String },
}

impl Problem {
    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        match self {
            Problem::Html { status }
            | Problem::NotJson { status, .. }
            | Problem::Empty { status }
            | Problem::TooLarge { status, .. }
            | Problem::Shape { status, .. } => *status,
        }
    }

    /// The sentence shown to the user (without the status, which the caller appends).
    pub fn message(&self) -> String {
        let failed = !(200..300).contains(&self.status());
        match self {
            Problem::Html { status: 502..=504 } => "The server answered with an HTML page \
                instead of data: a proxy or gateway in front of the backend reports that the \
                backend is unavailable (down, restarting or too slow)"
                .into(),
            Problem::Html { .. } if failed => "The server answered with an HTML error page \
                instead of data: something between the page and the backend refused the request"
                .into(),
            Problem::Html { .. } => "The server answered with an HTML page instead of data: \
                the API address (`api_base`) probably points at a web page, not at the backend"
                .into(),
            Problem::NotJson { content_type, .. } => format!(
                "The server answered with {} instead of data",
                if content_type.is_empty() {
                    "something that is not JSON".to_string()
                } else {
                    format!("`{content_type}`")
                }
            ),
            Problem::Empty { .. } if failed => "The server answered with an error and no \
                explanation"
                .into(),
            Problem::Empty { .. } => "The server answered with no data at all".into(),
            Problem::TooLarge { bytes, .. } => format!(
                "The server's answer is too large to read ({} MiB; the limit is {} MiB)",
                bytes >> 20,
                MAX_BODY_BYTES >> 20
            ),
            Problem::Shape { detail, .. } => {
                format!("The server sent data this page cannot read ({detail})")
            }
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {})", self.message(), self.status())
    }
}

/// A declared `Content-Length` over the limit (the body is then not read at all).
pub fn declared_too_large(status: u16, content_length: Option<&str>) -> Option<Problem> {
    let bytes: u64 = content_length?.trim().parse().ok()?;
    (bytes > MAX_BODY_BYTES as u64).then_some(Problem::TooLarge { status, bytes })
}

/// Whether the body, whatever its `Content-Type` says, is HTML.
fn looks_like_html(body: &str) -> bool {
    let head: String = body
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "<!doctype",
        "<html",
        "<head",
        "<body",
        "<title",
        "<!--",
        "<h1",
        "<p>",
        "<center",
    ]
    .iter()
    .any(|t| head.starts_with(t))
}

/// What kind of answer a body that is not usable JSON is.
fn not_json(status: u16, content_type: Option<&str>, body: &str) -> Problem {
    let ct = content_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if body.len() > MAX_BODY_BYTES {
        Problem::TooLarge {
            status,
            bytes: body.len() as u64,
        }
    } else if body.trim().is_empty() {
        Problem::Empty { status }
    } else if ct == "text/html" || ct == "application/xhtml+xml" || looks_like_html(body) {
        Problem::Html { status }
    } else {
        Problem::NotJson {
            status,
            content_type: ct,
        }
    }
}

/// Reads a successful (2xx) answer as `T`.
pub fn read_json<T: DeserializeOwned>(
    status: u16,
    content_type: Option<&str>,
    body: &str,
) -> Result<T, Problem> {
    if body.len() > MAX_BODY_BYTES {
        return Err(not_json(status, content_type, body));
    }
    match serde_json::from_str::<T>(body) {
        Ok(v) => Ok(v),
        // Valid JSON of the wrong shape, or not JSON at all?
        Err(e) if serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok() => {
            Err(Problem::Shape {
                status,
                detail: e.to_string(),
            })
        }
        Err(_) => Err(not_json(status, content_type, body)),
    }
}

/// How an error answer (not 2xx) reads.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorAnswer {
    /// FastAPI's `{"detail": …}`: the server's own words.
    Detail(crate::types::error::Detail),
    /// Anything else, described.
    Other(Problem),
}

/// Reads an error answer: the backend's own `detail` when it sent one, else what came instead.
pub fn read_error(status: u16, content_type: Option<&str>, body: &str) -> ErrorAnswer {
    if body.len() <= MAX_BODY_BYTES {
        if let Ok(b) = serde_json::from_str::<ErrorBody>(body) {
            return ErrorAnswer::Detail(b.detail);
        }
        if serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok() {
            // JSON, but not an error body this page knows: say so with the status.
            return ErrorAnswer::Other(Problem::Shape {
                status,
                detail: "an error without a `detail`".into(),
            });
        }
    }
    ErrorAnswer::Other(not_json(status, content_type, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::JobList;
    use proptest::prelude::*;

    const PROXY_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
        <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    fn list_err(status: u16, ct: Option<&str>, body: &str) -> Problem {
        read_json::<JobList>(status, ct, body).unwrap_err()
    }

    #[test]
    fn a_proxy_error_page_reads_as_words() {
        let ErrorAnswer::Other(p) = read_error(502, Some("text/html"), PROXY_502) else {
            panic!("not a detail");
        };
        assert_eq!(p, Problem::Html { status: 502 });
        let text = p.to_string();
        assert!(
            text.starts_with("The server answered with an HTML page instead of data"),
            "{text}"
        );
        assert!(text.ends_with("(HTTP 502)"), "{text}");
        assert!(text.contains("unavailable"), "{text}");
        // Without a content type, or with the wrong one, the body still tells.
        assert_eq!(
            read_error(503, Some("text/plain"), "<!DOCTYPE html><html>…"),
            ErrorAnswer::Other(Problem::Html { status: 503 })
        );
        let ErrorAnswer::Other(p) = read_error(403, None, "<html><body>Forbidden</body></html>")
        else {
            panic!()
        };
        assert!(p.to_string().contains("HTML error page"), "{p}");
    }

    #[test]
    fn the_backend_s_own_detail_wins() {
        match read_error(409, Some("application/json"), r#"{"detail":"job is done"}"#) {
            ErrorAnswer::Detail(d) => assert_eq!(d.to_message(), "job is done"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_error(500, None, r#"{"error":"boom"}"#),
            ErrorAnswer::Other(Problem::Shape { status: 500, .. })
        ));
        assert_eq!(
            read_error(500, None, ""),
            ErrorAnswer::Other(Problem::Empty { status: 500 })
        );
        assert_eq!(
            read_error(
                500,
                Some("text/plain; charset=utf-8"),
                "Internal Server Error"
            ),
            ErrorAnswer::Other(Problem::NotJson {
                status: 500,
                content_type: "text/plain".into()
            })
        );
    }

    #[test]
    fn a_200_that_is_not_data() {
        // api_base pointing at the static host: the app's own index.html, with 200.
        let p = list_err(200, Some("text/html"), "<!doctype html><html><head>…");
        assert_eq!(p, Problem::Html { status: 200 });
        assert!(p.to_string().contains("`api_base`"), "{p}");
        assert_eq!(list_err(200, None, ""), Problem::Empty { status: 200 });
        assert_eq!(list_err(200, None, "  \n"), Problem::Empty { status: 200 });
        let p = list_err(200, Some("text/plain"), "OK");
        assert_eq!(
            p.to_string(),
            "The server answered with `text/plain` instead of data (HTTP 200)"
        );
        let p = list_err(200, None, "\u{0}\u{1}binary");
        assert!(p.to_string().contains("not JSON"), "{p}");
    }

    #[test]
    fn wrong_types_and_missing_fields_name_the_field() {
        let p = list_err(
            200,
            Some("application/json"),
            r#"{"items": [], "offset": 0}"#,
        );
        assert!(matches!(p, Problem::Shape { .. }), "{p:?}");
        assert!(p.to_string().contains("missing field `total`"), "{p}");
        let p = list_err(
            200,
            None,
            r#"{"items": "nope", "total": 1, "offset": 0, "limit": 1, "seq": 0}"#,
        );
        assert!(
            p.to_string()
                .starts_with("The server sent data this page cannot read (invalid type"),
            "{p}"
        );
        let p = list_err(200, None, "[1, 2, 3]");
        assert!(matches!(p, Problem::Shape { .. }), "{p:?}");
        // Truncated JSON is not "JSON of another shape": it is not JSON.
        let p = list_err(200, Some("application/json"), r#"{"items": [{"id": "#);
        assert!(matches!(p, Problem::NotJson { .. }), "{p:?}");
    }

    #[test]
    fn huge_bodies_are_refused() {
        assert_eq!(
            declared_too_large(200, Some("999999999999")),
            Some(Problem::TooLarge {
                status: 200,
                bytes: 999_999_999_999
            })
        );
        assert_eq!(declared_too_large(200, Some("1024")), None);
        assert_eq!(declared_too_large(200, Some("junk")), None);
        assert_eq!(declared_too_large(200, None), None);
        let big = format!("[{}0]", "0,".repeat(MAX_BODY_BYTES / 2));
        let p = list_err(200, None, &big);
        assert!(matches!(p, Problem::TooLarge { .. }), "{p:?}");
        assert!(p.to_string().contains("too large"), "{p}");
        assert!(matches!(
            read_error(500, None, &big),
            ErrorAnswer::Other(Problem::TooLarge { .. })
        ));
    }

    proptest! {
        /// Whatever the body, the answer is data or a sentence with the status, never a panic.
        #[test]
        fn any_body_gives_data_or_a_sentence(
            status in prop_oneof![Just(200u16), Just(404), Just(500), Just(502), 100u16..600],
            ct in prop::option::of(prop_oneof![
                Just("application/json".to_string()), Just("text/html".to_string()),
                Just("text/plain".to_string()), "[a-z/;= -]{0,20}"]),
            body in prop_oneof!["\\PC{0,80}".boxed(), Just(PROXY_502.to_string()).boxed(),
                                "[\\[\\]{}\",:0-9a-z ]{0,60}".boxed()],
        ) {
            match read_json::<JobList>(status, ct.as_deref(), &body) {
                Ok(_) => {}
                Err(p) => {
                    let text = p.to_string();
                    prop_assert!(text.starts_with("The server"), "{}", text);
                    prop_assert!(text.ends_with(&format!("(HTTP {status})")), "{}", text);
                }
            }
            match read_error(status, ct.as_deref(), &body) {
                ErrorAnswer::Detail(_) => {}
                ErrorAnswer::Other(p) => prop_assert_eq!(p.status(), status),
            }
        }
    }
}
