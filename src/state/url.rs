//! Percent-encoding for query strings (pure, so it tests natively).

/// Percent-encodes everything but RFC 3986 unreserved characters (pure, so it tests natively).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (as space); malformed escapes are kept as they are.
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
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
    fn queries_parse_in_order() {
        let pairs = parse_query("?api=http%3A%2F%2Fx&&ws=&=bad&line=5");
        let want: Vec<(String, String)> = [("api", "http://x"), ("ws", ""), ("line", "5")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs, want);
        assert_eq!(hash_query("#/jobs/j/logs?line=5"), "line=5");
        assert_eq!(hash_query("#/jobs"), "");
    }
}
