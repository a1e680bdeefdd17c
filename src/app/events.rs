//! The Events pane's state: the bounded log, its freshness, the selection (counted up from the
//! newest, so 0 follows the tail), how many events arrived while the operator looked back, the
//! local filter, and the conductor's end: paused, the pane shows only events up to it, and asks
//! the source for them when it holds none that old.

use crate::action::Action;
use crate::model::event::{Event, EventLog};

use super::{App, Failure, Handled, View};

/// Everything the Events pane shows and remembers.
#[derive(Debug, Clone)]
pub struct EventsState {
    /// The events, oldest first, bounded.
    pub log: EventLog,
    /// Display time of the last successful answer.
    pub last_ok: Option<f64>,
    /// The last failure, if newer than the last success.
    pub error: Option<Failure>,
    /// Warnings from the last answer (partial results).
    pub warnings: Vec<String>,
    /// Selected row, counted from the newest visible event; 0 follows the tail.
    pub selected: usize,
    /// Events that arrived since the operator scrolled up.
    pub unseen: usize,
    /// The local filter (case-insensitive substring of time, level, service or message).
    pub filter: String,
    /// A log pattern the list is narrowed to as well (`Enter` on a Why view's pattern): the
    /// messages its template matches. Cleared with the filter.
    pub template: Option<crate::model::why::patterns::Template>,
    /// The server-side query the tail uses.
    pub query: String,
    /// The conductor's end while paused: later events are not shown. `None` follows now.
    pub until: Option<f64>,
    /// The end the source was last asked for the events up to; `None` is the live tail.
    pub asked: Option<f64>,
    /// Since when the log holds every event (`INFINITY` while nothing is known).
    pub held_from: f64,
}

impl EventsState {
    /// An empty state keeping at most `cap` events, tailing `query`.
    #[must_use]
    pub fn new(cap: usize, query: String) -> Self {
        Self {
            log: EventLog::new(cap),
            last_ok: None,
            error: None,
            warnings: Vec::new(),
            selected: 0,
            unseen: 0,
            filter: String::new(),
            template: None,
            query,
            until: None,
            asked: None,
            held_from: f64::INFINITY,
        }
    }

    /// Appends events that arrived; while scrolled up, counts them and keeps the same event
    /// selected.
    pub fn arrive(&mut self, events: Vec<Event>) {
        let shown = events.iter().filter(|e| self.shows(e)).count();
        if self.selected > 0 {
            self.unseen += shown;
            self.selected += shown;
        }
        self.log.extend(events);
        self.selected = self.selected.min(self.visible_len().saturating_sub(1));
    }

    /// Whether an event passes the local filter (and the pattern, when one is set).
    #[must_use]
    pub fn matches(&self, e: &Event) -> bool {
        if self
            .template
            .as_ref()
            .is_some_and(|t| !t.matches(&e.message))
        {
            return false;
        }
        if self.filter.is_empty() {
            return true;
        }
        let needle = self.filter.to_lowercase();
        [
            e.message.as_str(),
            e.level_text.as_str(),
            e.service.as_deref().unwrap_or(""),
            e.trace_id.as_deref().unwrap_or(""),
        ]
        .iter()
        .any(|h| h.to_lowercase().contains(&needle))
    }

    /// Whether an event is shown: it passes the local filter and is not after the conductor's
    /// end (an event without a time is shown: it cannot be placed).
    #[must_use]
    pub fn shows(&self, e: &Event) -> bool {
        self.matches(e) && self.until.is_none_or(|u| e.t.is_none_or(|t| t <= u))
    }

    /// The events shown, oldest first.
    #[must_use]
    pub fn visible(&self) -> impl DoubleEndedIterator<Item = &Event> {
        self.log.iter().filter(|e| self.shows(e))
    }

    /// Takes note of what the log holds after an answer: a fresh one (`replace`, or the first)
    /// holds every event since `from`; a log at its `cap` holds every event since its oldest.
    pub fn note_held(&mut self, replace: bool, from: f64, cap: usize) {
        if replace || self.held_from == f64::INFINITY {
            self.held_from = from;
        }
        if self.log.len() >= cap
            && let Some(t) = self.log.iter().next().and_then(|e| e.t)
        {
            self.held_from = self.held_from.max(t);
        }
    }

    /// Shows the events up to `until` (`None`: up to now), and says what the source must fetch
    /// for that: the end when it is before what the log holds, or after what a past fetch
    /// brought; `None` to follow the tail again.
    pub fn show_until(&mut self, until: Option<f64>) -> Option<Option<f64>> {
        if until != self.until {
            self.until = until;
            self.selected = 0;
            self.unseen = 0;
        }
        let ask = match until {
            Some(end) if end < self.held_from || self.asked.is_some_and(|a| end > a) => Some(end),
            Some(_) => self.asked,
            None => None,
        };
        (ask != self.asked).then(|| {
            self.asked = ask;
            ask
        })
    }

    /// How many events pass the filter.
    #[must_use]
    pub fn visible_len(&self) -> usize {
        self.visible().count()
    }

    /// Moves the selection `up` rows towards older events (negative: newer). Reaching the
    /// newest follows the tail again.
    pub fn scroll(&mut self, up: isize) {
        let max = self.visible_len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(up).min(max);
        if self.selected == 0 {
            self.unseen = 0;
        }
    }

    /// The selected event.
    #[must_use]
    pub fn selected_event(&self) -> Option<&Event> {
        self.visible().rev().nth(self.selected)
    }
}

/// The Events pane's keys.
impl App {
    /// The Events pane's keys: `Enter` opens the selected event's document, `t` its trace.
    pub(super) fn handle_events_pane(&mut self, action: &Action) -> Handled {
        match action {
            Action::DrillIn if self.on_dashboard() => match self.events.selected_event() {
                Some(e) => Handled::push(View::EventDetail {
                    event: Box::new(e.clone()),
                    scroll: 0,
                }),
                None => Handled::DONE,
            },
            Action::OpenTrace if self.on_dashboard() => {
                self.open_trace_of(self.events.selected_event().cloned())
            }
            _ => Handled::Pass,
        }
    }

    /// Opens the trace `event` carries, or says it carries none.
    pub(super) fn open_trace_of(&mut self, event: Option<Event>) -> Handled {
        if let Some(id) = event.and_then(|e| e.trace_id) {
            self.open_trace_id(&id)
        } else {
            self.notice = Some("this event carries no trace id".into());
            Handled::DONE
        }
    }

    /// Whether the focused pane is an Events pane.
    #[must_use]
    pub fn events_focused(&self) -> bool {
        matches!(
            self.config.panes.get(self.focus).map(|p| &p.kind),
            Some(crate::config::PaneKind::Events)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, app};
    use super::*;
    use crate::action::Action;
    use crate::action::Effect;
    use crate::app::Clock;
    use crate::config::theme::Theme;

    #[test]
    fn f_edits_the_server_query_and_asks_the_loop_to_restart_the_tail() {
        let text = format!(
            "{}\n[opensearch]\nurl = \"http://127.0.0.1:9200\"\nindex = \"rover-events-*\"\nquery = \"level:warn\"\n",
            crate::DASHBOARD_TOML
        );
        let config = crate::config::parse(&text, "t").expect("ok");
        let mut a = App::new(
            config,
            Theme::builtin("mono").expect("theme"),
            Clock::Live,
            None,
            NOW,
        );
        a.update(Action::EditQuery);
        assert!(a.prompt().is_some());
        a.update(Action::TextBackspace);
        a.update(Action::TextBackspace);
        a.update(Action::TextBackspace);
        a.update(Action::TextBackspace);
        "error"
            .chars()
            .for_each(|c| drop(a.update(Action::TextInput(c))));
        assert_eq!(
            a.update(Action::TextCommit),
            vec![Effect::SetEventQuery("level:error".into())]
        );
        assert!(a.views.is_empty());
        let mut replay = app();
        replay.update(Action::EditQuery);
        assert!(
            replay
                .notice
                .as_deref()
                .is_some_and(|n| n.contains("no [opensearch]")),
            "{:?}",
            replay.notice
        );
    }
}
