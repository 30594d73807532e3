//! Queue, worker and Redis health (`GET /queue` and the WebSocket `queue` frame).

use serde::{Deserialize, Serialize};

/// One RQ worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerInfo {
    pub name: String,
    pub state: String,
    pub current_job: Option<String>,
}

/// Whether the backend's Redis answers, and how fast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RedisHealth {
    pub ok: bool,
    pub version: Option<String>,
    pub latency_ms: Option<f64>,
    pub used_memory_bytes: Option<u64>,
}

/// `GET /queue`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueStatus {
    pub queued: u64,
    pub running: u64,
    pub workers: Vec<WorkerInfo>,
    pub redis: RedisHealth,
}
