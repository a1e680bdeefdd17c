//! Sources: everything that does I/O to get data. Each source runs as its own task and sends
//! owned [`SourceUpdate`]s down one channel; an error arrives as data, like any result. The app
//! cannot tell a replayed recording from a live backend.

pub mod http;
pub mod jaeger;
pub mod opensearch;
pub mod prometheus;
pub mod recording;
pub mod runner;

use crate::config::QueryId;

/// The longest a server's own message (an error envelope's text) is kept, in columns: enough
/// for any real message; a 70 KB one is cut rather than carried to every screen.
pub const MESSAGE_MAX: usize = 300;

/// Which backend an update or a health line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceId {
    /// Prometheus (metrics).
    Prometheus,
    /// OpenSearch (events).
    OpenSearch,
    /// Jaeger (traces).
    Jaeger,
}

impl SourceId {
    /// The name shown on screen.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Prometheus => "prometheus",
            Self::OpenSearch => "opensearch",
            Self::Jaeger => "jaeger",
        }
    }
}

impl std::fmt::Display for SourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a source could not deliver a query's data: one line, for the pane that shows it.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SourceError {
    /// The body came but could not be read, or was the API's error envelope.
    #[error("prometheus: {0}")]
    Parse(#[from] prometheus::ParseError),
    /// An OpenSearch body could not be read, or was its error envelope.
    #[error("opensearch: {0}")]
    Search(#[from] opensearch::SearchError),
    /// A Jaeger body could not be read, or was its error.
    #[error("jaeger: {0}")]
    Trace(#[from] jaeger::TraceError),
    /// No answer within the configured timeout (milliseconds).
    #[error("{0}: timeout after {t}", t = timeout_text(*.1))]
    Timeout(SourceId, u64),
    /// The connection could not be made (refused, unreachable, DNS, TLS).
    #[error("{0}: cannot connect: {1}")]
    Connect(SourceId, String),
    /// The answer stopped before its end (the connection closed or broke while it was read).
    #[error("{0}: the answer was cut off: {1}")]
    Cut(SourceId, String),
    /// The answer was larger than the source's `max-body` (bytes).
    #[error("{0}: answer larger than {size}; narrow the query or raise max-body", size = size_text(*.1))]
    TooLarge(SourceId, u64),
    /// An HTTP error status without the API's error envelope.
    #[error("{backend}: HTTP {status}{}", if .detail.is_empty() { String::new() } else { format!(": {}", .detail) })]
    Http {
        /// Which backend answered.
        backend: SourceId,
        /// The status code and reason, e.g. `503 Service Unavailable`.
        status: String,
        /// The start of the body, made safe to print.
        detail: String,
    },
    /// The client could not be set up (credentials, CA bundle).
    #[error("{0}: {1}")]
    Setup(SourceId, String),
    /// A replayed recording holds no answer for this query.
    #[error("not in the recording: {0}")]
    NotRecorded(String),
}

/// A timeout as people say it: `500 ms`, `10 s`, `2.5 s`.
fn timeout_text(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        _ if ms.is_multiple_of(1_000) => format!("{} s", ms / 1_000),
        _ => format!("{:.1} s", ms as f64 / 1_000.0),
    }
}

/// A size as people say it: `64 MiB`, `512 KiB`, `100 bytes`.
#[must_use]
pub fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    match bytes {
        b if b >= KIB * KIB * KIB && b.is_multiple_of(KIB * KIB * KIB) => {
            format!("{} GiB", b / (KIB * KIB * KIB))
        }
        b if b >= KIB * KIB => format!("{:.0} MiB", b as f64 / (KIB * KIB) as f64),
        b if b >= KIB => format!("{:.0} KiB", b as f64 / KIB as f64),
        b => format!("{b} bytes"),
    }
}

impl SourceError {
    /// Whether the query itself is at fault (PromQL that does not parse or cannot run, or a
    /// query a recording lacks) rather than the source: other queries of the source still work.
    #[must_use]
    pub fn is_query_only(&self) -> bool {
        match self {
            Self::Parse(prometheus::ParseError::Api { error_type, .. }) => {
                matches!(error_type.as_str(), "bad_data" | "execution")
            }
            Self::Search(opensearch::SearchError::Api { kind, .. }) => {
                kind.contains("parse") || kind.contains("query")
            }
            Self::NotRecorded(_) => true,
            _ => false,
        }
    }

    /// The message without the source's name, for places that already name it.
    #[must_use]
    pub fn reason(&self) -> String {
        let full = self.to_string();
        full.strip_prefix("prometheus: ")
            .map_or(full.clone(), str::to_owned)
    }
}

/// Events from one search, oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventBatch {
    /// The events.
    pub events: Vec<crate::model::event::Event>,
    /// Partial results said in words.
    pub warnings: Vec<String>,
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
        /// Whether the points replace what the query held (a new window or step) rather than
        /// extend it.
        replace: bool,
    },
    /// Events arrived (or the search failed) at `fetched_at`.
    EventsFetched {
        /// When, in display time.
        fetched_at: f64,
        /// New events in time order, with warnings about partial results, or why none came.
        result: Result<EventBatch, SourceError>,
        /// Whether they replace what the pane held (a new query) rather than extend it.
        replace: bool,
    },
    /// A trace search was answered (or failed) at `fetched_at`: the list replaces the last.
    TracesFetched {
        /// When, in display time.
        fetched_at: f64,
        /// The traces found, newest first, or why there are none.
        result: Result<Vec<crate::model::traces::Listed>, SourceError>,
    },
    /// One trace asked for by id arrived (or could not be had).
    TraceFetched {
        /// The id asked for.
        trace_id: String,
        /// The trace, or why not.
        result: Result<std::sync::Arc<crate::model::span::Trace>, SourceError>,
    },
    /// A replay has played its recording to the end.
    ReplayFinished,
}

impl SourceUpdate {
    /// Whether this is a failed answer, after which a poller backs off.
    #[must_use]
    pub fn is_failure(&self) -> bool {
        match self {
            Self::MetricsFetched { result, .. } => result.is_err(),
            Self::EventsFetched { result, .. } => result.is_err(),
            Self::TracesFetched { result, .. } => result.is_err(),
            Self::TraceFetched { result, .. } => result.is_err(),
            Self::ReplayFinished => false,
        }
    }
}
