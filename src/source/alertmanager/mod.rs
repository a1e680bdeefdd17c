//! Alertmanager's API v2: the pure parsers of `/api/v2/alerts`, `/api/v2/silences` and a
//! created silence's id and `/api/v2/status`, the body of a new silence, the thin client that
//! reads alerts and silences and creates and expires silences (how capcom acknowledges and
//! shelves faults; refused by a client built read-only), and the live task (`task.rs`).
//! Every text a server sends is made safe for a terminal as it is read.

mod client;
mod parse;
pub mod task;

pub use client::AlertmanagerClient;
pub use parse::{
    Status, new_silence_body, parse_alerts, parse_created, parse_error, parse_silences,
    parse_status,
};

/// Why an Alertmanager body could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FaultError {
    /// Alertmanager answered with its error envelope (`{"code":…,"message":…}`).
    #[error("{0}")]
    Api(String),
    /// The body is not what the API sends.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// A write asked of a client built read-only: no request was sent.
    #[error("read-only: nothing is written to Alertmanager")]
    ReadOnly,
}
