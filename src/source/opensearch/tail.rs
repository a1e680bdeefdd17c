//! The live events tail: `_search` sorted on the timestamp with a tiebreaker, paging forward
//! with `search_after` from the last hit seen, so no event is shown twice or skipped across
//! polls — even events sharing a timestamp across a page boundary. The first fetch loads the
//! newest events of the window; a new server-side query starts over. While the time conductor
//! is paused before what the pane holds, it fetches the newest events up to the conductor's
//! end instead, once, and waits; following again starts the tail over.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::{OpenSearchClient, to_event};
use crate::config::OpenSearchConfig;
use crate::source::runner::{self, Job, Turn};
use crate::source::{EventBatch, SourceError, SourceUpdate};

/// Pages fetched in one poll at most, so a flood is taken in bounded steps.
const MAX_PAGES_PER_POLL: usize = 20;

/// The `_search` body of one tail request: events since `since` (Unix s) matching `query`,
/// sorted on the timestamp then the tiebreaker (newest first for the first fetch), after
/// `after` when continuing.
#[must_use]
pub fn tail_request(
    cfg: &OpenSearchConfig,
    after: Option<&[Value]>,
    since: f64,
    newest_first: bool,
    size: usize,
) -> Value {
    request(cfg, after, "gte", since, newest_first, size)
}

/// The `_search` body of the newest `size` events at or before `until` (Unix s) matching
/// `query`: what the pane shows when the conductor is paused before what it holds.
#[must_use]
pub fn until_request(cfg: &OpenSearchConfig, until: f64, size: usize) -> Value {
    request(cfg, None, "lte", until, true, size)
}

/// A `_search` body bounding the timestamp on one side (`gte` or `lte` `at`).
fn request(
    cfg: &OpenSearchConfig,
    after: Option<&[Value]>,
    bound: &str,
    at: f64,
    newest_first: bool,
    size: usize,
) -> Value {
    let order = if newest_first { "desc" } else { "asc" };
    let ts = cfg
        .fields
        .timestamp
        .first()
        .map_or("@timestamp", String::as_str);
    let mut filter = vec![
        json!({"range": {ts: {bound: (at * 1000.0).round() as i64, "format": "epoch_millis"}}}),
    ];
    if !cfg.query.trim().is_empty() {
        filter.push(json!({"query_string": {"query": cfg.query}}));
    }
    let mut body = json!({
        "size": size,
        "track_total_hits": false,
        "sort": [{ts: {"order": order}}, {cfg.tiebreaker.as_str(): {"order": order}}],
        "query": {"bool": {"filter": filter}},
    });
    if let Some(after) = after {
        body["search_after"] = Value::Array(after.to_vec());
    }
    body
}

/// Tails events until cancelled: a first fetch of the newest events in the last `window`
/// seconds, then every interval each page after the last hit seen. `query` changes restart it;
/// an end on `until` fetches the events up to it instead, and `None` there starts the tail over.
pub async fn run(
    client: OpenSearchClient,
    cfg: OpenSearchConfig,
    window: f64,
    query: watch::Receiver<String>,
    until: watch::Receiver<Option<f64>>,
    tx: mpsc::Sender<SourceUpdate>,
    cancel: CancellationToken,
) {
    let interval = Duration::from_secs_f64(cfg.interval);
    let tail = Tail {
        client,
        cfg,
        window,
        query,
        until,
        ended: None,
        cursor: None,
    };
    runner::run(tail, interval, tx, cancel).await;
}

/// The tail's state: the search as it stands, and where the last poll stopped.
struct Tail {
    client: OpenSearchClient,
    cfg: OpenSearchConfig,
    window: f64,
    query: watch::Receiver<String>,
    until: watch::Receiver<Option<f64>>,
    /// The end the pane shows while paused before what it holds, and whether its events came.
    ended: Option<(f64, bool)>,
    /// The sort values of the newest hit seen; `None` until the first fetch succeeds.
    cursor: Option<Vec<Value>>,
}

impl Job for Tail {
    type Wake = ();

    async fn woken(&mut self) -> Option<()> {
        tokio::select! {
            changed = self.query.changed() => changed.ok(),
            // A closed `until` (no conductor to follow) leaves the tail running.
            Ok(()) = self.until.changed() => Some(()),
        }
    }

    async fn turn(&mut self, wake: Option<()>) -> Turn {
        if wake.is_some() {
            self.cfg.query.clone_from(&self.query.borrow_and_update());
            self.ended = self.until.borrow_and_update().map(|end| (end, false));
            self.cursor = None;
        }
        let (client, cfg) = (&self.client, &self.cfg);
        let now = crate::wall_now();
        match self.ended {
            Some((_, true)) => return Turn::Idle,
            Some((end, false)) => {
                let result = up_to(client, cfg, end).await;
                if result.is_ok() {
                    self.ended = Some((end, true));
                }
                return Turn::Polled(SourceUpdate::EventsFetched {
                    fetched_at: now,
                    result,
                    replace: true,
                });
            }
            None => {}
        }
        let (result, replace) = match &self.cursor {
            None => (first_fetch(client, cfg, now - self.window).await, true),
            Some(after) => (
                follow(client, cfg, after.clone(), now - self.window).await,
                false,
            ),
        };
        let (result, replace) = match result {
            Ok((hits, warnings, last)) => {
                if last.is_some() {
                    self.cursor = last;
                }
                let events = hits.iter().map(|h| to_event(h, &self.cfg.fields)).collect();
                (Ok(EventBatch { events, warnings }), replace)
            }
            Err(e) => (Err(e), false),
        };
        Turn::Polled(SourceUpdate::EventsFetched {
            fetched_at: now,
            result,
            replace,
        })
    }
}

/// The newest `max-events` at or before `until`, oldest first.
async fn up_to(
    client: &OpenSearchClient,
    cfg: &OpenSearchConfig,
    until: f64,
) -> Result<EventBatch, SourceError> {
    let size = cfg.max_events.min(10_000);
    let (hits, warnings, _) = newest(client, cfg, &until_request(cfg, until, size)).await?;
    let events = hits.iter().map(|h| to_event(h, &cfg.fields)).collect();
    Ok(EventBatch { events, warnings })
}

type Fetched = (Vec<super::Hit>, Vec<String>, Option<Vec<Value>>);

/// The newest `max-events` of the window, oldest first, and the cursor after the newest.
async fn first_fetch(
    client: &OpenSearchClient,
    cfg: &OpenSearchConfig,
    since: f64,
) -> Result<Fetched, SourceError> {
    let size = cfg.max_events.min(10_000);
    newest(client, cfg, &tail_request(cfg, None, since, true, size)).await
}

/// The hits of a newest-first `body`, oldest first, and the cursor after the newest.
async fn newest(
    client: &OpenSearchClient,
    cfg: &OpenSearchConfig,
    body: &Value,
) -> Result<Fetched, SourceError> {
    let (_, page) = client.search(&cfg.index, body).await?;
    let cursor = page
        .first_sort
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| page.hits.first().map(|h| h.sort.clone()));
    let mut hits = page.hits;
    hits.reverse();
    Ok((hits, page.warnings, cursor))
}

/// Every page after `after`, up to [`MAX_PAGES_PER_POLL`], and the cursor after the last hit.
async fn follow(
    client: &OpenSearchClient,
    cfg: &OpenSearchConfig,
    mut after: Vec<Value>,
    since: f64,
) -> Result<Fetched, SourceError> {
    let mut hits = Vec::new();
    let mut warnings = Vec::new();
    for _ in 0..MAX_PAGES_PER_POLL {
        let body = tail_request(cfg, Some(&after), since, false, cfg.page_size);
        let (_, page) = client.search(&cfg.index, &body).await?;
        warnings.extend(page.warnings);
        let full = page.hits.len() + page.unreadable >= cfg.page_size;
        if let Some(last) = page.last_sort.filter(|s| !s.is_empty()) {
            after = last;
        }
        hits.extend(page.hits);
        if !full {
            break;
        }
    }
    Ok((hits, warnings, Some(after)))
}
