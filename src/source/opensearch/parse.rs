//! OpenSearch's `_search` API: pure parsers of its response bodies (hits with their sort values,
//! the error envelope, partial results) and the mapping of a hit's `_source` onto an [`Event`]
//! by configurable field names. The live tail and replay feed bodies through these functions.

use crate::source::MESSAGE_MAX;
use crate::text::one_line;
use serde::Deserialize;
use serde_json::Value;

use crate::model::event::{Event, Level};

/// Why a `_search` body could not be turned into hits.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SearchError {
    /// OpenSearch answered with its error envelope.
    #[error("{kind}: {reason}")]
    Api {
        /// `error.type`, e.g. `search_phase_execution_exception`.
        kind: String,
        /// `error.reason`, with the first root cause's when it says more.
        reason: String,
    },
    /// The body is not what `_search` sends.
    #[error("malformed response: {0}")]
    Malformed(String),
}

/// One hit: where it lives, its sort values (the `search_after` cursor) and the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// `_index`.
    pub index: String,
    /// `_id`.
    pub id: String,
    /// `sort`: the values that continue a search after this hit.
    pub sort: Vec<Value>,
    /// `_source`: the whole document.
    pub source: Value,
}

/// A parsed `_search` answer.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    /// The hits, in the order the search sorted them.
    pub hits: Vec<Hit>,
    /// `hits.total.value`, when given.
    pub total: Option<u64>,
    /// Partial results said in words: failed shards, a timed-out search, unreadable hits.
    pub warnings: Vec<String>,
    /// Hits skipped because they could not be read (nested too deep, not an object): each is
    /// counted in `warnings`, and the rest of the page still counts.
    pub unreadable: usize,
    /// The sort values of the first and the last hit of the answer, readable or not: where
    /// a search continues, so an unreadable hit is passed over rather than asked for again.
    pub first_sort: Option<Vec<Value>>,
    /// See `first_sort`.
    pub last_sort: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    timed_out: bool,
    #[serde(rename = "_shards")]
    shards: Option<Shards>,
    hits: Option<Hits>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Shards {
    #[serde(default)]
    total: u64,
    #[serde(default)]
    failed: u64,
    #[serde(default)]
    failures: Vec<Value>,
}

#[derive(Deserialize)]
struct Hits {
    total: Option<Value>,
    /// Each hit kept as text and read on its own, so one that cannot be read (a document
    /// nested deeper than the parser's recursion limit) does not take the page with it.
    #[serde(default)]
    hits: Vec<Box<serde_json::value::RawValue>>,
}

/// What is left of a hit that cannot be read whole: where the search continues after it.
#[derive(Deserialize)]
struct CursorOnly {
    #[serde(default)]
    sort: Vec<Value>,
}

#[derive(Deserialize)]
struct RawHit {
    #[serde(rename = "_index", default)]
    index: String,
    #[serde(rename = "_id", default)]
    id: String,
    #[serde(default)]
    sort: Vec<Value>,
    #[serde(rename = "_source", default)]
    source: Value,
}

/// Parses a `_search` body. Invalid UTF-8 inside strings (documents come from the field) is
/// replaced, not fatal.
///
/// # Errors
/// The error envelope, or a body that is not a search response.
pub fn parse_search(body: &[u8]) -> Result<SearchPage, SearchError> {
    let response: Response = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) if std::str::from_utf8(body).is_err() => {
            serde_json::from_str(&String::from_utf8_lossy(body)).map_err(|_| malformed(&e))?
        }
        Err(e) => return Err(malformed(&e)),
    };
    if let Some(error) = response.error {
        return Err(api_error(&error));
    }
    let hits = response
        .hits
        .ok_or_else(|| SearchError::Malformed("no `hits` in the response".into()))?;
    let mut warnings = Vec::new();
    if let Some(s) = response.shards.filter(|s| s.failed > 0) {
        let why = s
            .failures
            .first()
            .and_then(|f| f.pointer("/reason/reason"))
            .and_then(Value::as_str);
        let why = why.map(|w| format!(": {w}")).unwrap_or_default();
        warnings.push(format!(
            "{} of {} shards failed, results are partial{why}",
            s.failed, s.total
        ));
    }
    if response.timed_out {
        warnings.push("the search timed out, results are partial".into());
    }
    let total = hits.total.and_then(|t| {
        t.get("value")
            .and_then(Value::as_u64)
            .or_else(|| t.as_u64())
    });
    let mut page = SearchPage {
        hits: Vec::with_capacity(hits.hits.len()),
        total,
        warnings,
        unreadable: 0,
        first_sort: None,
        last_sort: None,
    };
    for raw in &hits.hits {
        let sort = if let Ok(h) = serde_json::from_str::<RawHit>(raw.get()) {
            let sort = h.sort.clone();
            page.hits.push(Hit {
                index: h.index,
                id: h.id,
                sort: h.sort,
                source: h.source,
            });
            sort
        } else {
            page.unreadable += 1;
            serde_json::from_str::<CursorOnly>(raw.get()).map_or_else(|_| Vec::new(), |c| c.sort)
        };
        if page.first_sort.is_none() {
            page.first_sort = Some(sort.clone());
        }
        page.last_sort = Some(sort);
    }
    if page.unreadable > 0 {
        let n = page.unreadable;
        page.warnings.push(format!(
            "{n} event{} unreadable (nested too deep or not a document), skipped",
            if n == 1 { "" } else { "s" }
        ));
    }
    Ok(page)
}

fn malformed(e: &serde_json::Error) -> SearchError {
    SearchError::Malformed(one_line(&e.to_string(), MESSAGE_MAX))
}

/// The longest an error envelope's text is kept: its reason, root cause and what caused that
/// (a query parser's message with its line and column) fit; a 70 KB one is cut.
const ENVELOPE_MAX: usize = 3 * MESSAGE_MAX;

/// The envelope's `type: reason`, plus the first root cause when it says something else, and
/// what caused it: OpenSearch keeps a query parser's own message (`Cannot parse 'level:(':
/// Encountered "<EOF>" at line 1, column 8`) in a `caused_by`, of the root cause or of the
/// first failed shard's reason.
fn api_error(error: &Value) -> SearchError {
    if let Some(text) = error.as_str() {
        return SearchError::Api {
            kind: "error".into(),
            reason: one_line(text, MESSAGE_MAX),
        };
    }
    let field = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let kind = field(error, "type");
    let mut reason = field(error, "reason");
    if let Some(cause) = error.get("root_cause").and_then(|r| r.get(0)) {
        let (ckind, creason) = (field(cause, "type"), field(cause, "reason"));
        if ckind != kind || creason != reason {
            reason = format!("{reason} ({ckind}: {creason})");
        }
    }
    let shard = error.pointer("/failed_shards/0/reason");
    let caused = [error.pointer("/root_cause/0"), shard]
        .into_iter()
        .flatten()
        .find_map(|v| v.get("caused_by"));
    if let Some(cause) = caused {
        let (ckind, creason) = (field(cause, "type"), field(cause, "reason"));
        if !creason.is_empty() && !reason.contains(&creason) {
            reason = format!("{reason}, caused by {ckind}: {creason}");
        }
    }
    // The server's words are kept only sanitized, redacted and cut.
    SearchError::Api {
        kind: if kind.is_empty() {
            "error".into()
        } else {
            one_line(&kind, 60)
        },
        reason: one_line(&reason, ENVELOPE_MAX),
    }
}

pub use crate::config::FieldMap;

/// The value at a dotted `path`: a flat key first, then nested objects, trying every split
/// (`"a.b.c"` also finds `{"a.b":{"c":…}}` and `{"a":{"b.c":…}}`).
#[must_use]
pub fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(v) = doc.get(path) {
        return Some(v);
    }
    path.match_indices('.').find_map(|(i, _)| {
        doc.get(&path[..i])
            .and_then(|inner| lookup(inner, &path[i + 1..]))
    })
}

fn first_text(doc: &Value, names: &[String]) -> Option<String> {
    names.iter().find_map(|n| match lookup(doc, n)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    })
}

/// A timestamp as Unix seconds: RFC 3339 (any fraction, nanos included), ISO-8601 without a
/// zone (taken as UTC), a space instead of `T`, or epoch milliseconds as a number or string.
#[must_use]
pub fn parse_time(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().map(|ms| ms / 1000.0),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
                return Some(d.timestamp() as f64 + f64::from(d.timestamp_subsec_nanos()) / 1e9);
            }
            for fmt in [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d",
            ] {
                if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
                    let d = d.and_utc();
                    return Some(
                        d.timestamp() as f64 + f64::from(d.timestamp_subsec_nanos()) / 1e9,
                    );
                }
                if let Ok(d) = chrono::NaiveDate::parse_from_str(s, fmt) {
                    return d
                        .and_hms_opt(0, 0, 0)
                        .map(|d| d.and_utc().timestamp() as f64);
                }
            }
            s.parse::<f64>().ok().map(|ms| ms / 1000.0)
        }
        _ => None,
    }
}

/// A hit as an event, by the field map. A document missing a mapped field still makes an
/// event: no time sorts first, no level is `Unknown`, no message shows the whole document.
#[must_use]
pub fn to_event(hit: &Hit, map: &FieldMap) -> Event {
    let doc = &hit.source;
    let t = map
        .timestamp
        .iter()
        .find_map(|n| lookup(doc, n))
        .and_then(parse_time);
    let level_text = first_text(doc, &map.level).unwrap_or_default();
    Event {
        t,
        level: Level::parse(&level_text),
        level_text,
        message: first_text(doc, &map.message).unwrap_or_else(|| doc.to_string()),
        service: first_text(doc, &map.service),
        trace_id: first_text(doc, &map.trace_id),
        id: hit.id.clone(),
        index: hit.index.clone(),
        doc: doc.clone().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A `_search` answer of three hits, the middle one's document nested `depth` deep.
    fn page_with_a_deep_hit(depth: usize) -> String {
        let deep = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        format!(
            r#"{{"hits":{{"hits":[
            {{"_id":"1","sort":[1,"1"],"_source":{{"message":"before"}}}},
            {{"_id":"2","sort":[2,"2"],"_source":{deep}}},
            {{"_id":"3","sort":[3,"3"],"_source":{{"message":"after"}}}}]}}}}"#
        )
    }

    #[test]
    fn one_unreadable_hit_is_skipped_and_counted_not_the_page() {
        let page = parse_search(page_with_a_deep_hit(127).as_bytes()).expect("the page reads");
        let ids: Vec<&str> = page.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["1", "3"]);
        assert_eq!(page.unreadable, 1);
        assert_eq!(
            page.warnings,
            ["1 event unreadable (nested too deep or not a document), skipped"]
        );
        // The search continues after the last hit, readable or not.
        assert_eq!(page.first_sort, Some(vec![json!(1), json!("1")]));
        assert_eq!(page.last_sort, Some(vec![json!(3), json!("3")]));
        // A deep document within the limit is still read.
        let page = parse_search(page_with_a_deep_hit(100).as_bytes()).expect("reads");
        assert_eq!((page.hits.len(), page.unreadable), (3, 0));
        let page = parse_search(br#"{"hits":{"hits":[7,{"_id":"x","sort":[9]}]}}"#).expect("reads");
        assert_eq!((page.hits.len(), page.unreadable), (1, 1));
    }

    #[test]
    fn dotted_names_find_flat_and_nested_fields() {
        let doc = json!({"log.level": "warn", "service": {"name": "nav"}, "a": {"b.c": 1}});
        assert_eq!(lookup(&doc, "log.level"), Some(&json!("warn")));
        assert_eq!(lookup(&doc, "service.name"), Some(&json!("nav")));
        assert_eq!(lookup(&doc, "a.b.c"), Some(&json!(1)));
        assert_eq!(lookup(&doc, "service.id"), None);
        assert_eq!(lookup(&doc, "missing"), None);
    }

    #[test]
    fn timestamps_in_every_common_shape() {
        let want = 1_362_096_000.0; // 2013-03-01T00:00:00Z
        for v in [
            json!("2013-03-01T00:00:00Z"),
            json!("2013-03-01T00:00:00"),
            json!("2013-03-01T01:00:00+01:00"),
            json!("2013-03-01 00:00:00"),
            json!("2013-03-01T00:00:00.000000000Z"),
            json!(1_362_096_000_000u64),
            json!("1362096000000"),
        ] {
            assert_eq!(parse_time(&v), Some(want), "{v}");
        }
        assert_eq!(
            parse_time(&json!("2013-03-01T00:00:00.123456789Z")),
            Some(want + 0.123_456_789)
        );
        assert_eq!(parse_time(&json!("yesterday")), None);
        assert_eq!(parse_time(&json!(null)), None);
    }

    #[test]
    fn a_document_without_mapped_fields_still_makes_an_event() {
        let hit = Hit {
            index: "i".into(),
            id: "1".into(),
            sort: vec![],
            source: json!({"x": 1}),
        };
        let e = to_event(&hit, &FieldMap::default());
        assert_eq!(
            (e.t, e.level, e.message.as_str()),
            (None, Level::Unknown, r#"{"x":1}"#)
        );
    }

    #[test]
    fn a_bad_querys_parser_message_is_kept_from_its_caused_by() {
        // Built on the shape OpenSearch answers (status 400) a `query_string` it cannot parse
        // with (the envelope as in tests/fixtures/opensearch/error_search_phase_execution_500
        // .json): the parser's own words are only in the failed shard's `caused_by`.
        let body = br#"{"error":{"root_cause":[{"type":"query_shard_exception",
            "reason":"Failed to parse query [level:(ERROR]","index":"rover-events"}],
          "type":"search_phase_execution_exception","reason":"all shards failed",
          "phase":"query","grouped":true,
          "failed_shards":[{"shard":0,"index":"rover-events","node":"n1",
            "reason":{"type":"query_shard_exception",
              "reason":"Failed to parse query [level:(ERROR]","index":"rover-events",
              "caused_by":{"type":"parse_exception",
                "reason":"Cannot parse 'level:(ERROR': Encountered \"<EOF>\" at line 1, column 12.\nWas expecting one of:\n    <AND> ...\n    <OR> ...\n    \")\" ...\n    ",
                "caused_by":{"type":"parse_exception",
                  "reason":"Encountered \"<EOF>\" at line 1, column 12."}}}}]},
          "status":400}"#;
        let e = parse_search(body).expect_err("an error");
        assert_eq!(
            e.to_string(),
            "search_phase_execution_exception: all shards failed (query_shard_exception: Failed to parse query [level:(ERROR]), caused by parse_exception: Cannot parse 'level:(ERROR': Encountered \"<EOF>\" at line 1, column 12. Was expecting one of: <AND> ... <OR> ... \")\" ..."
        );
    }

    #[test]
    fn partial_results_become_warnings() {
        let body = br#"{"timed_out":true,"_shards":{"total":3,"successful":2,"failed":1,
            "failures":[{"reason":{"type":"x","reason":"node left"}}]},"hits":{"hits":[]}}"#;
        let page = parse_search(body).expect("parses");
        assert_eq!(
            page.warnings,
            [
                "1 of 3 shards failed, results are partial: node left",
                "the search timed out, results are partial"
            ]
        );
    }

    #[test]
    fn invalid_utf8_in_a_document_is_replaced_not_fatal() {
        let mut body = br#"{"hits":{"hits":[{"_id":"1","_source":{"message":"bad "#.to_vec();
        body.extend([0xff, 0xfe]);
        body.extend(br#""}}]}}"#);
        let page = parse_search(&body).expect("parses");
        assert_eq!(
            page.hits[0].source["message"],
            json!("bad \u{fffd}\u{fffd}")
        );
    }
}
