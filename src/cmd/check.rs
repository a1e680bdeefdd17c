//! `capcom check`: the first thing to run on a new ground station. It validates the
//! configuration and probes each source — reachable, credentials accepted, its version, and
//! that every query runs; for Jaeger, the API it speaks and one trace search; for
//! Alertmanager, its version and cluster — printing one line per check, and exits 1 if any
//! failed. A recording (`--replay`) is checked for an answer to everything its dashboard asks:
//! each query, the events and the traces.

use eyre::Result;

use crate::cli::OpenArgs;
use crate::config::{Config, PaneKind};
use crate::model::traces::TraceQuery;
use crate::session::{Data, Session};
use crate::source::SourceError;
use crate::source::alertmanager::AlertmanagerClient;
use crate::source::jaeger::JaegerClient;
use crate::source::prometheus::PrometheusClient;
use crate::stdio::Out;
use crate::text::plural;

mod recording;

/// Standard output, where each check prints its line.
type Stdout = Out<std::io::StdoutLock<'static>>;

/// Runs the checks and prints them; returns the exit status (0 all passed, 1 any failed).
/// A reader that goes away (`capcom check | head -1`) only ends the printing: the checks still
/// run, so the status still says whether all passed.
///
/// # Errors
/// If the async runtime cannot start or standard output fails for another reason than a
/// reader gone; every check's failure is a printed line.
pub fn run(open: &OpenArgs) -> Result<u8> {
    let mut out = Out::stdout();
    let status = checks(open, &mut out)?;
    out.finish()?;
    Ok(status)
}

fn checks(open: &OpenArgs, out: &mut Stdout) -> Result<u8> {
    let session = match Session::prepare(open) {
        Ok(s) => s,
        Err(e) => {
            out.line(format_args!(
                "FAIL config: {}",
                crate::text::one_line(&format!("{e:#}"), crate::stdio::ERROR_WIDTH)
            ));
            return Ok(1);
        }
    };
    let c = &session.config;
    out.line(format_args!("{}", config_line(c, &session.theme.name)));
    let prometheus = match &session.data {
        Data::Replay(rec) => return Ok(u8::from(recording::gaps(c, rec, out) > 0)),
        Data::Live(prometheus) => prometheus,
    };
    unconfigured_panes(c, out);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut failures = 0;
    if let Some(prometheus) = prometheus {
        match PrometheusClient::new(&prometheus.connection) {
            Ok(client) => failures += runtime.block_on(probe(&session, &client, out)),
            Err(e) => {
                out.line(format_args!("FAIL prometheus: {e}"));
                failures += 1;
            }
        }
    }
    if let Some(cfg) = &session.config.opensearch {
        failures += runtime.block_on(probe_opensearch(cfg, out));
    }
    if let Some(cfg) = &session.config.jaeger {
        failures += runtime.block_on(probe_jaeger(cfg, out));
    }
    if let Some(cfg) = &session.config.alertmanager {
        failures += runtime.block_on(probe_alertmanager(cfg, c.read_only, out));
    }
    Ok(u8::from(failures > 0))
}

/// A warning (not a failure: the exit status stays) for each pane whose source has no
/// section, which will stay empty.
fn unconfigured_panes(c: &Config, out: &mut Stdout) {
    for pane in &c.panes {
        let missing = match pane.kind {
            PaneKind::Events if c.opensearch.is_none() => "opensearch",
            PaneKind::Traces if c.jaeger.is_none() => "jaeger",
            PaneKind::Faults if c.alertmanager.is_none() => "alertmanager",
            _ => continue,
        };
        out.line(format_args!(
            "warn pane {}: no [{missing}] configured; it stays empty",
            crate::text::safe_line(&pane.id, 40)
        ));
    }
}

/// Which API the server speaks, how many services it knows, and one search as the Traces pane
/// would run it: of the first configured service, else of the first service listed.
async fn probe_jaeger(cfg: &crate::config::JaegerConfig, out: &mut Stdout) -> usize {
    let url = &cfg.connection.url;
    let client = match JaegerClient::new(&cfg.connection, cfg.api) {
        Ok(c) => c,
        Err(e) => {
            out.line(format_args!("FAIL jaeger {url}: {e}"));
            return 1;
        }
    };
    let found = async {
        let api = client.api().await?;
        let services = client.services().await?;
        let Some(service) = cfg.query.services.first().or(services.first()) else {
            return Ok((api, services.len(), None));
        };
        let query = TraceQuery {
            services: vec![service.clone()],
            ..cfg.query.clone()
        };
        let (_, list) = client.search_all(&query, crate::wall_now()).await?;
        Ok::<_, SourceError>((api, services.len(), Some((service.clone(), list.len()))))
    };
    match found.await {
        Ok((api, services, searched)) => {
            let search = match searched {
                None => "; nothing has sent traces yet".to_owned(),
                Some((service, 0)) => {
                    format!("; {service}: no traces in the last {}", lookback(cfg))
                }
                Some((service, n)) => {
                    format!(
                        "; {service}: {} in the last {}",
                        plural(n, "trace"),
                        lookback(cfg)
                    )
                }
            };
            out.line(format_args!(
                "ok   jaeger {url}: API {}, {}{search}",
                api.name(),
                plural(services, "service")
            ));
            0
        }
        Err(e) => {
            out.line(format_args!("FAIL jaeger {url}: {e}"));
            1
        }
    }
}

fn lookback(cfg: &crate::config::JaegerConfig) -> String {
    humantime::format_duration(std::time::Duration::from_secs(
        cfg.query.lookback.round() as u64
    ))
    .to_string()
}

/// Alertmanager's version and cluster state (`disabled` when it runs alone), from
/// `/api/v2/status`; read-only mode said, since acknowledging will not work.
async fn probe_alertmanager(
    cfg: &crate::config::AlertmanagerConfig,
    read_only: bool,
    out: &mut Stdout,
) -> usize {
    let url = &cfg.connection.url;
    let status = match AlertmanagerClient::new(&cfg.connection) {
        Ok(client) => client.status().await,
        Err(e) => {
            out.line(format_args!("FAIL alertmanager {url}: {e}"));
            return 1;
        }
    };
    match status {
        Ok(s) => {
            let writes = if read_only {
                "read-only: acknowledging and shelving are off".to_owned()
            } else {
                format!("silences made by {}", cfg.operator)
            };
            out.line(format_args!(
                "ok   alertmanager {url}: version {}, cluster {}; {writes}",
                s.version, s.cluster
            ));
            0
        }
        Err(e) => {
            out.line(format_args!("FAIL alertmanager {url}: {e}"));
            1
        }
    }
}

/// The line for a configuration that loaded.
fn config_line(c: &crate::config::Config, theme: &str) -> String {
    format!(
        "ok   config: {}, {}, theme {theme}{}",
        plural(c.panes.len(), "pane"),
        plural(c.queries.len(), "query"),
        if c.read_only { ", read-only" } else { "" }
    )
}

/// The line for an OpenSearch that answered, holding `total` events (if it said).
fn opensearch_line(cfg: &crate::config::OpenSearchConfig, total: Option<u64>) -> String {
    let n = total.map_or_else(
        || "some events".to_owned(),
        |n| plural(usize::try_from(n).unwrap_or(usize::MAX), "event"),
    );
    let q = if cfg.query.is_empty() {
        String::new()
    } else {
        format!(" matching {:?}", cfg.query)
    };
    format!(
        "ok   opensearch {}: index {} has {n}{q}",
        cfg.connection.url, cfg.index
    )
}

/// One search of the configured index and query, asking only for the count.
async fn probe_opensearch(cfg: &crate::config::OpenSearchConfig, out: &mut Stdout) -> usize {
    let client = match crate::source::opensearch::OpenSearchClient::new(&cfg.connection) {
        Ok(c) => c,
        Err(e) => {
            out.line(format_args!("FAIL opensearch: {e}"));
            return 1;
        }
    };
    let mut body = crate::source::opensearch::tail_request(cfg, None, 0.0, true, 0);
    body["track_total_hits"] = serde_json::Value::Bool(true);
    match client.search(&cfg.index, &body).await {
        Ok((_, page)) => {
            out.line(format_args!("{}", opensearch_line(cfg, page.total)));
            0
        }
        Err(e) => {
            out.line(format_args!(
                "FAIL opensearch {} index {}: {e}",
                cfg.connection.url, cfg.index
            ));
            1
        }
    }
}

async fn probe(session: &Session, client: &PrometheusClient, out: &mut Stdout) -> usize {
    let tls = if session
        .config
        .prometheus
        .as_ref()
        .is_some_and(|p| p.connection.insecure_skip_verify)
    {
        " (TLS certificate NOT verified: insecure-skip-verify)"
    } else {
        ""
    };
    match client.version().await {
        Ok(v) => out.line(format_args!(
            "ok   prometheus {}: reachable, credentials accepted, version {v}{tls}",
            client.url()
        )),
        Err(e) => {
            let hint = match &e {
                SourceError::Http { status, .. }
                    if status.starts_with("401") || status.starts_with("403") =>
                {
                    " (check [prometheus.auth])"
                }
                _ => "",
            };
            out.line(format_args!("FAIL prometheus {}: {e}{hint}", client.url()));
            return 1 + session.config.queries.len();
        }
    }
    let mut failures = 0;
    let mut seen: Vec<&str> = Vec::new();
    for q in &session.config.queries {
        if seen.contains(&q.promql.as_str()) {
            continue;
        }
        seen.push(&q.promql);
        match client.query(&q.promql, None).await {
            Ok(f) if f.result.series.is_empty() => {
                out.line(format_args!("ok   query {}: runs, no series yet", q.promql));
            }
            Ok(f) => {
                let warn = if f.result.warnings.is_empty() {
                    String::new()
                } else {
                    format!(" (warnings: {})", f.result.warnings.join("; "))
                };
                out.line(format_args!(
                    "ok   query {}: {}{warn}",
                    q.promql,
                    plural(f.result.series.len(), "series")
                ));
            }
            Err(e) => {
                failures += 1;
                out.line(format_args!("FAIL query {}: {e}", q.promql));
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_PANE: &str = "[opensearch]\nurl = \"http://127.0.0.1:9200\"\nindex = \"ev-*\"\n[[layout.column]]\npanes = [{ id = \"ev\" }]\n[[pane]]\nid = \"ev\"\nkind = \"events\"\n";

    #[test]
    fn counts_of_one_are_singular() {
        let c = crate::config::parse(ONE_PANE, "t.toml").expect("parses");
        assert_eq!(
            config_line(&c, "dark"),
            "ok   config: 1 pane, 0 queries, theme dark"
        );
        let os = c.opensearch.as_ref().expect("[opensearch]");
        assert_eq!(
            opensearch_line(os, Some(1)),
            "ok   opensearch http://127.0.0.1:9200: index ev-* has 1 event"
        );
        assert!(opensearch_line(os, Some(267)).ends_with("has 267 events"));
        assert!(opensearch_line(os, None).ends_with("has some events"));
    }
}
