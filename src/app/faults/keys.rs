//! The Faults pane's keys: `a` acknowledges the selected fault and `s` shelves it (both ask
//! a one-line comment; `s` first a length), `u` expires capcom's silence on it, `f` cycles
//! the filter, `Enter` opens its detail. Read-only, every write key says why it does
//! nothing; in a replay the write acts locally and says so. Also what a write that came
//! back says, and the silence it adds to or expires in the list at once.

use crate::action::{Action, Effect};
use crate::app::{App, Editing, Handled, View};
use crate::model::fault::{Matcher, NewSilence, Silence, SilenceState, SilenceWrite};
use crate::model::notebook::EntryKind;
use crate::source::SourceError;

use super::{ACK_PREFIX, FaultRow, FaultState, Pending, SHELVE_PREFIX, SLO_LABEL};

/// How long an acknowledgement lasts: a day. A silence must end; a fault still firing a day
/// later comes back unacknowledged, and whoever owns it acknowledges it again.
pub const ACK_SECS: f64 = 86_400.0;

/// The shelf lengths `s` offers before a custom one, seconds: 5, 10 and 15 minutes.
pub const SHELF_CHOICES: [f64; 3] = [300.0, 600.0, 900.0];

/// A silence's length as notices say it: `10 min`, `24 h`, `1 h 30 min`, `45 s`.
#[must_use]
pub fn format_length(secs: f64) -> String {
    let secs = secs.round().max(0.0) as u64;
    let (h, m, s) = (secs / 3_600, secs % 3_600 / 60, secs % 60);
    let parts: Vec<String> = [(h, "h"), (m, "min"), (s, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "0 s".to_owned()
    } else {
        parts.join(" ")
    }
}

/// The fault a silence's matchers name: its `alertname`, or `SLO <name>`.
fn name_of(matchers: &[Matcher]) -> String {
    let find = |n: &str| matchers.iter().find(|m| m.name == n && m.is_equal);
    match (find("alertname"), find(SLO_LABEL)) {
        (Some(m), _) => m.value.clone(),
        (None, Some(m)) => format!("SLO {}", m.value),
        (None, None) => matchers
            .first()
            .map_or_else(|| "?".to_owned(), |m| format!("{}={}", m.name, m.value)),
    }
}

/// What a silence's comment says it is: `acknowledged`, `shelved`, or neither.
fn verb_of(comment: &str) -> &'static str {
    if comment.starts_with(SHELVE_PREFIX) {
        "shelved"
    } else if comment.starts_with(ACK_PREFIX) {
        "acknowledged"
    } else {
        "silenced"
    }
}

impl App {
    /// The Faults pane's answer to `action`.
    pub(in crate::app) fn handle_faults_pane(&mut self, action: &Action) -> Handled {
        match action {
            Action::CycleFilter => {
                self.faults.filter = self.faults.filter.next();
                self.selected[self.focus] = 0;
                Handled::DONE
            }
            Action::Acknowledge => self.start_write(None),
            Action::Shelve => self.start_write(Some(0.0)),
            Action::Undo => self.undo_fault(),
            Action::DrillIn if self.on_dashboard() => match self.selected_fault() {
                Some(row) => Handled::push(View::FaultDetail {
                    fault: Box::new(row),
                    scroll: 0,
                }),
                None => Handled::DONE,
            },
            _ => Handled::Pass,
        }
    }

    /// `t` on a fault's detail: the failed traces of its `service` over the last hour,
    /// slowest first, full screen; `l` there shows a trace's events, `Esc` comes back.
    pub(in crate::app) fn open_fault_traces(&mut self, fault: &FaultRow) -> Handled {
        let Some(service) = fault.labels.get("service").filter(|s| !s.is_empty()) else {
            self.notice = Some(format!(
                "{} has no service label to search traces by",
                fault.name
            ));
            return Handled::DONE;
        };
        let query = crate::model::traces::TraceQuery {
            services: vec![service.clone()],
            attributes: vec![("error".into(), "true".into())],
            lookback: 3_600.0,
            limit: self.traces.query.limit,
            ..crate::model::traces::TraceQuery::default()
        };
        self.show_traces(query, "this fault's")
    }

    /// The fault the selection is on, among those the filter shows.
    #[must_use]
    pub fn selected_fault(&self) -> Option<FaultRow> {
        let rows = self.shown_faults();
        let at = self.selected.get(self.focus).copied().unwrap_or(0);
        rows.get(at.min(rows.len().saturating_sub(1))).cloned()
    }

    /// Whether a write may be asked for; if not, the notice says why.
    fn may_write(&mut self, doing: &str) -> bool {
        let why = if self.config.read_only {
            format!("read-only: {doing} would write a silence to Alertmanager; nothing is written")
        } else if self.config.alertmanager.is_none() && self.replay.is_none() {
            format!("no [alertmanager] configured: {doing} needs one to write its silence to")
        } else {
            return true;
        };
        self.notice = Some(why);
        false
    }

    /// `a` (`shelf` `None`) or `s`: the comment prompt, or first the shelf chooser.
    fn start_write(&mut self, length: Option<f64>) -> Handled {
        let doing = if length.is_some() {
            "shelving"
        } else {
            "acknowledging"
        };
        if !self.may_write(doing) {
            return Handled::DONE;
        }
        let Some(row) = self.selected_fault() else {
            self.notice = Some("no fault selected".into());
            return Handled::DONE;
        };
        if row.state == FaultState::Resolved {
            self.notice = Some(format!("{} has resolved: nothing to quiet", row.name));
            return Handled::DONE;
        }
        self.faults.pending = Some(Pending {
            name: row.name.clone(),
            matchers: row.matchers(),
            shelf: length,
        });
        match length {
            None => Handled::prompt(Editing::FaultComment, String::new()),
            Some(_) => Handled::push(View::ShelveChoice { selected: 0 }),
        }
    }

    /// A shelf length chosen (or typed): the comment prompt replaces the chooser.
    pub(in crate::app) fn shelf_chosen(&mut self, secs: f64) {
        if let Some(p) = &mut self.faults.pending {
            p.shelf = Some(secs);
        }
        if let Some(top) = self.views.last_mut() {
            *top = View::Prompt {
                what: Editing::FaultComment,
                line: String::new(),
                cursor: 0,
            };
        }
    }

    /// The comment typed: the silence to create, and a notice of what happens to it.
    pub(in crate::app) fn comment_committed(&mut self, comment: &str) -> Vec<Effect> {
        let Some(p) = self.faults.pending.take() else {
            return Vec::new();
        };
        let (secs, verb, prefix, kind) = match p.shelf {
            None => (
                ACK_SECS,
                "acknowledged",
                ACK_PREFIX,
                EntryKind::Acknowledged,
            ),
            Some(s) => (s, "shelved", SHELVE_PREFIX, EntryKind::Shelved),
        };
        let created_by = self
            .config
            .alertmanager
            .as_ref()
            .map_or_else(|| "you".to_owned(), |a| a.operator.clone());
        let silence = NewSilence {
            matchers: p.matchers,
            starts_at: self.now,
            ends_at: self.now + secs,
            created_by,
            comment: format!("{prefix}{}", comment.trim()),
        };
        let length = format_length(secs);
        self.notice = Some(if self.replay.is_some() {
            format!("replay: {verb} {} locally for {length}, not sent", p.name)
        } else {
            format!("{verb} {} for {length}: sending…", p.name)
        });
        let note = self.fault_entry(kind, &format!("{} for {length}", p.name), comment);
        vec![Effect::WriteSilence(SilenceWrite::Create(silence)), note]
    }

    /// `u`: expires capcom's shelf on the selected fault, else its acknowledgement.
    fn undo_fault(&mut self) -> Handled {
        if !self.may_write("undoing") {
            return Handled::DONE;
        }
        let Some(row) = self.selected_fault() else {
            self.notice = Some("no fault selected".into());
            return Handled::DONE;
        };
        let shelved = row
            .shelf
            .as_ref()
            .map(|n| (n, "un-shelved", EntryKind::Unshelved));
        let Some((note, verb, kind)) = shelved.or_else(|| {
            (row.ack.as_ref()).map(|n| (n, "un-acknowledged", EntryKind::Unacknowledged))
        }) else {
            self.notice = Some(match &row.silence {
                Some(s) => format!(
                    "{} is silenced by {} outside capcom: expire that in Alertmanager",
                    row.name, s.by
                ),
                None => format!("{} is neither acknowledged nor shelved", row.name),
            });
            return Handled::DONE;
        };
        self.notice = Some(if self.replay.is_some() {
            format!("replay: {verb} {} locally, not sent", row.name)
        } else {
            format!("{verb} {}: sending…", row.name)
        });
        let expire = Effect::WriteSilence(SilenceWrite::Expire(note.id.clone()));
        Handled::Done(vec![expire, self.fault_entry(kind, &row.name, "")])
    }

    /// A write came back: the list shows it at once (the next poll confirms it), and the
    /// status bar says what was done, or why not.
    pub(in crate::app) fn silence_written(
        &mut self,
        write: &SilenceWrite,
        result: Result<String, SourceError>,
    ) {
        let (replay, now) = (self.replay.is_some(), self.now);
        let silences = &mut self.faults.snapshot.silences;
        let said = match (write, result) {
            (SilenceWrite::Create(s), Ok(id)) => {
                let (verb, name) = (verb_of(&s.comment), name_of(&s.matchers));
                let length = format_length(s.ends_at - s.starts_at);
                silences.retain(|old| old.id != id);
                silences.push(Silence {
                    id,
                    matchers: s.matchers.clone(),
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                    created_by: s.created_by.clone(),
                    comment: s.comment.clone(),
                    state: SilenceState::Active,
                });
                if replay {
                    format!("replay: {verb} {name} locally for {length}, not sent")
                } else {
                    format!("{verb} {name} for {length}")
                }
            }
            (SilenceWrite::Expire(id), Ok(_)) => {
                let old = silences.iter_mut().find(|s| s.id == *id);
                let what = old.map_or_else(
                    || format!("expired silence {id}"),
                    |s| {
                        s.state = SilenceState::Expired;
                        s.ends_at = s.ends_at.min(now);
                        format!("un-{} {}", verb_of(&s.comment), name_of(&s.matchers))
                    },
                );
                if replay {
                    format!("replay: {what} locally, not sent")
                } else {
                    what
                }
            }
            (SilenceWrite::Create(s), Err(e)) => {
                let verb = verb_of(&s.comment).trim_end_matches('d');
                format!("could not {verb} {}: {e}", name_of(&s.matchers))
            }
            (SilenceWrite::Expire(id), Err(e)) => format!("could not expire silence {id}: {e}"),
        };
        self.notice = Some(said);
    }
}
