//! Gathering what `model::why` analyses: the window's traces (bounded), the events of the
//! window and of its baseline, and the dashboard's series over both, from a replay
//! ([`crate::source::recording::Replay::why_input`]) or from the live sources ([`Live`]).
//! The analysis itself runs on tokio's blocking pool; the answer reaches the app as
//! [`crate::source::SourceUpdate::WhyAnalysed`] and `capcom why` prints it.
//!
//! CONTRACT (issue 17 phase 2): the types and signatures here are what the Why view (`w`)
//! and `capcom why` build on; the bodies are the GATHER helper's.

use crate::config::{Config, PaneKind, Sli, Slo, fill_legend};
use crate::model::Labels;
use crate::model::why::{FailRule, Input, Window};
use crate::source::SourceError;

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
pub fn budget_of_ratio(slo: &Slo, ratio: f64) -> crate::model::why::Budget {
    crate::model::why::Budget {
        objective: slo.objective,
        good: 1.0 - ratio.clamp(0.0, 1.0),
        total: 1.0,
        period: slo.period,
    }
}

/// The live sources an analysis fetches from: one client per configured source.
#[derive(Debug)]
pub struct Live {
    config: Config,
}

impl Live {
    /// Clients for `config`'s sources.
    ///
    /// # Errors
    /// A source's client cannot be built (a bad URL or TLS setting).
    pub fn new(config: &Config) -> Result<Self, SourceError> {
        Ok(Self {
            config: config.clone(),
        })
    }

    /// Fetches what `request` needs; what cannot be fetched is said in `Input::missing`.
    pub async fn input(&self, request: &Request) -> Input {
        let _ = &self.config;
        tokio::task::yield_now().await;
        empty_input(request, "fetching for why is not built yet")
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
