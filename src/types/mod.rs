//! Serde shapes of the backend's API (see `docs/api.md`). No logic, no web-sys: these types are
//! shared by the app, the pure state layer and the contract test.

pub mod dataset;
pub mod error;
pub mod job;
pub mod log;
pub mod metric;
pub mod queue;
pub mod stats;
pub mod ws;

pub use dataset::{Dataset, DatasetList};
pub use error::ErrorBody;
pub use job::{
    Attempt, BulkItemResult, BulkResponse, Job, JobCreate, JobError, JobKind, JobList, JobParams,
    JobStatus, Progress, StatusCounts,
};
pub use log::{LogLine, LogPage};
pub use metric::{MetricSample, Metrics};
pub use queue::{QueueStatus, RedisHealth, WorkerInfo};
pub use stats::{FailureGroup, Stats, StatsBucket};
pub use ws::{ClientMessage, ServerMessage};
