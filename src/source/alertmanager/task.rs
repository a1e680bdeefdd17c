//! The live Alertmanager task: reads every alert and silence each interval (backing off while
//! it fails) and sends them as one [`SourceUpdate::FaultsFetched`]; carries out the silence
//! writes the app asks for (acknowledge, shelve, undo), answers each with
//! [`SourceUpdate::SilenceWritten`], then reads again at once so the pane shows the new state.
//! All under [`runner`]'s one loop: a write waits for a poll in flight, never runs beside it.
//! In read-only mode it is given no writes to receive, and its client refuses any.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::AlertmanagerClient;
use crate::model::fault::{FaultSnapshot, SilenceWrite};
use crate::source::SourceUpdate;
use crate::source::runner::{self, Job, Turn};

/// Polls `client` until cancelled: at once, then every `interval` seconds, and carries out
/// each write arriving on `writes` (`None` in read-only mode: nothing can arrive).
pub async fn run(
    client: AlertmanagerClient,
    interval: f64,
    writes: Option<mpsc::Receiver<SilenceWrite>>,
    tx: mpsc::Sender<SourceUpdate>,
    cancel: CancellationToken,
) {
    let faults = Faults {
        client,
        writes,
        poll_now: false,
    };
    runner::run(faults, Duration::from_secs_f64(interval), tx, cancel).await;
}

/// The client, where writes come from, and whether a write asks for a poll at once.
struct Faults {
    client: AlertmanagerClient,
    writes: Option<mpsc::Receiver<SilenceWrite>>,
    poll_now: bool,
}

/// What wakes the task before its timer.
enum Wake {
    /// Carry out this write.
    Write(SilenceWrite),
    /// A write was carried out: read the new state now.
    Poll,
}

impl Job for Faults {
    type Wake = Wake;

    async fn woken(&mut self) -> Option<Wake> {
        if self.poll_now {
            return Some(Wake::Poll);
        }
        match &mut self.writes {
            Some(writes) => writes.recv().await.map(Wake::Write),
            None => std::future::pending().await,
        }
    }

    async fn turn(&mut self, wake: Option<Wake>) -> Turn {
        match wake {
            Some(Wake::Write(write)) => {
                self.poll_now = true;
                Turn::Answered(self.write(write).await)
            }
            None | Some(Wake::Poll) => {
                self.poll_now = false;
                Turn::Polled(self.poll().await)
            }
        }
    }
}

impl Faults {
    /// Every alert, then every silence, read at one moment.
    async fn poll(&self) -> SourceUpdate {
        let fetched_at = crate::wall_now();
        let result = async {
            let alerts = self.client.alerts().await?;
            let silences = self.client.silences().await?;
            Ok(FaultSnapshot { alerts, silences })
        }
        .await;
        SourceUpdate::FaultsFetched { fetched_at, result }
    }

    /// One write carried out: the new silence's id, or the id expired.
    async fn write(&self, write: SilenceWrite) -> SourceUpdate {
        let result = match &write {
            SilenceWrite::Create(silence) => self.client.create_silence(silence).await,
            SilenceWrite::Expire(id) => self.client.expire_silence(id).await.map(|()| id.clone()),
        };
        SourceUpdate::SilenceWritten { write, result }
    }
}
