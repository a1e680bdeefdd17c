//! Alertmanager's JSON onto the fault model. Times are RFC 3339 (`2026-12-02T02:33:05.616Z`);
//! labels, annotations, comments and names are untrusted and pass through `one_line` as they
//! are read, cut at a length a screen can show.

use serde::Deserialize;
use serde_json::json;

use super::FaultError;
use crate::model::fault::{
    AlertState, Fault, LabelSet, Matcher, NewSilence, Silence, SilenceState,
};
use crate::source::MESSAGE_MAX;
use crate::text::one_line;

/// The longest label name or value kept (a screen never shows more).
const VALUE_MAX: usize = 1_000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAlert {
    #[serde(default)]
    fingerprint: String,
    #[serde(default)]
    labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    updated_at: String,
    #[serde(default)]
    status: WireAlertStatus,
    #[serde(default, rename = "generatorURL")]
    generator_url: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireAlertStatus {
    #[serde(default)]
    state: String,
    #[serde(default)]
    silenced_by: Vec<String>,
    #[serde(default)]
    inhibited_by: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSilence {
    #[serde(default)]
    id: String,
    #[serde(default)]
    matchers: Vec<WireMatcher>,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    status: WireSilenceStatus,
}

#[derive(Deserialize, Default)]
struct WireSilenceStatus {
    #[serde(default)]
    state: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMatcher {
    name: String,
    value: String,
    #[serde(default)]
    is_regex: bool,
    /// Absent before Alertmanager 0.22, which had only equality matchers.
    #[serde(default = "yes")]
    is_equal: bool,
}

fn yes() -> bool {
    true
}

/// RFC 3339 as Unix seconds; `NaN` when missing or unreadable (shown as unknown, never as 1970).
fn time(s: &str) -> f64 {
    chrono::DateTime::parse_from_rfc3339(s).map_or(f64::NAN, |d| d.timestamp_micros() as f64 / 1e6)
}

fn rfc3339(t: f64) -> String {
    chrono::DateTime::from_timestamp_millis((t * 1e3).round() as i64)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

fn clean(map: std::collections::BTreeMap<String, String>) -> LabelSet {
    map.into_iter()
        .map(|(k, v)| (one_line(&k, VALUE_MAX), one_line(&v, VALUE_MAX)))
        .collect()
}

fn malformed(e: &serde_json::Error) -> FaultError {
    FaultError::Malformed(one_line(&e.to_string(), MESSAGE_MAX))
}

/// `GET /api/v2/alerts`: every alert Alertmanager holds, in the order it sent them.
///
/// # Errors
/// A body that is not a list of alerts, or Alertmanager's error envelope.
pub fn parse_alerts(body: &[u8]) -> Result<Vec<Fault>, FaultError> {
    let wire: Vec<WireAlert> = serde_json::from_slice(body).map_err(|e| api_or(body, &e))?;
    Ok(wire
        .into_iter()
        .map(|a| Fault {
            fingerprint: one_line(&a.fingerprint, 64),
            labels: clean(a.labels),
            annotations: clean(a.annotations),
            starts_at: time(&a.starts_at),
            ends_at: time(&a.ends_at),
            updated_at: time(&a.updated_at),
            state: match a.status.state.as_str() {
                "suppressed" => AlertState::Suppressed,
                "unprocessed" => AlertState::Unprocessed,
                _ => AlertState::Active,
            },
            silenced_by: a
                .status
                .silenced_by
                .iter()
                .map(|s| one_line(s, 64))
                .collect(),
            inhibited_by: a
                .status
                .inhibited_by
                .iter()
                .map(|s| one_line(s, 64))
                .collect(),
            generator_url: one_line(&a.generator_url, VALUE_MAX),
        })
        .collect())
}

/// `GET /api/v2/silences`: every silence, active, pending and expired.
///
/// # Errors
/// A body that is not a list of silences, or Alertmanager's error envelope.
pub fn parse_silences(body: &[u8]) -> Result<Vec<Silence>, FaultError> {
    let wire: Vec<WireSilence> = serde_json::from_slice(body).map_err(|e| api_or(body, &e))?;
    Ok(wire
        .into_iter()
        .map(|s| Silence {
            id: one_line(&s.id, 64),
            matchers: s
                .matchers
                .into_iter()
                .map(|m| Matcher {
                    name: one_line(&m.name, VALUE_MAX),
                    value: one_line(&m.value, VALUE_MAX),
                    is_regex: m.is_regex,
                    is_equal: m.is_equal,
                })
                .collect(),
            starts_at: time(&s.starts_at),
            ends_at: time(&s.ends_at),
            created_by: one_line(&s.created_by, 200),
            comment: one_line(&s.comment, VALUE_MAX),
            state: match s.status.state.as_str() {
                "active" => SilenceState::Active,
                "pending" => SilenceState::Pending,
                _ => SilenceState::Expired,
            },
        })
        .collect())
}

/// `POST /api/v2/silences`' answer: the new silence's id.
///
/// # Errors
/// A body without `silenceID`, or Alertmanager's error envelope.
pub fn parse_created(body: &[u8]) -> Result<String, FaultError> {
    #[derive(Deserialize)]
    struct Created {
        #[serde(rename = "silenceID")]
        id: String,
    }
    let created: Created = serde_json::from_slice(body).map_err(|e| api_or(body, &e))?;
    Ok(one_line(&created.id, 64))
}

/// Alertmanager's error envelope, `{"code":612,"message":"…"}`, as one safe line; `None`
/// when the body is not one.
#[must_use]
pub fn parse_error(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Envelope {
        message: String,
    }
    serde_json::from_slice::<Envelope>(body)
        .ok()
        .map(|e| one_line(&e.message, MESSAGE_MAX))
}

/// What `GET /api/v2/status` says of the server, as `capcom check` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Alertmanager's version, e.g. `0.25.0`.
    pub version: String,
    /// Its cluster's state: `ready`, `settling`, or `disabled` when it runs alone.
    pub cluster: String,
    /// How many peers the cluster has (itself included, when clustered).
    pub peers: usize,
}

/// `GET /api/v2/status`: the version and the cluster's state.
///
/// # Errors
/// A body without them, or Alertmanager's error envelope.
pub fn parse_status(body: &[u8]) -> Result<Status, FaultError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Wire {
        cluster: Cluster,
        version_info: Version,
    }
    #[derive(Deserialize)]
    struct Cluster {
        status: String,
        #[serde(default)]
        peers: Vec<serde_json::Value>,
    }
    #[derive(Deserialize)]
    struct Version {
        version: String,
    }
    let wire: Wire = serde_json::from_slice(body).map_err(|e| api_or(body, &e))?;
    Ok(Status {
        version: one_line(&wire.version_info.version, 40),
        cluster: one_line(&wire.cluster.status, 40),
        peers: wire.cluster.peers.len(),
    })
}

fn api_or(body: &[u8], e: &serde_json::Error) -> FaultError {
    parse_error(body).map_or_else(|| malformed(e), FaultError::Api)
}

/// The JSON body of `POST /api/v2/silences` for `silence`.
#[must_use]
pub fn new_silence_body(silence: &NewSilence) -> serde_json::Value {
    json!({
        "matchers": silence.matchers.iter().map(|m| json!({
            "name": m.name,
            "value": m.value,
            "isRegex": m.is_regex,
            "isEqual": m.is_equal,
        })).collect::<Vec<_>>(),
        "startsAt": rfc3339(silence.starts_at),
        "endsAt": rfc3339(silence.ends_at),
        "createdBy": silence.created_by,
        "comment": silence.comment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_labels_and_comments_are_made_safe_as_they_are_read() {
        let body = br#"[{"fingerprint":"f","labels":{"alertname":"Evil\u001b]52;c;aGk=\u0007","x":"a\u202eb"},
            "annotations":{"summary":"line one\nline two"},"startsAt":"2026-12-02T02:33:05.616Z",
            "endsAt":"nonsense","updatedAt":"","status":{"state":"active"},"generatorURL":""}]"#;
        let faults = parse_alerts(body).expect("parse");
        let name = faults[0].name();
        assert!(
            !name.contains('\u{1b}') && !name.contains('\u{7}'),
            "{name:?}"
        );
        assert!(!faults[0].labels["x"].contains('\u{202e}'));
        assert_eq!(faults[0].annotations["summary"], "line one line two");
        assert!((faults[0].starts_at - 1_796_178_785.616).abs() < 1e-3);
        assert!(
            faults[0].ends_at.is_nan(),
            "an unreadable time is unknown, not 1970"
        );
    }

    #[test]
    fn a_new_silence_is_the_json_alertmanager_takes() {
        let body = new_silence_body(&NewSilence {
            matchers: vec![Matcher::equal("alertname", "MotorHot")],
            starts_at: 1_796_179_200.0,
            ends_at: 1_796_179_800.0,
            created_by: "flight".into(),
            comment: "capcom shelve 10m: swapping to the spare".into(),
        });
        assert_eq!(body["startsAt"], "2026-12-02T02:40:00.000Z");
        assert_eq!(body["endsAt"], "2026-12-02T02:50:00.000Z");
        assert_eq!(body["matchers"][0]["isEqual"], true);
        assert_eq!(body["matchers"][0]["name"], "alertname");
    }

    #[test]
    fn not_a_list_is_malformed_and_the_envelope_is_the_servers_words() {
        assert!(matches!(parse_alerts(b"{}"), Err(FaultError::Malformed(_))));
        assert_eq!(
            parse_silences(br#"{"code":601,"message":"bad \u001b[31mred"}"#),
            Err(FaultError::Api("bad ␛[31mred".into()))
        );
    }
}
