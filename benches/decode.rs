//! What reading one `job.updated` frame costs (native, release build): the app's
//! `ServerMessage::decode` beside serde's derived reader for the same internally tagged enum
//! (which buffers the whole frame before building the variant) and, as a floor, parsing the
//! text into an untyped `serde_json::Value` (what `JSON.parse` does in a hand-written page).
//! Prints figures; asserts nothing about speed.
//!
//! Run: `cargo bench --bench decode`

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::job;
use jobs_page::types::ServerMessage;

const FRAMES: usize = 20_000;

fn per_frame_us(frames: &[String], f: impl Fn(&str) -> bool) -> f64 {
    let t = Instant::now();
    let mut ok = 0usize;
    for _ in 0..5 {
        for text in frames {
            ok += f(text) as usize;
        }
    }
    assert_eq!(ok, 5 * frames.len(), "every frame decodes");
    t.elapsed().as_secs_f64() * 1e6 / (5 * frames.len()) as f64
}

fn main() {
    let frames: Vec<String> = (0..FRAMES)
        .map(|i| {
            let frame = ServerMessage::JobUpdated {
                seq: i as u64 + 2,
                prev_seq: i as u64 + 1,
                job: job(i % 1000, 2 + i as u64),
            };
            serde_json::to_string(&frame).unwrap_or_default()
        })
        .collect();
    let bytes = frames.iter().map(String::len).sum::<usize>() / frames.len();
    let app = per_frame_us(&frames, |t| black_box(ServerMessage::decode(t)).is_ok());
    let derived = per_frame_us(&frames, |t| {
        black_box(serde_json::from_str::<ServerMessage>(t)).is_ok()
    });
    let floor = per_frame_us(&frames, |t| {
        black_box(serde_json::from_str::<serde_json::Value>(t)).is_ok()
    });
    println!(
        "DECODE_BENCH frame_bytes={bytes} decode={app:.2} µs  derived={derived:.2} µs  \
         untyped_floor={floor:.2} µs  decode/derived={:.2}  decode/floor={:.2}",
        app / derived,
        app / floor
    );
}
