//! The Jaeger source task: searches recent traces every interval (or at once when the search
//! changes) and fetches one trace by id when the app asks.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{JaegerClient, TraceError};
use crate::model::traces::TraceQuery;
use crate::source::{SourceError, SourceUpdate};

/// Searches traces until cancelled: at once, then every interval (backing off on failure),
/// and at once whenever `query` changes; fetches a trace whenever an id arrives on `fetch`.
pub async fn run(
    client: Arc<JaegerClient>,
    interval: f64,
    mut query: watch::Receiver<TraceQuery>,
    mut fetch: mpsc::Receiver<String>,
    tx: mpsc::Sender<SourceUpdate>,
    cancel: CancellationToken,
) {
    let mut failures = 0u32;
    let mut rng = crate::sim::rng::Rng::new(0x7ace ^ crate::wall_now().to_bits());
    let mut next = Instant::now();
    let interval = Duration::from_secs_f64(interval);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep_until(next) => {}
            changed = query.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            Some(id) = fetch.recv() => {
                let fetched = tokio::select! {
                    () = cancel.cancelled() => return,
                    fetched = client.trace(&id) => fetched,
                };
                let result = match fetched {
                    Ok((_, Some(t))) => Ok(Arc::new(t)),
                    Ok((_, None)) => Err(SourceError::Trace(TraceError::Api(format!(
                        "trace {} not found", crate::text::one_line(&id, 40)
                    )))),
                    Err(e) => Err(e),
                };
                if tx.send(SourceUpdate::TraceFetched { trace_id: id, result }).await.is_err() {
                    return;
                }
                continue;
            }
        }
        let q = query.borrow_and_update().clone();
        let now = crate::wall_now();
        // A search may take a request per service, each up to the timeout: stop mid-way.
        let result = tokio::select! {
            () = cancel.cancelled() => return,
            found = client.search_all(&q, now) => found.map(|(_, list)| list),
        };
        if result.is_ok() {
            failures = 0;
            next = Instant::now() + interval;
        } else {
            failures += 1;
            next = Instant::now()
                + crate::source::prometheus::poller::backoff(failures, interval, &mut rng);
        }
        let update = SourceUpdate::TracesFetched {
            fetched_at: now,
            result,
        };
        if tx.send(update).await.is_err() {
            return;
        }
    }
}
