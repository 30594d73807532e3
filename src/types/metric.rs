//! Throughput samples a job records after each chunk.

use serde::{Deserialize, Serialize};

use super::job::Millis;

/// Progress and rate at one moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricSample {
    pub t: Millis,
    pub processed: u64,
    pub total: u64,
    pub rate: f64,
    pub attempt: u32,
}

/// `GET /jobs/{id}/metrics`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub job_id: String,
    pub samples: Vec<MetricSample>,
}
