//! The Jaeger source task: searches recent traces (or those before the search's end, while the
//! time conductor is paused) every interval (or at once when the search
//! changes) and fetches one trace by id when the app asks. Both run in the one task, one after
//! the other, under [`runner`]'s timer, backoff and cancellation; a by-id fetch leaves the
//! search's timer alone.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::{JaegerClient, TraceError};
use crate::model::traces::TraceQuery;
use crate::source::runner::{self, Job, Turn};
use crate::source::{SourceError, SourceUpdate};

/// Searches traces until cancelled: at once, then every interval (backing off on failure),
/// and at once whenever `query` changes; fetches a trace whenever an id arrives on `fetch`.
pub async fn run(
    client: Arc<JaegerClient>,
    interval: f64,
    query: watch::Receiver<TraceQuery>,
    fetch: mpsc::Receiver<String>,
    tx: mpsc::Sender<SourceUpdate>,
    cancel: CancellationToken,
) {
    let search = Search {
        client,
        query,
        fetch,
    };
    runner::run(search, Duration::from_secs_f64(interval), tx, cancel).await;
}

/// The search the form last sent, and the ids asked for by the app.
struct Search {
    client: Arc<JaegerClient>,
    query: watch::Receiver<TraceQuery>,
    fetch: mpsc::Receiver<String>,
}

/// What wakes the task early.
enum Wake {
    /// The search changed: run it now.
    Search,
    /// Fetch this trace by id.
    Fetch(String),
}

impl Job for Search {
    type Wake = Wake;

    async fn woken(&mut self) -> Option<Wake> {
        tokio::select! {
            changed = self.query.changed() => changed.ok().map(|()| Wake::Search),
            Some(id) = self.fetch.recv() => Some(Wake::Fetch(id)),
        }
    }

    async fn turn(&mut self, wake: Option<Wake>) -> Turn {
        if let Some(Wake::Fetch(id)) = wake {
            return Turn::Answered(self.by_id(id).await);
        }
        let q = self.query.borrow_and_update().clone();
        let now = crate::wall_now();
        // Paused, the search ends at the conductor's end; the update is still this poll's.
        let end = q.end.map_or(now, |e| e.min(now));
        // A search may take a request per service, each up to the timeout; the runner stops it
        // mid-way when cancelled.
        let result = self.client.search_all(&q, end).await.map(|(_, list)| list);
        Turn::Polled(SourceUpdate::TracesFetched {
            fetched_at: now,
            result,
        })
    }
}

impl Search {
    /// One trace by id, or why not.
    async fn by_id(&self, id: String) -> SourceUpdate {
        let result = match self.client.trace(&id).await {
            Ok((_, Some(t))) => Ok(Arc::new(t)),
            Ok((_, None)) => Err(SourceError::Trace(TraceError::Api(format!(
                "trace {} not found",
                crate::text::one_line(&id, 40)
            )))),
            Err(e) => Err(e),
        };
        SourceUpdate::TraceFetched {
            trace_id: id,
            result,
        }
    }
}
