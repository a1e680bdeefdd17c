//! Sources: everything that does I/O to get data. Each source runs as its own task and sends
//! owned [`SourceUpdate`]s down one channel; an error arrives as data, like any result. The app
//! cannot tell a replayed recording from a live backend.

pub mod alertmanager;
pub mod http;
pub mod jaeger;
pub mod opensearch;
pub mod prometheus;
pub mod recording;
pub mod runner;
pub mod why;

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
    /// Alertmanager (faults).
    Alertmanager,
}

impl SourceId {
    /// The name shown on screen.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Prometheus => "prometheus",
            Self::OpenSearch => "opensearch",
            Self::Jaeger => "jaeger",
            Self::Alertmanager => "alertmanager",
        }
    }
}

impl std::fmt::Display for SourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a source could not deliver a query's data: one line, for the pane that shows it. Its
/// text is the backend's name and [`SourceError::reason`], `prometheus: timeout after 5 s`.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SourceError {
    /// The body came but could not be read, or was the API's error envelope.
    Parse(#[from] prometheus::ParseError),
    /// An OpenSearch body could not be read, or was its error envelope.
    Search(#[from] opensearch::SearchError),
    /// A Jaeger body could not be read, or was its error.
    Trace(#[from] jaeger::TraceError),
    /// An Alertmanager body could not be read, or was its error.
    Fault(#[from] alertmanager::FaultError),
    /// No answer within the configured timeout (milliseconds).
    Timeout(SourceId, u64),
    /// The connection could not be made (refused, unreachable, DNS, TLS).
    Connect(SourceId, String),
    /// The answer stopped before its end (the connection closed or broke while it was read).
    Cut(SourceId, String),
    /// The answer was larger than the source's `max-body` (bytes).
    TooLarge(SourceId, u64),
    /// An HTTP error status without the API's error envelope.
    Http {
        /// Which backend answered.
        backend: SourceId,
        /// The status code and reason, e.g. `503 Service Unavailable`.
        status: String,
        /// The start of the body, made safe to print.
        detail: String,
    },
    /// The client could not be set up (credentials, CA bundle).
    Setup(SourceId, String),
    /// A replayed recording holds no answer for this query.
    NotRecorded(String),
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.backend() {
            Some(backend) => write!(f, "{backend}: {}", self.reason()),
            None => f.write_str(&self.reason()),
        }
    }
}

/// A timeout as people say it: `500 ms`, `10 s`, `2.5 s`.
fn timeout_text(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        _ if ms.is_multiple_of(1_000) => format!("{} s", ms / 1_000),
        _ => format!("{:.1} s", ms as f64 / 1_000.0),
    }
}

pub use crate::text::size_text;

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

    /// The backend the error names first, if any (a query missing from a recording names
    /// none).
    #[must_use]
    pub fn backend(&self) -> Option<SourceId> {
        match self {
            Self::Parse(_) => Some(SourceId::Prometheus),
            Self::Search(_) => Some(SourceId::OpenSearch),
            Self::Trace(_) => Some(SourceId::Jaeger),
            Self::Fault(_) => Some(SourceId::Alertmanager),
            Self::Timeout(id, _)
            | Self::Connect(id, _)
            | Self::Cut(id, _)
            | Self::TooLarge(id, _)
            | Self::Setup(id, _)
            | Self::Http { backend: id, .. } => Some(*id),
            Self::NotRecorded(_) => None,
        }
    }

    /// The message without the backend's name, for places that already name it.
    #[must_use]
    pub fn reason(&self) -> String {
        match self {
            Self::Parse(e) => e.to_string(),
            Self::Search(e) => e.to_string(),
            Self::Trace(e) => e.to_string(),
            Self::Fault(e) => e.to_string(),
            Self::Timeout(_, ms) => format!("timeout after {}", timeout_text(*ms)),
            Self::Connect(_, e) => format!("cannot connect: {e}"),
            Self::Cut(_, e) => format!("the answer was cut off: {e}"),
            Self::TooLarge(_, bytes) => format!(
                "answer larger than {}; narrow the query or raise max-body",
                size_text(*bytes)
            ),
            Self::Http { status, detail, .. } if detail.is_empty() => format!("HTTP {status}"),
            Self::Http { status, detail, .. } => format!("HTTP {status}: {detail}"),
            Self::Setup(_, message) => message.clone(),
            Self::NotRecorded(query) => format!("not in the recording: {query}"),
        }
    }
}

/// Why a source's or a query's data is not fresh, kept as it came and put in words only when
/// drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The last request failed.
    Failed(SourceError),
    /// Nothing has arrived for several intervals.
    NoAnswer,
    /// The configuration has no section for the source, so nothing can be asked.
    NotConfigured(SourceId),
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Failed(e) => e.fmt(f),
            Self::NoAnswer => f.write_str("no answer"),
            Self::NotConfigured(id) => write!(f, "no [{id}] in the configuration"),
        }
    }
}

impl Reason {
    /// The reason as said after `source`'s name (the status bar's `jaeger STALE: timeout…`):
    /// an error of that backend without its name, anything else in full.
    #[must_use]
    pub fn after_name(&self, source: SourceId) -> String {
        match self {
            Self::Failed(e) if e.backend() == Some(source) => e.reason(),
            _ => self.to_string(),
        }
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
    /// Alertmanager's alerts and silences were read (or could not be) at `fetched_at`: the
    /// snapshot replaces the last.
    FaultsFetched {
        /// When, in display time.
        fetched_at: f64,
        /// Every alert and silence, or why there are none.
        result: Result<crate::model::fault::FaultSnapshot, SourceError>,
    },
    /// A silence write asked for by the app was carried out (or refused). In a replay it is
    /// carried out locally, on the replay's own copy of the silences.
    SilenceWritten {
        /// What was asked.
        write: crate::model::fault::SilenceWrite,
        /// The silence's id (the new one for a create), or why the write failed.
        result: Result<String, SourceError>,
    },
    /// A replay has played its recording to the end.
    ReplayFinished,
    /// The loop wrote a notebook entry (the file, as it can be shown) or could not (why).
    NoteWritten {
        /// The entry, as written (with its screen, if one was attached).
        entry: Box<crate::model::notebook::Entry>,
        /// The file written to, or why not.
        result: Result<String, String>,
    },
    /// An export asked for by `e` was written (or could not be).
    Exported {
        /// The pane (or view) exported, as the request named it.
        pane: String,
        /// The files written, or why none were.
        result: Result<Vec<std::path::PathBuf>, String>,
    },
    /// A Why analysis (`w`) finished: its report, or why there is none.
    WhyAnalysed {
        /// What was asked.
        request: Box<why::Request>,
        /// The report.
        result: Result<Box<crate::model::why::Why>, String>,
    },
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
            Self::FaultsFetched { result, .. } => result.is_err(),
            Self::SilenceWritten { result, .. } => result.is_err(),
            Self::NoteWritten { result, .. } => result.is_err(),
            Self::Exported { result, .. } => result.is_err(),
            Self::WhyAnalysed { result, .. } => result.is_err(),
            Self::ReplayFinished => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<(SourceError, &'static str)> {
        use SourceId::{Jaeger, OpenSearch, Prometheus};
        vec![
            (
                prometheus::ParseError::Malformed("eof".into()).into(),
                "prometheus: malformed response: eof",
            ),
            (
                jaeger::TraceError::Api("no such trace".into()).into(),
                "jaeger: no such trace",
            ),
            (
                SourceError::Timeout(OpenSearch, 2_500),
                "opensearch: timeout after 2.5 s",
            ),
            (
                SourceError::Connect(Jaeger, "refused".into()),
                "jaeger: cannot connect: refused",
            ),
            (
                SourceError::Cut(Prometheus, "reset".into()),
                "prometheus: the answer was cut off: reset",
            ),
            (
                SourceError::TooLarge(Prometheus, 64 << 20),
                "prometheus: answer larger than 64 MiB; narrow the query or raise max-body",
            ),
            (
                SourceError::Http {
                    backend: OpenSearch,
                    status: "503 Service Unavailable".into(),
                    detail: String::new(),
                },
                "opensearch: HTTP 503 Service Unavailable",
            ),
            (
                SourceError::Http {
                    backend: Jaeger,
                    status: "502 Bad Gateway".into(),
                    detail: "upstream".into(),
                },
                "jaeger: HTTP 502 Bad Gateway: upstream",
            ),
            (
                SourceError::Setup(Prometheus, "no CA file".into()),
                "prometheus: no CA file",
            ),
            (
                SourceError::NotRecorded("up".into()),
                "not in the recording: up",
            ),
        ]
    }

    #[test]
    fn an_error_reads_as_its_backend_then_its_reason() {
        for (error, text) in every_kind() {
            assert_eq!(error.to_string(), text);
            let named = error
                .backend()
                .map(|b| format!("{b}: "))
                .unwrap_or_default();
            assert_eq!(format!("{named}{}", error.reason()), text);
        }
    }

    #[test]
    fn after_its_source_s_name_a_reason_drops_only_that_name() {
        let timeout = Reason::Failed(SourceError::Timeout(SourceId::Jaeger, 5_000));
        assert_eq!(timeout.to_string(), "jaeger: timeout after 5 s");
        assert_eq!(timeout.after_name(SourceId::Jaeger), "timeout after 5 s");
        assert_eq!(
            timeout.after_name(SourceId::Prometheus),
            "jaeger: timeout after 5 s"
        );
        let missing = Reason::Failed(SourceError::NotRecorded("up".into()));
        assert_eq!(
            missing.after_name(SourceId::Prometheus),
            "not in the recording: up"
        );
        let unset = Reason::NotConfigured(SourceId::Jaeger);
        assert_eq!(
            unset.after_name(SourceId::Jaeger),
            "no [jaeger] in the configuration"
        );
        assert_eq!(
            Reason::NoAnswer.after_name(SourceId::OpenSearch),
            "no answer"
        );
    }
}
