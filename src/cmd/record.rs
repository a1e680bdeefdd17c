//! `capcom record`: what the live sources answer, saved as a recording that `--replay` plays.
//!
//! Every chunk it asks each dashboard query for the range since the previous chunk, at a fixed
//! step, and writes each response body verbatim as its own file, then rewrites the manifest. A
//! backend that fails for a chunk leaves a gap (and a warning), not a broken recording; Ctrl-C
//! ends early and keeps every chunk written. With `[opensearch]` it also pages through each
//! chunk's events, and with `[jaeger]` it runs the configured trace search over each chunk's
//! time range, one verbatim body per service searched. With `[alertmanager]` it reads the
//! alerts and silences at the start and every chunk, writing them only when an answer changed.
//!
//! Events and traces are gap-free and duplicate-free by construction: a chunk asks only for
//! time that has already passed, [`SETTLE`] seconds ago (until the last chunk, which waits for
//! it), and the next chunk starts exactly where it ended. Events also page with `search_after`
//! from the last hit returned, across chunks, so equal timestamps at a page or chunk boundary,
//! a chunk that fails, or one that reaches the page limit lose nothing. The time is read from a
//! [`Clock`], so tests can record an hour in a moment.

use crate::text::{one_line, plural};
use std::path::Path;
use std::time::Duration;

use eyre::{Result, WrapErr, bail, eyre};

use crate::config::{JaegerConfig, OpenSearchConfig};
use crate::model::traces::TraceQuery;
use crate::session::{Data, Session};
use crate::source::alertmanager::{AlertmanagerClient, parse_alerts, parse_silences};
use crate::source::jaeger::JaegerClient;
use crate::source::opensearch::{OpenSearchClient, tail_request};
use crate::source::prometheus::PrometheusClient;
use crate::source::recording::{
    AlertmanagerEntry, DASHBOARD, JaegerEntry, MANIFEST, Manifest, OpenSearchEntry, PrometheusEntry,
};
use crate::source::{SourceError, SourceId};

/// What to record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// Seconds to record for.
    pub duration: f64,
    /// History before now to include; default the dashboard's window.
    pub since: Option<f64>,
    /// Seconds between samples.
    pub step: f64,
    /// Seconds between writes.
    pub chunk: f64,
}

/// How long an instant is left to settle before its events and traces are asked for:
/// OpenSearch makes a document searchable only at its next refresh (every second by default),
/// and OpenTelemetry SDKs export spans in batches (every 5 s by default), so what happened in
/// the last seconds may not be searchable yet.
pub const SETTLE: f64 = 6.0;

/// Where recording reads the time and waits: the wall clock, or a test's own.
pub trait Clock {
    /// Unix time (s) now.
    fn now(&self) -> f64;
    /// Waits until Unix time `t` (s).
    fn sleep_until(&self, t: f64) -> impl std::future::Future<Output = ()>;
}

/// The wall clock and tokio's timer.
#[derive(Debug, Clone, Copy)]
pub struct WallClock;

impl Clock for WallClock {
    fn now(&self) -> f64 {
        crate::wall_now()
    }

    async fn sleep_until(&self, t: f64) {
        let wait = t - self.now();
        if wait > 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }
}

/// `t` (Unix s) cut to whole milliseconds, the unit OpenSearch ranges are asked in, so that one
/// chunk's end is exactly the next one's start.
fn whole_ms(t: f64) -> f64 {
    (t * 1000.0).floor() / 1000.0
}

/// The sources recorded beside Prometheus, each with its client.
struct Others<'a> {
    events: Option<&'a (OpenSearchClient, OpenSearchConfig)>,
    traces: Option<&'a (JaegerClient, JaegerConfig)>,
    faults: Option<&'a AlertmanagerClient>,
}

/// A file name for a query's chunk: its index, a readable slug, the chunk's number.
fn file_name(index: usize, promql: &str, chunk: usize) -> String {
    let slug: String = promql
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect::<String>()
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    let slug: String = slug.chars().take(48).collect();
    format!("prometheus/q{index:02}-{slug}-{chunk:04}.json")
}

/// Records `session`'s live sources into `out`.
///
/// # Errors
/// No live source, an unusable output directory, or a write that fails.
pub fn run(session: &Session, out: &Path, plan: &Plan) -> Result<()> {
    run_with(session, out, plan, &WallClock)
}

/// [`run`], reading the time from `clock`.
///
/// # Errors
/// As [`run`].
pub fn run_with(session: &Session, out: &Path, plan: &Plan, clock: &impl Clock) -> Result<()> {
    let Data::Live(Some(prometheus)) = &session.data else {
        bail!(
            "record reads a live Prometheus (and [opensearch] and [jaeger] alongside it): give \
             --prometheus URL, or a config with a [prometheus] section"
        );
    };
    if out.exists() && std::fs::read_dir(out).map_or(true, |mut d| d.next().is_some()) {
        bail!(
            "{} exists and is not empty: record into a new directory",
            out.display()
        );
    }
    std::fs::create_dir_all(out.join("prometheus"))
        .wrap_err_with(|| format!("creating {}", out.display()))?;
    std::fs::write(out.join(DASHBOARD), &session.config_text)?;
    let client =
        PrometheusClient::new(&prometheus.connection).map_err(|e| eyre!("prometheus: {e}"))?;
    let mut queries: Vec<&str> = Vec::new();
    for q in &session.config.queries {
        if !queries.contains(&q.promql.as_str()) {
            queries.push(&q.promql);
        }
    }
    let since = plan.since.unwrap_or(session.config.window);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let events = match &session.config.opensearch {
        Some(cfg) => {
            std::fs::create_dir_all(out.join("opensearch"))?;
            let os =
                OpenSearchClient::new(&cfg.connection).map_err(|e| eyre!("opensearch: {e}"))?;
            Some((os, cfg.clone()))
        }
        None => None,
    };
    let traces = match &session.config.jaeger {
        Some(cfg) => {
            std::fs::create_dir_all(out.join("jaeger"))?;
            let client =
                JaegerClient::new(&cfg.connection, cfg.api).map_err(|e| eyre!("jaeger: {e}"))?;
            Some((client, cfg.clone()))
        }
        None => None,
    };
    let faults = match &session.config.alertmanager {
        Some(cfg) => {
            std::fs::create_dir_all(out.join("alertmanager"))?;
            Some(AlertmanagerClient::new(&cfg.connection).map_err(|e| eyre!("alertmanager: {e}"))?)
        }
        None => None,
    };
    let others = Others {
        events: events.as_ref(),
        traces: traces.as_ref(),
        faults: faults.as_ref(),
    };
    runtime.block_on(record(&client, &queries, &others, out, plan, since, clock))
}

/// Where the recording stands: the next Prometheus sample, how far events and traces are
/// recorded (exclusive), the events' `search_after` cursor, the chunk number, and
/// Alertmanager's last answers.
struct Progress {
    from: f64,
    settled: f64,
    after: Option<Vec<serde_json::Value>>,
    chunk: usize,
    faults: FaultBodies,
}

/// The alerts and silences bodies last written, each with its file, and how many of each.
#[derive(Default)]
struct FaultBodies {
    alerts: Option<(Vec<u8>, String)>,
    silences: Option<(Vec<u8>, String)>,
    written: (usize, usize),
}

async fn record(
    client: &PrometheusClient,
    queries: &[&str],
    others: &Others<'_>,
    out: &Path,
    plan: &Plan,
    since: f64,
    clock: &impl Clock,
) -> Result<()> {
    let step = plan.step;
    let started_wall = clock.now();
    let start = ((started_wall - since) / step).floor() * step;
    let stop_at = started_wall + plan.duration;
    // Events and traces of the last seconds are asked for once they have settled.
    let settles = others.events.is_some() || others.traces.is_some();
    let end = stop_at + if settles { SETTLE } else { 0.0 };
    let mut manifest = new_manifest(out, client.url(), start, started_wall - start);
    let mut at = Progress {
        from: start,
        settled: start,
        after: None,
        chunk: 0,
        faults: FaultBodies::default(),
    };
    let mut interrupted = false;
    // One listener for the whole run, so a Ctrl-C while a chunk is being fetched is not lost:
    // it ends the run at the next wait, after that chunk (and one last one) is written.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    eprintln!(
        "recording {} from {} into {} (Ctrl-C stops early)",
        plural(queries.len(), "query"),
        one_line(client.url(), 120),
        one_line(&out.display().to_string(), 200)
    );
    if let Some(am) = others.faults {
        // Alerts have no history to ask for: what holds as the recording starts, at once.
        record_faults(am, out, clock.now(), &mut at.faults, &mut manifest).await?;
    }
    loop {
        let now = clock.now();
        let until = (now + plan.chunk).min(end);
        if now < until && !interrupted {
            tokio::select! {
                () = clock.sleep_until(until) => {}
                _ = &mut ctrl_c => interrupted = true,
            }
        }
        let now = clock.now();
        let last_chunk = interrupted || now >= end;
        let to = now.min(stop_at);
        let mut wrote = false;
        let last = at.from + ((to - at.from) / step).floor() * step;
        if last >= at.from {
            let failed = record_chunk(
                client,
                queries,
                out,
                (at.from, last, step),
                at.chunk,
                &mut manifest,
            )
            .await?;
            eprintln!(
                "  chunk {}: up to {}, {} of {} queries answered",
                at.chunk,
                stamp(last),
                queries.len() - failed,
                queries.len()
            );
            manifest.ended = last;
            at.from = last + step;
            wrote = true;
        }
        if let Some(am) = others.faults {
            let t = now.min(stop_at);
            wrote |= record_faults(am, out, t, &mut at.faults, &mut manifest).await?;
        }
        // Only time that has passed and settled; the last chunk takes everything up to the end.
        let bound = whole_ms(if last_chunk {
            to
        } else {
            (now - SETTLE).min(stop_at)
        });
        if bound > at.settled {
            record_others(others, out, bound, &mut at, &mut manifest).await;
            at.settled = bound;
            wrote = true;
        }
        if wrote {
            write_manifest(out, &manifest)?;
            at.chunk += 1;
        }
        if last_chunk {
            break;
        }
    }
    eprintln!(
        "recorded {} to {shown}: replay with  capcom --replay {shown}",
        stamp(manifest.ended),
        shown = one_line(&out.display().to_string(), 200),
    );
    Ok(())
}

/// Events and traces from where the last chunk ended up to `bound`, an instant that has passed.
async fn record_others(
    others: &Others<'_>,
    out: &Path,
    bound: f64,
    at: &mut Progress,
    manifest: &mut Manifest,
) {
    let chunk = at.chunk;
    if let Some((os, cfg)) = others.events {
        // Every event after the last one returned (whatever chunk it came in), before `bound`.
        match record_events(os, cfg, out, (manifest.started, bound), at, manifest).await {
            Ok(n) => eprintln!("  chunk {chunk}: {}", plural(n, "event")),
            Err(e) => eprintln!("  events: {e} (fetched again with the next chunk)"),
        }
    }
    if let Some((jaeger, cfg)) = others.traces {
        // Traces that started in [settled, bound).
        let range = (at.settled, bound);
        match record_traces(jaeger, cfg, out, range, chunk, manifest).await {
            Ok((n, services)) => {
                eprintln!(
                    "  chunk {chunk}: {} from {}",
                    plural(n, "trace"),
                    plural(services, "service")
                );
                if n >= cfg.query.limit {
                    eprintln!(
                        "  traces: the search returned its limit of {}: some of this chunk's may \
                         be missing (raise [jaeger] limit or shorten --chunk)",
                        cfg.query.limit
                    );
                }
            }
            Err(e) => eprintln!("  traces: {e} (a gap in the recording)"),
        }
    }
}

/// Alertmanager's alerts and silences at `t`, written (each verbatim) only when one changed
/// since the last entry, the other named again; returns whether an entry was added. A failure
/// is said on stderr: the last snapshot stands until the next chunk.
async fn record_faults(
    client: &AlertmanagerClient,
    out: &Path,
    t: f64,
    last: &mut FaultBodies,
    manifest: &mut Manifest,
) -> Result<bool> {
    let bodies = tokio::try_join!(
        client.body("/api/v2/alerts"),
        client.body("/api/v2/silences")
    );
    let (alerts, silences) = match bodies {
        Ok(both) => both,
        Err(e) => {
            eprintln!("  alerts: {e} (the last snapshot stands)");
            return Ok(false);
        }
    };
    if let Err(e) = parse_alerts(&alerts).and_then(|_| parse_silences(&silences)) {
        eprintln!("  alerts: {e} (not recorded; the last snapshot stands)");
        return Ok(false);
    }
    let unchanged = |have: &Option<(Vec<u8>, String)>, body: &[u8]| {
        have.as_ref().is_some_and(|(b, _)| b.as_slice() == body)
    };
    if unchanged(&last.alerts, &alerts) && unchanged(&last.silences, &silences) {
        return Ok(false);
    }
    let alerts = kept(out, "alerts", alerts, &mut last.alerts, &mut last.written.0)?;
    let silences = kept(
        out,
        "silences",
        silences,
        &mut last.silences,
        &mut last.written.1,
    )?;
    eprintln!("  alerts: a new snapshot at {}", stamp(t));
    manifest.alertmanager.push(AlertmanagerEntry {
        at: t,
        alerts,
        silences,
    });
    Ok(true)
}

/// The file holding `body`: the last one written of this `kind` when the body is the same,
/// else a new one, numbered by `count`.
fn kept(
    out: &Path,
    kind: &str,
    body: Vec<u8>,
    last: &mut Option<(Vec<u8>, String)>,
    count: &mut usize,
) -> Result<String> {
    if let Some((b, file)) = last.as_ref()
        && *b == body
    {
        return Ok(file.clone());
    }
    *count += 1;
    let file = format!("alertmanager/{kind}-{count:04}.json");
    std::fs::write(out.join(&file), &body).wrap_err_with(|| format!("writing {file}"))?;
    *last = Some((body, file.clone()));
    Ok(file)
}

/// Fetches one chunk of every query; returns how many failed (each said on stderr).
async fn record_chunk(
    client: &PrometheusClient,
    queries: &[&str],
    out: &Path,
    (from, to, step): (f64, f64, f64),
    chunk: usize,
    manifest: &mut Manifest,
) -> Result<usize> {
    let mut failed = 0;
    for (i, query) in queries.iter().enumerate() {
        match client.query_range(query, from, to, step).await {
            Ok(fetched) => {
                let file = file_name(i, query, chunk);
                std::fs::write(out.join(&file), &fetched.body)
                    .wrap_err_with(|| format!("writing {file}"))?;
                manifest.prometheus.push(PrometheusEntry {
                    endpoint: "query_range".into(),
                    query: (*query).to_owned(),
                    start: from,
                    end: to,
                    step,
                    file,
                });
            }
            Err(e) => {
                failed += 1;
                // The query is the config's text: shown, never obeyed.
                eprintln!("  {}: {e} (a gap in the recording)", one_line(query, 120));
            }
        }
    }
    Ok(failed)
}

/// Every event with a timestamp in `[from, to)` after the cursor `at.after` (the last hit
/// returned so far), page by page in time order, each page's body written verbatim and the
/// cursor moved past it; returns how many.
async fn record_events(
    client: &OpenSearchClient,
    cfg: &OpenSearchConfig,
    out: &Path,
    (from, to): (f64, f64),
    at: &mut Progress,
    manifest: &mut Manifest,
) -> Result<usize, crate::source::SourceError> {
    let ts = cfg
        .fields
        .timestamp
        .first()
        .map_or("@timestamp", String::as_str);
    let mut count = 0;
    // At most 1000 pages a chunk: a flood is taken in bounded steps, the rest by the next.
    for page_no in 0..1000 {
        let mut body = tail_request(cfg, at.after.as_deref(), from, false, cfg.page_size);
        body["query"]["bool"]["filter"][0]["range"][ts]["lt"] =
            serde_json::json!((to * 1000.0).round() as i64);
        let (bytes, page) = client.search(&cfg.index, &body).await?;
        if page.hits.is_empty() {
            break;
        }
        let file = format!("opensearch/events-{:04}-{page_no:03}.json", at.chunk);
        std::fs::write(out.join(&file), &bytes).map_err(|e| {
            crate::source::SourceError::Setup(
                crate::source::SourceId::OpenSearch,
                format!("writing {file}: {e}"),
            )
        })?;
        manifest.opensearch.push(OpenSearchEntry {
            index: cfg.index.clone(),
            query: cfg.query.clone(),
            file,
        });
        count += page.hits.len();
        let full = page.hits.len() >= cfg.page_size;
        at.after = page.hits.last().map(|h| h.sort.clone());
        if !full {
            break;
        }
    }
    Ok(count)
}

/// The configured trace search over `[from, to)`, each service's answer written verbatim (a
/// 404 "no traces" writes nothing); returns how many traces it listed and how many services
/// answered with some.
async fn record_traces(
    client: &JaegerClient,
    cfg: &JaegerConfig,
    out: &Path,
    (from, to): (f64, f64),
    chunk: usize,
    manifest: &mut Manifest,
) -> Result<(usize, usize), SourceError> {
    // `search_all` asks for traces that started in [now - lookback, now + 1 s], both ends
    // included: ending a microsecond before `to` makes the range [from, to), so a trace that
    // starts at `to` is the next chunk's only.
    let now = to - 1.0 - 1e-6;
    let query = TraceQuery {
        lookback: (now - from).max(0.0),
        ..cfg.query.clone()
    };
    let (answers, list) = client.search_all(&query, now).await?;
    let api = client.api().await?;
    let mut written: Vec<String> = Vec::new();
    for answer in answers.iter().filter(|a| !a.body.is_empty()) {
        let file = trace_file_name(chunk, &answer.service, &written);
        std::fs::write(out.join(&file), &answer.body)
            .map_err(|e| SourceError::Setup(SourceId::Jaeger, format!("writing {file}: {e}")))?;
        manifest.jaeger.push(JaegerEntry {
            api,
            service: answer.service.clone(),
            file: file.clone(),
        });
        written.push(file);
    }
    Ok((list.len(), written.len()))
}

/// `jaeger/<chunk>-<service>.json`, the service made safe for a file name, and numbered when
/// two names come out the same.
fn trace_file_name(chunk: usize, service: &str, taken: &[String]) -> String {
    let slug: String = service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    let slug = if slug.is_empty() {
        "_".to_owned()
    } else {
        slug
    };
    let mut file = format!("jaeger/{chunk:04}-{slug}.json");
    let mut n = 2;
    while taken.contains(&file) {
        file = format!("jaeger/{chunk:04}-{slug}-{n}.json");
        n += 1;
    }
    file
}

/// The manifest of a recording into `out` from the Prometheus at `url`, starting at `start`,
/// a replay beginning `replay_from` seconds later; nothing recorded yet.
fn new_manifest(out: &Path, url: &str, start: f64, replay_from: f64) -> Manifest {
    Manifest {
        format: 1,
        name: out
            .file_name()
            .map_or_else(|| "recording".into(), |n| n.to_string_lossy().into_owned()),
        description: format!(
            "Recorded by capcom {} from {url}",
            env!("CARGO_PKG_VERSION")
        ),
        started: start,
        ended: start,
        replay_from,
        prometheus: Vec::new(),
        opensearch: Vec::new(),
        jaeger: Vec::new(),
        alertmanager: Vec::new(),
    }
}

fn write_manifest(out: &Path, manifest: &Manifest) -> Result<()> {
    let text = toml::to_string(manifest).map_err(|e| eyre!("manifest: {e}"))?;
    let tmp = out.join(format!("{MANIFEST}.tmp"));
    std::fs::write(
        &tmp,
        format!("# capcom recording manifest: which file answers which request.\n{text}"),
    )?;
    std::fs::rename(&tmp, out.join(MANIFEST))?;
    Ok(())
}

fn stamp(t: f64) -> String {
    chrono::DateTime::from_timestamp(t as i64, 0).map_or_else(
        || t.to_string(),
        |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::{file_name, trace_file_name};

    #[test]
    fn trace_file_names_are_safe_and_unique_within_a_chunk() {
        assert_eq!(
            trace_file_name(3, "ground-station", &[]),
            "jaeger/0003-ground-station.json"
        );
        let taken = ["jaeger/0000-rover_cam.json".to_owned()];
        assert_eq!(
            trace_file_name(0, "Rover/Cam", &taken),
            "jaeger/0000-rover_cam-2.json"
        );
        assert_eq!(trace_file_name(1, "../..", &[]), "jaeger/0001-_____.json");
        assert_eq!(trace_file_name(1, "", &[]), "jaeger/0001-_.json");
    }

    #[test]
    fn file_names_are_readable_and_unique_per_query_and_chunk() {
        assert_eq!(
            file_name(3, "rover_air_temperature_celsius", 12),
            "prometheus/q03-rover_air_temperature_celsius-0012.json"
        );
        assert_eq!(
            file_name(0, "sum by (mode) (rate(x[1m]))", 0),
            "prometheus/q00-sum_by_mode_rate_x_1m-0000.json"
        );
    }
}
