//! The harness's error type: one human-readable message, built up with context on the way out.

use std::fmt;

/// A harness failure, worded for the person reading a failed test's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

/// Result alias used throughout the harness.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error carrying `message` as is.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Adds what the harness was doing to any displayable error.
pub trait Context<T> {
    /// Prefixes the error with `what` ("starting redis: connection refused").
    fn context(self, what: impl fmt::Display) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error(format!("{what}: {e}")))
    }
}
