//! Chart data as pure Rust: series, downsampling, axes, gaps and the ETA band (no canvas here).
