//! The one list the Faults pane draws: Alertmanager's alerts (and those lately resolved)
//! and the SLO alerts, each in the state the silences in force give it, most severe first,
//! then newest (a silence matches an alert as `model::fault::all_match` says).

use crate::config::Config;
use crate::model::LimitLevel;
use crate::model::fault::{Fault, LabelSet, Silence, SilenceState, all_match};
use crate::model::slo::Alert;

use super::{
    ACK_PREFIX, App, FaultRow, FaultState, Note, Origin, SHELVE_PREFIX, SLO_LABEL, SloFault,
};

/// Whether `silence` is in force at `now` and matches `labels` (every matcher), or is one of
/// the silences Alertmanager says suppress the alert.
#[must_use]
pub fn silence_applies(s: &Silence, labels: &LabelSet, silenced_by: &[String], now: f64) -> bool {
    let in_force = s.state == SilenceState::Active && s.starts_at <= now && now < s.ends_at;
    in_force
        && (silenced_by.contains(&s.id)
            || (!s.matchers.is_empty() && all_match(&s.matchers, labels)))
}

/// Alertmanager's `severity` label on the limit ladder: the configured mapping (or, without
/// one, critical → critical, error → distress, warning → warning, info → watch); anything
/// else is a warning.
#[must_use]
pub fn severity_of(labels: &LabelSet, config: &Config) -> LimitLevel {
    const DEFAULTS: [(&str, LimitLevel); 4] = [
        ("critical", LimitLevel::Critical),
        ("error", LimitLevel::Distress),
        ("warning", LimitLevel::Warning),
        ("info", LimitLevel::Watch),
    ];
    let value = labels.get("severity").map_or("", String::as_str);
    let configured = config
        .alertmanager
        .as_ref()
        .map(|a| a.severity.as_slice())
        .filter(|s| !s.is_empty());
    match configured {
        Some(list) => list.iter().find(|(k, _)| k == value).map(|(_, l)| *l),
        None => DEFAULTS.iter().find(|(k, _)| *k == value).map(|(_, l)| *l),
    }
    .unwrap_or(LimitLevel::Warning)
}

impl App {
    /// Every fault, most severe first, then newest; resolved ones last.
    #[must_use]
    pub fn fault_rows(&self) -> Vec<FaultRow> {
        let snap = &self.faults.snapshot;
        let alerts = snap.alerts.iter().map(|f| (f, None));
        let resolved = self.faults.resolved.iter().map(|(f, at)| (f, Some(*at)));
        let mut rows: Vec<FaultRow> = alerts
            .chain(resolved)
            .map(|(f, resolved_at)| self.alert_row(f, resolved_at.is_some()))
            .collect();
        rows.extend(self.faults.slo.iter().filter_map(|s| self.slo_row(s)));
        rows.sort_by(|a, b| {
            let done = |r: &FaultRow| r.state == FaultState::Resolved;
            done(a)
                .cmp(&done(b))
                .then(b.severity.cmp(&a.severity))
                .then(b.since.total_cmp(&a.since))
        });
        rows
    }

    /// The faults the filter lets through.
    #[must_use]
    pub fn shown_faults(&self) -> Vec<FaultRow> {
        let filter = self.faults.filter;
        let mut rows = self.fault_rows();
        rows.retain(|r| filter.shows(r.state));
        rows
    }

    /// How many faults fire with nobody on them: firing, not acknowledged, shelved or
    /// silenced (the status bar's `FAULTS n`), and the most severe of them.
    #[must_use]
    pub fn unacknowledged_faults(&self) -> (usize, Option<LimitLevel>) {
        let rows = self.fault_rows();
        let firing = rows.iter().filter(|r| r.state == FaultState::Firing);
        (firing.clone().count(), firing.map(|r| r.severity).max())
    }

    fn alert_row(&self, f: &Fault, resolved: bool) -> FaultRow {
        let mut row = FaultRow {
            name: f.name().to_owned(),
            labels: f.labels.clone(),
            summary: f.annotations.get("summary").cloned().unwrap_or_default(),
            severity: severity_of(&f.labels, &self.config),
            since: f.starts_at,
            state: FaultState::Firing,
            ack: None,
            shelf: None,
            silence: None,
            origin: Origin::Alert(Box::new(f.clone())),
        };
        self.note_silences(&mut row, &f.silenced_by);
        if resolved {
            row.state = FaultState::Resolved;
        }
        row
    }

    fn slo_row(&self, s: &SloFault) -> Option<FaultRow> {
        let slo = self.config.slos.iter().find(|c| c.name == s.slo)?;
        let objective = crate::source::prometheus::format_value(slo.objective * 100.0);
        let period = crate::config::prom_duration(slo.period);
        let summary = match self.live_slo_status(slo).firing {
            Some(rule) => format!(
                "burning its budget over {}× on {} and {} ({objective}% over {period})",
                crate::source::prometheus::format_value(rule.factor),
                crate::config::prom_duration(rule.long),
                crate::config::prom_duration(rule.short),
            ),
            None => format!("error budget of {objective}% over {period}"),
        };
        let mut labels = LabelSet::from([(SLO_LABEL.to_owned(), s.slo.clone())]);
        if !slo.service.is_empty() {
            labels.insert("service".into(), slo.service.clone());
        }
        let mut row = FaultRow {
            name: format!("SLO {}", s.slo),
            labels,
            summary,
            severity: if s.alert == Alert::Page {
                LimitLevel::Critical
            } else {
                LimitLevel::Warning
            },
            since: s.since,
            state: FaultState::Firing,
            ack: None,
            shelf: None,
            silence: None,
            origin: Origin::Slo(s.slo.clone()),
        };
        self.note_silences(&mut row, &[]);
        if s.resolved_at.is_some() {
            row.state = FaultState::Resolved;
        }
        Some(row)
    }

    /// The silences in force on `row` and the state they give it: a shelf over an
    /// acknowledgement over any other silence. The latest of each kind counts.
    fn note_silences(&self, row: &mut FaultRow, silenced_by: &[String]) {
        let mut applying: Vec<&Silence> = (self.faults.snapshot.silences.iter())
            .filter(|s| silence_applies(s, &row.labels, silenced_by, self.now))
            .collect();
        applying.sort_by(|a, b| a.starts_at.total_cmp(&b.starts_at));
        for s in applying {
            let note = |comment: &str| Note {
                id: s.id.clone(),
                by: s.created_by.clone(),
                comment: comment.to_owned(),
                until: s.ends_at,
            };
            if let Some(c) = s.comment.strip_prefix(SHELVE_PREFIX) {
                row.shelf = Some(note(c));
            } else if let Some(c) = s.comment.strip_prefix(ACK_PREFIX) {
                row.ack = Some(note(c));
            } else {
                row.silence = Some(note(&s.comment));
            }
        }
        row.state = if row.shelf.is_some() {
            FaultState::Shelved
        } else if row.ack.is_some() {
            FaultState::Acknowledged
        } else if row.silence.is_some() {
            FaultState::Silenced
        } else {
            FaultState::Firing
        };
    }
}
