//! Faults after Alertmanager's API v2: the alerts it holds (with whether a silence or an
//! inhibition suppresses each) and its silences. Plain values; nothing here fetches or draws.

use std::collections::BTreeMap;

/// Label or annotation names to values, sorted by name.
pub type LabelSet = BTreeMap<String, String>;

/// Whether Alertmanager is notifying about an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertState {
    /// Firing and not suppressed.
    Active,
    /// Silenced or inhibited.
    Suppressed,
    /// Received and not yet routed.
    Unprocessed,
}

/// One alert Alertmanager holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Alertmanager's id of the label set.
    pub fingerprint: String,
    /// Its identifying labels (`alertname`, `severity`, …).
    pub labels: LabelSet,
    /// Its annotations (`summary`, `description`, …).
    pub annotations: LabelSet,
    /// When it started firing, Unix seconds.
    pub starts_at: f64,
    /// When it resolves unless re-sent (or resolved), Unix seconds.
    pub ends_at: f64,
    /// When Alertmanager last heard of it, Unix seconds.
    pub updated_at: f64,
    /// Notifying, suppressed or unprocessed.
    pub state: AlertState,
    /// The silences that suppress it.
    pub silenced_by: Vec<String>,
    /// The alerts that inhibit it.
    pub inhibited_by: Vec<String>,
    /// The link back to the rule's expression in Prometheus' graph page.
    pub generator_url: String,
}

impl Fault {
    /// The alert's name (`alertname`), or `?`.
    #[must_use]
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("?", String::as_str)
    }
}

/// One label matcher of a silence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    /// The label's name.
    pub name: String,
    /// The value, or a regular expression when `is_regex`.
    pub value: String,
    /// Whether `value` is a regular expression.
    pub is_regex: bool,
    /// `=` (or `=~`) when true, `!=` (or `!~`) when false.
    pub is_equal: bool,
}

impl Matcher {
    /// Whether it matches a label's `value` (`""` when the label is missing), as
    /// Alertmanager's `labels.Matcher` does: `=`, `!=`, `=~`, `!~`, a regular expression
    /// anchored at both ends; one that does not compile matches no value.
    #[must_use]
    pub fn matches_value(&self, value: &str) -> bool {
        let hit = if self.is_regex {
            self.pattern().is_some_and(|re| re.is_match(value))
        } else {
            self.value == value
        };
        hit == self.is_equal
    }

    /// Its value as a regular expression, anchored at both ends as Alertmanager anchors it;
    /// `None` when it does not compile.
    #[must_use]
    pub fn pattern(&self) -> Option<regex_lite::Regex> {
        regex_lite::Regex::new(&format!("^(?:{})$", self.value)).ok()
    }

    /// Whether it matches the label it names in `labels`.
    #[must_use]
    pub fn matches(&self, labels: &LabelSet) -> bool {
        self.matches_value(labels.get(&self.name).map_or("", String::as_str))
    }

    /// An exact `name="value"` matcher.
    #[must_use]
    pub fn equal(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            is_regex: false,
            is_equal: true,
        }
    }
}

/// Whether a silence with `matchers` silences an alert with `labels`: every matcher matches.
#[must_use]
pub fn all_match(matchers: &[Matcher], labels: &LabelSet) -> bool {
    matchers.iter().all(|m| m.matches(labels))
}

/// Where a silence is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceState {
    /// In force now.
    Active,
    /// Starts later.
    Pending,
    /// Over, or expired by someone.
    Expired,
}

/// One silence: who quieted which alerts, until when, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Silence {
    /// Alertmanager's id (a UUID).
    pub id: String,
    /// The alerts it matches: all matchers must match.
    pub matchers: Vec<Matcher>,
    /// From, Unix seconds.
    pub starts_at: f64,
    /// Until, Unix seconds.
    pub ends_at: f64,
    /// Who made it.
    pub created_by: String,
    /// Why.
    pub comment: String,
    /// Active, pending or expired.
    pub state: SilenceState,
}

/// A silence to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSilence {
    /// The alerts it matches.
    pub matchers: Vec<Matcher>,
    /// From, Unix seconds.
    pub starts_at: f64,
    /// Until, Unix seconds.
    pub ends_at: f64,
    /// Who makes it.
    pub created_by: String,
    /// Why.
    pub comment: String,
}

/// What Alertmanager held at one poll: every alert and every silence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultSnapshot {
    /// Every alert, silenced and inhibited ones included.
    pub alerts: Vec<Fault>,
    /// Every silence, expired ones included.
    pub silences: Vec<Silence>,
}

/// A write capcom asks of Alertmanager: acknowledging or shelving a fault creates a silence,
/// undoing either expires it.
#[derive(Debug, Clone, PartialEq)]
pub enum SilenceWrite {
    /// Create this silence.
    Create(NewSilence),
    /// Expire the silence with this id now.
    Expire(String),
}
