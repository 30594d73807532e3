//! Failure patterns: fingerprints of errors and groups of failed jobs.
