//! The Faults pane's state: the last answer of Alertmanager (alerts and silences, a failure
//! kept beside it), the alerts that left it (listed as resolved for [`RESOLVED_KEEP_SECS`]),
//! capcom's own SLO alerts as faults, and the one list drawn from them — most severe first,
//! then newest — each fault acknowledged, shelved, silenced or firing after the silences that
//! match it (derived in `list.rs`). Acknowledging and shelving are silences (see the
//! README's "Faults"); the keys that make them are in `keys.rs`. No I/O: writes leave as
//! [`crate::action::Effect`]s.

use crate::config::PaneKind;
use crate::model::LimitLevel;
use crate::model::fault::{Fault, FaultSnapshot, LabelSet, Matcher};
use crate::model::slo::Alert;
use crate::source::{Reason, SourceError};

use super::{App, Failure, Freshness};

mod keys;
mod list;

pub use keys::{ACK_SECS, SHELF_CHOICES, format_length};
pub use list::severity_of;

/// The expression of the rule behind an alert, read from its Prometheus link (`g0.expr`).
#[must_use]
pub fn rule_expression(generator_url: &str) -> Option<String> {
    let url = reqwest::Url::parse(generator_url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "g0.expr")
        .map(|(_, v)| v.into_owned())
}

/// How long a fault that stopped firing stays listed, as `resolved`: five minutes.
pub const RESOLVED_KEEP_SECS: f64 = 300.0;

/// The comment prefix of a capcom acknowledgement silence.
pub const ACK_PREFIX: &str = "ack: ";
/// The comment prefix of a capcom shelving silence.
pub const SHELVE_PREFIX: &str = "shelve: ";
/// The label a silence of one of capcom's own SLO alerts matches on.
pub const SLO_LABEL: &str = "capcom_slo";

/// Which faults the pane lists; `f` cycles through them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FaultFilter {
    /// Everything but shelved faults.
    #[default]
    Default,
    /// Firing, neither acknowledged nor shelved nor silenced.
    Unacknowledged,
    /// Acknowledged (and not shelved).
    Acknowledged,
    /// Shelved.
    Shelved,
    /// Every fault.
    All,
}

impl FaultFilter {
    /// The next filter `f` moves to.
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Self::Default => Self::Unacknowledged,
            Self::Unacknowledged => Self::Acknowledged,
            Self::Acknowledged => Self::Shelved,
            Self::Shelved => Self::All,
            Self::All => Self::Default,
        }
    }

    /// How the pane's corner names it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Default => "not shelved",
            Self::Unacknowledged => "unacknowledged",
            Self::Acknowledged => "acknowledged",
            Self::Shelved => "shelved",
            Self::All => "all",
        }
    }

    /// Whether a fault in `state` is listed.
    #[must_use]
    pub fn shows(self, state: FaultState) -> bool {
        match self {
            Self::Default => state != FaultState::Shelved,
            Self::Unacknowledged => state == FaultState::Firing,
            Self::Acknowledged => state == FaultState::Acknowledged,
            Self::Shelved => state == FaultState::Shelved,
            Self::All => true,
        }
    }
}

/// Where a fault is in its handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultState {
    /// Firing, and nobody has said they own it.
    Firing,
    /// Someone acknowledged it (a capcom `ack: ` silence).
    Acknowledged,
    /// Someone shelved it until a time (a capcom `shelve: ` silence).
    Shelved,
    /// A silence made outside capcom quiets it.
    Silenced,
    /// It left Alertmanager's answer (or the SLO stopped alerting) a short while ago.
    Resolved,
}

impl FaultState {
    /// The word the pane shows.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Firing => "firing",
            Self::Acknowledged => "acked",
            Self::Shelved => "shelved",
            Self::Silenced => "silenced",
            Self::Resolved => "resolved",
        }
    }
}

/// Who quieted a fault, until when, and why: one silence that matches it.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// The silence's id.
    pub id: String,
    /// Its author.
    pub by: String,
    /// Its comment, without capcom's prefix.
    pub comment: String,
    /// When it ends, Unix seconds.
    pub until: f64,
}

/// Where a fault comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// An alert Alertmanager holds.
    Alert(Box<Fault>),
    /// capcom's own alert on the SLO of this name.
    Slo(String),
}

/// One fault as the pane lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRow {
    /// Its name: the alert's `alertname`, or `SLO <name>`.
    pub name: String,
    /// Its labels (an SLO's: `capcom_slo`, `service`).
    pub labels: LabelSet,
    /// The `summary` annotation, or what the SLO says.
    pub summary: String,
    /// Its rung on the limit ladder.
    pub severity: LimitLevel,
    /// Since when it fires, Unix seconds.
    pub since: f64,
    /// Firing, acknowledged, shelved, silenced or resolved.
    pub state: FaultState,
    /// The capcom acknowledgement in force, if any.
    pub ack: Option<Note>,
    /// The capcom shelf in force, if any.
    pub shelf: Option<Note>,
    /// Another silence in force, if any.
    pub silence: Option<Note>,
    /// Where it comes from.
    pub origin: Origin,
}

impl FaultRow {
    /// The matchers a silence of this fault uses: the alert's labels, each equal; for an SLO
    /// alert, `capcom_slo="<name>"`.
    #[must_use]
    pub fn matchers(&self) -> Vec<Matcher> {
        match &self.origin {
            Origin::Alert(f) => f.labels.iter().map(|(k, v)| Matcher::equal(k, v)).collect(),
            Origin::Slo(name) => vec![Matcher::equal(SLO_LABEL, name)],
        }
    }
}

/// capcom's own alert on one SLO, as a fault.
#[derive(Debug, Clone, PartialEq)]
pub struct SloFault {
    /// The SLO's name.
    pub slo: String,
    /// Page or ticket.
    pub alert: Alert,
    /// When the app first saw the SLO alert so, display time.
    pub since: f64,
    /// When it stopped, display time.
    pub resolved_at: Option<f64>,
}

/// A silence about to be written, waiting for its comment (and a shelf for its length).
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The fault's name, for the prompt and the notice.
    pub name: String,
    /// The silence's matchers.
    pub matchers: Vec<Matcher>,
    /// `None`: an acknowledgement; else a shelf of this many seconds (0 until chosen).
    pub shelf: Option<f64>,
}

/// The Faults pane's state.
#[derive(Debug, Clone, Default)]
pub struct FaultsState {
    /// Alertmanager's last answer.
    pub snapshot: FaultSnapshot,
    /// Display time of the last good answer.
    pub last_ok: Option<f64>,
    /// The last failure, when newer than the last answer.
    pub error: Option<Failure>,
    /// Alerts that left Alertmanager's answer, and when.
    pub resolved: Vec<(Fault, f64)>,
    /// capcom's own SLO alerts, firing or lately resolved.
    pub slo: Vec<SloFault>,
    /// Which faults are listed.
    pub filter: FaultFilter,
    /// The write waiting for its comment.
    pub pending: Option<Pending>,
}

impl App {
    /// How fresh the faults are: `no [alertmanager] configured` in a live session without
    /// one (the SLO faults still show).
    #[must_use]
    pub fn faults_freshness(&self) -> Freshness {
        let interval = match (&self.config.alertmanager, &self.replay) {
            (Some(a), None) => a.interval,
            (None, None) => {
                return Freshness::Unconfigured(crate::source::SourceId::Alertmanager);
            }
            _ => self.poll_interval,
        };
        self.freshness_of(self.faults.error.as_ref(), self.faults.last_ok, interval)
    }

    /// Whether the focused pane is the Faults pane.
    #[must_use]
    pub fn faults_focused(&self) -> bool {
        matches!(
            self.config.panes.get(self.focus).map(|p| &p.kind),
            Some(PaneKind::Faults)
        )
    }

    /// Alertmanager answered (or failed) at `at`: an alert gone from the answer is kept as
    /// resolved for [`RESOLVED_KEEP_SECS`].
    pub(super) fn faults_fetched(&mut self, at: f64, result: Result<FaultSnapshot, SourceError>) {
        let faults = &mut self.faults;
        match result {
            Ok(snapshot) => {
                let here = |f: &Fault| {
                    snapshot
                        .alerts
                        .iter()
                        .any(|n| n.fingerprint == f.fingerprint)
                };
                faults
                    .resolved
                    .retain(|(f, t)| !here(f) && at - t < RESOLVED_KEEP_SECS);
                let gone: Vec<(Fault, f64)> = (faults.snapshot.alerts.iter())
                    .filter(|f| !here(f))
                    .map(|f| (f.clone(), at))
                    .collect();
                faults.resolved.extend(gone);
                faults.snapshot = snapshot;
                faults.last_ok = Some(at);
                faults.error = None;
            }
            Err(e) => {
                faults.error = Some(Failure {
                    at,
                    query_only: e.is_query_only(),
                    reason: Reason::Failed(e),
                });
            }
        }
    }

    /// Follows each SLO's live alert as a fault: a page or ticket is listed from the moment
    /// it is first seen so; one that stops is resolved; UNKNOWN changes nothing.
    pub(super) fn track_slo_faults(&mut self) {
        let now = self.now;
        for slo in &self.config.slos {
            let alert = self.live_slo_status(slo).alert;
            let list = &mut self.faults.slo;
            let open = list
                .iter()
                .position(|s| s.slo == slo.name && s.resolved_at.is_none());
            match (alert, open) {
                (Alert::Page | Alert::Ticket, Some(i)) if list[i].alert == alert => {}
                (Alert::Page | Alert::Ticket, _) => {
                    list.retain(|s| s.slo != slo.name);
                    list.push(SloFault {
                        slo: slo.name.clone(),
                        alert,
                        since: now,
                        resolved_at: None,
                    });
                }
                (Alert::Ok, Some(i)) => list[i].resolved_at = Some(now),
                _ => {}
            }
        }
        (self.faults.slo).retain(|s| s.resolved_at.is_none_or(|t| now - t < RESOLVED_KEEP_SECS));
        self.faults
            .resolved
            .retain(|(_, t)| now - t < RESOLVED_KEEP_SECS);
    }

    /// Moves every time the faults hold by `delta` (a replay re-timed).
    pub(super) fn retime_faults(&mut self, delta: f64) {
        let faults = &mut self.faults;
        for s in &mut faults.slo {
            s.since += delta;
            s.resolved_at = s.resolved_at.map(|t| t + delta);
        }
        faults.resolved.clear();
        faults.snapshot = FaultSnapshot::default();
        faults.last_ok = faults.last_ok.map(|t| t + delta);
        if let Some(e) = &mut faults.error {
            e.at += delta;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::tests::app;
    use super::*;
    use crate::action::Action;
    use crate::model::fault::{Silence, SilenceState};
    use crate::source::SourceUpdate;
    use crate::source::alertmanager::{parse_alerts, parse_silences};

    /// A real answer of Debian's Alertmanager 0.25 (`tests/fixtures/alertmanager/`).
    pub(crate) fn sample(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/alertmanager/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).expect("sample")
    }

    /// Unix seconds of an RFC 3339 time.
    pub(crate) fn at(rfc3339: &str) -> f64 {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .expect("time")
            .timestamp_millis() as f64
            / 1e3
    }

    /// An `[alertmanager]` as the SOURCE side resolves it, operator `flight`.
    pub(crate) fn alertmanager() -> crate::config::AlertmanagerConfig {
        crate::config::AlertmanagerConfig {
            connection: crate::config::Connection::to_url("http://127.0.0.1:9"),
            interval: 5.0,
            operator: "flight".into(),
            severity: Vec::new(),
        }
    }

    /// The demo's dashboard with an `[alertmanager]`, at 02:33:20 on the samples' day, after
    /// Alertmanager answered two firing alerts (`MotorHot` critical, `BatteryLow` warning)
    /// and its silences (one, not capcom's, on `MotorHot`).
    pub(crate) fn with_faults() -> App {
        let mut a = app();
        a.config.alertmanager = Some(alertmanager());
        let now = at("2026-12-02T02:33:20Z");
        a.update(Action::Tick { wall: now });
        a.update(Action::Source(SourceUpdate::FaultsFetched {
            fetched_at: now,
            result: Ok(FaultSnapshot {
                alerts: parse_alerts(&sample("alerts_firing.json")).expect("alerts"),
                silences: parse_silences(&sample("silences.json")).expect("silences"),
            }),
        }));
        a
    }

    #[test]
    fn a_regex_silence_quiets_the_alerts_it_matches_as_alertmanager_would() {
        let mut a = with_faults();
        let now = a.now;
        let regex = |value: &str, is_equal| Matcher {
            name: "alertname".into(),
            value: value.into(),
            is_regex: true,
            is_equal,
        };
        a.faults.snapshot.silences = vec![Silence {
            id: "s1".into(),
            // Anchored: `Battery` alone would match nothing.
            matchers: vec![regex("Battery.*", true), regex("Motor.*", false)],
            starts_at: now - 1.0,
            ends_at: now + 600.0,
            created_by: "ops".into(),
            comment: "shelve: night pass".into(),
            state: SilenceState::Active,
        }];
        let state = |a: &App, name: &str| {
            (a.fault_rows().into_iter())
                .find(|r| r.name == name)
                .map(|r| r.state)
        };
        assert_eq!(state(&a, "BatteryLow"), Some(FaultState::Shelved));
        assert_eq!(state(&a, "MotorHot"), Some(FaultState::Firing));
        a.faults.snapshot.silences[0].matchers[0] = regex("Battery", true);
        assert_eq!(state(&a, "BatteryLow"), Some(FaultState::Firing));
    }

    #[test]
    fn severity_follows_the_ladder_with_defaults_or_the_configured_map() {
        let mut a = app();
        let sev = |a: &App, v: &str| {
            severity_of(&LabelSet::from([("severity".into(), v.into())]), &a.config)
        };
        assert_eq!(sev(&a, "critical"), LimitLevel::Critical);
        assert_eq!(sev(&a, "error"), LimitLevel::Distress);
        assert_eq!(sev(&a, "info"), LimitLevel::Watch);
        assert_eq!(sev(&a, "page-me"), LimitLevel::Warning, "unlisted");
        let mut am = alertmanager();
        am.severity = vec![("page-me".into(), LimitLevel::Severe)];
        a.config.alertmanager = Some(am);
        assert_eq!(sev(&a, "page-me"), LimitLevel::Severe);
        assert_eq!(sev(&a, "critical"), LimitLevel::Warning, "only the map");
    }

    #[test]
    fn the_list_is_most_severe_first_and_another_silence_shows_its_author() {
        let a = with_faults();
        let rows = a.fault_rows();
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["MotorHot", "BatteryLow"]);
        assert_eq!(rows[0].state, FaultState::Silenced);
        assert_eq!(
            rows[0].silence.as_ref().map(|n| n.by.as_str()),
            Some("flight")
        );
        assert_eq!(rows[1].state, FaultState::Firing);
        assert_eq!(a.unacknowledged_faults(), (1, Some(LimitLevel::Warning)));
    }

    #[test]
    fn a_shelf_hides_a_fault_until_it_ends_and_a_gone_alert_stays_resolved_five_minutes() {
        let mut a = with_faults();
        let now = a.now;
        a.faults.snapshot.silences.push(Silence {
            id: "s1".into(),
            matchers: vec![Matcher::equal("alertname", "BatteryLow")],
            starts_at: now,
            ends_at: now + 600.0,
            created_by: "flight".into(),
            comment: "shelve: swapping batteries".into(),
            state: SilenceState::Active,
        });
        let shown = |a: &App| {
            a.shown_faults()
                .iter()
                .map(|r| r.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(shown(&a), ["MotorHot"]);
        a.faults.filter = FaultFilter::Shelved;
        assert_eq!(shown(&a), ["BatteryLow"]);
        a.faults.filter = FaultFilter::Default;
        a.update(Action::Tick { wall: now + 600.0 });
        assert_eq!(shown(&a), ["MotorHot", "BatteryLow"], "the shelf ended");
        let motor_only = FaultSnapshot {
            alerts: a.faults.snapshot.alerts[..1].to_vec(),
            silences: Vec::new(),
        };
        a.update(Action::Source(SourceUpdate::FaultsFetched {
            fetched_at: now + 600.0,
            result: Ok(motor_only),
        }));
        let battery = |a: &App| a.fault_rows().into_iter().find(|r| r.name == "BatteryLow");
        assert_eq!(battery(&a).map(|r| r.state), Some(FaultState::Resolved));
        a.update(Action::Tick {
            wall: now + 600.0 + RESOLVED_KEEP_SECS - 1.0,
        });
        assert!(battery(&a).is_some());
        a.update(Action::Tick {
            wall: now + 600.0 + RESOLVED_KEEP_SECS,
        });
        assert!(battery(&a).is_none(), "gone after five minutes");
    }
}
