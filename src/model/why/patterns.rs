//! Which log patterns are new or growing: event messages grouped into templates by a small
//! Drain (He et al., ICWS 2017) — the baseline's events first, then the window's, through one
//! miner, so both are counted against the same templates.
//!
//! Each message is masked first ([`mask`]): quoted values, UUIDs, and every token part holding
//! a digit (numbers, hex ids, IPs, versions, durations) become `<*>`; then a fixed-depth prefix
//! tree routes it by its token count and its first [`DEPTH`] tokens to a leaf, where it joins
//! the most similar template (equal tokens over all tokens, at least [`SIMILARITY`]) — the
//! positions that differ becoming `<*>` — or starts a new one.
//!
//! Why not a crate: `drain3` (0.1, one author, pulls `bon`'s builder macros and `fastrand`),
//! `logdrain` (0.3, brings `dashmap` and `bincode` for concurrency and persistence we do not
//! need) and `drainrs` (one release, 2023, a file-reading CLI first) each cost more than the
//! ~150 lines below, and none masks the way the Events pane will match ([`Template::matches`]
//! uses the very same masking, so a template always matches the events it was mined from).

use std::fmt;

use super::{FastMap, Window};
use crate::model::event::Event;

/// What a masked or merged token becomes.
pub const WILD: &str = "<*>";
/// Tokens of the prefix that route a message (after its token count): Drain's depth minus 2.
pub const DEPTH: usize = 2;
/// A message joins a template when at least this share of its tokens are equal. Drain3's
/// default is 0.4, for long server logs; the rover's messages are short, and at 0.5
/// `wheel LM slip detected` and `wheel LM motor hot` would merge.
pub const SIMILARITY: f64 = 0.6;
/// Children a tree node keeps; further distinct tokens go down the `<*>` branch (bounded
/// memory against a flood of unmasked variety).
pub const MAX_CHILDREN: usize = 100;
/// Templates kept; events that would make more are counted as overflow and reported.
pub const MAX_TEMPLATES: usize = 1_000;
/// Tokens of a message looked at; the rest is ignored (a stack trace is one template).
pub const MAX_TOKENS: usize = 64;
/// A new template (none in the baseline) is significant with at least this many events: one
/// or two new lines are the normal churn of a busy log.
pub const NEW_MIN: usize = 5;
/// A known template is significant when its rate grew at least this many times…
pub const GROWTH: f64 = 3.0;
/// …with at least this many events in the window (3 → 9 is noise; 10 → 30 is not).
pub const GROWTH_MIN: usize = 10;
/// Rows returned.
pub const MAX_ROWS: usize = 100;

/// A template: tokens, `<*>` where messages differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Its tokens.
    pub tokens: Vec<String>,
}

impl Template {
    /// Whether `message` is one of this template's: masked the same way, the same number of
    /// tokens, each equal or under a `<*>`. (For the Events pane's filter.)
    #[must_use]
    pub fn matches(&self, message: &str) -> bool {
        let tokens = mask(message);
        tokens.len() == self.tokens.len()
            && self
                .tokens
                .iter()
                .zip(&tokens)
                .all(|(t, m)| t == WILD || t == m)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tokens.join(" "))
    }
}

/// One template and its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The template.
    pub template: Template,
    /// Events in the window.
    pub window: usize,
    /// Events in the baseline.
    pub baseline: usize,
    /// None in the baseline.
    pub new: bool,
    /// The window's rate over the baseline's, each count plus one (so a new template's growth
    /// is finite and one event more is not a trend).
    pub growth: f64,
    /// The earliest event's time, Unix seconds (baseline or window).
    pub first_seen: Option<f64>,
    /// The latest.
    pub last_seen: Option<f64>,
    /// New with [`NEW_MIN`] events, or grown [`GROWTH`] times with [`GROWTH_MIN`].
    pub significant: bool,
}

impl fmt::Display for Row {
    /// `NEW wheel slip detected on LM — 12 in the window, 0 before` or
    /// `×4.2 uplink retry <*> — 40 in the window, 9 before`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.new {
            f.write_str("NEW ")?;
        } else {
            write!(f, "×{:.1} ", self.growth)?;
        }
        write!(
            f,
            "{} — {} in the window, {} before",
            self.template, self.window, self.baseline
        )
    }
}

/// A message's tokens, masked: quoted values, UUIDs and every part of a token (between `-`,
/// `_`, `/`, `:`, `=`, `,`, `@`, `#`) holding a digit become `<*>`. At most [`MAX_TOKENS`].
#[must_use]
pub fn mask(message: &str) -> Vec<String> {
    let unquoted = mask_quotes(message);
    unquoted
        .split_whitespace()
        .take(MAX_TOKENS)
        .map(mask_token)
        .collect()
}

/// Replaces `"…"` and `'…'` (opened at a word's start, closed before the message ends) by `<*>`.
fn mask_quotes(message: &str) -> std::borrow::Cow<'_, str> {
    if !message.contains(['"', '\'']) {
        return message.into();
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    let mut prev: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let opens = (c == '"' || c == '\'')
            && prev.is_none_or(|p| p.is_whitespace() || "=:([{,".contains(p));
        if opens && let Some(end) = rest[1..].find(c) {
            out.push_str(WILD);
            rest = &rest[end + 2..];
            prev = Some(c);
            continue;
        }
        out.push(c);
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out.into()
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn mask_token(token: &str) -> String {
    let core = token.trim_matches(|c: char| "()[]{},;.".contains(c));
    if is_uuid(core) {
        return token.replacen(core, WILD, 1);
    }
    if !token.bytes().any(|b| b.is_ascii_digit()) {
        return token.to_owned();
    }
    let mut out = String::with_capacity(token.len());
    for part in token.split_inclusive(|c: char| "-_/:=,@#".contains(c)) {
        let (body, sep) = match part.char_indices().last() {
            Some((i, c)) if "-_/:=,@#".contains(c) => (&part[..i], &part[i..]),
            _ => (part, ""),
        };
        if body.bytes().any(|b| b.is_ascii_digit()) {
            out.push_str(WILD);
        } else {
            out.push_str(body);
        }
        out.push_str(sep);
    }
    out
}

struct Cluster {
    template: Vec<String>,
    window: usize,
    baseline: usize,
    first: Option<f64>,
    last: Option<f64>,
}

#[derive(Default)]
struct Node {
    children: FastMap<String, Node>,
    clusters: Vec<usize>,
}

/// The miner: the tree and its templates.
#[derive(Default)]
struct Drain {
    roots: FastMap<usize, Node>,
    clusters: Vec<Cluster>,
    overflow: usize,
}

impl Drain {
    fn add(&mut self, message: &str, t: Option<f64>, in_window: bool) {
        let tokens = mask(message);
        let mut node = self.roots.entry(tokens.len()).or_default();
        for tok in tokens.iter().take(DEPTH) {
            let key = if tok.contains(WILD) {
                WILD
            } else {
                tok.as_str()
            };
            let key = if node.children.contains_key(key) || node.children.len() < MAX_CHILDREN {
                key
            } else {
                WILD
            };
            node = node.children.entry(key.to_owned()).or_default();
        }
        let best = node
            .clusters
            .iter()
            .map(|&c| (c, similarity(&self.clusters[c].template, &tokens)))
            .filter(|&(_, s)| s >= SIMILARITY)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let id = if let Some((c, _)) = best {
            for (t, m) in self.clusters[c].template.iter_mut().zip(&tokens) {
                if t != m && t != WILD {
                    WILD.clone_into(t);
                }
            }
            c
        } else if self.clusters.len() >= MAX_TEMPLATES {
            self.overflow += 1;
            return;
        } else {
            self.clusters.push(Cluster {
                template: tokens,
                window: 0,
                baseline: 0,
                first: None,
                last: None,
            });
            node.clusters.push(self.clusters.len() - 1);
            self.clusters.len() - 1
        };
        let c = &mut self.clusters[id];
        if in_window {
            c.window += 1;
        } else {
            c.baseline += 1;
        }
        if let Some(t) = t {
            c.first = Some(c.first.map_or(t, |f| f.min(t)));
            c.last = Some(c.last.map_or(t, |l| l.max(t)));
        }
    }
}

/// Equal tokens (a `<*>` in both counts as equal) over all tokens.
fn similarity(template: &[String], tokens: &[String]) -> f64 {
    if tokens.is_empty() {
        return 1.0;
    }
    let equal = template.iter().zip(tokens).filter(|(a, b)| a == b).count();
    equal as f64 / tokens.len() as f64
}

/// Mines the baseline's events then the window's, and ranks the templates by growth: new and
/// growing first, vanished last. Notes events past the template cap in `unused`.
#[must_use]
pub fn rank(
    events: &[Event],
    baseline_events: &[Event],
    window: Window,
    baseline: Window,
    unused: &mut Vec<String>,
) -> Vec<Row> {
    let mut drain = Drain::default();
    for e in baseline_events {
        drain.add(&e.message, e.t, false);
    }
    for e in events {
        drain.add(&e.message, e.t, true);
    }
    if drain.overflow > 0 {
        unused.push(format!(
            "{} events past the first {MAX_TEMPLATES} templates, not grouped",
            drain.overflow
        ));
    }
    let scale = if baseline.len() > 0.0 {
        window.len() / baseline.len()
    } else {
        1.0
    };
    let mut rows: Vec<Row> = drain
        .clusters
        .into_iter()
        .map(|c| {
            let new = c.baseline == 0;
            let growth = (c.window as f64 + 1.0) / (c.baseline as f64 * scale + 1.0);
            Row {
                template: Template { tokens: c.template },
                window: c.window,
                baseline: c.baseline,
                new,
                growth,
                first_seen: c.first,
                last_seen: c.last,
                significant: if new {
                    c.window >= NEW_MIN
                } else {
                    growth >= GROWTH && c.window >= GROWTH_MIN
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.significant
            .cmp(&a.significant)
            .then(b.growth.total_cmp(&a.growth))
            .then(b.window.cmp(&a.window))
    });
    rows.truncate(MAX_ROWS);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::Level;

    fn ev(t: f64, message: &str) -> Event {
        Event {
            t: Some(t),
            level: Level::Info,
            level_text: "info".into(),
            message: message.into(),
            service: None,
            trace_id: None,
            id: String::new(),
            index: String::new(),
            doc: serde_json::Value::Null.into(),
        }
    }

    const WINDOW: Window = Window {
        from: 600.0,
        to: 1200.0,
    };
    const BASELINE: Window = Window {
        from: 0.0,
        to: 600.0,
    };

    /// Housekeeping and drive messages with their numbers changing, every 6 s from `from`.
    fn stable(from: f64) -> Vec<Event> {
        (0..100)
            .flat_map(|i| {
                let t = from + 6.0 * f64::from(i);
                [
                    ev(
                        t,
                        &format!(
                            "housekeeping: SoC {} %, bus {}.{:02} V, CPU {} %",
                            90 - i / 5,
                            27 + i % 2,
                            i,
                            8 + i % 7
                        ),
                    ),
                    ev(
                        t + 1.0,
                        &format!("drive segment {i} done in {}.{} s", 3 + i % 4, i % 10),
                    ),
                    ev(
                        t + 2.0,
                        &format!(
                            "uplink frame seq={} id=0x{:x} from 10.0.0.{}",
                            i * 7,
                            4096 + i,
                            i % 5
                        ),
                    ),
                ]
            })
            .collect()
    }

    fn run(window: &[Event], baseline: &[Event]) -> Vec<Row> {
        rank(window, baseline, WINDOW, BASELINE, &mut Vec::new())
    }

    #[test]
    fn masking_numbers_ids_hex_quotes_and_ips() {
        assert_eq!(
            mask("uplink frame seq=42 id=0x1f3a from 10.0.0.7:8080 to 'ground station' ok")
                .join(" "),
            "uplink frame seq=<*> id=<*> from <*>:<*> to <*> ok"
        );
        assert_eq!(
            mask("trace 550e8400-e29b-41d4-a716-446655440000, cmd-7f3a9c, motor LM 62.9 °C")
                .join(" "),
            "trace <*>, cmd-<*>, motor LM <*> °C"
        );
        assert_eq!(mask("can't stop: \"x y\"").join(" "), "can't stop: <*>");
    }

    #[test]
    fn a_new_template_among_stable_ones_with_different_numbers_ranks_first() {
        let baseline = stable(0.0);
        let mut window = stable(600.0);
        for i in 0..12 {
            window.push(ev(
                700.0 + 10.0 * f64::from(i),
                &format!(
                    "wheel slip detected on LM: progress stalled at {}.{} m",
                    i,
                    i + 3
                ),
            ));
        }
        let rows = run(&window, &baseline);
        assert_eq!(
            rows[0].to_string(),
            "NEW wheel slip detected on LM: progress stalled at <*> m — 12 in the window, 0 before"
        );
        assert!(rows[0].significant);
        assert_eq!(
            (rows[0].first_seen, rows[0].last_seen),
            (Some(700.0), Some(810.0))
        );
        // The stable ones are one template each, unchanged, not significant.
        assert_eq!(rows.len(), 4, "{rows:#?}");
        assert!(
            rows[1..]
                .iter()
                .all(|r| !r.significant && r.window == 100 && r.baseline == 100)
        );
        // Each template matches its own events and not the others'.
        assert!(
            rows[0]
                .template
                .matches("wheel slip detected on LM: progress stalled at 99.1 m")
        );
        assert!(
            !rows[0]
                .template
                .matches("wheel slip cleared: LM traction nominal")
        );
        let hk = rows
            .iter()
            .find(|r| r.template.tokens[0] == "housekeeping:")
            .expect("housekeeping");
        assert!(
            window
                .iter()
                .filter(|e| hk.template.matches(&e.message))
                .count()
                == 100
        );
    }

    #[test]
    fn a_growing_template_is_significant_past_its_ratio() {
        let baseline: Vec<Event> = (0..5)
            .map(|i| ev(f64::from(i), &format!("hazard timeout after {i} ms")))
            .collect();
        let window: Vec<Event> = (0..40)
            .map(|i| {
                ev(
                    600.0 + f64::from(i),
                    &format!("hazard timeout after {i} ms"),
                )
            })
            .collect();
        let rows = run(&window, &baseline);
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].new && rows[0].significant);
        assert!((rows[0].growth - 41.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn a_quiet_window_ranks_nothing_as_significant() {
        let mut window = stable(600.0);
        // One odd new line is not a pattern.
        window.push(ev(900.0, "camera restarted"));
        let rows = run(&window, &stable(0.0));
        assert!(rows.iter().all(|r| !r.significant), "{rows:#?}");
    }

    #[test]
    fn memory_is_bounded_by_the_template_cap() {
        // Words without digits (so nothing is masked), each message unlike every other.
        let word = |mut i: usize| {
            let mut w = String::new();
            loop {
                w.push(char::from(b'a' + (i % 26) as u8));
                i /= 26;
                if i == 0 {
                    return w;
                }
            }
        };
        let window: Vec<Event> = (0..1_500)
            .map(|i| {
                ev(
                    600.0,
                    &format!("event {} {} {}", word(i), word(i + 7_000), word(i + 9_000)),
                )
            })
            .collect();
        let mut unused = Vec::new();
        let rows = rank(&window, &[], WINDOW, BASELINE, &mut unused);
        assert_eq!(rows.len(), MAX_ROWS);
        assert_eq!(
            unused,
            ["500 events past the first 1000 templates, not grouped"]
        );
    }

    #[test]
    fn counter_example_numbers_that_carry_the_meaning_are_merged_by_masking() {
        // Wheel 3 starts faulting; wheel 4's faults were always there. Masking makes them one
        // template, so the new fault only doubles a known one and is not significant.
        let baseline: Vec<Event> = (0..10).map(|i| ev(f64::from(i), "wheel 4 fault")).collect();
        let mut window: Vec<Event> = (0..10)
            .map(|i| ev(600.0 + f64::from(i), "wheel 4 fault"))
            .collect();
        window.extend((0..10).map(|i| ev(700.0 + f64::from(i), "wheel 3 fault")));
        let rows = run(&window, &baseline);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].template.to_string(), "wheel <*> fault");
        assert!(!rows[0].new && !rows[0].significant);
    }
}
