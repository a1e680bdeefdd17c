//! Gathering what `model::why` analyses: the window's traces (bounded), the events of the
//! window and of its baseline, and the dashboard's series over both, from a replay
//! ([`crate::source::recording::Replay::why_input`]) or from the live sources ([`Live`]).
//! The analysis itself runs on tokio's blocking pool; the answer reaches the app as
//! [`crate::source::SourceUpdate::WhyAnalysed`] and `capcom why` prints it.
//!
//! CONTRACT (issue 17 phase 2): the types and signatures here are what the Why view (`w`)
//! and `capcom why` build on; the bodies are the GATHER helper's.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt as _;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::config::{Config, OpenSearchConfig, PaneKind, Sli, Slo, fill_legend};
use crate::model::Labels;
use crate::model::event::Event;
use crate::model::span::Trace;
use crate::model::traces::TraceQuery;
use crate::model::why::{Budget, FailRule, Input, NamedSeries, Window};
use crate::source::http::SetupError;
use crate::source::jaeger::JaegerClient;
use crate::source::opensearch::{OpenSearchClient, to_event};
use crate::source::prometheus::PrometheusClient;
use crate::source::{SourceError, SourceId, SourceUpdate};
use crate::text::one_line;

/// The most traces one analysis fetches, unless the request says otherwise.
pub const DEFAULT_TRACE_LIMIT: usize = 500;

/// One analysis asked for: what to compare with what, and which traces fail.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// What the operator asked about, as the view's title says it (an SLO's name, a fault's
    /// name, or "the window"). Untrusted when it comes from a server: drawn sanitized.
    pub title: String,
    /// The incident window.
    pub window: Window,
    /// What it is compared with (usually `window.before()`).
    pub baseline: Window,
    /// Which traces fail.
    pub rule: FailRule,
    /// The service whose traces to fetch (an SLO's service), or every service with `None`.
    pub service: Option<String>,
    /// The SLO whose budget the impact section reports, by name.
    pub slo: Option<String>,
    /// The most traces to fetch.
    pub trace_limit: usize,
}

impl Request {
    /// The analysis of `slo` at time `end`: its page rule's long window ending at `end`,
    /// against the same length before; failing traces are errors (a ratio SLO) or slower than
    /// its threshold (a latency SLO).
    #[must_use]
    pub fn for_slo(slo: &crate::config::Slo, end: f64) -> Self {
        let len = slo.history_window().max(60.0);
        let window = Window {
            from: end - len,
            to: end,
        };
        Self {
            title: slo.name.clone(),
            window,
            baseline: window.before(),
            rule: match &slo.sli {
                Sli::Latency { le_secs, .. } => FailRule::SlowerThan(*le_secs),
                _ => FailRule::Error,
            },
            service: Some(slo.service.clone()),
            slo: Some(slo.name.clone()),
            trace_limit: DEFAULT_TRACE_LIMIT,
        }
    }

    /// The analysis of a plain window (the conductor's, or `--from`/`--to`): error traces of
    /// every service fail.
    #[must_use]
    pub fn for_window(title: &str, window: Window) -> Self {
        Self {
            title: title.to_owned(),
            window,
            baseline: window.before(),
            rule: FailRule::Error,
            service: None,
            slo: None,
            trace_limit: DEFAULT_TRACE_LIMIT,
        }
    }
}

/// What an analysis needs of the dashboard besides its sources: which queries are its series
/// and what it calls them, and its SLOs (whose budget the impact section reports).
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    /// Per `QueryId`: the legend template its series are named by, for a query a pane shows;
    /// `None` for the SLOs' own queries (their burn is the impact section's, not a mover).
    pub legends: Vec<Option<String>>,
    /// The SLOs.
    pub slos: Vec<Slo>,
}

impl Dashboard {
    /// What `config`'s panes show.
    #[must_use]
    pub fn of(config: &Config) -> Self {
        let mut legends = vec![None; config.queries.len()];
        for pane in &config.panes {
            let ids: Vec<usize> = match &pane.kind {
                PaneKind::Chart(q) | PaneKind::Table(q) => q.clone(),
                PaneKind::Path { x, y, heading } => [Some(*x), Some(*y), *heading]
                    .into_iter()
                    .flatten()
                    .collect(),
                PaneKind::Events | PaneKind::Traces | PaneKind::Slo | PaneKind::Faults => {
                    Vec::new()
                }
            };
            for q in ids {
                if let (Some(slot), Some(query)) = (legends.get_mut(q), config.queries.get(q)) {
                    *slot = Some(query.legend.clone());
                }
            }
        }
        Self {
            legends,
            slos: config.slos.clone(),
        }
    }

    /// The name of query `query`'s series with `labels`, as its legend says it; `None` when no
    /// pane shows the query.
    #[must_use]
    pub fn name(&self, query: usize, labels: &Labels) -> Option<String> {
        let legend = self.legends.get(query)?.as_deref()?;
        Some(fill_legend(legend, labels))
    }

    /// The SLO called `name`.
    #[must_use]
    pub fn slo(&self, name: &str) -> Option<&Slo> {
        self.slos.iter().find(|s| s.name == name)
    }
}

/// The budget of an SLO whose error ratio over the window was `ratio`: good and total as
/// shares of one (a recorded or instant ratio carries no counts).
#[must_use]
pub fn budget_of_ratio(slo: &Slo, ratio: f64) -> Budget {
    Budget {
        objective: slo.objective,
        good: 1.0 - ratio.clamp(0.0, 1.0),
        total: 1.0,
        period: slo.period,
    }
}

/// The most events one analysis reads per window (OpenSearch's default result window).
pub const MAX_EVENTS: usize = 10_000;
/// Points per series a live analysis asks Prometheus for, at most.
pub const SERIES_POINTS: f64 = 300.0;
/// Requests one live analysis has in flight at once.
pub const PARALLEL: usize = 8;

/// The live sources an analysis fetches from: one client per configured source.
#[derive(Debug)]
pub struct Live {
    prometheus: Option<PrometheusClient>,
    opensearch: Option<(OpenSearchClient, OpenSearchConfig)>,
    jaeger: Option<JaegerClient>,
    dashboard: Dashboard,
    /// The dashboard's queries, by `QueryId`.
    queries: Vec<String>,
}

impl Live {
    /// Clients for `config`'s sources.
    ///
    /// # Errors
    /// A source's client cannot be built (a bad URL or TLS setting).
    pub fn new(config: &Config) -> Result<Self, SourceError> {
        let setup = |id: SourceId| move |e: SetupError| SourceError::Setup(id, e.0);
        let prometheus = config
            .prometheus
            .as_ref()
            .map(|p| PrometheusClient::new(&p.connection))
            .transpose()
            .map_err(setup(SourceId::Prometheus))?;
        let opensearch = config
            .opensearch
            .as_ref()
            .map(|o| OpenSearchClient::new(&o.connection).map(|c| (c, o.clone())))
            .transpose()
            .map_err(setup(SourceId::OpenSearch))?;
        let jaeger = config
            .jaeger
            .as_ref()
            .map(|j| JaegerClient::new(&j.connection, j.api))
            .transpose()
            .map_err(setup(SourceId::Jaeger))?;
        Ok(Self {
            prometheus,
            opensearch,
            jaeger,
            dashboard: Dashboard::of(config),
            queries: config.queries.iter().map(|q| q.promql.clone()).collect(),
        })
    }

    /// Fetches what `request` needs; what cannot be fetched is said in `Input::missing`.
    pub async fn input(&self, request: &Request) -> Input {
        let mut input = empty_input(request, "");
        input.missing.clear();
        let (traces, events, series, budget) = tokio::join!(
            self.traces(request),
            self.events(request),
            self.series(request),
            self.budget(request),
        );
        let mut missing = Vec::new();
        match traces {
            Ok((t, more)) => {
                input.traces = t;
                missing.extend(more);
            }
            Err(e) => missing.push(format!("traces: {e}")),
        }
        match events {
            Ok((window, baseline, more)) => {
                (input.events, input.baseline_events) = (window, baseline);
                missing.extend(more);
            }
            Err(e) => missing.push(format!("events: {e}")),
        }
        let (series, more) = series;
        input.series = series;
        missing.extend(more);
        match budget {
            Ok(b) => input.budget = b,
            Err(e) => missing.push(format!("budget: {e}")),
        }
        input.missing = missing.iter().map(|m| one_line(m, 200)).collect();
        input
    }

    /// The window's traces of the request's service (every service's, up to Jaeger's search
    /// of [`crate::source::jaeger::MAX_SERVICES`], without one), newest first, at most the
    /// limit. Both of Jaeger's search APIs answer with whole traces, so no trace is fetched
    /// again by id.
    async fn traces(&self, request: &Request) -> Result<(Vec<Arc<Trace>>, Vec<String>), String> {
        let Some(client) = &self.jaeger else {
            return Err("no Jaeger configured".to_owned());
        };
        let query = TraceQuery {
            services: request.service.iter().cloned().collect(),
            lookback: request.window.len(),
            end: Some(request.window.to),
            // One more than kept, to know whether the limit left any out.
            limit: request.trace_limit.saturating_add(1),
            ..TraceQuery::default()
        };
        let (_, mut list) = client
            .search_all(&query, request.window.to)
            .await
            .map_err(|e| e.to_string())?;
        list.retain(|l| request.window.contains(l.summary.start));
        let mut more = Vec::new();
        if list.len() > request.trace_limit {
            list.truncate(request.trace_limit);
            more.push(format!(
                "traces: older traces of the window left out (the limit is {})",
                request.trace_limit
            ));
        }
        Ok((list.into_iter().map(|l| l.trace).collect(), more))
    }

    /// The events of the window and of the baseline: for each, the newest [`MAX_EVENTS`] (at
    /// most) up to its end, by the tail's own request (so the configured query applies).
    async fn events(
        &self,
        request: &Request,
    ) -> Result<(Vec<Event>, Vec<Event>, Vec<String>), String> {
        let Some((client, cfg)) = &self.opensearch else {
            return Err("no OpenSearch configured".to_owned());
        };
        let size = cfg.max_events.clamp(1, MAX_EVENTS);
        let fetch = |w: Window| async move {
            // `until_request` includes its end; a window excludes it.
            let body = crate::source::opensearch::tail::until_request(cfg, w.to - 0.001, size);
            let (_, page) = client.search(&cfg.index, &body).await?;
            let full = page.hits.len() >= size;
            let mut events: Vec<Event> = page
                .hits
                .iter()
                .map(|h| to_event(h, &cfg.fields))
                .filter(|e| e.t.is_some_and(|t| w.contains(t)))
                .collect();
            events.sort_by(|a, b| a.t.unwrap_or(0.0).total_cmp(&b.t.unwrap_or(0.0)));
            // A full page that does not reach back to the window's start left some out.
            let cut = full && events.first().and_then(|e| e.t).is_some_and(|t| t > w.from);
            Ok::<_, SourceError>((events, cut))
        };
        let (window, baseline) = tokio::join!(fetch(request.window), fetch(request.baseline));
        let (window, cut) = window.map_err(|e| e.to_string())?;
        let mut more = Vec::new();
        if cut {
            more.push(format!("events: only the window's newest {size}"));
        }
        let baseline = match baseline {
            Ok((b, cut)) => {
                if cut {
                    more.push(format!("events: only the baseline's newest {size}"));
                }
                b
            }
            Err(e) => {
                more.push(format!("baseline events: {e}"));
                Vec::new()
            }
        };
        Ok((window, baseline, more))
    }

    /// Every pane's query over baseline and window, at a step that keeps each series to about
    /// [`SERIES_POINTS`] points, [`PARALLEL`] at a time; each failure is said, the rest kept.
    async fn series(&self, request: &Request) -> (Vec<NamedSeries>, Vec<String>) {
        let Some(client) = &self.prometheus else {
            return (
                Vec::new(),
                vec!["series: no Prometheus configured".to_owned()],
            );
        };
        let from = request.baseline.from.min(request.window.from);
        let to = request.baseline.to.max(request.window.to);
        let step = ((to - from) / SERIES_POINTS).ceil().max(1.0);
        let wanted: Vec<usize> = (0..self.queries.len())
            .filter(|q| self.dashboard.legends[*q].is_some())
            .collect();
        let answers: Vec<_> = futures_util::stream::iter(wanted)
            .map(|q| async move {
                (
                    q,
                    client.query_range(&self.queries[q], from, to, step).await,
                )
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        let mut answers = answers;
        answers.sort_by_key(|(q, _)| *q);
        let mut series = Vec::new();
        let mut missing = Vec::new();
        for (q, answer) in answers {
            match answer {
                Ok(fetched) => {
                    for s in fetched.result.series {
                        let Some(name) = self.dashboard.name(q, &s.labels) else {
                            continue;
                        };
                        let points = s
                            .points
                            .into_iter()
                            .filter(|p| p.t >= from && p.t < to)
                            .collect();
                        series.push(NamedSeries {
                            name,
                            labels: s.labels,
                            points,
                        });
                    }
                }
                Err(e) => missing.push(format!("series {}: {e}", one_line(&self.queries[q], 60))),
            }
        }
        (series, missing)
    }

    /// The SLO's error ratio over the window, asked of Prometheus at the window's end.
    async fn budget(&self, request: &Request) -> Result<Option<Budget>, String> {
        let Some(name) = request.slo.as_deref() else {
            return Ok(None);
        };
        let slo = self
            .dashboard
            .slo(name)
            .ok_or_else(|| format!("no SLO named {}", one_line(name, 60)))?;
        let client = self
            .prometheus
            .as_ref()
            .ok_or_else(|| "no Prometheus configured".to_owned())?;
        let promql = slo.sli.error_ratio(request.window.len());
        let fetched = client
            .query(&promql, Some(request.window.to))
            .await
            .map_err(|e| e.to_string())?;
        let ratio = fetched
            .result
            .series
            .first()
            .and_then(|s| s.points.last())
            .map(|p| p.v)
            .filter(|v| v.is_finite());
        match ratio {
            Some(r) => Ok(Some(budget_of_ratio(slo, r))),
            None => Err(format!(
                "no error ratio of {} over the window",
                one_line(name, 60)
            )),
        }
    }
}

/// An input with nothing in it but the request's windows and why it is empty.
#[must_use]
pub fn empty_input(request: &Request, why: &str) -> Input {
    Input {
        window: request.window,
        baseline: request.baseline,
        traces: Vec::new(),
        rule: request.rule,
        events: Vec::new(),
        baseline_events: Vec::new(),
        series: Vec::new(),
        budget: None,
        missing: vec![why.to_owned()],
    }
}

/// A replay's half of a Why request: the request, and where its task answers with the input.
pub type ReplayAsk = (Request, oneshot::Sender<Input>);

/// Where one analysis's input comes from.
#[derive(Debug)]
pub enum Gatherer {
    /// The replay task, asked through its `why` input.
    Replay(mpsc::Sender<ReplayAsk>),
    /// The live sources.
    Live(Box<Live>),
}

impl Gatherer {
    /// The input `request` needs (a replay task that is gone gives an empty one, saying so).
    pub async fn input(&self, request: &Request) -> Input {
        match self {
            Self::Live(live) => live.input(request).await,
            Self::Replay(tx) => {
                let (answer, input) = oneshot::channel();
                if tx.send((request.clone(), answer)).await.is_err() {
                    return empty_input(request, "the replay has stopped");
                }
                input
                    .await
                    .unwrap_or_else(|_| empty_input(request, "the replay has stopped"))
            }
        }
    }
}

/// Analyses `input` on tokio's blocking pool, so no worker thread (and never the loop) waits
/// for it.
///
/// # Errors
/// The analysis panicked or the runtime is shutting down.
pub async fn analyse(input: Input) -> Result<Box<crate::model::why::Why>, String> {
    tokio::task::spawn_blocking(move || Box::new(crate::model::why::analyse(&input)))
        .await
        .map_err(|e| format!("the analysis stopped: {}", one_line(&e.to_string(), 80)))
}

/// Why a request was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// An analysis is running: one at a time.
    Busy,
    /// The analysis task is gone.
    Stopped,
}

/// The loop's end of the analysis task: it hands over one request at a time.
#[derive(Debug, Clone)]
pub struct Asker {
    tx: mpsc::Sender<Request>,
    busy: Arc<AtomicBool>,
}

impl Asker {
    /// An asker whose task is gone: every request is refused as [`Refused::Stopped`].
    #[must_use]
    pub fn detached() -> Self {
        Self {
            tx: mpsc::channel(1).0,
            busy: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Hands `request` to the task, unless an analysis is running or the task is gone (the
    /// request comes back with the reason).
    ///
    /// # Errors
    /// [`Refused::Busy`] while an analysis runs; [`Refused::Stopped`] without a task.
    pub fn ask(&self, request: Box<Request>) -> Result<(), (Box<Request>, Refused)> {
        if self.busy.swap(true, Ordering::AcqRel) {
            return Err((request, Refused::Busy));
        }
        self.tx.try_send(*request).map_err(|e| {
            self.busy.store(false, Ordering::Release);
            let refused = match e {
                mpsc::error::TrySendError::Full(_) => Refused::Busy,
                mpsc::error::TrySendError::Closed(_) => Refused::Stopped,
            };
            (Box::new(e.into_inner()), refused)
        })
    }
}

/// Starts the analysis task: each request's input gathered by `gatherer`, analysed on the
/// blocking pool, and answered as [`SourceUpdate::WhyAnalysed`] on `tx`, one at a time.
/// Call inside a tokio runtime.
#[must_use]
pub fn spawn(
    gatherer: Gatherer,
    tx: mpsc::Sender<SourceUpdate>,
    cancel: CancellationToken,
) -> Asker {
    let (ask, mut requests) = mpsc::channel::<Request>(1);
    let busy = Arc::new(AtomicBool::new(false));
    let done = Arc::clone(&busy);
    tokio::spawn(async move {
        loop {
            let request = tokio::select! {
                () = cancel.cancelled() => return,
                r = requests.recv() => match r {
                    Some(r) => r,
                    None => return,
                },
            };
            let result = tokio::select! {
                () = cancel.cancelled() => return,
                input = gatherer.input(&request) => analyse(input).await,
            };
            done.store(false, Ordering::Release);
            let update = SourceUpdate::WhyAnalysed {
                request: Box::new(request),
                result,
            };
            if tx.send(update).await.is_err() {
                return;
            }
        }
    });
    Asker { tx: ask, busy }
}
