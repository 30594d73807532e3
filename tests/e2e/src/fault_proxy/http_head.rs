//! The little HTTP the fault proxy speaks itself: reading a request head off a connection,
//! the fields it rules on (method, target, WebSocket upgrade, origin), rewriting a head to close
//! after its answer, and the canned error answers (a JSON body or a reverse proxy's HTML page).

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use super::Canned;

/// A request head larger than this is not HTTP the app sends: the connection is closed.
const MAX_HEAD: usize = 64 * 1024;

/// Reads until the end of the request head; `(head, bytes read past it)`, or `None` if the
/// client closed first or sent something too big to be a head.
pub(super) async fn read_head(client: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((buf, rest));
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
    }
}

/// What the proxy needs from a request head.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Request {
    pub(super) method: String,
    pub(super) target: String,
    pub(super) websocket: bool,
    pub(super) origin: Option<String>,
}

impl Request {
    pub(super) fn parse(head: &[u8]) -> Self {
        let text = String::from_utf8_lossy(head);
        let mut lines = text.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let mut req = Request {
            method: first.next().unwrap_or_default().to_string(),
            target: first.next().unwrap_or_default().to_string(),
            ..Request::default()
        };
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
            if name == "upgrade" && value.eq_ignore_ascii_case("websocket") {
                req.websocket = true;
            } else if name == "origin" {
                req.origin = Some(value.to_string());
            }
        }
        req
    }
}

/// The head with its `Connection`/`Keep-Alive` headers replaced by `Connection: close`.
pub(super) fn force_close(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut out = String::with_capacity(text.len() + 20);
    for line in text.trim_end_matches("\r\n").split("\r\n") {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("connection") || name.eq_ignore_ascii_case("keep-alive") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

pub(super) fn reason(status: u16) -> &'static str {
    match status {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// A whole HTTP response for `canned`, closing the connection.
pub(super) fn canned_response(canned: &Canned, origin: Option<&str>) -> Vec<u8> {
    let status = canned.status;
    let (ctype, body) = if canned.html {
        (
            "text/html",
            format!(
                "<html>\r\n<head><title>{status} {r}</title></head>\r\n<body>\r\n<center><h1>{status} {r}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                r = reason(status)
            ),
        )
    } else {
        (
            "application/json",
            format!("{{\"detail\":\"{}\"}}", reason(status)),
        )
    };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    if let (true, Some(origin)) = (canned.cors, origin) {
        head.push_str(&format!(
            "Access-Control-Allow-Origin: {origin}\r\nVary: Origin\r\n"
        ));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}
