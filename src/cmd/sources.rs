//! Starts what a session opened: a replay task, or the live pollers, events tail, traces and
//! faults sources, all sending on one channel the loop (or `capcom snapshot`) drains. In
//! read-only mode the loop gets no way to ask for a silence write, the faults task no
//! channel to receive one on, and its client refuses any.

use std::time::Duration;

use eyre::{Result, bail, eyre};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::config;
use crate::event::{Outlets, Sources};
use crate::session::{Data, Session};
use crate::source::alertmanager::{self, AlertmanagerClient};
use crate::source::jaeger::JaegerClient;
use crate::source::prometheus::PrometheusClient;
use crate::source::prometheus::poller::{self, Plan};
use crate::source::recording::{self, Replay};

/// Updates a source may queue before it waits for the loop.
pub const CHANNEL_CAPACITY: usize = 256;

/// Starts this session's sources for `app` (a replay task, or one live poller per query).
/// Call inside a tokio runtime.
///
/// # Errors
/// A live source whose client cannot be set up (credentials, CA bundle).
pub fn spawn(session: &Session, app: &App, replay: Option<Replay>) -> Result<Sources> {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let cancel = CancellationToken::new();
    let (plan, plan_rx) = watch::channel(Plan::new(app.fetch_plan()));
    let (event_query, query_rx) = watch::channel(app.events.query.clone());
    let (events_until, until_rx) = watch::channel(app.events.asked);
    let (replay_clock, clock_rx) = watch::channel(None);
    let (trace_query, trace_query_rx) = watch::channel(app.traces.query.clone());
    let (trace_fetch, trace_fetch_rx) = mpsc::channel(16);
    let (silence_writes, silence_writes_rx) = mpsc::channel(16);
    let (chart_query, chart_query_rx) = watch::channel(None);
    let (exports, exports_rx) = mpsc::channel(4);
    tokio::spawn(export_task(
        export_folder(session.config.export_folder.as_deref()),
        exports_rx,
        tx.clone(),
        cancel.clone(),
    ));
    let read_only = session.config.read_only;
    let (why, why_replay_rx) = spawn_why(session, &tx, &cancel)?;
    match (&session.data, replay) {
        (Data::Replay(_), Some(replay)) => {
            let crate::app::Clock::Replay(clock) = app.clock else {
                bail!("a replay without a clock");
            };
            // A release every second of display time, when the loop's clock ticks: events and
            // points appear within a second of their recorded times, and the panes' ages stay
            // near 0 s rather than counting up to 4 s between releases 5 s apart, each count a
            // few bytes to the terminal (the demo at 160x48: 305 -> 71 B/s).
            let period = Duration::from_secs_f64((1.0 / session.speed).max(0.05));
            let inputs = recording::ReplayInputs {
                clock: clock_rx,
                events_until: until_rx,
                trace_query: trace_query_rx,
                trace_fetch: trace_fetch_rx,
                silence_writes: silence_writes_rx,
                chart_query: chart_query_rx,
                why: why_replay_rx,
            };
            tokio::spawn(recording::run(
                replay,
                clock,
                period,
                inputs,
                tx,
                cancel.clone(),
            ));
        }
        (Data::Live(p), _) => {
            if let Some(p) = p {
                let slot = (app.chart_slot(), chart_query_rx);
                spawn_metrics(p, session, slot, &plan_rx, &tx, &cancel)?;
            }
            if let Some(os) = &session.config.opensearch {
                let client = crate::source::opensearch::OpenSearchClient::new(&os.connection)
                    .map_err(|e| eyre!("opensearch: {e}"))?;
                let window = session.config.window;
                tokio::spawn(crate::source::opensearch::tail::run(
                    client,
                    os.clone(),
                    window,
                    query_rx,
                    until_rx,
                    tx.clone(),
                    cancel.clone(),
                ));
            }
            if let Some(j) = &session.config.jaeger {
                let client =
                    JaegerClient::new(&j.connection, j.api).map_err(|e| eyre!("jaeger: {e}"))?;
                tokio::spawn(crate::source::jaeger::search::run(
                    std::sync::Arc::new(client),
                    j.interval,
                    trace_query_rx,
                    trace_fetch_rx,
                    tx.clone(),
                    cancel.clone(),
                ));
            }
            if let Some(a) = &session.config.alertmanager {
                let writes = (!read_only).then_some(silence_writes_rx);
                spawn_faults(a, writes, &tx, &cancel)?;
            }
        }
        (Data::Replay(_), None) => bail!("a replay session started without its replay"),
    }
    Ok(Sources {
        rx,
        outlets: Outlets {
            plan,
            event_query,
            events_until,
            replay_clock,
            trace_query,
            trace_fetch,
            silence_writes: (!read_only).then_some(silence_writes),
            chart_query,
            notebook: session.notebook.clone().map(crate::notebook::Store::new),
            exports,
            why,
        },
        cancel,
    })
}

/// Starts the Why analysis task: its asker, and the replay's end of the channel it asks the
/// replay task on (unused live).
fn spawn_why(
    session: &Session,
    tx: &mpsc::Sender<crate::source::SourceUpdate>,
    cancel: &CancellationToken,
) -> Result<(
    crate::source::why::Asker,
    mpsc::Receiver<crate::source::why::ReplayAsk>,
)> {
    use crate::source::why::{Gatherer, Live, spawn};
    let (replay, replay_rx) = mpsc::channel(1);
    let gatherer = match &session.data {
        Data::Replay(_) => Gatherer::Replay(replay),
        Data::Live(_) => Gatherer::Live(Box::new(
            Live::new(&session.config).map_err(|e| eyre!("{e}"))?,
        )),
    };
    Ok((spawn(gatherer, tx.clone(), cancel.clone()), replay_rx))
}

/// Starts one poller per configured query, and the runtime slot's (its `QueryId`, and where
/// its `PromQL` comes from).
fn spawn_metrics(
    p: &config::PrometheusConfig,
    session: &Session,
    (slot, promql): (usize, watch::Receiver<Option<String>>),
    plan: &watch::Receiver<Plan>,
    tx: &mpsc::Sender<crate::source::SourceUpdate>,
    cancel: &CancellationToken,
) -> Result<()> {
    let client = PrometheusClient::new(&p.connection).map_err(|e| eyre!("prometheus: {e}"))?;
    let queries: Vec<String> = session
        .config
        .queries
        .iter()
        .map(|q| q.promql.clone())
        .collect();
    let interval = Duration::from_secs_f64(p.interval);
    poller::spawn(&client, &queries, plan, interval, tx, cancel);
    poller::spawn_slot(&client, slot, promql, plan, interval, tx, cancel);
    Ok(())
}

/// Starts the Alertmanager task. With no `writes` (read-only) its client is built read-only
/// too, so not even a bug that hands it writes could send one.
fn spawn_faults(
    a: &config::AlertmanagerConfig,
    writes: Option<mpsc::Receiver<crate::model::fault::SilenceWrite>>,
    tx: &mpsc::Sender<crate::source::SourceUpdate>,
    cancel: &CancellationToken,
) -> Result<()> {
    let client = AlertmanagerClient::new(&a.connection).map_err(|e| eyre!("alertmanager: {e}"))?;
    let client = if writes.is_none() {
        client.read_only()
    } else {
        client
    };
    tokio::spawn(alertmanager::task::run(
        client,
        a.interval,
        writes,
        tx.clone(),
        cancel.clone(),
    ));
    Ok(())
}

/// Where exports go: the configured `[export] folder` (`~/` read as the home folder), else
/// `$XDG_DATA_HOME/capcom/exports`, else `~/.local/share/capcom/exports`.
#[must_use]
pub fn export_folder(configured: Option<&str>) -> Option<std::path::PathBuf> {
    let home = std::env::var("HOME").ok();
    match configured {
        Some(f) => match f.strip_prefix("~/") {
            Some(rest) => home.map(|h| std::path::Path::new(&h).join(rest)),
            None => Some(f.into()),
        },
        None => crate::export::files::default_folder(
            std::env::var("XDG_DATA_HOME").ok().as_deref(),
            home.as_deref(),
        ),
    }
}

/// The export task: renders and writes each request on tokio's blocking pool, so the loop
/// never waits for a PNG, and answers [`SourceUpdate::Exported`](crate::source::SourceUpdate).
async fn export_task(
    folder: Option<std::path::PathBuf>,
    mut requests: mpsc::Receiver<crate::export::Request>,
    tx: mpsc::Sender<crate::source::SourceUpdate>,
    cancel: CancellationToken,
) {
    loop {
        let request = tokio::select! {
            () = cancel.cancelled() => return,
            r = requests.recv() => match r {
                Some(r) => r,
                None => return,
            },
        };
        let pane = request.pane.clone();
        let result = match folder.clone() {
            None => Err("no folder to export to: set [export] folder, or HOME".to_owned()),
            Some(folder) => tokio::task::spawn_blocking(move || {
                crate::export::write_request(&request, &folder).map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|e| Err(format!("the export stopped: {e}"))),
        };
        let update = crate::source::SourceUpdate::Exported { pane, result };
        if tx.send(update).await.is_err() {
            return;
        }
    }
}
