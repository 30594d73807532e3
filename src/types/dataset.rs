//! Datasets of the existing Dataset Explorer that jobs run on.

use serde::{Deserialize, Serialize};

use super::job::Millis;

/// An uploaded dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub id: String,
    pub name: String,
    pub rows: u64,
    pub columns: Vec<String>,
    pub size_bytes: u64,
    pub created_at: Millis,
}

/// `GET /datasets`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetList {
    pub items: Vec<Dataset>,
}
