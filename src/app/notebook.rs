//! The operator's notebook: `n` writes a note stamped with the conductor's time and the
//! focused pane (`Ctrl-S` at its prompt attaches the screen as text), `N` lists the notes,
//! and acknowledging or shelving a fault writes an entry too. Writing is an effect the loop
//! carries out (`crate::notebook`); an entry it could not write stays here and is tried again.

use super::{App, Clock, Editing, Handled, View};
use crate::action::{Action, Effect};
use crate::model::notebook::{Entry, EntryKind, MissionTime, next_id};

/// Seconds (wall-clock) between attempts to write entries that could not be written.
pub const RETRY_SECS: f64 = 10.0;

/// The notebook as the app holds it.
#[derive(Debug, Clone, Default)]
pub struct NotebookState {
    /// Every entry: those read at start, then those written since, oldest first.
    pub entries: Vec<Entry>,
    /// The ids of entries not yet on disk (their write failed): tried again every
    /// [`RETRY_SECS`].
    pub unsaved: Vec<u64>,
    /// The note being typed attaches the screen (`Ctrl-S` at the prompt).
    pub with_screen: bool,
    /// Wall-clock time of the next attempt at the unsaved entries.
    retry_at: f64,
}

impl App {
    /// `n`, `N`, and `Ctrl-S` at the note's prompt.
    pub(super) fn notebook_key(&mut self, action: &Action) -> Handled {
        match action {
            Action::AddNote => {
                self.notebook.with_screen = false;
                Handled::prompt(Editing::Note, String::new())
            }
            Action::OpenNotebook => Handled::push(View::Notebook {
                selected: self.notebook.entries.len().saturating_sub(1),
            }),
            Action::NoteScreen if matches!(self.prompt(), Some((Editing::Note, _))) => {
                self.notebook.with_screen = !self.notebook.with_screen;
                Handled::DONE
            }
            Action::NoteScreen => {
                self.notice = Some("Ctrl-S attaches the screen to a note (n)".into());
                Handled::DONE
            }
            _ => Handled::Pass,
        }
    }

    /// The note typed at the prompt, committed: the entry is held and written.
    pub(super) fn note_committed(&mut self, line: &str) -> Handled {
        if line.trim().is_empty() {
            self.notice = Some("an empty note: nothing written".into());
            return Handled::POP;
        }
        let screen = std::mem::take(&mut self.notebook.with_screen);
        let effect = self.write_entry(EntryKind::Note, line.trim().to_owned(), screen);
        Handled::Pop(vec![effect])
    }

    /// An entry for a fault acknowledged, shelved or undone, with its comment.
    pub(super) fn fault_entry(&mut self, kind: EntryKind, name: &str, comment: &str) -> Effect {
        let comment = comment.trim();
        let text = if comment.is_empty() {
            name.to_owned()
        } else {
            format!("{name}: {comment}")
        };
        self.write_entry(kind, text, false)
    }

    /// Stamps an entry with the conductor's time and the focused pane, holds it as unsaved
    /// until the loop says it is written, and asks the loop to write it.
    fn write_entry(&mut self, kind: EntryKind, text: String, screen: bool) -> Effect {
        // A replay's notes keep the recording's own times (see `MissionTime`).
        let shift = match self.clock {
            Clock::Replay(c) => c.shift(),
            Clock::Live => 0.0,
        };
        let pane = self.config.panes.get(self.focus);
        let mission = MissionTime {
            end: self.conductor.end(self.now) - shift,
            paused: self.conductor.paused_at.is_some(),
            window: self.conductor.window,
        };
        let id = next_id(&self.notebook.entries);
        let entry = Entry {
            pane: pane.map(|p| p.id.clone()).unwrap_or_default(),
            pane_title: pane.map(|p| p.title.clone()).unwrap_or_default(),
            ..Entry::new(id, self.wall_now(), mission, kind, text)
        };
        self.notebook.unsaved.push(entry.id);
        self.notebook.entries.push(entry.clone());
        Effect::WriteNote {
            entry: Box::new(entry),
            screen,
        }
    }

    /// The loop wrote an entry (to the file it names) or could not (and why).
    pub(super) fn note_written(&mut self, entry: Entry, result: Result<String, String>) {
        let (id, kind) = (entry.id, entry.kind);
        match result {
            Ok(file) => {
                self.notebook.unsaved.retain(|u| *u != id);
                if kind == EntryKind::Note {
                    self.notice = Some(format!("note #{id} written to {file}"));
                }
                if let Some(held) = self.notebook.entries.iter_mut().find(|e| e.id == id) {
                    *held = entry;
                }
            }
            Err(why) => {
                self.notebook.retry_at = self.wall_now() + RETRY_SECS;
                let n = self.notebook.unsaved.len();
                self.notice = Some(format!(
                    "notebook: could not write #{id}: {why}; {} kept, trying again in {RETRY_SECS} s",
                    crate::text::plural(n, "entry")
                ));
            }
        }
    }

    /// The entries to try writing again, when it is time (a clock tick at wall time `wall`).
    pub(super) fn notes_to_retry(&mut self, wall: f64) -> Vec<Effect> {
        let state = &mut self.notebook;
        if state.unsaved.is_empty() || wall < state.retry_at {
            return Vec::new();
        }
        state.retry_at = wall + RETRY_SECS;
        state
            .entries
            .iter()
            .filter(|e| state.unsaved.contains(&e.id))
            .map(|e| Effect::WriteNote {
                entry: Box::new(e.clone()),
                screen: false,
            })
            .collect()
    }

    /// The notebook read at start, and what reading it found wrong (said in the status bar).
    pub fn set_notebook(&mut self, entries: Vec<Entry>, warnings: &[String]) {
        self.notebook.entries = entries;
        if let Some(first) = warnings.first() {
            let more = warnings.len() - 1;
            self.notice = Some(if more == 0 {
                first.clone()
            } else {
                format!("{first} (and {more} more)")
            });
        }
    }

    /// `Enter` on a notebook entry: the conductor pauses at its time, with its window.
    pub(super) fn go_to_entry(&mut self, index: usize) -> Handled {
        let Some(e) = self.notebook.entries.get(index) else {
            return Handled::POP;
        };
        let shift = match self.clock {
            Clock::Replay(c) => c.shift(),
            Clock::Live => 0.0,
        };
        let end = e.mission.end + shift;
        self.conductor.window = e.mission.window;
        self.conductor.paused_at = Some(end.min(self.now));
        self.notice = Some(if end > self.now {
            format!(
                "#{} is later than this replay has reached: paused at now instead",
                e.id
            )
        } else {
            format!("paused at #{}'s time", e.id)
        });
        Handled::POP
    }
}
