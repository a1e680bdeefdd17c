//! Prometheus' HTTP API: pure parsers of its response bodies (`/api/v1/query_range`,
//! `/api/v1/query`). The live client ([`super::client`]) and replay feed bodies through these
//! same functions, so what the screen shows cannot depend on where bytes came from.

use crate::source::MESSAGE_MAX;
use crate::text::one_line;
use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::{Labels, Point, Series};

/// Why a body could not be turned into data.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    /// Prometheus answered with its error envelope (`"status":"error"`).
    #[error("{error_type}: {error}")]
    Api {
        /// `errorType`, e.g. `bad_data`, `execution`, `timeout`.
        error_type: String,
        /// The message Prometheus gave.
        error: String,
    },
    /// The body is not the JSON Prometheus sends.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// A well-formed answer of another kind than asked for (e.g. a vector for a range query).
    #[error("expected a {expected} result, got {got}")]
    UnexpectedType {
        /// What the endpoint should return.
        expected: &'static str,
        /// What came back.
        got: String,
    },
}

/// A parsed successful answer: the data plus any warnings Prometheus attached.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// One entry per series (for a scalar, one series without labels).
    pub series: Vec<Series>,
    /// Warnings and infos from the response, to be shown, not dropped.
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    status: String,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    error_type: Option<String>,
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    result_type: String,
    #[serde(borrow)]
    result: &'a RawValue,
}

/// A sample as written: `[1795662823, "0.5"]`. The value is borrowed from the body (values
/// never hold escapes), which keeps a recording's thousands of samples off the allocator.
#[derive(Deserialize)]
struct RawSample<'a>(f64, #[serde(borrow)] Cow<'a, str>);

impl RawSample<'_> {
    fn point(&self) -> Point {
        Point {
            t: self.0,
            v: parse_value(&self.1),
        }
    }
}

#[derive(Deserialize)]
struct MatrixEntry<'a> {
    #[serde(default)]
    metric: Labels,
    #[serde(default, borrow)]
    values: Vec<RawSample<'a>>,
}

#[derive(Deserialize)]
struct VectorEntry<'a> {
    #[serde(default)]
    metric: Labels,
    #[serde(borrow)]
    value: Option<RawSample<'a>>,
}

/// Parses a `/api/v1/query_range` body (a matrix).
///
/// # Errors
/// The API's error envelope, malformed JSON, or a result that is not a matrix.
pub fn parse_query_range(body: &[u8]) -> Result<QueryResult, ParseError> {
    let (data, warnings) = open_envelope(body)?;
    if data.result_type != "matrix" {
        return Err(ParseError::UnexpectedType {
            expected: "matrix",
            got: data.result_type,
        });
    }
    let entries: Vec<MatrixEntry<'_>> =
        serde_json::from_str(data.result.get()).map_err(malformed)?;
    let series = entries
        .into_iter()
        .map(|e| Series {
            labels: e.metric,
            points: e.values.iter().map(RawSample::point).collect(),
        })
        .collect();
    Ok(QueryResult { series, warnings })
}

/// Parses a `/api/v1/query` body: a vector or a scalar becomes one point per series.
///
/// # Errors
/// The API's error envelope, malformed JSON, or a matrix or string result.
pub fn parse_query(body: &[u8]) -> Result<QueryResult, ParseError> {
    let (data, warnings) = open_envelope(body)?;
    let series = match data.result_type.as_str() {
        "vector" => {
            let entries: Vec<VectorEntry<'_>> =
                serde_json::from_str(data.result.get()).map_err(malformed)?;
            entries
                .into_iter()
                .map(|e| Series {
                    labels: e.metric,
                    points: e.value.iter().map(RawSample::point).collect(),
                })
                .collect()
        }
        "scalar" => {
            let sample: RawSample<'_> =
                serde_json::from_str(data.result.get()).map_err(malformed)?;
            vec![Series {
                labels: Labels::new(),
                points: vec![sample.point()],
            }]
        }
        other => {
            return Err(ParseError::UnexpectedType {
                expected: "vector or scalar",
                got: other.to_owned(),
            });
        }
    };
    Ok(QueryResult { series, warnings })
}

fn open_envelope(body: &[u8]) -> Result<(Data<'_>, Vec<String>), ParseError> {
    let env: Envelope<'_> = serde_json::from_slice(body).map_err(malformed)?;
    if env.status != "success" {
        // The server's words are kept only sanitized, redacted and cut.
        return Err(ParseError::Api {
            error_type: one_line(env.error_type.as_deref().unwrap_or("error"), 40),
            error: one_line(
                &env.error
                    .unwrap_or_else(|| format!("status {:?}", env.status)),
                MESSAGE_MAX,
            ),
        });
    }
    let raw = env
        .data
        .ok_or_else(|| ParseError::Malformed("no `data` in a success".into()))?;
    let data: Data<'_> = serde_json::from_str(raw.get()).map_err(malformed)?;
    let mut warnings = env.warnings;
    warnings.extend(env.infos);
    Ok((data, warnings))
}

#[expect(clippy::needless_pass_by_value, reason = "used as a map_err function")]
pub(super) fn malformed(e: serde_json::Error) -> ParseError {
    ParseError::Malformed(one_line(&e.to_string(), MESSAGE_MAX))
}

/// Prometheus writes sample values as strings: `"1.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`. Anything
/// unreadable becomes a gap rather than a zero.
fn parse_value(s: &str) -> f64 {
    s.parse().unwrap_or(f64::NAN)
}

/// Formats a value the way Prometheus writes it in a response body (Go's shortest `'f'` form,
/// `NaN`, `+Inf`, `-Inf`), so recordings are byte-for-byte what a server would send.
#[must_use]
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_like_prometheus_writes_them() {
        assert_eq!(parse_value("1.5"), 1.5);
        assert!(parse_value("NaN").is_nan());
        assert_eq!(parse_value("+Inf"), f64::INFINITY);
        assert_eq!(parse_value("-Inf"), f64::NEG_INFINITY);
        assert!(parse_value("garbage").is_nan());
        for v in [0.0, -63.25, 1e21, 0.000_181_818_181_818_016_44] {
            assert_eq!(parse_value(&format_value(v)), v);
        }
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
    }

    #[test]
    fn escaped_value_strings_still_parse() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1,"1\u002e5"],[2,"2"]]}]}}"#;
        let r = parse_query_range(body).expect("parses");
        assert_eq!(r.series[0].points[0].v, 1.5);
    }

    #[test]
    fn warnings_and_infos_are_kept() {
        let body = br#"{"status":"success","warnings":["w1"],"infos":["i1"],
            "data":{"resultType":"matrix","result":[]}}"#;
        let r = parse_query_range(body).expect("parses");
        assert_eq!(r.warnings, vec!["w1", "i1"]);
    }

    #[test]
    fn a_servers_error_text_is_kept_only_safe_and_short() {
        let long = "x".repeat(70_000);
        let body = format!(
            r#"{{"status":"error","errorType":"bad\u001b[2J","error":"\u202e{long}\u001b]52;c;aGk=\u0007"}}"#
        );
        let Err(ParseError::Api { error_type, error }) = parse_query(body.as_bytes()) else {
            panic!("an API error");
        };
        assert_eq!(error_type, "bad␛[2J");
        assert!(error.chars().count() <= crate::source::MESSAGE_MAX, "cut");
        assert!(!error.contains('\u{202e}') && !error.contains('\u{1b}'));
    }

    #[test]
    fn a_vector_for_a_range_query_is_an_error_not_a_panic() {
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert!(matches!(
            parse_query_range(body),
            Err(ParseError::UnexpectedType { .. })
        ));
        assert!(matches!(
            parse_query_range(b"<html>"),
            Err(ParseError::Malformed(_))
        ));
        assert!(matches!(
            parse_query_range(b""),
            Err(ParseError::Malformed(_))
        ));
    }
}
