//! Faults in a replay: the recorded Alertmanager snapshots, time-shifted, released as display
//! time reaches them, and the silences an operator creates or expires while watching, kept
//! here and never sent anywhere. Each snapshot sent is the recorded one with those local
//! silences laid over it, matched against the alerts by Alertmanager's own rules.

use std::collections::BTreeMap;

use super::Recording;
use super::replay::read_body;
use crate::config::{Config, PaneKind};
use crate::model::fault::{AlertState, FaultSnapshot, LabelSet, Matcher, Silence, SilenceState};
use crate::model::fault::{NewSilence, SilenceWrite};
use crate::source::SourceError;
use crate::source::alertmanager::{FaultError, parse_alerts, parse_silences};
use crate::text::one_line;

/// A replay's faults for `config`: the recorded snapshots, time-shifted by `shift`; `fail`
/// hears why there are none when they cannot be read, or when the dashboard wants faults
/// (`[alertmanager]` or a Faults pane) and none were recorded.
pub(super) fn start(
    rec: &Recording,
    config: &Config,
    shift: f64,
    mut fail: impl FnMut(SourceError),
) -> Faults {
    let wanted =
        config.alertmanager.is_some() || config.panes.iter().any(|p| p.kind == PaneKind::Faults);
    match load(rec, shift) {
        Ok(None) if wanted => fail(SourceError::NotRecorded("no alerts".into())),
        Ok(recorded) => return Faults::new(recorded.unwrap_or_default()),
        Err(e) => fail(e),
    }
    Faults::default()
}

/// Every recorded snapshot, parsed, time-shifted by `shift`, oldest first; `None` when the
/// recording holds no Alertmanager answers.
fn load(rec: &Recording, shift: f64) -> Result<Option<Vec<(f64, FaultSnapshot)>>, SourceError> {
    if rec.manifest.alertmanager.is_empty() {
        return Ok(None);
    }
    // An unchanged body is named by several entries: parsed once.
    let mut alerts = BTreeMap::new();
    let mut silences = BTreeMap::new();
    let mut out = Vec::with_capacity(rec.manifest.alertmanager.len());
    for entry in &rec.manifest.alertmanager {
        if !alerts.contains_key(&entry.alerts) {
            let parsed = parse_alerts(&read_body(rec, &entry.alerts)?)?;
            alerts.insert(entry.alerts.clone(), parsed);
        }
        if !silences.contains_key(&entry.silences) {
            let parsed = parse_silences(&read_body(rec, &entry.silences)?)?;
            silences.insert(entry.silences.clone(), parsed);
        }
        let mut snapshot = FaultSnapshot {
            alerts: alerts[&entry.alerts].clone(),
            silences: silences[&entry.silences].clone(),
        };
        shift_snapshot(&mut snapshot, shift);
        out.push((entry.at + shift, snapshot));
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(Some(out))
}

/// Moves every time of `snapshot` by `delta` seconds.
fn shift_snapshot(snapshot: &mut FaultSnapshot, delta: f64) {
    for a in &mut snapshot.alerts {
        a.starts_at += delta;
        a.ends_at += delta;
        a.updated_at += delta;
    }
    for s in &mut snapshot.silences {
        s.starts_at += delta;
        s.ends_at += delta;
    }
}

/// A replay's faults: what was recorded and what was done to it here. Times are display times.
#[derive(Debug, Default)]
pub(super) struct Faults {
    /// The recorded snapshots, oldest first, each from its time until the next one's.
    recorded: Vec<(f64, FaultSnapshot)>,
    /// The silences created during this replay.
    local: Vec<Silence>,
    /// Recorded silences expired during this replay, and when.
    expired: BTreeMap<String, f64>,
    /// How many silences were created here: the next is `local-<n + 1>`.
    created: usize,
}

impl Faults {
    /// The faults of a recording whose snapshots are `recorded` (display times, oldest first).
    fn new(recorded: Vec<(f64, FaultSnapshot)>) -> Self {
        Self {
            recorded,
            ..Self::default()
        }
    }

    /// What Alertmanager would answer at display time `now`: the newest recorded snapshot
    /// `now` has reached, with this replay's silences over it; `None` before the first
    /// snapshot while nothing was done here.
    pub(super) fn at(&self, now: f64) -> Option<FaultSnapshot> {
        let reached = self.recorded.partition_point(|(t, _)| *t <= now);
        let base = match reached.checked_sub(1) {
            Some(i) => self.recorded[i].1.clone(),
            None if self.local.is_empty() && self.expired.is_empty() => return None,
            None => FaultSnapshot::default(),
        };
        Some(self.overlay(base, now))
    }

    /// `snapshot` with the silences expired here expired and those created here added, each
    /// alert's suppression following from them.
    fn overlay(&self, mut snapshot: FaultSnapshot, now: f64) -> FaultSnapshot {
        let gone: Vec<&str> = self
            .expired
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(id, _)| id.as_str())
            .collect();
        for s in &mut snapshot.silences {
            if let Some(t) = self.expired.get(&s.id).filter(|t| **t <= now) {
                s.ends_at = s.ends_at.min(*t);
                s.state = SilenceState::Expired;
            }
        }
        let local: Vec<Silence> = self
            .local
            .iter()
            .map(|s| Silence {
                state: state_at(s, now),
                ..s.clone()
            })
            .collect();
        for alert in &mut snapshot.alerts {
            alert.silenced_by.retain(|id| !gone.contains(&id.as_str()));
            for s in &local {
                if s.state == SilenceState::Active && silences(&s.matchers, &alert.labels) {
                    alert.silenced_by.push(s.id.clone());
                }
            }
            let suppressed = !alert.silenced_by.is_empty() || !alert.inhibited_by.is_empty();
            alert.state = match (alert.state, suppressed) {
                (AlertState::Unprocessed, _) => AlertState::Unprocessed,
                (_, true) => AlertState::Suppressed,
                (_, false) => AlertState::Active,
            };
        }
        snapshot.silences.extend(local);
        snapshot
    }

    /// Carries out `write` at display time `now`, here only, as Alertmanager would: the new
    /// silence's id, or the expired one's; a write Alertmanager would refuse is refused in
    /// its words.
    pub(super) fn write(&mut self, write: &SilenceWrite, now: f64) -> Result<String, SourceError> {
        let refused = |why: String| SourceError::Fault(FaultError::Api(why));
        match write {
            SilenceWrite::Create(new) => {
                validate(new, now).map_err(|why| refused(why.to_owned()))?;
                self.created += 1;
                let id = format!("local-{}", self.created);
                self.local.push(Silence {
                    id: id.clone(),
                    matchers: new.matchers.clone(),
                    // Alertmanager starts a silence asked to start in the past now.
                    starts_at: new.starts_at.max(now),
                    ends_at: new.ends_at,
                    created_by: one_line(&new.created_by, 200),
                    comment: one_line(&new.comment, 1_000),
                    state: SilenceState::Active,
                });
                Ok(id)
            }
            SilenceWrite::Expire(id) => {
                let shown = one_line(id, 64);
                if let Some(s) = self.local.iter_mut().find(|s| s.id == *id) {
                    if state_at(s, now) == SilenceState::Expired {
                        return Err(refused(format!("silence {shown} already expired")));
                    }
                    s.starts_at = s.starts_at.min(now);
                    s.ends_at = now;
                    return Ok(id.clone());
                }
                let recorded = self.at(now).is_some_and(|snap| {
                    snap.silences
                        .iter()
                        .any(|s| s.id == *id && s.state != SilenceState::Expired)
                });
                if !recorded {
                    return Err(refused(format!("silence {shown} not found or expired")));
                }
                self.expired.insert(id.clone(), now);
                Ok(id.clone())
            }
        }
    }

    /// Moves every time `delta` seconds (a new replay clock).
    pub(super) fn retime(&mut self, delta: f64) {
        for (t, snapshot) in &mut self.recorded {
            *t += delta;
            shift_snapshot(snapshot, delta);
        }
        for s in &mut self.local {
            s.starts_at += delta;
            s.ends_at += delta;
        }
        for t in self.expired.values_mut() {
            *t += delta;
        }
    }
}

/// A local silence's state at `now`.
fn state_at(s: &Silence, now: f64) -> SilenceState {
    if now >= s.ends_at {
        SilenceState::Expired
    } else if now < s.starts_at {
        SilenceState::Pending
    } else {
        SilenceState::Active
    }
}

/// Why Alertmanager (0.25, `silence.validateSilence` and the API's checks) would refuse to
/// create `new` at `now`, in its words.
fn validate(new: &NewSilence, now: f64) -> Result<(), &'static str> {
    if new.matchers.is_empty() {
        // What Alertmanager 0.25 answers (tests/fixtures/alertmanager).
        return Err("matchers in body should have at least 1 items");
    }
    let mut all_match_empty = true;
    for m in &new.matchers {
        if m.name.is_empty() {
            return Err("silence invalid: invalid label matcher: invalid label name");
        }
        if m.is_regex && m.pattern().is_none() {
            return Err("silence invalid: invalid label matcher: invalid regular expression");
        }
        all_match_empty &= m.matches_value("");
    }
    if all_match_empty {
        return Err("silence invalid: at least one matcher must not match the empty string");
    }
    if new.ends_at < new.starts_at {
        return Err("silence invalid: end time must not be before start time");
    }
    if new.ends_at < now {
        return Err("end time can't be in the past");
    }
    Ok(())
}

/// Whether a silence with `matchers` silences an alert with `labels` (`model::fault`'s
/// matching, which the Faults pane reads silences with too).
fn silences(matchers: &[Matcher], labels: &LabelSet) -> bool {
    crate::model::fault::all_match(matchers, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(name: &str, value: &str, is_regex: bool, is_equal: bool) -> Matcher {
        Matcher {
            name: name.into(),
            value: value.into(),
            is_regex,
            is_equal,
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> LabelSet {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn matchers_follow_alertmanagers_rules() {
        let motor = labels(&[("alertname", "RoverMotorHot"), ("wheel", "LM")]);
        let cases = [
            (matcher("wheel", "LM", false, true), true),
            (matcher("wheel", "RM", false, true), false),
            (matcher("wheel", "RM", false, false), true),
            (matcher("wheel", "LM", false, false), false),
            // Anchored at both ends: `L` alone does not match `LM`.
            (matcher("wheel", "L", true, true), false),
            (matcher("wheel", "L.", true, true), true),
            (matcher("wheel", "LF|LM", true, true), true),
            (matcher("wheel", "R.*", true, false), true),
            (matcher("wheel", "L.*", true, false), false),
            // A missing label is the empty string.
            (matcher("service", "", false, true), true),
            (matcher("service", "mobility", false, false), true),
            (matcher("service", ".*", true, true), true),
            (matcher("service", ".+", true, true), false),
        ];
        for (m, want) in cases {
            assert_eq!(silences(std::slice::from_ref(&m), &motor), want, "{m:?}");
        }
        let both = [
            matcher("alertname", "RoverMotorHot", false, true),
            matcher("wheel", "RM", false, true),
        ];
        assert!(!silences(&both, &motor), "every matcher must match");
    }

    #[test]
    fn alertmanager_refuses_what_it_would_refuse() {
        let new = |matchers: Vec<Matcher>, starts_at: f64, ends_at: f64| NewSilence {
            matchers,
            starts_at,
            ends_at,
            created_by: "flight".into(),
            comment: "c".into(),
        };
        let ok = vec![Matcher::equal("alertname", "RoverBatteryLow")];
        assert_eq!(validate(&new(ok.clone(), 100.0, 200.0), 100.0), Ok(()));
        assert!(validate(&new(vec![], 100.0, 200.0), 100.0).is_err());
        assert!(validate(&new(ok.clone(), 200.0, 100.0), 100.0).is_err());
        assert!(validate(&new(ok, 10.0, 50.0), 100.0).is_err());
        let empty = vec![matcher("wheel", ".*", true, true)];
        assert!(validate(&new(empty, 100.0, 200.0), 100.0).is_err());
        let broken = vec![matcher("wheel", "(", true, true)];
        assert!(validate(&new(broken, 100.0, 200.0), 100.0).is_err());
    }
}
