//! The proxy against a tiny loopback upstream: each rule, cut, freeze, latency, throttle, the
//! listening switch and what gets recorded.

use super::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An upstream answering every request head with `200 ok:<target>` and, for an upgrade, with
/// `101` and then an echo of whatever it is sent.
async fn upstream() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                let Some((head, _)) = read_head(&mut s).await else {
                    return;
                };
                let req = Request::parse(&head);
                if req.websocket {
                    let _ = s
                        .write_all(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
                        .await;
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                } else {
                    let body = format!("ok:{}", req.target);
                    let closes = String::from_utf8_lossy(&head).contains("Connection: close");
                    let _ = s
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nX-Closes: {closes}\r\n\r\n{body}",
                                body.len()
                            )
                            .as_bytes(),
                        )
                        .await;
                }
            });
        }
    });
    port
}

async fn get(port: u16, target: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    s.write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nOrigin: http://o\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let mut out = String::new();
    let mut buf = [0u8; 4096];
    // The upstream does not close: read until the body is in (or the proxy closes).
    loop {
        match tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => out.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
        if out.contains("ok:") || out.contains("</html>") || out.contains("}") {
            break;
        }
    }
    out
}

async fn ws(port: u16) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    s.write_all(
        b"GET /ws?after=3 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    )
    .await
    .expect("write");
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).await.expect("read");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 101"));
    s
}

/// Reads what arrives within `within`: `Some(bytes)` (empty on EOF), `None` if nothing came.
async fn read_within(s: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut buf = [0u8; 64];
    match tokio::time::timeout(within, s.read(&mut buf)).await {
        Ok(Ok(n)) => Some(buf[..n].to_vec()),
        Ok(Err(_)) => Some(Vec::new()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn passes_through_and_records_kinds_with_connection_close() {
    let proxy = FaultProxy::start(upstream().await).await.expect("start");
    let answer = get(proxy.port(), "/api/v1/jobs?limit=5").await;
    assert!(answer.contains("ok:/api/v1/jobs?limit=5"), "{answer}");
    assert!(
        answer.contains("X-Closes: true"),
        "keep-alive not replaced: {answer}"
    );
    let mut s = ws(proxy.port()).await;
    s.write_all(b"ping").await.expect("write");
    assert_eq!(
        read_within(&mut s, Duration::from_secs(2)).await.as_deref(),
        Some(&b"ping"[..])
    );
    let a = proxy.attempts();
    assert_eq!(a.len(), 2, "{a:?}");
    assert_eq!(
        (a[0].kind, a[0].method.as_str(), a[0].action.clone()),
        (Kind::Http, "GET", Action::Forwarded)
    );
    assert_eq!((a[1].kind, a[1].target.as_str()), (Kind::Ws, "/ws?after=3"));
    assert_eq!(proxy.open_count(Some(Kind::Ws)), 1);
}

#[tokio::test]
async fn answers_close_and_upstream_down_per_kind() {
    let proxy = FaultProxy::start(upstream().await).await.expect("start");
    let canned = Canned {
        status: 502,
        html: true,
        cors: true,
    };
    proxy.set(|p| p.http = Rule::Answer(canned.clone()));
    let answer = get(proxy.port(), "/x").await;
    assert!(answer.starts_with("HTTP/1.1 502 Bad Gateway"), "{answer}");
    assert!(
        answer.contains("Access-Control-Allow-Origin: http://o"),
        "{answer}"
    );
    assert!(answer.contains("<h1>502 Bad Gateway</h1>"), "{answer}");
    // The WebSocket rule is separate: still forwarded.
    drop(ws(proxy.port()).await);
    proxy.set(|p| p.ws = Rule::Close);
    let mut s = TcpStream::connect(("127.0.0.1", proxy.port()))
        .await
        .expect("connect");
    s.write_all(b"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")
        .await
        .expect("write");
    assert_eq!(
        read_within(&mut s, Duration::from_secs(2)).await,
        Some(vec![])
    );
    let dead = FaultProxy::start(crate::net::free_port().expect("port"))
        .await
        .expect("start");
    assert_eq!(get(dead.port(), "/y").await, "");
    let actions: Vec<Action> = proxy.attempts().into_iter().map(|a| a.action).collect();
    assert_eq!(
        actions,
        vec![Action::Answered(502), Action::Forwarded, Action::Closed]
    );
    assert_eq!(dead.attempts()[0].action, Action::UpstreamDown);
}

#[tokio::test]
async fn cut_closes_open_ones_and_freeze_silences_them() {
    let proxy = FaultProxy::start(upstream().await).await.expect("start");
    let mut a = ws(proxy.port()).await;
    assert_eq!(proxy.cut(Some(Kind::Ws)), 1);
    assert_eq!(
        read_within(&mut a, Duration::from_secs(2)).await,
        Some(vec![]),
        "cut: EOF"
    );
    let mut b = ws(proxy.port()).await;
    assert_eq!(proxy.freeze_open(None), 1);
    b.write_all(b"echo?")
        .await
        .expect("write to a frozen socket");
    assert_eq!(
        read_within(&mut b, Duration::from_millis(500)).await,
        None,
        "frozen: silent, open"
    );
    // A new connection is not frozen.
    let mut c = ws(proxy.port()).await;
    c.write_all(b"hi").await.expect("write");
    assert_eq!(
        read_within(&mut c, Duration::from_secs(2)).await.as_deref(),
        Some(&b"hi"[..])
    );
    drop(b);
    crate::wait::wait_for(
        "the frozen one to end when its client closes",
        Duration::from_secs(5),
        || async { proxy.open_count(None) == 1 },
    )
    .await;
}

#[tokio::test]
async fn stall_latency_throttle_and_listening() {
    let proxy = FaultProxy::start(upstream().await).await.expect("start");
    proxy.set(|p| p.http = Rule::Stall);
    let mut s = TcpStream::connect(("127.0.0.1", proxy.port()))
        .await
        .expect("connect");
    s.write_all(b"GET /z HTTP/1.1\r\n\r\n")
        .await
        .expect("write");
    assert_eq!(
        read_within(&mut s, Duration::from_millis(400)).await,
        None,
        "stalled"
    );
    proxy.pass_through();
    proxy.set(|p| p.latency = Duration::from_millis(300));
    let t = Instant::now();
    assert!(get(proxy.port(), "/slow").await.contains("ok:/slow"));
    assert!(
        t.elapsed() >= Duration::from_millis(600),
        "two ways of 300 ms: {:?}",
        t.elapsed()
    );
    proxy.set(|p| {
        p.latency = Duration::ZERO;
        p.bytes_per_sec = Some(2_000);
    });
    let mut w = ws(proxy.port()).await;
    let t = Instant::now();
    w.write_all(&[b'x'; 3_000]).await.expect("write");
    let mut got = 0;
    let mut buf = [0u8; 4096];
    while got < 3_000 {
        got += w.read(&mut buf).await.expect("read");
    }
    // 3,000 bytes at 2,000 B/s each way: at least a second and a half.
    assert!(
        t.elapsed() >= Duration::from_millis(1_400),
        "{:?}",
        t.elapsed()
    );
    proxy.pass_through();
    proxy.set_listening(false);
    crate::wait::wait_for("the port to refuse", Duration::from_secs(5), || async {
        TcpStream::connect(("127.0.0.1", proxy.port()))
            .await
            .is_err()
    })
    .await;
    proxy.set_listening(true);
    crate::wait::wait_for(
        "the port to accept again",
        Duration::from_secs(5),
        // Connect first: `get` insists on a connection.
        || async {
            TcpStream::connect(("127.0.0.1", proxy.port()))
                .await
                .is_ok()
                && get(proxy.port(), "/back").await.contains("ok:/back")
        },
    )
    .await;
}

#[test]
fn force_close_replaces_keep_alive() {
    let head = b"GET / HTTP/1.1\r\nHost: a\r\nconnection: keep-alive\r\nKeep-Alive: 5\r\n\r\n";
    assert_eq!(
        String::from_utf8(force_close(head)).expect("utf8"),
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
    );
}
