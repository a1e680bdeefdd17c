//! What the failing traces share: every span attribute, resource attribute, service and
//! operation value, counted over the failing traces and over the others (a trace has a value
//! when any of its spans has it), ranked by how much more often it occurs among the failing.
//!
//! The score is the difference of proportions, `failing share − others' share`, in −1…1. It
//! reads straight off the counts each row shows (`94 % − 1 %`), it is bounded, and it needs no
//! guard for zero counts — a log-odds or a lift does: a value on 1 of 1 failing trace and 0
//! others has infinite lift, and lift favours rare values over common causes. What it cannot
//! tell is chance from cause on few traces; the significance rule does that ([`MIN_FAILING`]).
//!
//! Values that identify single traces or spans (ids, timestamps) would each be on one trace
//! and tell nothing: a key carried by at least [`IDENT_MIN_TRACES`] traces that has more
//! distinct values than half of them is set aside as identifying (said in the report's
//! `unused`). Memory is bounded: at most [`MAX_KEYS`] keys and [`MAX_VALUES`] values a key
//! (past that the key is set aside and its values forgotten), and the row list is cut at
//! [`MAX_ROWS`].

use std::fmt;
use std::sync::Arc;

use super::FastMap;
use crate::model::span::{AttrValue, Attribute, Trace};

/// A value must be on at least this many failing traces to be significant: with fewer, a
/// value any trace may carry lands on all of them by chance (two failing traces share their
/// wheel one time in four).
pub const MIN_FAILING: usize = 5;
/// …and its failing share must exceed the others' by at least this much (50 points): a value
/// on most failures and few successes. Chance differences among a quiet window's few failures
/// stay well below it.
pub const MIN_DIFFERENCE: f64 = 0.5;
/// A key is tested for identifying values only when this many traces carry it: on fewer,
/// distinct values are normal (five traces, five segments).
pub const IDENT_MIN_TRACES: usize = 10;
/// Keys kept at once; a trace cannot make memory grow past this many.
pub const MAX_KEYS: usize = 1_000;
/// Values kept a key; past it the key is high-cardinality and set aside.
pub const MAX_VALUES: usize = 500;
/// Rows returned.
pub const MAX_ROWS: usize = 100;

/// Where a value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A span's service.
    Service,
    /// A span's operation.
    Operation,
    /// A span attribute.
    Attribute,
    /// A resource attribute (the process: host, firmware, version…).
    Resource,
}

impl Kind {
    /// How the report names it.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Operation => "operation",
            Self::Attribute => "attribute",
            Self::Resource => "resource",
        }
    }
}

/// One value and how often the failing traces and the others have it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Where it was found.
    pub kind: Kind,
    /// The key (`service` and `operation` for those kinds).
    pub key: String,
    /// The value.
    pub value: String,
    /// Failing traces that have it…
    pub failing: usize,
    /// …of this many failing traces.
    pub failing_total: usize,
    /// Other traces that have it…
    pub others: usize,
    /// …of this many others.
    pub others_total: usize,
    /// Failing share minus others' share.
    pub score: f64,
    /// Passes [`MIN_FAILING`] and [`MIN_DIFFERENCE`].
    pub significant: bool,
    /// The traces that have it, failing ones first, each in input order (shared, not
    /// copied: `Enter` opens them without another request).
    pub traces: Vec<Arc<Trace>>,
}

impl Row {
    /// The ids of the traces that have it.
    pub fn trace_ids(&self) -> impl Iterator<Item = &str> {
        self.traces.iter().map(|t| &*t.trace_id)
    }
}

/// A value as counted: strings borrowed from the traces, numbers and booleans as they are, so
/// counting allocates only for the odd array or double.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Value<'a> {
    Str(&'a str),
    Int(i64),
    Bool(bool),
    Text(String),
}

impl Value<'_> {
    fn into_string(self) -> String {
        match self {
            Self::Str(s) => s.to_owned(),
            Self::Int(i) => i.to_string(),
            Self::Bool(b) => b.to_string(),
            Self::Text(t) => t,
        }
    }
}

impl fmt::Display for Row {
    /// `wheel=LM — 31 of 33 failing (94 %), 2 of 140 others (1 %)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={} — {} of {} failing ({:.0} %), {} of {} others ({:.0} %)",
            self.key,
            self.value,
            self.failing,
            self.failing_total,
            super::percent(self.failing, self.failing_total),
            self.others,
            self.others_total,
            super::percent(self.others, self.others_total),
        )
    }
}

#[derive(Default)]
struct ValueStats {
    failing: u32,
    others: u32,
    /// The last trace (index + 1) counted, so a trace counts once.
    last: u32,
    traces: Vec<u32>,
}

#[derive(Default)]
struct KeyStats<'a> {
    values: FastMap<Value<'a>, ValueStats>,
    /// Traces carrying the key.
    carriers: u32,
    last: u32,
    overflow: bool,
}

struct Counter<'a> {
    keys: FastMap<(Kind, &'a str), KeyStats<'a>>,
    keys_dropped: bool,
}

impl<'a> Counter<'a> {
    fn note(&mut self, kind: Kind, key: &'a str, value: Value<'a>, trace: u32, failing: bool) {
        let n = self.keys.len();
        let stats = match self.keys.get_mut(&(kind, key)) {
            Some(s) => s,
            None if n >= MAX_KEYS => {
                self.keys_dropped = true;
                return;
            }
            None => self.keys.entry((kind, key)).or_default(),
        };
        if stats.last != trace {
            stats.last = trace;
            stats.carriers += 1;
        }
        if stats.overflow {
            return;
        }
        if stats.values.len() >= MAX_VALUES && !stats.values.contains_key(&value) {
            stats.overflow = true;
            stats.values = FastMap::default();
            return;
        }
        let v = stats.values.entry(value).or_default();
        if v.last != trace {
            v.last = trace;
            v.traces.push(trace - 1);
            if failing {
                v.failing += 1;
            } else {
                v.others += 1;
            }
        }
    }

    fn attributes(&mut self, kind: Kind, attrs: &'a [Attribute], trace: u32, failing: bool) {
        for (k, v) in attrs {
            if kind == Kind::Resource && &**k == "service.name" {
                continue; // the service row says it
            }
            let value = match v {
                AttrValue::Str(s) => Value::Str(s),
                AttrValue::Int(i) => Value::Int(*i),
                AttrValue::Bool(b) => Value::Bool(*b),
                other => Value::Text(other.to_string()),
            };
            self.note(kind, k, value, trace, failing);
        }
    }
}

/// Counts every value over the traces.
fn count<'a>(traces: &'a [Arc<Trace>], failing: &[bool]) -> Counter<'a> {
    let mut c = Counter {
        keys: FastMap::default(),
        keys_dropped: false,
    };
    for (i, (t, &fail)) in traces.iter().zip(failing).enumerate() {
        let ti = i as u32 + 1;
        let mut resources: Vec<*const Attribute> = Vec::new();
        for s in &t.spans {
            if let Some(svc) = &s.service {
                c.note(Kind::Service, "service", Value::Str(svc), ti, fail);
            }
            c.note(Kind::Operation, "operation", Value::Str(&s.name), ti, fail);
            c.attributes(Kind::Attribute, &s.attributes, ti, fail);
            // Spans of one resource share its attributes: count them once a trace.
            let res = s.resource.as_ptr();
            if !resources.contains(&res) {
                resources.push(res);
                c.attributes(Kind::Resource, &s.resource, ti, fail);
            }
        }
    }
    c
}

/// Ranks what the failing traces share (`failing[i]` says whether `traces[i]` fails); notes
/// the keys set aside in `unused`.
#[must_use]
pub fn rank(traces: &[Arc<Trace>], failing: &[bool], unused: &mut Vec<String>) -> Vec<Row> {
    let c = count(traces, failing);
    let failing_total = failing.iter().filter(|f| **f).count();
    let others_total = traces.len() - failing_total;
    let share = |n: u32, of: usize| {
        if of == 0 {
            0.0
        } else {
            f64::from(n) / of as f64
        }
    };
    let mut identifying = Vec::new();
    let mut crowded = Vec::new();
    let mut rows = Vec::new();
    for ((kind, key), stats) in c.keys {
        let name = || format!("{} {key}", kind.word());
        if stats.overflow {
            crowded.push(name());
            continue;
        }
        let carriers = stats.carriers as usize;
        if carriers >= IDENT_MIN_TRACES && 2 * stats.values.len() > carriers {
            identifying.push(name());
            continue;
        }
        for (value, v) in stats.values {
            if v.failing == 0 {
                continue;
            }
            let score = share(v.failing, failing_total) - share(v.others, others_total);
            rows.push((kind, key, value, v, score));
        }
    }
    rows.sort_by(|a, b| {
        b.4.total_cmp(&a.4)
            .then(b.3.failing.cmp(&a.3.failing))
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(b.1))
            .then(a.2.cmp(&b.2))
    });
    rows.truncate(MAX_ROWS);
    for (list, why) in [
        (
            &mut identifying,
            "a value per trace (identifying), not compared",
        ),
        (&mut crowded, "more than 500 values, not compared"),
    ] {
        if !list.is_empty() {
            list.sort();
            unused.push(format!("{why}: {}", list.join(", ")));
        }
    }
    if c.keys_dropped {
        unused.push(format!(
            "attribute keys past the first {MAX_KEYS}, not compared"
        ));
    }
    rows.into_iter()
        .map(|(kind, key, value, v, score)| {
            let mut ids: Vec<u32> = v.traces;
            ids.sort_by_key(|&i| !failing[i as usize]);
            Row {
                kind,
                key: key.to_owned(),
                value: value.into_string(),
                failing: v.failing as usize,
                failing_total,
                others: v.others as usize,
                others_total,
                score,
                significant: v.failing as usize >= MIN_FAILING && score >= MIN_DIFFERENCE,
                traces: ids
                    .into_iter()
                    .map(|i| Arc::clone(&traces[i as usize]))
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::why::testing::trace;

    const WHEELS: [&str; 6] = ["LF", "LM", "LR", "RF", "RM", "RR"];

    fn run(traces: &[Arc<Trace>]) -> (Vec<Row>, Vec<String>) {
        let failing: Vec<bool> = traces
            .iter()
            .map(|t| t.spans.iter().any(|s| s.error))
            .collect();
        let mut unused = Vec::new();
        (rank(traces, &failing, &mut unused), unused)
    }

    /// 33 failing traces, 31 on wheel LM; 140 others spread over the wheels, 2 on LM; every
    /// trace also carries its own command id.
    fn wheel_incident() -> Vec<Arc<Trace>> {
        let mut out = Vec::new();
        for i in 0..173 {
            let failing = i < 33;
            let wheel = if failing {
                if i < 31 { "LM" } else { "RF" }
            } else if i < 35 {
                "LM"
            } else {
                WHEELS[[0, 2, 3, 4, 5][i % 5]]
            };
            let id = format!("cmd-{i}");
            out.push(trace(
                i,
                failing,
                &[
                    ("wheel", wheel),
                    ("command.id", &id),
                    ("terrain", ["sand", "rock"][i % 2]),
                ],
                &[("service.name", "camera"), ("host", "rover-1")],
            ));
        }
        out
    }

    #[test]
    fn an_attribute_on_the_failing_traces_ranks_first_with_its_counts() {
        let (rows, unused) = run(&wheel_incident());
        assert_eq!(
            rows[0].to_string(),
            "wheel=LM — 31 of 33 failing (94 %), 2 of 140 others (1 %)"
        );
        assert!(rows[0].significant);
        assert_eq!(rows[0].traces.len(), 33);
        let first_others = rows[0].trace_ids().nth(31).map(str::to_owned);
        assert_eq!(
            rows[0].trace_ids().next(),
            Some(format!("{:032x}", 0).as_str())
        );
        // Failing traces first: the two others with LM (33 and 34) come last.
        assert_eq!(first_others, Some(format!("{:032x}", 33)));
        // Values every trace has score zero, and nothing else is significant.
        assert_eq!(rows.iter().filter(|r| r.significant).count(), 1);
        // The command id identifies traces: set aside, and said so.
        assert!(rows.iter().all(|r| r.key != "command.id"));
        assert!(
            unused
                .iter()
                .any(|u| u.contains("attribute command.id") && u.contains("identifying")),
            "{unused:?}"
        );
    }

    #[test]
    fn a_cause_only_in_a_resource_attribute_is_found_there() {
        let mut traces = Vec::new();
        for i in 0..120 {
            let failing = i % 6 == 0; // 20 failing
            let firmware = if failing || i == 7 {
                "2.1.3"
            } else {
                ["2.0.9", "2.1.2"][i % 2]
            };
            traces.push(trace(
                i,
                failing,
                &[("wheel", WHEELS[(i / 6) % 6])],
                &[("service.name", "camera"), ("firmware.version", firmware)],
            ));
        }
        let (rows, _) = run(&traces);
        assert_eq!(rows[0].kind, Kind::Resource);
        assert_eq!(
            rows[0].to_string(),
            "firmware.version=2.1.3 — 20 of 20 failing (100 %), 1 of 100 others (1 %)"
        );
        assert!(rows[0].significant);
        // service.name is the service row, not a resource row of its own.
        assert!(
            rows.iter()
                .all(|r| !(r.kind == Kind::Resource && r.key == "service.name"))
        );
    }

    #[test]
    fn a_quiet_window_ranks_nothing_as_significant() {
        // No failing traces at all…
        let quiet: Vec<_> = (0..100)
            .map(|i| trace(i, false, &[("wheel", WHEELS[i % 6])], &[]))
            .collect();
        let (rows, _) = run(&quiet);
        assert!(rows.is_empty());
        // …or a few, scattered over every wheel.
        let scattered: Vec<_> = (0..100)
            .map(|i| trace(i, i % 17 == 0, &[("wheel", WHEELS[i % 6])], &[]))
            .collect();
        let (rows, _) = run(&scattered);
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| !r.significant), "{rows:?}");
    }

    #[test]
    fn memory_is_bounded_for_a_key_of_many_values() {
        // Each trace has many distinct values of one key (one per span, as a sequence number).
        let traces: Vec<_> = (0..600)
            .map(|i| trace(i, i % 2 == 0, &[("seq", &i.to_string())], &[]))
            .collect();
        let (rows, unused) = run(&traces);
        assert!(rows.iter().all(|r| r.key != "seq"));
        assert!(
            unused
                .iter()
                .any(|u| u.contains("more than 500 values") && u.contains("seq"))
        );
    }

    // What the analysis gets wrong, on purpose-built cases.

    #[test]
    fn counter_example_a_confounder_ranks_equal_with_the_cause() {
        // Every LM command also runs on motor controller MC-3: the data cannot tell which
        // one is the cause, and the ranking says both, tied (the key's name breaks the tie).
        let traces: Vec<_> = (0..100)
            .map(|i| {
                let lm = i < 20;
                trace(
                    i,
                    lm,
                    &[
                        ("wheel", if lm { "LM" } else { "RF" }),
                        ("controller", if lm { "MC-3" } else { "MC-1" }),
                    ],
                    &[],
                )
            })
            .collect();
        let (rows, _) = run(&traces);
        assert_eq!(
            (rows[0].key.as_str(), rows[1].key.as_str()),
            ("controller", "wheel")
        );
        assert!((rows[0].score - rows[1].score).abs() < f64::EPSILON);
        assert!(rows[0].significant && rows[1].significant);
    }

    #[test]
    fn counter_example_too_few_failing_traces_is_never_significant() {
        // Four failing traces, all on LM, none of the others: the true cause, but four is
        // below MIN_FAILING, so it ranks first and is not called significant.
        let traces: Vec<_> = (0..100)
            .map(|i| {
                trace(
                    i,
                    i < 4,
                    &[(
                        "wheel",
                        if i < 4 {
                            "LM"
                        } else {
                            WHEELS[[0, 2, 3][i % 3]]
                        },
                    )],
                    &[],
                )
            })
            .collect();
        let (rows, _) = run(&traces);
        assert_eq!(rows[0].value, "LM");
        assert!(!rows[0].significant);
    }

    #[test]
    fn counter_example_a_cause_that_needs_two_values_is_split_in_two() {
        // Commands fail only on LM *in sand*. Each value alone is on every failing trace and
        // on a third of the others: both rank first, tied, as if each were a cause that
        // misfires a third of the time; no row names the pair that is the cause.
        let traces: Vec<_> = (0..160)
            .map(|i| {
                let wheel = if i % 2 == 0 { "LM" } else { "RF" };
                let terrain = if (i / 2) % 2 == 0 { "sand" } else { "rock" };
                let failing = wheel == "LM" && terrain == "sand";
                trace(i, failing, &[("wheel", wheel), ("terrain", terrain)], &[])
            })
            .collect();
        let (rows, _) = run(&traces);
        let top: Vec<String> = rows
            .iter()
            .take(2)
            .map(|r| format!("{}={}", r.key, r.value))
            .collect();
        assert_eq!(top, ["terrain=sand", "wheel=LM"]);
        assert!((rows[0].score - (1.0 - 40.0 / 120.0)).abs() < 1e-9);
        assert!((rows[1].score - rows[0].score).abs() < 1e-9);
        assert!(rows[0].significant && rows[1].significant);
    }
}
