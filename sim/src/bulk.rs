//! The rover's events live into OpenSearch: an index template with explicit mappings first
//! (timestamp `date`, level, service and trace id `keyword`, message `text`), then each event
//! as the world's clock passes it, in `_bulk` requests to a daily index
//! (`rover-events-YYYY.MM.DD`, the pattern the capcom config tails). A backend that is down
//! is retried with backoff and said on stderr; events wait in a bounded buffer meanwhile,
//! the oldest dropped (and counted) only when it is full.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Value, json};

use super::events::SimEvent;
use capcom::text::plural;

/// Events kept while OpenSearch is away.
pub const BUFFER: usize = 10_000;
/// The template's name and the indices it covers.
pub const TEMPLATE: &str = "rover-events";
/// The daily indices' prefix.
pub const INDEX_PREFIX: &str = "rover-events-";

/// The index template: explicit mappings, one shard and no replica (a single node).
#[must_use]
pub fn template() -> Value {
    json!({
        "index_patterns": [format!("{INDEX_PREFIX}*")],
        "template": {
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {
                "properties": {
                    "@timestamp": {"type": "date"},
                    "level": {"type": "keyword"},
                    "service": {"type": "keyword"},
                    "trace_id": {"type": "keyword"},
                    "host": {"type": "keyword"},
                    "message": {"type": "text"}
                }
            }
        }
    })
}

/// One event as a document, stamped at `unix` seconds.
#[must_use]
pub fn document(e: &SimEvent, unix: f64) -> (String, Value) {
    let millis = (unix * 1000.0).round() as i64;
    let when = chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default();
    let mut doc = json!({
        "@timestamp": when.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "level": e.level,
        "service": e.service,
        "message": e.message,
        "host": "rover-1",
    });
    if let Some(t) = &e.trace_id {
        doc["trace_id"] = Value::String(t.clone());
    }
    (format!("{INDEX_PREFIX}{}", when.format("%Y.%m.%d")), doc)
}

/// A `_bulk` body (NDJSON: an action line, then the document, each ending in a newline).
#[must_use]
pub fn bulk_body(docs: &[(String, Value)]) -> String {
    let mut out = String::new();
    for (index, doc) in docs {
        out.push_str(&json!({"index": {"_index": index}}).to_string());
        out.push('\n');
        out.push_str(&doc.to_string());
        out.push('\n');
    }
    out
}

/// Events on their way to OpenSearch.
pub struct Shipper {
    http: reqwest::Client,
    base: String,
    queue: VecDeque<(String, Value)>,
    dropped: usize,
    template_put: bool,
    failures: u32,
    next_try: tokio::time::Instant,
    timeout: Duration,
}

impl Shipper {
    /// A shipper to the OpenSearch at `base`.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(base: &str) -> Result<Self, capcom::source::http::SetupError> {
        let conn = capcom::config::Connection::to_url(base);
        Ok(Self {
            http: capcom::source::http::client(&conn)?,
            base: conn.url.clone(),
            queue: VecDeque::new(),
            dropped: 0,
            template_put: false,
            failures: 0,
            next_try: tokio::time::Instant::now(),
            timeout: Duration::from_secs_f64(conn.timeout),
        })
    }

    /// Queues an event, dropping the oldest when the buffer is full.
    pub fn push(&mut self, doc: (String, Value)) {
        if self.queue.len() == BUFFER {
            self.queue.pop_front();
            self.dropped += 1;
        }
        self.queue.push_back(doc);
    }

    /// Events waiting.
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.queue.len()
    }

    /// Sends what is waiting (the template first, once), unless backing off. Failures are said
    /// on stderr and retried later; nothing is lost but what a full buffer dropped.
    pub async fn flush(&mut self) {
        if tokio::time::Instant::now() < self.next_try {
            return;
        }
        let result = self.try_flush().await;
        match result {
            Ok(()) => {
                if self.failures > 0 {
                    eprintln!("opensearch {}: back; sending again", self.base);
                }
                self.failures = 0;
            }
            Err(why) => {
                self.failures += 1;
                let wait = Duration::from_secs(1 << self.failures.min(6));
                self.next_try = tokio::time::Instant::now() + wait;
                eprintln!(
                    "opensearch {}: {why}; retrying in {} s ({} buffered{})",
                    self.base,
                    wait.as_secs(),
                    plural(self.queue.len(), "event"),
                    if self.dropped > 0 {
                        format!(
                            ", {} dropped when the buffer was full",
                            plural(self.dropped, "event")
                        )
                    } else {
                        String::new()
                    }
                );
            }
        }
    }

    async fn try_flush(&mut self) -> Result<(), String> {
        if !self.template_put {
            let url = format!("{}/_index_template/{TEMPLATE}", self.base);
            let r = self.http.put(&url).json(&template()).send().await;
            check(r, self.timeout).await?;
            self.template_put = true;
        }
        if self.queue.is_empty() {
            return Ok(());
        }
        let batch: Vec<(String, Value)> = self.queue.iter().take(500).cloned().collect();
        let url = format!("{}/_bulk", self.base);
        let r = self
            .http
            .post(&url)
            .header("Content-Type", "application/x-ndjson")
            .body(bulk_body(&batch))
            .send()
            .await;
        let body = check(r, self.timeout).await?;
        let answer: Value =
            serde_json::from_slice(&body).map_err(|e| format!("_bulk answered: {e}"))?;
        if answer["errors"].as_bool() == Some(true) {
            let first = answer["items"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|i| i["index"]["error"]["reason"].as_str())
                .unwrap_or("an item failed");
            return Err(format!("_bulk: {}", capcom::text::one_line(first, 120)));
        }
        self.queue.drain(..batch.len());
        Ok(())
    }
}

async fn check(
    r: Result<reqwest::Response, reqwest::Error>,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let r = r.map_err(|e| super::request_failure(&e, timeout))?;
    let status = r.status();
    let body = r
        .bytes()
        .await
        .map_err(|e| super::request_failure(&e, timeout))?
        .to_vec();
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!(
            "HTTP {status}: {}",
            capcom::text::one_line(&String::from_utf8_lossy(&body), 120)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_go_to_daily_indices_as_ndjson() {
        let e = SimEvent {
            t: 0.0,
            level: "warn",
            service: "mobility",
            message: "wheel slip detected".into(),
            trace_id: Some("ab".repeat(16)),
        };
        let doc = document(&e, 1_795_685_400.5);
        assert_eq!(doc.0, "rover-events-2026.11.26");
        assert_eq!(doc.1["@timestamp"], "2026-11-26T09:30:00.500Z");
        let body = bulk_body(&[doc.clone(), doc]);
        let lines: Vec<Value> = body
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect();
        assert_eq!(lines.len(), 4);
        assert!(body.ends_with('\n'));
        assert_eq!(lines[0]["index"]["_index"], "rover-events-2026.11.26");
        assert_eq!(lines[1]["trace_id"], "ab".repeat(16));
    }

    #[test]
    fn a_full_buffer_drops_the_oldest_and_counts_it() {
        let mut s = Shipper::new("http://127.0.0.1:9").expect("client");
        for i in 0..=BUFFER {
            s.push((i.to_string(), Value::Null));
        }
        assert_eq!((s.waiting(), s.dropped), (BUFFER, 1));
        assert_eq!(s.queue.front().map(|d| d.0.as_str()), Some("1"));
    }
}
