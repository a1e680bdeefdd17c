//! The backend sections of a configuration — `[prometheus]`, `[opensearch]`, `[jaeger]` and
//! `[alertmanager]` — as written and as resolved. Each section's connection keys are declared once, by `section_file!`
//! (`connection.rs`), and resolved there.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use serde::Deserialize;
use toml::Spanned;

use super::connection::{Connection, section_file};
use super::{ConfigError, DEFAULT_INTERVAL_SECS, INTERVAL_SECS, Resolver, quoted};
use crate::model::LimitLevel;

section_file!(PrometheusFile {} {
    ui: Option<Spanned<String>>,
});

section_file!(OpenSearchFile {
    index: String,
    #[serde(default)]
    query: String,
} {
    max_events: Option<Spanned<usize>>,
    page_size: Option<Spanned<usize>>,
    tiebreaker: Option<String>,
    #[serde(default)]
    fields: FieldsFile,
    dashboards: Option<Spanned<String>>,
});

section_file!(JaegerFile {
    #[serde(default)]
    api: JaegerApi,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    operation: String,
    lookback: Option<Spanned<String>>,
    limit: Option<Spanned<usize>>,
} {
    ui: Option<Spanned<String>>,
});

section_file!(AlertmanagerFile {} {
    operator: Option<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
});

/// Which of Jaeger's query APIs to speak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JaegerApi {
    /// Ask `/api/v3/services`; fall back to v1 when the server does not have it.
    #[default]
    Auto,
    /// Jaeger v2's `/api/v3` (OTLP JSON).
    V3,
    /// Jaeger v1's `/api` (the UI's JSON).
    V1,
}

/// Field names, each one name or a list tried in turn.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FieldsFile {
    timestamp: Option<OneOrMany>,
    level: Option<OneOrMany>,
    message: Option<OneOrMany>,
    service: Option<OneOrMany>,
    trace_id: Option<OneOrMany>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s],
            Self::Many(v) => v,
        }
    }
}

/// A live Prometheus to poll.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusConfig {
    /// How to reach it.
    pub connection: Connection,
    /// Seconds between polls.
    pub interval: f64,
}

/// Events to tail from OpenSearch.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenSearchConfig {
    /// How to reach it.
    pub connection: Connection,
    /// The index or pattern searched, e.g. `rover-events-*`.
    pub index: String,
    /// A query-string query narrowing what is tailed; empty is everything.
    pub query: String,
    /// Seconds between polls.
    pub interval: f64,
    /// Events kept, whatever the session length.
    pub max_events: usize,
    /// Hits asked for per request.
    pub page_size: usize,
    /// The second sort field, so equal timestamps are neither lost nor repeated.
    pub tiebreaker: String,
    /// Which document fields are which.
    pub fields: FieldMap,
}

/// Traces to list from Jaeger.
#[derive(Debug, Clone, PartialEq)]
pub struct JaegerConfig {
    /// How to reach it.
    pub connection: Connection,
    /// Which API it speaks.
    pub api: JaegerApi,
    /// What the Traces pane lists at start (the search form changes it).
    pub query: crate::model::traces::TraceQuery,
    /// Seconds between searches.
    pub interval: f64,
}

/// Faults from Alertmanager, and who acknowledges and shelves them.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertmanagerConfig {
    /// How to reach it.
    pub connection: Connection,
    /// Seconds between polls of alerts and silences.
    pub interval: f64,
    /// Who the silences capcom creates name as their author (`operator`, else `$USER`).
    pub operator: String,
    /// A `severity` label value to the limit level it is shown as, checked in order: the
    /// `[alertmanager.severity]` table's, then the defaults it does not name
    /// ([`DEFAULT_SEVERITY`]); a value not listed is shown as `warning`.
    pub severity: Vec<(String, crate::model::LimitLevel)>,
}

/// The web UIs `o` links to, each a base URL (no trailing slash): `[jaeger] ui`,
/// `[prometheus] ui` (else the Prometheus itself, which serves `/graph`) and `[opensearch]
/// dashboards`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebUis {
    /// Jaeger UI (`/trace/<id>`).
    pub jaeger: Option<String>,
    /// Prometheus' own pages (`/graph`).
    pub prometheus: Option<String>,
    /// OpenSearch Dashboards (`/app/discover`).
    pub dashboards: Option<String>,
}

/// Seconds between polls of Alertmanager unless configured. Alerts reach Alertmanager only as
/// often as Prometheus evaluates its rules (a minute by default) and a second operator's
/// acknowledgement is worth seeing within seconds: 10 s shows both soon, and two small GETs
/// every 10 s cost Alertmanager nothing.
pub const DEFAULT_FAULTS_INTERVAL_SECS: f64 = 10.0;

/// The longest `operator` name kept, in columns: a name, not a comment.
pub const OPERATOR_WIDTH: usize = 64;

/// The `severity` label values known without configuration, and the limit levels they show as.
pub const DEFAULT_SEVERITY: [(&str, LimitLevel); 4] = [
    ("critical", LimitLevel::Critical),
    ("error", LimitLevel::Distress),
    ("warning", LimitLevel::Warning),
    ("info", LimitLevel::Watch),
];

/// Seconds between trace searches unless configured: a search costs more than a metrics poll.
pub const DEFAULT_TRACES_INTERVAL_SECS: f64 = 15.0;

/// Events kept unless configured.
pub const DEFAULT_MAX_EVENTS: usize = 10_000;
/// Events kept: at least one, at most what memory can afford.
pub const MAX_EVENTS: RangeInclusive<usize> = 1..=1_000_000;
/// Hits asked for per request unless configured.
pub const DEFAULT_PAGE_SIZE: usize = 500;
/// Hits per request: OpenSearch refuses more than 10 000 (its `max_result_window`).
pub const PAGE_SIZE: RangeInclusive<usize> = 1..=10_000;
/// How far back the Traces pane searches, seconds: a minute to a year.
pub const LOOKBACK_SECS: RangeInclusive<f64> = 60.0..=366.0 * 86_400.0;
/// Traces listed per search: Jaeger's own cap.
pub const TRACE_LIMIT: RangeInclusive<usize> = 1..=1_000;

impl Resolver<'_> {
    /// The web UIs' base URLs, each checked as the sections' `url` is; Prometheus' defaults
    /// to its `url`.
    pub(super) fn web_uis(
        &self,
        p: Option<&PrometheusFile>,
        o: Option<&OpenSearchFile>,
        j: Option<&JaegerFile>,
    ) -> Result<WebUis, ConfigError> {
        let check = |key: Option<&Spanned<String>>| -> Result<Option<String>, ConfigError> {
            key.map(|u| {
                super::validate_url(u.get_ref(), None)
                    .map(|()| u.get_ref().trim_end_matches('/').to_owned())
                    .map_err(|m| self.err(u.span(), m))
            })
            .transpose()
        };
        Ok(WebUis {
            jaeger: check(j.and_then(|j| j.ui.as_ref()))?,
            prometheus: match p {
                Some(p) => check(p.ui.as_ref())?
                    .or_else(|| Some(p.url.get_ref().trim_end_matches('/').to_owned())),
                None => None,
            },
            dashboards: check(o.and_then(|o| o.dashboards.as_ref()))?,
        })
    }

    /// A section's `interval`, in seconds, or its default.
    fn interval(&self, given: Option<&Spanned<String>>, default: f64) -> Result<f64, ConfigError> {
        given.map_or(Ok(default), |i| {
            self.duration(i, "interval", &INTERVAL_SECS)
        })
    }

    pub(super) fn resolve_opensearch(
        &self,
        o: OpenSearchFile,
    ) -> Result<OpenSearchConfig, ConfigError> {
        let connection = self.resolve_connection("opensearch", &o.connection_keys())?;
        let mut fields = FieldMap::default();
        let f = o.fields;
        for (slot, given) in [
            (&mut fields.timestamp, f.timestamp),
            (&mut fields.level, f.level),
            (&mut fields.message, f.message),
            (&mut fields.service, f.service),
            (&mut fields.trace_id, f.trace_id),
        ] {
            if let Some(g) = given {
                *slot = g.into_vec();
            }
        }
        Ok(OpenSearchConfig {
            connection,
            index: o.index,
            query: o.query,
            interval: self.interval(o.interval.as_ref(), DEFAULT_INTERVAL_SECS)?,
            max_events: match &o.max_events {
                Some(m) => self.in_range(m, &MAX_EVENTS, "max-events")?,
                None => DEFAULT_MAX_EVENTS,
            },
            page_size: match &o.page_size {
                Some(p) => self.in_range(p, &PAGE_SIZE, "page-size")?,
                None => DEFAULT_PAGE_SIZE,
            },
            tiebreaker: o.tiebreaker.unwrap_or_else(|| "_id".to_owned()),
            fields,
        })
    }

    pub(super) fn resolve_jaeger(&self, j: JaegerFile) -> Result<JaegerConfig, ConfigError> {
        let connection = self.resolve_connection("jaeger", &j.connection_keys())?;
        let mut query = crate::model::traces::TraceQuery {
            services: j.services,
            operation: j.operation,
            ..Default::default()
        };
        if let Some(l) = &j.lookback {
            query.lookback = self.duration(l, "lookback", &LOOKBACK_SECS)?;
        }
        if let Some(l) = &j.limit {
            query.limit = self.in_range(l, &TRACE_LIMIT, "limit")?;
        }
        Ok(JaegerConfig {
            connection,
            api: j.api,
            query,
            interval: self.interval(j.interval.as_ref(), DEFAULT_TRACES_INTERVAL_SECS)?,
        })
    }

    pub(super) fn resolve_alertmanager(
        &self,
        a: &AlertmanagerFile,
    ) -> Result<AlertmanagerConfig, ConfigError> {
        let connection = self.resolve_connection("alertmanager", &a.connection_keys())?;
        let interval = self.interval(a.interval.as_ref(), DEFAULT_FAULTS_INTERVAL_SECS)?;
        let operator = match &a.operator {
            Some(o) => {
                let name = crate::text::one_line(o.get_ref(), OPERATOR_WIDTH);
                if name.is_empty() {
                    return Err(self.err(
                        o.span(),
                        "operator is empty: give the name silences are made by".into(),
                    ));
                }
                name
            }
            None => default_operator(std::env::var("USER").ok().as_deref()),
        };
        let severity = self.resolve_severity(&a.severity)?;
        Ok(AlertmanagerConfig {
            connection,
            interval,
            operator,
            severity,
        })
    }

    /// The `[alertmanager.severity]` table, each word a limit level, then the defaults it does
    /// not name.
    fn resolve_severity(
        &self,
        table: &BTreeMap<String, Spanned<String>>,
    ) -> Result<Vec<(String, LimitLevel)>, ConfigError> {
        let mut severity = Vec::new();
        for (value, word) in table {
            let Some(level) = LimitLevel::ALL
                .into_iter()
                .find(|l| l.name() == word.get_ref())
            else {
                let words: Vec<_> = LimitLevel::ALL.iter().map(|l| l.name()).collect();
                return Err(self.err(
                    word.span(),
                    format!(
                        "severity {}: {} is not a limit level; give one of {}",
                        quoted(value),
                        quoted(word.get_ref()),
                        words.join(", ")
                    ),
                ));
            };
            severity.push((value.clone(), level));
        }
        for (value, level) in DEFAULT_SEVERITY {
            if !table.contains_key(value) {
                severity.push((value.to_owned(), level));
            }
        }
        Ok(severity)
    }

    pub(super) fn resolve_prometheus(
        &self,
        p: &PrometheusFile,
    ) -> Result<PrometheusConfig, ConfigError> {
        let connection = self.resolve_connection("prometheus", &p.connection_keys())?;
        let interval = self.interval(p.interval.as_ref(), DEFAULT_INTERVAL_SECS)?;
        Ok(PrometheusConfig {
            connection,
            interval,
        })
    }
}

/// Who silences name as their author when `operator` is not set: `$USER` (given as `user`),
/// made safe and cut, else `capcom`.
#[must_use]
pub fn default_operator(user: Option<&str>) -> String {
    let name = crate::text::one_line(user.unwrap_or_default(), OPERATOR_WIDTH);
    if name.is_empty() {
        "capcom".to_owned()
    } else {
        name
    }
}

/// Which document fields hold what. Each role lists field names tried in turn; a dotted name
/// matches a flat key (`"log.level"`) or nested objects (`{"log":{"level":…}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    /// The event's time: ISO-8601 with or without zone (UTC assumed), epoch millis, or nanos.
    pub timestamp: Vec<String>,
    /// Severity.
    pub level: Vec<String>,
    /// The human-readable text.
    pub message: Vec<String>,
    /// The emitting service.
    pub service: Vec<String>,
    /// A trace id, for the trace behind the event.
    pub trace_id: Vec<String>,
}

impl Default for FieldMap {
    fn default() -> Self {
        let v = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect();
        Self {
            timestamp: v(&["@timestamp", "timestamp", "time"]),
            level: v(&["level", "log.level", "severity", "severity_text"]),
            message: v(&["message", "msg", "body"]),
            service: v(&["service", "service.name", "resource.service.name"]),
            trace_id: v(&["trace_id", "traceId", "trace.id", "traceID"]),
        }
    }
}
