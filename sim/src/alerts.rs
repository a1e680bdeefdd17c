//! The rover's alerting rules, evaluated on the simulated world as Prometheus evaluates
//! `deploy/prometheus/rules/rover-alerts.yml`, and what Alertmanager then answers on
//! `/api/v2/alerts`: the recording writer keeps one body each time the firing set changes.
//!
//! Prometheus evaluates every 30 s (the stack's `evaluation_interval`, the recording's step):
//! an expression true at an evaluation makes its alert pending; held for the rule's `for`, it
//! fires and is sent, re-sent every minute (`--rules.alert.resend-delay`) with `endsAt` four
//! resends ahead; the first evaluation where it is false (or the series is gone, as while the
//! link is down) resolves it, and Alertmanager stops listing it.

use std::fmt::Write as _;

use super::metrics::{INSTANCE, JOB, MetricSeries, catalogue, round};
use super::world::Telemetry;

/// The external URL Prometheus links its alerts to (`generatorURL`) in the stack.
pub const PROMETHEUS_URL: &str = "http://prometheus:9090";
/// The one receiver of the stack's Alertmanager (`deploy/alertmanager/alertmanager.yml`).
pub const RECEIVER: &str = "null";
/// Seconds between re-sends of a firing alert (Prometheus' default resend delay).
const RESEND: f64 = 60.0;

/// One alerting rule of `rover-alerts.yml`.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// `alert:`, the `alertname` label.
    pub name: &'static str,
    /// `expr:`, as written in the rules file.
    pub expr: &'static str,
    /// `for:`, seconds.
    pub hold: f64,
    /// The `severity` label.
    pub severity: &'static str,
    /// The `service` label: which subsystem owns it.
    pub service: &'static str,
    /// The summary annotation; `{wheel}` is the wheel's label.
    pub summary: &'static str,
    /// The description annotation; `{wheel}` as above, `{value}` the value.
    pub description: &'static str,
}

/// The rover's alerting rules, in the rules file's order.
pub const RULES: [Rule; 3] = [
    Rule {
        name: "RoverBatteryLow",
        expr: "rover_battery_soc_percent < 30",
        hold: 300.0,
        severity: "warning",
        service: "power",
        summary: "Battery state of charge below 30 %",
        description: "The battery is at {value} % state of charge.",
    },
    Rule {
        name: "RoverMotorHot",
        expr: "rover_motor_temperature_celsius > 50",
        hold: 60.0,
        severity: "critical",
        service: "mobility",
        summary: "{wheel} drive motor above 50 °C",
        description: "The {wheel} drive motor is at {value} °C.",
    },
    Rule {
        name: "RoverCommsLost",
        expr: "up{job=\"rover\"} == 0",
        hold: 60.0,
        severity: "critical",
        service: "telecom",
        summary: "No telemetry from the rover",
        description: "The rover's metrics endpoint has not answered for over a minute (up = {value}).",
    },
];

/// One series a rule watches: a metric the world exports, or `up` (`None`).
struct Watched {
    series: Option<MetricSeries>,
    /// Whether the expression holds for a value.
    holds: fn(f64) -> bool,
}

impl Watched {
    /// Its value in a sample as Prometheus scraped it (rounded as exported); `None` while the
    /// link is down, when only `up` has a value (0).
    fn value(&self, t: &Telemetry) -> Option<f64> {
        match &self.series {
            Some(s) => t.comms_up.then(|| round((s.read)(t, s.index), s.decimals)),
            None => Some(if t.comms_up { 1.0 } else { 0.0 }),
        }
    }

    /// Its `wheel` label, for per-wheel series.
    fn wheel(&self) -> Option<&'static str> {
        self.series
            .as_ref()
            .and_then(|s| s.labels.iter().find(|(k, _)| *k == "wheel"))
            .map(|(_, w)| *w)
    }
}

/// The series each rule's expression selects.
fn watched(rule: &Rule) -> Vec<Watched> {
    let metric = |name: &str, holds: fn(f64) -> bool| {
        catalogue()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, all)| all)
            .unwrap_or_default()
            .into_iter()
            .map(|s| Watched {
                series: Some(s),
                holds,
            })
            .collect()
    };
    match rule.name {
        "RoverBatteryLow" => metric("rover_battery_soc_percent", |v| v < 30.0),
        "RoverMotorHot" => metric("rover_motor_temperature_celsius", |v| v > 50.0),
        _ => vec![Watched {
            series: None,
            holds: |v| v == 0.0,
        }],
    }
}

/// A firing alert: its rule, wheel, when it became active, and its value at each evaluation
/// (the annotations show the last one sent).
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    /// Index into [`RULES`].
    pub rule: usize,
    /// The `wheel` label, for per-wheel rules.
    pub wheel: Option<&'static str>,
    /// When it started firing (Unix s): Prometheus' `FiredAt`, Alertmanager's `startsAt`.
    pub fired_at: f64,
    /// The value at each evaluation since it fired, with its time.
    pub values: Vec<(f64, f64)>,
}

impl Firing {
    /// Its labels as Prometheus sends them: the series' (`instance`, `job`, `wheel`), the
    /// rule's (`severity`, `service`) and `alertname`, sorted by name.
    #[must_use]
    pub fn labels(&self) -> Vec<(&'static str, &'static str)> {
        let rule = &RULES[self.rule];
        let mut labels = vec![
            ("alertname", rule.name),
            ("instance", INSTANCE),
            ("job", JOB),
            ("service", rule.service),
            ("severity", rule.severity),
        ];
        if let Some(w) = self.wheel {
            labels.push(("wheel", w));
        }
        labels.sort_unstable();
        labels
    }

    /// Its summary and description as the rules file's templates expand them for `value`.
    #[must_use]
    pub fn annotations(&self, value: f64) -> (String, String) {
        let rule = &RULES[self.rule];
        let fill = |text: &str| {
            text.replace("{wheel}", self.wheel.unwrap_or_default())
                .replace("{value}", &shown(value))
        };
        (fill(rule.summary), fill(rule.description))
    }
}

/// The rules' state through evaluations: per watched series, since when its expression has
/// held and its alert if firing.
struct Evaluation {
    series: Vec<(usize, Watched, Option<f64>, Option<Firing>)>,
}

impl Evaluation {
    fn new() -> Self {
        let series = RULES
            .iter()
            .enumerate()
            .flat_map(|(i, r)| watched(r).into_iter().map(move |w| (i, w, None, None)))
            .collect();
        Self { series }
    }

    /// Evaluates every rule at `t` on `tel`; returns what fires then.
    fn step(&mut self, t: f64, tel: &Telemetry) -> Vec<Firing> {
        for (rule, w, active, firing) in &mut self.series {
            let Some(v) = w.value(tel).filter(|v| (w.holds)(*v)) else {
                (*active, *firing) = (None, None);
                continue;
            };
            let since = *active.get_or_insert(t);
            if let Some(f) = firing {
                f.values.push((t, v));
            } else if t - since >= RULES[*rule].hold {
                *firing = Some(Firing {
                    rule: *rule,
                    wheel: w.wheel(),
                    fired_at: t,
                    values: vec![(t, v)],
                });
            }
        }
        self.series.iter().filter_map(|s| s.3.clone()).collect()
    }
}

/// The firing set after each evaluation over `samples` (Unix time, telemetry), only where it
/// changed: `(time, alerts firing then)`, starting with the first evaluation.
#[must_use]
pub fn evaluate(samples: &[(f64, Telemetry)]) -> Vec<(f64, Vec<Firing>)> {
    let mut rules = Evaluation::new();
    let mut out: Vec<(f64, Vec<Firing>)> = Vec::new();
    for (t, tel) in samples {
        let now = rules.step(*t, tel);
        let key = |f: &[Firing]| f.iter().map(|f| (f.rule, f.wheel)).collect::<Vec<_>>();
        if out.last().is_none_or(|(_, last)| key(last) != key(&now)) {
            out.push((*t, now));
        }
    }
    out
}

/// What fires after the last evaluation over `samples`, each alert's values up to then.
#[must_use]
pub fn firing_after(samples: &[(f64, Telemetry)]) -> Vec<Firing> {
    let mut rules = Evaluation::new();
    samples
        .iter()
        .fold(Vec::new(), |_, (t, tel)| rules.step(*t, tel))
}

/// Alertmanager's fingerprint of a label set: FNV-1a 64 over the labels sorted by name, each
/// name and value followed by the byte 255 (`model.LabelSet.Fingerprint`), as 16 hex digits.
#[must_use]
pub fn fingerprint(labels: &[(&str, &str)]) -> String {
    let mut sorted = labels.to_vec();
    sorted.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |bytes: &[u8]| {
        for &b in bytes.iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for (k, v) in sorted {
        add(k.as_bytes());
        add(v.as_bytes());
    }
    format!("{h:016x}")
}

/// `s` as Go's `url.QueryEscape` writes it: unreserved bytes kept, space as `+`.
fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// RFC 3339 with milliseconds, as Alertmanager writes times.
fn stamp(t: f64) -> String {
    chrono::DateTime::from_timestamp_millis((t * 1e3).round() as i64)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// A value as Prometheus' templates print `{{ $value }}` here: without trailing zeros.
fn shown(v: f64) -> String {
    capcom::source::prometheus::format_value(v)
}

/// A JSON string as Go's encoder writes it: `&`, `<` and `>` escaped.
fn json_str(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
}

/// The `/api/v2/alerts` body Alertmanager answers at `t` with `firing`: each alert as last
/// sent by Prometheus (its latest re-send at or before `t`), sorted by fingerprint, in the
/// order Alertmanager writes the keys.
#[must_use]
pub fn alerts_body(firing: &[Firing], t: f64) -> String {
    let mut alerts: Vec<(String, String)> = firing
        .iter()
        .map(|f| {
            let rule = &RULES[f.rule];
            let labels = f.labels();
            let sent = f.fired_at + ((t - f.fired_at) / RESEND).floor() * RESEND;
            let value = f
                .values
                .iter()
                .rev()
                .find(|(at, _)| *at <= sent)
                .map_or(0.0, |(_, v)| *v);
            let (summary, description) = f.annotations(value);
            let fp = fingerprint(&labels);
            let mut body = String::new();
            let _ = write!(
                body,
                r#"{{"annotations":{{"description":{},"summary":{}}},"endsAt":"{}","fingerprint":"{fp}","receivers":[{{"name":"{RECEIVER}"}}],"startsAt":"{}","status":{{"inhibitedBy":[],"silencedBy":[],"state":"active"}},"updatedAt":"{}","generatorURL":{},"labels":{{"#,
                json_str(&description),
                json_str(&summary),
                stamp(sent + 4.0 * RESEND),
                stamp(f.fired_at),
                stamp(sent),
                json_str(&format!(
                    "{PROMETHEUS_URL}/graph?g0.expr={}&g0.tab=1",
                    query_escape(rule.expr)
                )),
            );
            for (i, (k, v)) in labels.iter().enumerate() {
                let sep = if i > 0 { "," } else { "" };
                let _ = write!(body, "{sep}{}:{}", json_str(k), json_str(v));
            }
            body.push_str("}}");
            (fp, body)
        })
        .collect();
    alerts.sort();
    let bodies: Vec<String> = alerts.into_iter().map(|(_, b)| b).collect();
    format!("[{}]", bodies.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_alertmanagers() {
        // From tests/fixtures/alertmanager/alerts_silenced.json, a real Alertmanager's answer.
        let labels = [
            ("alertname", "MotorHot"),
            ("instance", "127.0.0.1:19090"),
            ("job", "self"),
            ("service", "mobility"),
            ("severity", "critical"),
        ];
        assert_eq!(fingerprint(&labels), "4f77fe949e1f4c98");
    }

    #[test]
    fn expressions_are_escaped_as_prometheus_links_them() {
        assert_eq!(
            query_escape("up{job=\"rover\"} == 0"),
            "up%7Bjob%3D%22rover%22%7D+%3D%3D+0"
        );
    }
}
