//! Writes the simulator's recording: one Prometheus `query_range` body per dashboard query,
//! byte for byte in the format Prometheus sends, the events as an OpenSearch `_search` body,
//! the traces as a Jaeger `/api/v3/traces` body, plus the dashboard (`capcom.toml`) and the
//! manifest (`recording.toml`). `capcom-sim --write-recording fixtures/mars-rover --seed 1`
//! regenerates the bundled recording; a test checks it reproduces the committed files exactly.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::metrics::{INSTANCE, JOB, MetricSeries, catalogue, round};
use super::world::{SOL_SECONDS, Telemetry, World};
use capcom::source::jaeger::Api;
use capcom::source::prometheus::format_value;
use capcom::source::recording::{
    AlertmanagerEntry, DASHBOARD, JaegerEntry, MANIFEST, Manifest, OpenSearchEntry, PrometheusEntry,
};

/// The recording's start: 2026-11-26T00:00:00Z, the sol's local midnight.
pub const EPOCH: f64 = 1_795_651_200.0;
/// Seconds between recorded samples (the query's `step`).
pub const STEP: f64 = 30.0;
/// Where a replay begins, seconds after the start: two hours into the morning drive, an hour
/// into the soft sand, the night's low-battery dip still in the 6 h window, and the wheel slip
/// failing mobility commands for five minutes: the demo opens with an SLO paging, another on
/// a ticket, failed slip checks and drives in the Traces pane and their events, and the LM
/// motor about to pass its critical limit. (It is this late so that the page's one-hour
/// window, and the hour before it that Why compares it with, are both hours of driving.)
pub const REPLAY_FROM: f64 = 40_230.0;

// The dashboard the recording is made for: the one the dashboard opens with no config.
use capcom::DASHBOARD_TOML;

/// Writes a recording of one sol of the world with `seed` into `dir`.
///
/// # Errors
/// When a file cannot be written.
pub fn write(dir: &Path, seed: u64) -> io::Result<()> {
    let config = capcom::config::parse(DASHBOARD_TOML, "dashboard.toml")
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    let samples = sample_sol(seed);
    let end = EPOCH + (samples.len() - 1) as f64 * STEP;
    std::fs::create_dir_all(dir.join("prometheus"))?;
    let catalogue = catalogue();
    let mut entries = Vec::new();
    let slo_windows = slo_windows(&config);
    let mut slo_files = (0, 0);
    for (qid, query) in config.queries.iter().enumerate() {
        if entries
            .iter()
            .any(|e: &PrometheusEntry| e.query == query.promql)
        {
            continue;
        }
        if let Some(&answer) = slo_windows.get(&qid) {
            let (file, body) = slo_file(answer, seed, &samples, &mut slo_files);
            std::fs::write(dir.join(&file), body)?;
            entries.push(PrometheusEntry {
                endpoint: "query_range".into(),
                query: query.promql.clone(),
                start: EPOCH,
                end,
                step: STEP,
                file,
            });
            continue;
        }
        let Some((name, series)) = catalogue.iter().find(|(n, _)| *n == query.promql) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the dashboard asks {:?}, which the world does not export",
                    query.promql
                ),
            ));
        };
        let file = format!("prometheus/{name}.json");
        std::fs::write(dir.join(&file), query_range_body(series, &samples))?;
        entries.push(PrometheusEntry {
            endpoint: "query_range".into(),
            query: query.promql.clone(),
            start: EPOCH,
            end,
            step: STEP,
            file,
        });
    }
    let events_file = "opensearch/rover-events.json".to_owned();
    std::fs::create_dir_all(dir.join("opensearch"))?;
    std::fs::write(
        dir.join(&events_file),
        search_body(&super::events::events(seed)),
    )?;
    let traces_file = "jaeger/traces.json".to_owned();
    std::fs::create_dir_all(dir.join("jaeger"))?;
    std::fs::write(
        dir.join(&traces_file),
        super::otlp::v3_body(&super::traces::traces(seed), EPOCH),
    )?;
    let alertmanager = write_alerts(dir, &samples)?;
    let manifest = Manifest {
        format: 1,
        name: "mars-rover".into(),
        description: format!(
            "One sol of the simulated rover's traverse (seed {seed}), sampled every {STEP} s. \
             Regenerate: capcom simulate --write-recording <dir> --seed {seed}"
        ),
        started: EPOCH,
        ended: end,
        replay_from: REPLAY_FROM,
        prometheus: entries,
        opensearch: vec![OpenSearchEntry {
            index: EVENTS_INDEX.into(),
            query: String::new(),
            file: events_file,
        }],
        // An empty service: the answer to a search of every service.
        jaeger: vec![JaegerEntry {
            api: Api::V3,
            service: String::new(),
            file: traces_file,
        }],
        alertmanager,
    };
    let manifest_text = toml::to_string(&manifest).map_err(|e| io::Error::other(e.to_string()))?;
    std::fs::write(
        dir.join(MANIFEST),
        format!("# capcom recording manifest: which file answers which request.\n{manifest_text}"),
    )?;
    std::fs::write(dir.join(DASHBOARD), DASHBOARD_TOML)?;
    Ok(())
}

/// Alertmanager's answers over the sol, each time the rover's alerts change: one file per
/// distinct alerts body, and the one silences body (none: nobody has acknowledged anything).
fn write_alerts(dir: &Path, samples: &[(f64, Telemetry)]) -> io::Result<Vec<AlertmanagerEntry>> {
    std::fs::create_dir_all(dir.join("alertmanager"))?;
    let silences = "alertmanager/silences.json".to_owned();
    std::fs::write(dir.join(&silences), "[]")?;
    let mut bodies: Vec<String> = Vec::new();
    let mut entries = Vec::new();
    for (at, firing) in super::alerts::evaluate(samples) {
        let body = super::alerts::alerts_body(&firing, at);
        if !bodies.contains(&body) {
            let n = bodies.len() + 1;
            std::fs::write(dir.join(format!("alertmanager/alerts-{n:02}.json")), &body)?;
            bodies.push(body.clone());
        }
        let n = bodies.iter().position(|b| *b == body).map_or(0, |i| i + 1);
        entries.push(AlertmanagerEntry {
            at,
            alerts: format!("alertmanager/alerts-{n:02}.json"),
            silences: silences.clone(),
        });
    }
    Ok(entries)
}

/// What one of the dashboard's SLO queries asks of the world.
#[derive(Debug, Clone, Copy)]
enum SloAnswer {
    /// The error ratio of one of the world's SLIs over a window, seconds.
    Ratio(super::slo::Sli, f64),
    /// How far back the SLI's counters reach, up to `reach` seconds (the query's own look).
    DataAge {
        /// The longest age the query answers.
        reach: f64,
    },
}

/// The file (numbered by `files`: error ratios, data ages) and body answering one SLO query.
fn slo_file(
    answer: SloAnswer,
    seed: u64,
    samples: &[(f64, Telemetry)],
    files: &mut (usize, usize),
) -> (String, String) {
    match answer {
        SloAnswer::Ratio(sli, window) => {
            files.0 += 1;
            let counts = super::slo::Counts::of(sli, seed, STEP);
            (
                format!("prometheus/slo-{:02}.json", files.0),
                error_ratio_body(&counts, samples, window),
            )
        }
        SloAnswer::DataAge { reach } => {
            files.1 += 1;
            (
                format!("prometheus/slo-data-age-{:02}.json", files.1),
                data_age_body(samples, reach),
            )
        }
    }
}

/// The dashboard's SLO queries: what each asks of the world.
fn slo_windows(config: &capcom::config::Config) -> std::collections::HashMap<usize, SloAnswer> {
    let mut out = std::collections::HashMap::new();
    for slo in &config.slos {
        let Some(sli) = super::slo::Sli::named_in(&slo.sli.error_ratio(60.0)) else {
            continue;
        };
        for &(window, q) in slo.windows.iter().chain([&(slo.period, slo.period_query)]) {
            out.insert(q, SloAnswer::Ratio(sli, window));
        }
        let reach = capcom::config::data_age_reach(slo.period);
        out.insert(slo.data_query, SloAnswer::DataAge { reach });
    }
    out
}

/// A `query_range` body of an SLO's data age over the sol, as Prometheus answers it: the
/// seconds since the SLI's counters began ([`super::slo::COUNTED_BEFORE`] before the sol), up
/// to the query's `reach`. It has a value while the link is down too: the counters' history
/// is on the ground already.
fn data_age_body(samples: &[(f64, Telemetry)], reach: f64) -> String {
    let mut out = String::from(
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":["#,
    );
    for (i, (t, _)) in samples.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let age = (t - EPOCH + super::slo::COUNTED_BEFORE).min(reach);
        let _ = write!(out, r#"{sep}[{t},"{}"]"#, format_value(round(age, 3)));
    }
    out.push_str("]}]}}");
    out
}

/// A `query_range` body of one SLO error ratio over the sol, as Prometheus answers
/// `1 - (sum(rate(good[w])) / sum(rate(total[w])))`: one series without labels, no samples
/// while the link is down.
fn error_ratio_body(
    counts: &super::slo::Counts,
    samples: &[(f64, Telemetry)],
    window: f64,
) -> String {
    let mut out = String::from(
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":["#,
    );
    let mut first = true;
    for (t, _) in samples.iter().filter(|(_, tel)| tel.comms_up) {
        let Some(r) = counts.error_ratio(t - EPOCH, window) else {
            continue;
        };
        let sep = if first { "" } else { "," };
        first = false;
        let _ = write!(out, r#"{sep}[{t},"{}"]"#, format_value(round(r, 6)));
    }
    out.push_str("]}]}}");
    out
}

/// The world sampled every [`STEP`] over one sol: time (Unix s) and telemetry.
fn sample_sol(seed: u64) -> Vec<(f64, Telemetry)> {
    let mut world = World::new(seed);
    let n = (SOL_SECONDS / STEP).floor() as usize;
    (0..=n)
        .map(|k| {
            let t = k as f64 * STEP;
            (EPOCH + t, world.sample(t))
        })
        .collect()
}

/// A `/api/v1/query_range` success body, as Prometheus writes it: labels sorted by name,
/// timestamps as numbers, values as strings. While comms are down there are no samples (the
/// ground never received them), so the gap is real.
fn query_range_body(series: &[MetricSeries], samples: &[(f64, Telemetry)]) -> String {
    let mut out = String::from(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    for (i, s) in series.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mut labels: Vec<(&str, &str)> =
            vec![("__name__", s.name), ("instance", INSTANCE), ("job", JOB)];
        labels.extend(s.labels.iter().copied());
        labels.sort_unstable();
        out.push_str(r#"{"metric":{"#);
        for (j, (k, v)) in labels.iter().enumerate() {
            let sep = if j > 0 { "," } else { "" };
            let _ = write!(out, "{sep}{}:{}", json_str(k), json_str(v));
        }
        out.push_str(r#"},"values":["#);
        let mut first = true;
        for (t, tel) in samples.iter().filter(|(_, tel)| tel.comms_up) {
            let sep = if first { "" } else { "," };
            first = false;
            let v = round((s.read)(tel, s.index), s.decimals);
            let _ = write!(out, r#"{sep}[{t},"{}"]"#, format_value(v));
        }
        out.push_str("]}");
    }
    out.push_str("]}}");
    out
}

/// The index the rover's events go to (daily indices match `rover-events-*`).
pub const EVENTS_INDEX: &str = "rover-events-2026.11.26";

/// A `_search` response holding every event, sorted on the timestamp then `_id` as capcom's
/// tail asks, written the way OpenSearch writes it (sort values: epoch millis, then the id).
fn search_body(events: &[super::events::SimEvent]) -> String {
    let mut hits = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let id = format!("evt-{:06}", i + 1);
        let millis = ((EPOCH + e.t) * 1000.0).round() as i64;
        let stamp = chrono::DateTime::from_timestamp_millis(millis)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default();
        let mut source = serde_json::json!({
            "@timestamp": stamp,
            "level": e.level,
            "service": e.service,
            "message": e.message,
            "host": "rover-1",
        });
        if let Some(t) = &e.trace_id {
            source["trace_id"] = serde_json::Value::String(t.clone());
        }
        hits.push(serde_json::json!({
            "_index": EVENTS_INDEX, "_id": id, "_score": null, "_source": source, "sort": [millis, id],
        }));
    }
    let body = serde_json::json!({
        "took": 4,
        "timed_out": false,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": events.len(), "relation": "eq"}, "max_score": null, "hits": hits},
    });
    body.to_string()
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use capcom::source::prometheus::parse_query_range;

    #[test]
    fn bodies_parse_back_to_the_world_values() {
        let samples = sample_sol(1);
        let cat = catalogue();
        let (_, wear) = cat
            .iter()
            .find(|(n, _)| *n == "rover_wheel_wear_percent")
            .expect("wear");
        let body = query_range_body(wear, &samples[..10]);
        let parsed = parse_query_range(body.as_bytes()).expect("parses");
        assert_eq!(parsed.series.len(), 6);
        assert_eq!(parsed.series[0].labels["wheel"], "LF");
        assert_eq!(
            parsed.series[0].labels["__name__"],
            "rover_wheel_wear_percent"
        );
        assert_eq!(parsed.series[0].points[0].t, EPOCH);
        assert_eq!(
            parsed.series[0].points[3].v,
            round(samples[3].1.wheel_wear_pct[0], 3)
        );
    }
}
