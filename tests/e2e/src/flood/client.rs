//! A Rust WebSocket client that reads the flood server as fast as it can: the server's own
//! ceiling (no browser), and a check that its frames decode as the app's types and keep the
//! `seq`/`prev_seq` chain.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{Context, Result};

/// What [`read_as_fast_as_possible`] saw.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClientRead {
    pub secs: f64,
    /// `job.updated` frames read.
    pub events: u64,
    pub events_per_s: f64,
    pub mb_per_s: f64,
    /// Every frame's `prev_seq` was the previous frame's `seq`, and every job's version grew.
    pub chain_ok: bool,
    /// The first frames (up to 2,000) decoded as the app's `ServerMessage`.
    pub decoded: u64,
    pub decode_errors: u64,
}

/// Connects to `ws_url` with a Rust client that reads as fast as it can for `secs` and checks
/// the `seq`/`prev_seq` chain. Set the rate before calling.
pub async fn read_as_fast_as_possible(ws_url: &str, secs: f64) -> Result<ClientRead> {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;

    let (ws, _) = tokio_tungstenite::connect_async(ws_url)
        .await
        .context("connecting to the flood server")?;
    let (_tx, mut rx) = ws.split();
    let start = Instant::now();
    let limit = Duration::from_secs_f64(secs);
    let mut out = ClientRead {
        chain_ok: true,
        ..ClientRead::default()
    };
    let (mut last_seq, mut bytes) = (None::<u64>, 0u64);
    let mut versions: std::collections::HashMap<String, u64> = Default::default();
    while start.elapsed() < limit {
        let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(2), rx.next()).await
        else {
            break;
        };
        let Message::Text(t) = msg else { continue };
        bytes += t.len() as u64;
        if let Some(seq) = number_after(&t, "\"seq\":") {
            if t.starts_with("{\"type\":\"hello\"") {
                last_seq = Some(seq);
                continue;
            }
        }
        if !t.starts_with("{\"type\":\"job.updated\"") {
            continue;
        }
        out.events += 1;
        let (seq, prev) = (
            number_after(&t, "\"seq\":"),
            number_after(&t, "\"prev_seq\":"),
        );
        if last_seq.is_some() && prev != last_seq {
            out.chain_ok = false;
        }
        last_seq = seq;
        if out.decoded + out.decode_errors < 2_000 {
            match serde_json::from_str::<jobs_page::types::ServerMessage>(&t) {
                Ok(jobs_page::types::ServerMessage::JobUpdated { job, .. }) => {
                    out.decoded += 1;
                    let v = versions.entry(job.id.clone()).or_insert(0);
                    if job.version <= *v {
                        out.chain_ok = false;
                    }
                    *v = job.version;
                }
                _ => out.decode_errors += 1,
            }
        }
    }
    out.secs = start.elapsed().as_secs_f64();
    out.events_per_s = out.events as f64 / out.secs.max(1e-3);
    out.mb_per_s = bytes as f64 / 1_048_576.0 / out.secs.max(1e-3);
    Ok(out)
}

/// The unsigned integer right after the first `key` in `text`.
fn number_after(text: &str, key: &str) -> Option<u64> {
    let at = text.find(key)? + key.len();
    let digits: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}
