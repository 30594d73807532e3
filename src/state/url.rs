//! Percent-encoding for query strings and hash routes (pure, so it tests natively). The escapes
//! are the `percent-encoding` crate's (rust-url's, already in the lock through yew-router);
//! splitting a query on `&` and `=` stays here (`form_urlencoded::parse` would cost ~0.9 KB
//! of wasm for ten lines).

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What [`encode_component`] escapes: everything but RFC 3986's unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes everything but RFC 3986 unreserved characters (`%XX`, upper-case hex).
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).collect()
}

/// Decodes `%XX` escapes and `+` (as space); malformed escapes are kept as they are and bytes
/// that are not UTF-8 become U+FFFD.
pub fn decode_component(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// `a=1&b=x%20y` (a leading `?` is ignored) as decoded pairs, in order; empty keys skipped.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_component(k), decode_component(v))
        })
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// The query part of a location hash (`#/jobs?status=failed` → `status=failed`).
pub fn hash_query(hash: &str) -> &str {
    hash.split_once('?').map(|(_, q)| q).unwrap_or("")
}

/// The permalink of line `n` of a job's log: `#/jobs/<id>/logs?line=N`.
pub fn log_permalink(job_id: &str, n: u64) -> String {
    format!("#/jobs/{}/logs?line={n}", encode_component(job_id))
}

/// Whether `hash` is the log route of `job_id` (with any query): there, marking a line also
/// puts its permalink in the address bar; elsewhere (the list's viewer) the address stays.
pub fn is_log_route(hash: &str, job_id: &str) -> bool {
    let path = hash.split('?').next().unwrap_or_default();
    path.strip_prefix("#/jobs/")
        .and_then(|rest| rest.strip_suffix("/logs"))
        .is_some_and(|id| decode_component(id) == job_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_permalinks_and_their_route() {
        let link = log_permalink("job 1/x", 42);
        assert_eq!(link, "#/jobs/job%201%2Fx/logs?line=42");
        assert!(is_log_route(&link, "job 1/x"));
        assert!(is_log_route("#/jobs/job_1/logs", "job_1"));
        assert!(!is_log_route("#/jobs/job_1/logs", "job_2"));
        assert!(!is_log_route("#/jobs/job_1", "job_1"));
        assert!(!is_log_route("#/jobs?status=failed", "job_1"));
        assert!(!is_log_route("", "job_1"));
    }

    #[test]
    fn encode_decode_round_trip() {
        for s in ["", "a b&c=d/é", "100%", "%zz", "ds_sales"] {
            assert_eq!(decode_component(&encode_component(s)), s);
        }
        assert_eq!(decode_component("a+b%2"), "a b%2");
    }

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(encode_component("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(
            encode_component("a b+*'/?#&=%"),
            "a%20b%2B%2A%27%2F%3F%23%26%3D%25"
        );
        assert_eq!(encode_component("é😀"), "%C3%A9%F0%9F%98%80");
        assert_eq!(encode_component("\u{0}\n\u{7f}"), "%00%0A%7F");
    }

    #[test]
    fn decoding_is_lenient_with_bad_escapes_and_bytes() {
        assert_eq!(decode_component("%2B+%2b"), "+ +");
        assert_eq!(decode_component("%4"), "%4");
        assert_eq!(decode_component("%%41"), "%A");
        assert_eq!(decode_component("%g1%1g"), "%g1%1g");
        assert_eq!(decode_component("%C3%A9"), "é");
        assert_eq!(decode_component("%FF!"), "\u{fffd}!");
        assert_eq!(decode_component("%C3"), "\u{fffd}");
    }

    proptest::proptest! {
        #[test]
        fn any_text_survives_a_round_trip(s in ".*") {
            let enc = encode_component(&s);
            proptest::prop_assert!(enc.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
            proptest::prop_assert_eq!(decode_component(&enc), s.clone());
            let q = format!("?k={enc}&{enc}=v");
            let mut want = vec![("k".to_string(), s.clone())];
            if !s.is_empty() {
                want.push((s, "v".to_string()));
            }
            proptest::prop_assert_eq!(parse_query(&q), want);
        }
    }

    #[test]
    fn queries_parse_in_order() {
        let pairs = parse_query("?api=http%3A%2F%2Fx&&ws=&=bad&line=5");
        let want: Vec<(String, String)> = [("api", "http://x"), ("ws", ""), ("line", "5")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs, want);
        assert_eq!(hash_query("#/jobs/j/logs?line=5"), "line=5");
        assert_eq!(hash_query("#/jobs"), "");
        assert_eq!(
            parse_query("??a=1+2&b&c=%3D=x&a=3"),
            [("a", "1 2"), ("b", ""), ("c", "==x"), ("a", "3")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }
}
