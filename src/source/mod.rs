//! Sources: everything that does I/O to get data. Each source runs as its own task and sends
//! owned [`SourceUpdate`]s down one channel; an error arrives as data, like any result. The app
//! cannot tell a replayed recording from a live backend.

pub mod fixture;
pub mod prometheus;

use crate::config::QueryId;

/// Which backend an update or a health line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceId {
    /// Prometheus (metrics).
    Prometheus,
}

impl SourceId {
    /// The name shown on screen.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Prometheus => "prometheus",
        }
    }
}

/// Why a source could not deliver a query's data.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SourceError {
    /// The body came but could not be read.
    #[error("prometheus: {0}")]
    Parse(#[from] prometheus::ParseError),
    /// A replayed recording holds no answer for this query.
    #[error("not in the recording: {0}")]
    NotRecorded(String),
}

/// Something a source has to tell the app.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceUpdate {
    /// A metrics query was answered (or failed) at `fetched_at` (Unix seconds, display time).
    MetricsFetched {
        /// Which query.
        query: QueryId,
        /// When, in display time.
        fetched_at: f64,
        /// New points since the last update, or why there are none.
        result: Result<prometheus::QueryResult, SourceError>,
    },
    /// A replay has played its recording to the end.
    ReplayFinished,
}
