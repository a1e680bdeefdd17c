//! Events: a timestamp, a level, a message, optional service and trace id, and the whole source
//! document; and a bounded log of them, so a flood of events cannot grow memory without limit.

use std::collections::VecDeque;

/// Severity, from whatever words documents use for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// No level, or one not recognised.
    Unknown,
    /// Trace.
    Trace,
    /// Debug.
    Debug,
    /// Info, notice.
    Info,
    /// Warning.
    Warn,
    /// Error.
    Error,
    /// Fatal, critical, emergency.
    Fatal,
}

impl Level {
    /// The level a word names (case-insensitive: `WARN`, `warning`, `err`, `critical`, …).
    #[must_use]
    pub fn parse(word: &str) -> Self {
        match word.trim().to_ascii_lowercase().as_str() {
            "trace" => Self::Trace,
            "debug" => Self::Debug,
            "info" | "information" | "informational" | "notice" => Self::Info,
            "warn" | "warning" => Self::Warn,
            "error" | "err" => Self::Error,
            "fatal" | "critical" | "crit" | "alert" | "emerg" | "emergency" | "panic" => {
                Self::Fatal
            }
            _ => Self::Unknown,
        }
    }

    /// The word shown in the list, five wide, so a level never depends on colour alone.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Unknown => "  -  ",
            Self::Trace => "TRACE",
            Self::Debug => "DEBUG",
            Self::Info => "INFO ",
            Self::Warn => "WARN ",
            Self::Error => "ERROR",
            Self::Fatal => "FATAL",
        }
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Unix time, seconds; `None` when the document has no readable time.
    pub t: Option<f64>,
    /// Severity.
    pub level: Level,
    /// The level as the document wrote it.
    pub level_text: String,
    /// The message, as written (sanitised only when drawn).
    pub message: String,
    /// The emitting service.
    pub service: Option<String>,
    /// The trace behind the event.
    pub trace_id: Option<String>,
    /// The document's id.
    pub id: String,
    /// The index it came from.
    pub index: String,
    /// The whole document.
    pub doc: std::sync::Arc<serde_json::Value>,
}

/// The newest `cap` events, oldest first.
#[derive(Debug, Clone)]
pub struct EventLog {
    cap: usize,
    events: VecDeque<Event>,
    /// Events dropped to stay within `cap`, since the start.
    pub dropped: u64,
}

impl EventLog {
    /// An empty log keeping at most `cap` events (at least 1).
    #[must_use]
    pub fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            events: VecDeque::new(),
            dropped: 0,
        }
    }

    /// Appends events (already in order), dropping the oldest beyond the cap.
    pub fn extend(&mut self, events: impl IntoIterator<Item = Event>) {
        for e in events {
            if self.events.len() == self.cap {
                self.events.pop_front();
                self.dropped += 1;
            }
            self.events.push_back(e);
        }
    }

    /// Forgets every event (a new server-side query).
    pub fn clear(&mut self) {
        self.events.clear();
    }

    /// How many events are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether none are held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events, oldest first.
    #[must_use]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Event> + ExactSizeIterator {
        self.events.iter()
    }

    /// The event at `i`, oldest first.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<&Event> {
        self.events.get(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> Event {
        Event {
            t: None,
            level: Level::Info,
            level_text: "info".into(),
            message: id.into(),
            service: None,
            trace_id: None,
            id: id.into(),
            index: "i".into(),
            doc: serde_json::Value::Null.into(),
        }
    }

    #[test]
    fn a_flood_stays_within_the_cap() {
        let mut log = EventLog::new(3);
        log.extend((0..1000).map(|i| event(&i.to_string())));
        assert_eq!(log.len(), 3);
        assert_eq!(log.dropped, 997);
        let ids: Vec<&str> = log.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["997", "998", "999"]);
    }

    #[test]
    fn levels_from_the_words_people_use() {
        assert_eq!(Level::parse("WARNING"), Level::Warn);
        assert_eq!(Level::parse(" err "), Level::Error);
        assert_eq!(Level::parse("critical"), Level::Fatal);
        assert_eq!(Level::parse("loud"), Level::Unknown);
        assert!(Level::Fatal > Level::Warn);
    }
}
