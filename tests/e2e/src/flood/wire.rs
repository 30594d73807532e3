//! Just enough HTTP/1.1 and WebSocket (RFC 6455) for the flood server, written by hand so the
//! hot path is ours: server frames are unmasked, so a burst of events is a few header bytes
//! and the JSON appended to one buffer, written with one `write_all`.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Largest request head accepted (browsers send well under 8 KiB).
const MAX_HEAD: usize = 64 * 1024;
/// Largest client WebSocket frame accepted (clients send small JSON commands).
const MAX_CLIENT_FRAME: u64 = 1024 * 1024;

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Query without the `?`.
    pub query: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A WebSocket handshake (`Upgrade: websocket`).
    pub fn is_upgrade(&self) -> bool {
        self.header("upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads one request head (and skips its body) from `r`; `buf` keeps bytes of the next
/// request on a keep-alive connection. `None` at a clean end of the connection.
pub async fn read_request<R: AsyncRead + Unpin>(
    r: &mut R,
    buf: &mut Vec<u8>,
) -> io::Result<Option<Request>> {
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            buf.drain(..end + 4);
            let req = parse_head(&head)
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad request head"))?;
            let body_len: usize = req
                .header("content-length")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < body_len {
                let mut chunk = [0u8; 8192];
                let n = r.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.drain(..body_len);
            return Ok(Some(req));
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
        }
        let mut chunk = [0u8; 8192];
        let n = r.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn parse_head(head: &str) -> Option<Request> {
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        headers,
    })
}

/// CORS headers for every answer: the app and the floor page are served from other ports.
const CORS: &str = "Access-Control-Allow-Origin: *\r\n\
                    Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n\
                    Access-Control-Allow-Headers: Authorization, Content-Type\r\n\
                    Access-Control-Max-Age: 600\r\n";

/// A complete keep-alive response with a JSON (or `content_type`) body.
pub fn response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Status",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\n{CORS}Content-Type: {content_type}\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON error in FastAPI's shape.
pub fn error(status: u16, detail: &str) -> Vec<u8> {
    let body = serde_json::json!({ "detail": detail }).to_string();
    response(status, "application/json", body.as_bytes())
}

/// The `101 Switching Protocols` answer to a handshake with `key` (`Sec-WebSocket-Key`).
pub fn upgrade_response(key: &str) -> Vec<u8> {
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    )
    .into_bytes()
}

/// Appends one unmasked, final text frame holding `payload`.
pub fn push_text_frame(out: &mut Vec<u8>, payload: &[u8]) {
    push_frame(out, 0x1, payload);
}

/// Appends one unmasked, final frame of `opcode`.
pub fn push_frame(out: &mut Vec<u8>, opcode: u8, payload: &[u8]) {
    out.push(0x80 | opcode);
    let len = payload.len();
    if len < 126 {
        out.push(len as u8);
    } else if len <= u16::MAX as usize {
        out.push(126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(payload);
}

/// A frame from the client, unmasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFrame {
    pub opcode: u8,
    pub payload: Vec<u8>,
}

pub const OP_TEXT: u8 = 0x1;
pub const OP_CLOSE: u8 = 0x8;
pub const OP_PING: u8 = 0x9;

/// Reads one client frame (continuations are returned as they come; clients here send
/// single-frame JSON). `None` at the end of the connection.
pub async fn read_frame<R: AsyncRead + Unpin>(
    r: &mut R,
    buf: &mut Vec<u8>,
) -> io::Result<Option<ClientFrame>> {
    async fn fill<R: AsyncRead + Unpin>(
        r: &mut R,
        buf: &mut Vec<u8>,
        n: usize,
    ) -> io::Result<bool> {
        while buf.len() < n {
            let mut chunk = [0u8; 16 * 1024];
            let got = r.read(&mut chunk).await?;
            if got == 0 {
                return Ok(false);
            }
            buf.extend_from_slice(&chunk[..got]);
        }
        Ok(true)
    }
    if !fill(r, buf, 2).await? {
        return Ok(None);
    }
    let opcode = buf[0] & 0x0f;
    let masked = buf[1] & 0x80 != 0;
    let (len, mut at) = match buf[1] & 0x7f {
        126 => {
            if !fill(r, buf, 4).await? {
                return Ok(None);
            }
            (u16::from_be_bytes([buf[2], buf[3]]) as u64, 4)
        }
        127 => {
            if !fill(r, buf, 10).await? {
                return Ok(None);
            }
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[2..10]);
            (u64::from_be_bytes(b), 10)
        }
        n => (n as u64, 2),
    };
    if len > MAX_CLIENT_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "client frame too large",
        ));
    }
    let mask = if masked {
        if !fill(r, buf, at + 4).await? {
            return Ok(None);
        }
        let m = [buf[at], buf[at + 1], buf[at + 2], buf[at + 3]];
        at += 4;
        Some(m)
    } else {
        None
    };
    let end = at + len as usize;
    if !fill(r, buf, end).await? {
        return Ok(None);
    }
    let mut payload = buf[at..end].to_vec();
    if let Some(m) = mask {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= m[i % 4];
        }
    }
    buf.drain(..end);
    Ok(Some(ClientFrame { opcode, payload }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parses_heads_and_keeps_the_next_request() {
        let raw = b"GET /api/v1/jobs?limit=5&sort=oldest HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}GET /b HTTP/1.1\r\n\r\n";
        let mut r = &raw[..];
        let mut buf = Vec::new();
        let a = read_request(&mut r, &mut buf).await.unwrap().unwrap();
        assert_eq!(
            (a.method.as_str(), a.path.as_str()),
            ("GET", "/api/v1/jobs")
        );
        assert_eq!(a.query, "limit=5&sort=oldest");
        assert_eq!(a.header("host"), Some("x"));
        let b = read_request(&mut r, &mut buf).await.unwrap().unwrap();
        assert_eq!(b.path, "/b");
        assert!(read_request(&mut r, &mut buf).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn frames_round_trip_masked_and_long() {
        let long = vec![b'x'; 70_000];
        for payload in [b"hi".to_vec(), vec![b'y'; 300], long] {
            let mut out = Vec::new();
            push_text_frame(&mut out, &payload);
            // Mask it as a client would.
            let mask = [1u8, 2, 3, 4];
            let hdr = match out[1] {
                126 => 4,
                127 => 10,
                _ => 2,
            };
            let mut framed = out[..hdr].to_vec();
            framed[1] |= 0x80;
            framed.extend_from_slice(&mask);
            framed.extend(out[hdr..].iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
            let mut r = &framed[..];
            let f = read_frame(&mut r, &mut Vec::new()).await.unwrap().unwrap();
            assert_eq!((f.opcode, f.payload), (OP_TEXT, payload));
        }
    }
}
