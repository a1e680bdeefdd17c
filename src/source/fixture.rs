//! Recordings: directories of verbatim response bodies (plus the `capcom.toml` that was
//! recorded and a `recording.toml` manifest saying which body answers which request), replayed
//! through the same parsers as live data. Replay shifts time so the recording appears to be
//! happening now, and plays forward so points arrive as they would live.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::opensearch::{FieldMap, parse_search, to_event};
use super::prometheus::{QueryResult, parse_query_range};
use super::traces::Api;
use super::{EventBatch, SourceError, SourceUpdate, one_line};
use crate::config::{self, Config, ConfigError};
use crate::model::event::Event;
use crate::model::span::Trace;
use crate::model::traces::{Listed, TraceQuery, newest_first};
use crate::model::{Point, Series};

/// The recording compiled into the binary, opened when there is no configuration.
/// Each file gzipped (`build.rs`), so the binary is small and a body is only in memory while
/// it is parsed.
static BUNDLED: Dir<'static> = include_dir!("$OUT_DIR/mars-rover");

/// A bundled file, inflated.
fn bundled_file(name: &str) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let gz = BUNDLED.get_file(format!("{name}.gz"))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz.contents())
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// The manifest file's name inside a recording.
pub const MANIFEST: &str = "recording.toml";
/// The dashboard file's name inside a recording.
pub const DASHBOARD: &str = "capcom.toml";

/// A recording that cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    /// A file is missing or unreadable.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The manifest is malformed.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// toml's message.
        message: String,
    },
    /// The recorded dashboard is not a valid configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// `recording.toml`: what was recorded, when, and which file answers which request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    /// Format version of the recording (1).
    pub format: u32,
    /// A short name, shown in the status bar.
    pub name: String,
    /// What this recording shows.
    #[serde(default)]
    pub description: String,
    /// Unix time (s) the recording starts at.
    pub started: f64,
    /// Unix time (s) the recording ends at.
    pub ended: f64,
    /// Seconds after `started` at which a replay begins (so a window of history is on screen).
    #[serde(default)]
    pub replay_from: f64,
    /// Prometheus responses.
    #[serde(default)]
    pub prometheus: Vec<PrometheusEntry>,
    /// OpenSearch `_search` responses, replayed as the event stream.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opensearch: Vec<OpenSearchEntry>,
    /// Jaeger trace searches and traces, replayed as the Traces pane's answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jaeger: Vec<JaegerEntry>,
}

/// One recorded Jaeger answer (a search, or one trace by id) and the file holding its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct JaegerEntry {
    /// The API that answered: `v3` (OTLP JSON) or `v1`.
    pub api: String,
    /// The service searched, if a search.
    #[serde(default)]
    pub service: String,
    /// The body's path, relative to the recording.
    pub file: String,
}

/// One recorded OpenSearch search and the file holding its response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OpenSearchEntry {
    /// The index or pattern searched.
    pub index: String,
    /// The query-string query, empty for everything.
    #[serde(default)]
    pub query: String,
    /// The body's path, relative to the recording.
    pub file: String,
}

/// One recorded Prometheus request and the file holding its response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PrometheusEntry {
    /// The API endpoint: `query_range`.
    pub endpoint: String,
    /// The `PromQL` expression, as a dashboard's query writes it.
    pub query: String,
    /// `start` parameter (Unix s).
    pub start: f64,
    /// `end` parameter (Unix s).
    pub end: f64,
    /// `step` parameter (s).
    pub step: f64,
    /// The body's path, relative to the recording.
    pub file: String,
}

/// An opened recording: its manifest, dashboard text and bodies.
#[derive(Debug, Clone)]
pub struct Recording {
    /// Where it came from, for messages (`bundled:mars-rover` or a path).
    pub origin: String,
    /// The manifest.
    pub manifest: Manifest,
    /// The recorded `capcom.toml`.
    pub dashboard: String,
    files: Files,
}

#[derive(Debug, Clone)]
enum Files {
    Bundled,
    Dir(PathBuf),
}

impl Recording {
    /// The recording compiled into the binary.
    ///
    /// # Errors
    /// Only if the bundled files are broken, which a test rules out.
    pub fn bundled() -> Result<Self, RecordingError> {
        let read = |name: &str| {
            bundled_file(name).ok_or_else(|| RecordingError::Io {
                path: PathBuf::from(name),
                error: std::io::Error::from(std::io::ErrorKind::NotFound),
            })
        };
        let manifest = parse_manifest(&read(MANIFEST)?, Path::new("bundled recording.toml"))?;
        let dashboard = String::from_utf8_lossy(&read(DASHBOARD)?).into_owned();
        Ok(Self {
            origin: "bundled:mars-rover".into(),
            manifest,
            dashboard,
            files: Files::Bundled,
        })
    }

    /// A recording directory.
    ///
    /// # Errors
    /// A missing or malformed `recording.toml` or `capcom.toml`.
    pub fn open(dir: &Path) -> Result<Self, RecordingError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|error| RecordingError::Io { path, error })
        };
        let manifest = parse_manifest(&read(MANIFEST)?, &dir.join(MANIFEST))?;
        let dashboard = String::from_utf8_lossy(&read(DASHBOARD)?).into_owned();
        Ok(Self {
            origin: dir.display().to_string(),
            manifest,
            dashboard,
            files: Files::Dir(dir.to_owned()),
        })
    }

    /// The recorded dashboard as a configuration.
    ///
    /// # Errors
    /// When the recorded `capcom.toml` does not parse.
    pub fn config(&self) -> Result<Config, ConfigError> {
        config::parse(&self.dashboard, &format!("{}/{DASHBOARD}", self.origin))
    }

    /// A body by its path in the recording.
    fn body(&self, file: &str) -> Result<Cow<'static, [u8]>, std::io::Error> {
        match &self.files {
            Files::Bundled => bundled_file(file)
                .map(Cow::Owned)
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound)),
            Files::Dir(dir) => std::fs::read(dir.join(file)).map(Cow::Owned),
        }
    }
}

fn parse_manifest(bytes: &[u8], path: &Path) -> Result<Manifest, RecordingError> {
    let text = String::from_utf8_lossy(bytes);
    toml::from_str(&text).map_err(|e| RecordingError::Manifest {
        path: path.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })
}

/// Every recorded answer to `promql`, parsed and joined: a recording made in chunks holds
/// several bodies per query, each series' points concatenated in time order without repeats.
fn load_query(rec: &Recording, promql: &str) -> Result<QueryResult, SourceError> {
    let entries: Vec<&PrometheusEntry> = rec
        .manifest
        .prometheus
        .iter()
        .filter(|e| e.query.trim() == promql.trim())
        .collect();
    if entries.is_empty() {
        return Err(SourceError::NotRecorded(promql.to_owned()));
    }
    let mut joined = QueryResult {
        series: Vec::new(),
        warnings: Vec::new(),
    };
    for entry in entries {
        let body = rec
            .body(&entry.file)
            .map_err(|e| SourceError::NotRecorded(format!("{}: {e}", entry.file)))?;
        let part = parse_query_range(&body)?;
        joined.warnings.extend(part.warnings);
        for s in part.series {
            match joined.series.iter_mut().find(|j| j.labels == s.labels) {
                Some(j) => j.points.extend(s.points),
                None => joined.series.push(s),
            }
        }
    }
    for s in &mut joined.series {
        s.points.sort_by(|a, b| a.t.total_cmp(&b.t));
        s.points.dedup_by(|a, b| a.t.total_cmp(&b.t).is_eq());
    }
    joined.series.sort_by(|a, b| a.labels.cmp(&b.labels));
    joined.warnings.dedup();
    Ok(joined)
}

/// Recorded events, oldest first, and the warnings their searches carried.
type RecordedEvents = (Vec<Event>, Vec<String>);

/// Every recorded event, parsed by the field map, time-shifted and in time order (events
/// without a readable time first); `None` when the recording holds no events.
fn load_events(
    rec: &Recording,
    fields: &FieldMap,
    shift: f64,
) -> Result<Option<RecordedEvents>, SourceError> {
    if rec.manifest.opensearch.is_empty() {
        return Ok(None);
    }
    let mut events = Vec::new();
    let mut warnings = Vec::new();
    for entry in &rec.manifest.opensearch {
        let body = rec
            .body(&entry.file)
            .map_err(|e| SourceError::NotRecorded(format!("{}: {e}", entry.file)))?;
        let page = parse_search(&body)?;
        warnings.extend(page.warnings);
        events.extend(page.hits.iter().map(|h| {
            let mut e = to_event(h, fields);
            e.t = e.t.map(|t| t + shift);
            e
        }));
    }
    events.sort_by(|a, b| {
        a.t.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&b.t.unwrap_or(f64::NEG_INFINITY))
    });
    Ok(Some((events, warnings)))
}

/// Every recorded trace, parsed by its entry's API, time-shifted, one per trace id (the copy
/// with the most spans, when searches overlap); `None` when the recording holds no traces.
fn load_traces(rec: &Recording, shift: f64) -> Result<Option<Vec<Listed>>, SourceError> {
    if rec.manifest.jaeger.is_empty() {
        return Ok(None);
    }
    let mut by_id: std::collections::BTreeMap<String, Trace> = std::collections::BTreeMap::new();
    for entry in &rec.manifest.jaeger {
        let body = rec
            .body(&entry.file)
            .map_err(|e| SourceError::NotRecorded(format!("{}: {e}", entry.file)))?;
        let api = match entry.api.as_str() {
            "v1" => Api::V1,
            _ => Api::V3,
        };
        for mut t in api.parse(&body)? {
            for span in &mut t.spans {
                span.start += shift;
                for e in &mut span.events {
                    e.t += shift;
                }
            }
            match by_id.get(&t.trace_id) {
                Some(have) if have.spans.len() >= t.spans.len() => {}
                _ => drop(by_id.insert(t.trace_id.clone(), t)),
            }
        }
    }
    Ok(Some(by_id.into_values().map(Listed::new).collect()))
}

/// Maps wall-clock time to display time and recording time during a replay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayClock {
    /// Wall-clock Unix time at which the replay started.
    pub wall_origin: f64,
    /// Recording time shown at `wall_origin`.
    pub rec_origin: f64,
    /// Playback speed (1 = real time).
    pub speed: f64,
}

impl ReplayClock {
    /// Display time (Unix s) at wall-clock time `wall`: the recording appears to happen now.
    #[must_use]
    pub fn display(&self, wall: f64) -> f64 {
        self.wall_origin + (wall - self.wall_origin) * self.speed
    }

    /// What to add to a recorded timestamp to get its display time.
    #[must_use]
    pub fn shift(&self) -> f64 {
        self.wall_origin - self.rec_origin
    }
}

/// One query's recorded series, parsed, with how much of each has been delivered.
#[derive(Debug)]
struct Track {
    query: usize,
    series: Vec<Series>,
    warnings: Vec<String>,
    sent: Vec<usize>,
}

/// A replay in progress: the recording's parsed series, time-shifted, released as display
/// time passes them.
#[derive(Debug)]
pub struct Replay {
    tracks: Vec<Track>,
    /// The recorded events, time-shifted, oldest first; `None` when none were recorded.
    events: Option<RecordedEvents>,
    events_sent: usize,
    /// The recorded traces, time-shifted; `None` when none were recorded.
    traces: Option<Vec<Listed>>,
    /// The search the Traces pane runs, answered from `traces`.
    pub trace_query: TraceQuery,
    end: f64,
    finished: bool,
}

impl Replay {
    /// Parses every body the dashboard's queries need, and returns the replay plus one error
    /// update for each query the recording cannot answer.
    #[must_use]
    pub fn new(rec: &Recording, config: &Config, clock: ReplayClock) -> (Self, Vec<SourceUpdate>) {
        let shift = clock.shift();
        let mut tracks = Vec::new();
        let mut errors = Vec::new();
        for (qid, q) in config.queries.iter().enumerate() {
            let fail = |e: SourceError| SourceUpdate::MetricsFetched {
                query: qid,
                fetched_at: clock.wall_origin,
                result: Err(e),
                replace: false,
            };
            match load_query(rec, &q.promql) {
                Ok(QueryResult {
                    mut series,
                    warnings,
                }) => {
                    for s in &mut series {
                        for p in &mut s.points {
                            p.t += shift;
                        }
                    }
                    let sent = vec![0; series.len()];
                    tracks.push(Track {
                        query: qid,
                        series,
                        warnings,
                        sent,
                    });
                }
                Err(e) => errors.push(fail(e)),
            }
        }
        let end = rec.manifest.ended + shift;
        let fields = config
            .opensearch
            .as_ref()
            .map(|o| o.fields.clone())
            .unwrap_or_default();
        let events = match load_events(rec, &fields, shift) {
            Ok(None) => None,
            Ok(Some(ev)) => Some(ev),
            Err(e) => {
                errors.push(SourceUpdate::EventsFetched {
                    fetched_at: clock.wall_origin,
                    result: Err(e),
                    replace: false,
                });
                None
            }
        };
        let wants_traces = config
            .panes
            .iter()
            .any(|p| p.kind == crate::config::PaneKind::Traces);
        let recorded = match load_traces(rec, shift) {
            Ok(None) if wants_traces => {
                errors.push(SourceUpdate::TracesFetched {
                    fetched_at: clock.wall_origin,
                    result: Err(SourceError::NotRecorded("no traces".into())),
                });
                None
            }
            Ok(t) => t,
            Err(e) => {
                errors.push(SourceUpdate::TracesFetched {
                    fetched_at: clock.wall_origin,
                    result: Err(e),
                });
                None
            }
        };
        let trace_query = config
            .jaeger
            .as_ref()
            .map(|j| j.query.clone())
            .unwrap_or_default();
        (
            Self {
                tracks,
                events,
                events_sent: 0,
                traces: recorded,
                trace_query,
                end,
                finished: false,
            },
            errors,
        )
    }

    /// The points that display time `now` has reached since the last call, one update per
    /// query (empty when nothing new: a poll that found nothing is still a fresh answer), then
    /// [`SourceUpdate::ReplayFinished`] once, when the recording's end is passed.
    pub fn poll(&mut self, now: f64) -> Vec<SourceUpdate> {
        let mut out = Vec::with_capacity(self.tracks.len() + 1);
        for track in &mut self.tracks {
            let series = track
                .series
                .iter()
                .zip(&mut track.sent)
                .map(|(s, sent)| {
                    let upto = s.points.partition_point(|p| p.t <= now);
                    let fresh: Vec<Point> = s.points[*sent..upto.max(*sent)].to_vec();
                    *sent = upto.max(*sent);
                    Series {
                        labels: s.labels.clone(),
                        points: fresh,
                    }
                })
                .collect();
            out.push(SourceUpdate::MetricsFetched {
                query: track.query,
                fetched_at: now,
                result: Ok(QueryResult {
                    series,
                    warnings: track.warnings.clone(),
                }),
                replace: false,
            });
        }
        if let Some((events, warnings)) = &self.events {
            let upto = events
                .partition_point(|e| e.t.is_none_or(|t| t <= now))
                .max(self.events_sent);
            let fresh = events[self.events_sent..upto].to_vec();
            self.events_sent = upto;
            out.push(SourceUpdate::EventsFetched {
                fetched_at: now,
                result: Ok(EventBatch {
                    events: fresh,
                    warnings: warnings.clone(),
                }),
                replace: false,
            });
        }
        if let Some(update) = self.search(now) {
            out.push(update);
        }
        if now >= self.end && !self.finished {
            self.finished = true;
            out.push(SourceUpdate::ReplayFinished);
        }
        out
    }

    /// The Traces pane's search at display time `now`, answered from the recording as Jaeger
    /// would answer it live; `None` when no traces were recorded.
    #[must_use]
    pub fn search(&self, now: f64) -> Option<SourceUpdate> {
        let traces = self.traces.as_ref()?;
        let q = &self.trace_query;
        let mut list: Vec<Listed> = traces
            .iter()
            .filter_map(|l| so_far(l, now))
            .filter(|l| q.matches(&l.trace, &l.summary, now))
            .collect();
        newest_first(&mut list, q.limit);
        Some(SourceUpdate::TracesFetched {
            fetched_at: now,
            result: Ok(list),
        })
    }

    /// One recorded trace by id as `/api/v3/traces/{id}` would answer at display time `now`.
    #[must_use]
    pub fn trace(&self, trace_id: &str, now: f64) -> SourceUpdate {
        let want = trace_id.trim().to_ascii_lowercase();
        let found = self
            .traces
            .iter()
            .flatten()
            .find(|l| l.summary.trace_id.trim_start_matches('0') == want.trim_start_matches('0'))
            .and_then(|l| so_far(l, now));
        SourceUpdate::TraceFetched {
            trace_id: trace_id.to_owned(),
            result: found.map(|l| l.trace).ok_or_else(|| {
                SourceError::NotRecorded(format!("trace {}", one_line(trace_id, 40)))
            }),
        }
    }
}

/// A recorded trace as Jaeger would hold it at `now`: only the spans that have ended (a span
/// is reported when it ends), so a command still running shows its finished steps and a
/// failure appears when the failing span ends; `None` before its first span ends.
fn so_far(l: &Listed, now: f64) -> Option<Listed> {
    if l.summary.start + l.summary.duration <= now {
        return Some(l.clone());
    }
    let spans: Vec<_> = l
        .trace
        .spans
        .iter()
        .filter(|s| s.start + s.duration <= now)
        .cloned()
        .collect();
    (!spans.is_empty()).then(|| {
        Listed::new(Trace {
            trace_id: l.trace.trace_id.clone(),
            spans,
            warnings: l.trace.warnings.clone(),
        })
    })
}

/// What a replay task listens to besides its clock: the Traces pane's search and requests
/// for one trace by id.
pub struct ReplayInputs {
    /// The search to run.
    pub trace_query: watch::Receiver<TraceQuery>,
    /// Trace ids to fetch.
    pub trace_fetch: mpsc::Receiver<String>,
}

/// Plays a replay as a source task: polls every `period` of wall time until cancelled or the
/// receiver is gone, sending what display time has reached.
pub async fn run(
    mut replay: Replay,
    clock: ReplayClock,
    period: Duration,
    inputs: ReplayInputs,
    tx: mpsc::Sender<SourceUpdate>,
    cancel: CancellationToken,
) {
    let ReplayInputs {
        mut trace_query,
        mut trace_fetch,
    } = inputs;
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = interval.tick() => {}
            Ok(()) = trace_query.changed() => {
                replay.trace_query = trace_query.borrow_and_update().clone();
                let now = clock.display(crate::wall_now());
                if let Some(u) = replay.search(now)
                    && tx.send(u).await.is_err()
                {
                    return;
                }
                continue;
            }
            Some(id) = trace_fetch.recv() => {
                let now = clock.display(crate::wall_now());
                if tx.send(replay.trace(&id, now)).await.is_err() {
                    return;
                }
                continue;
            }
        }
        let now = clock.display(crate::wall_now());
        for update in replay.poll(now) {
            if tx.send(update).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_recording_opens_and_answers_every_query_of_its_dashboard() {
        let rec = Recording::bundled().expect("bundled recording opens");
        let config = rec.config().expect("its dashboard parses");
        let clock = ReplayClock {
            wall_origin: 2_000_000_000.0,
            rec_origin: rec.manifest.started + rec.manifest.replay_from,
            speed: 1.0,
        };
        let (mut replay, errors) = Replay::new(&rec, &config, clock);
        assert!(errors.is_empty(), "{errors:?}");
        let first = replay.poll(clock.wall_origin);
        assert_eq!(
            first.len(),
            config.queries.len() + 2,
            "every query, the events and the traces"
        );
        let SourceUpdate::EventsFetched {
            result: Ok(batch), ..
        } = &first[first.len() - 2]
        else {
            panic!()
        };
        let SourceUpdate::TracesFetched {
            result: Ok(traces), ..
        } = &first[first.len() - 1]
        else {
            panic!()
        };
        assert!(!traces.is_empty(), "the last hour's traces");
        assert!(
            traces
                .iter()
                .all(|l| l.summary.start + l.summary.duration <= clock.wall_origin),
            "only spans that have ended are reported"
        );
        assert!(
            traces
                .windows(2)
                .all(|w| w[0].summary.start >= w[1].summary.start)
        );
        assert!(
            batch.events.len() > 20,
            "the night's events are history at replay start"
        );
        for u in &first[..first.len() - 2] {
            let SourceUpdate::MetricsFetched { result: Ok(r), .. } = u else {
                panic!("{u:?}")
            };
            assert!(!r.series.is_empty());
            for s in &r.series {
                assert!(
                    !s.points.is_empty(),
                    "history up to replay-from is delivered at once"
                );
                assert!(s.points.iter().all(|p| p.t <= clock.wall_origin));
            }
        }
        let again = replay.poll(clock.wall_origin);
        for u in &again[..again.len() - 2] {
            let SourceUpdate::MetricsFetched { result: Ok(r), .. } = u else {
                panic!("{u:?}")
            };
            assert!(
                r.series.iter().all(|s| s.points.is_empty()),
                "nothing is sent twice"
            );
        }
        let later = replay.poll(clock.wall_origin + 60.0);
        let SourceUpdate::MetricsFetched { result: Ok(r), .. } = &later[0] else {
            panic!()
        };
        assert!(
            !r.series[0].points.is_empty(),
            "a minute later new points arrive"
        );
    }

    #[test]
    fn a_running_command_shows_its_finished_spans_and_its_failure_when_it_ends() {
        let rec = Recording::bundled().expect("bundled");
        let config = rec.config().expect("config");
        let clock = ReplayClock {
            wall_origin: 0.0,
            rec_origin: rec.manifest.started,
            speed: 1.0,
        };
        let (mut replay, _) = Replay::new(&rec, &config, clock);
        replay.trace_query.attributes = vec![("error".into(), "true".into())];
        replay.trace_query.lookback = 86_400.0;
        let failed = |now: f64| match replay.search(now) {
            Some(SourceUpdate::TracesFetched { result: Ok(l), .. }) => l,
            other => panic!("{other:?}"),
        };
        let end = rec.manifest.ended - rec.manifest.started;
        let all = failed(end);
        assert!(all.len() >= 3, "the sol's failed commands: {}", all.len());
        // The first failure's trace, while it runs: before its failing span ends the
        // search does not find it; after, it does, with fewer spans than in the end.
        let first = all.last().expect("one");
        let bad = first
            .trace
            .spans
            .iter()
            .filter(|s| s.error)
            .map(|s| s.start + s.duration)
            .fold(f64::INFINITY, f64::min);
        let found = |now: f64| {
            failed(now)
                .into_iter()
                .find(|l| l.summary.trace_id == first.summary.trace_id)
        };
        assert!(found(bad - 0.5).is_none());
        let partial = found(bad + 0.5).expect("found once the failing span has ended");
        assert!(partial.summary.spans < first.summary.spans);
        let SourceUpdate::TraceFetched { result: Ok(t), .. } =
            replay.trace(&first.summary.trace_id.to_uppercase(), end)
        else {
            panic!()
        };
        assert_eq!(
            t.spans.len(),
            first.summary.spans,
            "by id, whatever its case"
        );
    }

    #[test]
    fn a_query_missing_from_the_recording_is_an_error_for_that_query_only() {
        let rec = Recording::bundled().expect("bundled");
        let mut config = rec.config().expect("config");
        config.queries[0].promql = "not_recorded_metric".into();
        let clock = ReplayClock {
            wall_origin: 0.0,
            rec_origin: rec.manifest.started,
            speed: 1.0,
        };
        let (_, errors) = Replay::new(&rec, &config, clock);
        assert_eq!(errors.len(), 1);
        let SourceUpdate::MetricsFetched {
            query: 0,
            result: Err(SourceError::NotRecorded(q)),
            ..
        } = &errors[0]
        else {
            panic!("{errors:?}")
        };
        assert_eq!(q, "not_recorded_metric");
    }
}
