//! `[[slo]]` sections: an objective over a period for a service, its SLI as one of four kinds
//! (a ratio of counters, a latency threshold on a histogram, or the recording rules Sloth or
//! Pyrra already keep), and optionally its own alert rules. Each SLO becomes ordinary queries
//! — one error ratio per window, one over the period, how far back its data reaches, and the
//! history window's once more for the pane's sparkline — so polling, recording, replay and `capcom check` treat them like any
//! other. The window and period queries are evaluated as instants, never as a chart's range:
//! the sparkline's query is a picture only, so the burn rates cannot depend on the window.

use serde::Deserialize;
use toml::Spanned;

use super::{ConfigError, Query, QueryId, Resolver, quoted};
use crate::model::Limits;
use crate::model::slo::{Alert, Rule, workbook_rules};

/// The period unless configured.
pub const DEFAULT_PERIOD_SECS: f64 = 30.0 * 86_400.0;
/// The period, seconds: an hour to a year.
pub const PERIOD_SECS: std::ops::RangeInclusive<f64> = 3_600.0..=366.0 * 86_400.0;
/// An alert rule's shortest window, seconds: Prometheus writes windows in whole seconds, and
/// a rate needs two samples.
pub const MIN_ALERT_WINDOW_SECS: f64 = 10.0;
/// The data-age query's fine part: how far back it finds the first sample to
/// [`DATA_AGE_FINE_STEP`], seconds. It holds every Workbook page window with room to spare.
pub const DATA_AGE_FINE_RANGE: f64 = 8.0 * 3_600.0;
/// The fine part's step, seconds (a scrape interval's order).
pub const DATA_AGE_FINE_STEP: f64 = 15.0;
/// Points of the data-age query's coarse part over the period: its step is the period over
/// this (at least the fine step), so the query stays cheap for a year.
pub const DATA_AGE_COARSE_POINTS: f64 = 2_000.0;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct SloFile {
    name: Spanned<String>,
    #[serde(default)]
    service: String,
    objective: Spanned<f64>,
    period: Option<Spanned<String>>,
    sli: Spanned<SliFile>,
    #[serde(default)]
    alert: Vec<Spanned<AlertFile>>,
}

/// An SLI as written: every kind's keys, so each value keeps its place in the file (serde's
/// internally tagged enums buffer their fields and lose it); `resolve_sli` checks that the keys
/// given are the kind's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SliFile {
    kind: Spanned<String>,
    good: Option<String>,
    total: Option<String>,
    metric: Option<String>,
    le: Option<Spanned<String>>,
    selector: Option<String>,
    sloth_id: Option<String>,
    slo: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AlertFile {
    severity: Spanned<String>,
    long: Spanned<String>,
    short: Spanned<String>,
    factor: Option<Spanned<f64>>,
    budget: Option<Spanned<f64>>,
}

/// Where an SLO's error ratio comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Sli {
    /// `1 - rate(good) / rate(total)` of two counters (selectors).
    Ratio {
        /// The good events' counter.
        good: String,
        /// All events' counter.
        total: String,
    },
    /// The share of a histogram's observations above the `le` bucket.
    Latency {
        /// The histogram's name, without `_bucket`/`_count`.
        metric: String,
        /// The bucket's bound, as the `le` label writes it (`"0.1"`), to match the label.
        le: String,
        /// The same bound as a number of seconds: the drill-down's shortest slow trace.
        le_secs: f64,
        /// Extra label matchers, e.g. `job="telecom"`.
        selector: String,
    },
    /// Sloth's `slo:sli_error:ratio_rate<window>{sloth_id=…}`.
    Sloth {
        /// The `sloth_id` label.
        sloth_id: String,
    },
    /// Pyrra's `<metric>:burnrate<window>{slo=…}` (an error ratio, despite its name).
    Pyrra {
        /// The base metric of the rule names.
        metric: String,
        /// The `slo` label.
        slo: String,
    },
}

/// A window as Prometheus writes durations: `5m`, `1h`, `3d`, `30d`.
#[must_use]
pub fn prom_duration(secs: f64) -> String {
    let s = secs.round() as u64;
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if s >= size && s.is_multiple_of(size) {
            return format!("{}{unit}", s / size);
        }
    }
    format!("{s}s")
}

impl Sli {
    /// The PromQL of the error ratio over `window` seconds.
    #[must_use]
    pub fn error_ratio(&self, window: f64) -> String {
        let w = prom_duration(window);
        match self {
            Self::Ratio { good, total } => {
                format!("1 - (sum(rate({good}[{w}])) / sum(rate({total}[{w}])))")
            }
            Self::Latency {
                metric,
                le,
                selector,
                ..
            } => {
                let sel = if selector.trim().is_empty() {
                    String::new()
                } else {
                    format!(",{}", selector.trim().trim_matches(['{', '}']))
                };
                let count = sel.trim_start_matches(',');
                format!(
                    "1 - (sum(rate({metric}_bucket{{le=\"{le}\"{sel}}}[{w}])) / \
                     sum(rate({metric}_count{{{count}}}[{w}])))"
                )
            }
            Self::Sloth { sloth_id } => {
                format!("max(slo:sli_error:ratio_rate{w}{{sloth_id=\"{sloth_id}\"}})")
            }
            Self::Pyrra { metric, slo } => format!("max({metric}:burnrate{w}{{slo=\"{slo}\"}})"),
        }
    }

    /// The series the SLI's data is in, whose first sample says how far back it reaches: the
    /// counter of all events, the histogram's count, or Sloth's and Pyrra's recording of the
    /// `shortest` window (recorded from the moment its rules run).
    #[must_use]
    pub fn series(&self, shortest: f64) -> String {
        match self {
            Self::Ratio { total, .. } => total.clone(),
            Self::Latency {
                metric, selector, ..
            } => format!(
                "{metric}_count{{{}}}",
                selector.trim().trim_matches(['{', '}'])
            ),
            Self::Sloth { .. } | Self::Pyrra { .. } => self
                .error_ratio(shortest)
                .trim_start_matches("max(")
                .trim_end_matches(')')
                .to_owned(),
        }
    }

    /// The PromQL of how many seconds back the SLI's data reaches at the evaluation time
    /// (at most [`data_age_reach`]`(period)`): the first sample of [`Sli::series`] found by a
    /// subquery, to 15 s over the last 8 h and to a 2,000th of the period beyond. The answer
    /// is a length, not a time, so a replay shifted in time reads it unchanged; a coarse step
    /// finds the first sample late, so the age errs short (an insufficient window, never a
    /// page on too little data).
    #[must_use]
    pub fn data_age(&self, shortest: f64, period: f64) -> String {
        let series = self.series(shortest);
        let first = |range: f64, step: f64| {
            format!(
                "min(min_over_time(timestamp({series})[{}:{}]))",
                prom_duration(range),
                prom_duration(step)
            )
        };
        let fine_range = DATA_AGE_FINE_RANGE.min(period);
        let fine = format!("time() - {}", first(fine_range, DATA_AGE_FINE_STEP));
        if period <= DATA_AGE_FINE_RANGE {
            return fine;
        }
        // The fine age when the data began inside its range; else the coarse one, never less
        // than the fine range (so the age does not step back where the two meet).
        let floor = DATA_AGE_FINE_RANGE - 60.0;
        let step = coarse_step(period);
        format!(
            "({fine} < {floor}) or clamp_min(time() - {}, {floor})",
            first(period + step, step)
        )
    }

    /// The kind, as configured.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Ratio { .. } => "ratio",
            Self::Latency { .. } => "latency",
            Self::Sloth { .. } => "sloth",
            Self::Pyrra { .. } => "pyrra",
        }
    }
}

/// The data-age query's coarse step for `period`, whole seconds.
fn coarse_step(period: f64) -> f64 {
    (period / DATA_AGE_COARSE_POINTS)
        .max(DATA_AGE_FINE_STEP)
        .round()
}

/// How far back the data-age query of an SLO over `period` looks, seconds: the longest age it
/// can answer (a little over the period, so data older than the period reads as covering it).
#[must_use]
pub fn data_age_reach(period: f64) -> f64 {
    if period <= DATA_AGE_FINE_RANGE {
        period
    } else {
        period + coarse_step(period)
    }
}

/// One SLO, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    /// Its name.
    pub name: String,
    /// The service it is about (the traces to search when it burns).
    pub service: String,
    /// The objective, e.g. 0.999.
    pub objective: f64,
    /// The period, seconds.
    pub period: f64,
    /// Its SLI.
    pub sli: Sli,
    /// Its alert rules.
    pub rules: Vec<Rule>,
    /// The error ratio query of each window the rules use, shortest first.
    pub windows: Vec<(f64, QueryId)>,
    /// The error ratio over the whole period.
    pub period_query: QueryId,
    /// How many seconds back its data reaches (see [`Sli::data_age`]).
    pub data_query: QueryId,
    /// The history window's error ratio again (same PromQL), fetched as a range for the
    /// sparkline only: no burn rate, budget or alert is read from it.
    pub history_query: QueryId,
}

impl Slo {
    /// The window whose history the pane draws: the first page rule's long window.
    #[must_use]
    pub fn history_window(&self) -> f64 {
        history_window(&self.rules)
    }
}

/// The first page rule's long window (the first rule's without a page rule; 1 h without rules).
fn history_window(rules: &[Rule]) -> f64 {
    rules
        .iter()
        .find(|r| r.alert == Alert::Page)
        .or(rules.first())
        .map_or(3_600.0, |r| r.long)
}

impl Resolver<'_> {
    pub(super) fn resolve_slos(
        &self,
        files: Vec<SloFile>,
        queries: &mut Vec<Query>,
    ) -> Result<Vec<Slo>, ConfigError> {
        let mut out: Vec<Slo> = Vec::new();
        for f in files {
            if out.iter().any(|s| s.name == *f.name.get_ref()) {
                return Err(self.err(
                    f.name.span(),
                    format!("SLO {} is defined twice", quoted(f.name.get_ref())),
                ));
            }
            let objective = *f.objective.get_ref();
            if !(objective > 0.0 && objective < 1.0) {
                return Err(self.err(
                    f.objective.span(),
                    format!(
                        "objective {objective} is not a share between 0 and 1; write 99.9 % \
                         as 0.999"
                    ),
                ));
            }
            let period = match &f.period {
                Some(p) => self.duration(p, "period", &PERIOD_SECS)?,
                None => DEFAULT_PERIOD_SECS,
            };
            let mut rules = Vec::new();
            for a in &f.alert {
                rules.push(self.resolve_rule(a, period)?);
            }
            if rules.is_empty() {
                rules = workbook_rules(period);
            }
            let sli = self.resolve_sli(f.sli)?;
            let name = f.name.get_ref().clone();
            let mut add = |window: f64| {
                queries.push(Query {
                    promql: sli.error_ratio(window),
                    legend: format!("{name} error ratio {}", prom_duration(window)),
                    unit: String::new(),
                    precision: 5,
                    max: None,
                    limits: Limits::default(),
                });
                queries.len() - 1
            };
            let windows = crate::model::slo::windows(&rules)
                .into_iter()
                .map(|w| (w, add(w)))
                .collect();
            let history_query = add(history_window(&rules));
            let period_query = add(period);
            queries[history_query].legend.push_str(" history");
            let shortest = crate::model::slo::windows(&rules)
                .first()
                .copied()
                .unwrap_or(period);
            queries.push(Query {
                promql: sli.data_age(shortest, period),
                legend: format!("{name} data age"),
                unit: "s".into(),
                precision: 0,
                max: None,
                limits: Limits::default(),
            });
            let data_query = queries.len() - 1;
            out.push(Slo {
                name,
                service: f.service,
                objective,
                period,
                sli,
                rules,
                windows,
                period_query,
                data_query,
                history_query,
            });
        }
        Ok(out)
    }

    /// The SLI of the kind `sli` names, from the keys that kind takes and no others.
    fn resolve_sli(&self, sli: Spanned<SliFile>) -> Result<Sli, ConfigError> {
        let span = sli.span();
        let f = sli.into_inner();
        let kind = f.kind.get_ref().as_str();
        let keys: &[&str] = match kind {
            "ratio" => &["good", "total"],
            "latency" => &["metric", "le", "selector"],
            "sloth" => &["sloth-id"],
            "pyrra" => &["metric", "slo"],
            other => {
                return Err(self.err(
                    f.kind.span(),
                    format!(
                        "SLI kind {}: write \"ratio\", \"latency\", \"sloth\" or \"pyrra\"",
                        quoted(other)
                    ),
                ));
            }
        };
        let given = [
            ("good", f.good.is_some()),
            ("total", f.total.is_some()),
            ("metric", f.metric.is_some()),
            ("le", f.le.is_some()),
            ("selector", f.selector.is_some()),
            ("sloth-id", f.sloth_id.is_some()),
            ("slo", f.slo.is_some()),
        ];
        if let Some((key, _)) = given.iter().find(|(k, g)| *g && !keys.contains(k)) {
            return Err(self.err(
                span,
                format!("a {kind} SLI takes {}, not {key}", keys.join(", ")),
            ));
        }
        let need = |key: &str, value: Option<String>| {
            value.ok_or_else(|| self.err(span.clone(), format!("a {kind} SLI needs {key}")))
        };
        Ok(match kind {
            "ratio" => Sli::Ratio {
                good: need("good", f.good)?,
                total: need("total", f.total)?,
            },
            "latency" => {
                let le =
                    f.le.ok_or_else(|| self.err(span.clone(), "a latency SLI needs le".into()))?;
                Sli::Latency {
                    metric: need("metric", f.metric)?,
                    le_secs: self.latency_bound(&le)?,
                    le: le.into_inner(),
                    selector: f.selector.unwrap_or_default(),
                }
            }
            "sloth" => Sli::Sloth {
                sloth_id: need("sloth-id", f.sloth_id)?,
            },
            _ => Sli::Pyrra {
                metric: need("metric", f.metric)?,
                slo: need("slo", f.slo)?,
            },
        })
    }

    /// A latency SLI's `le` as a number of seconds, or an error at it: a bound that is not a
    /// number would match no bucket, and would leave `Enter` nothing to search slow traces by.
    fn latency_bound(&self, le: &Spanned<String>) -> Result<f64, ConfigError> {
        match le.get_ref().trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
            _ => Err(self.err(
                le.span(),
                format!(
                    "le = {} is not a bucket bound: write the histogram's seconds as its le \
                     label does, e.g. \"0.5\"",
                    quoted(le.get_ref())
                ),
            )),
        }
    }

    fn resolve_rule(&self, a: &Spanned<AlertFile>, period: f64) -> Result<Rule, ConfigError> {
        let f = a.get_ref();
        let alert = match f.severity.get_ref().as_str() {
            "page" => Alert::Page,
            "ticket" => Alert::Ticket,
            other => {
                return Err(self.err(
                    f.severity.span(),
                    format!("severity {}: write \"page\" or \"ticket\"", quoted(other)),
                ));
            }
        };
        let windows = MIN_ALERT_WINDOW_SECS..=period;
        let long = self.duration(&f.long, "long", &windows)?;
        let short = self.duration(&f.short, "short", &windows)?;
        if short >= long {
            return Err(self.err(
                f.short.span(),
                "the short window must be shorter than the long one".into(),
            ));
        }
        let factor = match (&f.factor, &f.budget) {
            (Some(x), None) => {
                let v = *x.get_ref();
                if !(v.is_finite() && v > 0.0) {
                    return Err(self.err(
                        x.span(),
                        format!("factor = {v} is out of range: a burn rate is a number above 0"),
                    ));
                }
                v
            }
            (None, Some(b)) => {
                let v = *b.get_ref();
                if !(v > 0.0 && v <= 1.0) {
                    return Err(self.err(
                        b.span(),
                        format!(
                            "budget = {v} is out of range: a share of the period's budget, \
                             above 0 and at most 1"
                        ),
                    ));
                }
                v * period / long
            }
            _ => {
                return Err(self.err(
                    a.span(),
                    "give factor (a burn rate, e.g. 14.4) or budget (the share of the period's \
                     budget the long window may burn, e.g. 0.02), not both"
                        .into(),
                ));
            }
        };
        Ok(Rule {
            alert,
            long,
            short,
            factor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_as_prometheus_writes_them() {
        assert_eq!(prom_duration(300.0), "5m");
        assert_eq!(prom_duration(3_600.0), "1h");
        assert_eq!(prom_duration(259_200.0), "3d");
        assert_eq!(prom_duration(2_592_000.0), "30d");
        assert_eq!(prom_duration(90.0), "90s");
    }

    #[test]
    fn each_kind_of_sli_writes_its_promql() {
        let ratio = Sli::Ratio {
            good: "cmds_total{result=\"ok\"}".into(),
            total: "cmds_total".into(),
        };
        assert_eq!(
            ratio.error_ratio(300.0),
            "1 - (sum(rate(cmds_total{result=\"ok\"}[5m])) / sum(rate(cmds_total[5m])))"
        );
        let latency = Sli::Latency {
            metric: "downlink_seconds".into(),
            le: "0.1".into(),
            le_secs: 0.1,
            selector: "job=\"telecom\"".into(),
        };
        assert_eq!(
            latency.error_ratio(3_600.0),
            "1 - (sum(rate(downlink_seconds_bucket{le=\"0.1\",job=\"telecom\"}[1h])) / \
             sum(rate(downlink_seconds_count{job=\"telecom\"}[1h])))"
        );
        let sloth = Sli::Sloth {
            sloth_id: "rover-fsw-commands".into(),
        };
        assert_eq!(
            sloth.error_ratio(86_400.0),
            "max(slo:sli_error:ratio_rate1d{sloth_id=\"rover-fsw-commands\"})"
        );
        let pyrra = Sli::Pyrra {
            metric: "http_requests".into(),
            slo: "api".into(),
        };
        assert_eq!(
            pyrra.error_ratio(1_800.0),
            "max(http_requests:burnrate30m{slo=\"api\"})"
        );
    }
}
