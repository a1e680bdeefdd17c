//! The one loop every live source runs. A [`Job`] says only what differs — what wakes it before
//! its timer, and what one turn fetches and sends — and [`run`] does the rest: it waits for the
//! timer or a wake-up, takes the turn, sends its update, and sets the timer again: the next
//! whole multiple of the interval in wall-clock time after a success ([`aligned`]), an
//! exponential backoff with jitter after a failure ([`backoff`]). Each turn
//! is awaited before the next wait, so one job never has two requests in flight; cancellation
//! ends the task at once, mid-request too.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::SourceUpdate;

/// The longest wait between retries of a failing source (or its interval, if longer). Short
/// enough that a source is back within its interval and a few seconds of its backend, even
/// after a long outage; a minute's cap kept a mission's display stale for up to a minute.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// How long a job with nothing to fetch sleeps, unless woken sooner.
const IDLE: Duration = Duration::from_secs(3600);

/// What one source task does; [`run`] owns the timer, the backoff and cancellation.
pub trait Job: Send {
    /// What wakes the job before its timer: a new plan, a new query, an id to fetch.
    type Wake: Send;

    /// The next wake-up; `None` when whoever sends them is gone, which ends the task. Dropped
    /// whenever the timer fires first, so it must be cancel-safe.
    fn woken(&mut self) -> impl Future<Output = Option<Self::Wake>> + Send;

    /// One turn, on the timer (`None`) or on a wake-up.
    fn turn(&mut self, wake: Option<Self::Wake>) -> impl Future<Output = Turn> + Send;
}

/// What a turn did.
#[derive(Debug)]
pub enum Turn {
    /// Nothing new to do (another query's plan changed): the timer stays as it was.
    Unchanged,
    /// Nothing to fetch (a paused window already held): wait to be woken.
    Idle,
    /// Nothing new can be fetched yet (a chart's next point is not due): no request, and the
    /// timer set again as after a success; nothing is sent, so the data's age counts on from
    /// its last answer.
    NotDue,
    /// The scheduled poll: send it, then wait the interval, or back off if it failed.
    Polled(SourceUpdate),
    /// An answer off the schedule (a trace asked for by id): send it; the timer stays.
    Answered(SourceUpdate),
}

/// Runs `job` until `cancel` fires, its wake-ups' sender is gone, or no one receives `tx`:
/// a first turn at once, then one every `interval` (backing off while it fails) or on a
/// wake-up.
pub async fn run<J: Job>(
    mut job: J,
    interval: Duration,
    tx: mpsc::Sender<SourceUpdate>,
    cancel: CancellationToken,
) {
    let mut jitter = Jitter::new();
    let mut failures = 0u32;
    let mut next = Instant::now();
    loop {
        let wake = tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep_until(next) => None,
            woken = job.woken() => match woken {
                Some(wake) => Some(wake),
                None => return,
            },
        };
        let turn = tokio::select! {
            () = cancel.cancelled() => return,
            turn = job.turn(wake) => turn,
        };
        let update = match turn {
            Turn::Unchanged => continue,
            Turn::Idle => {
                next = Instant::now() + IDLE;
                continue;
            }
            Turn::NotDue => {
                next = Instant::now() + aligned(interval, crate::wall_now());
                continue;
            }
            Turn::Polled(update) => {
                if update.is_failure() {
                    failures += 1;
                    next = Instant::now() + backoff(failures, interval, &mut jitter);
                } else {
                    failures = 0;
                    next = Instant::now() + aligned(interval, crate::wall_now());
                }
                update
            }
            Turn::Answered(update) => update,
        };
        if tx.send(update).await.is_err() {
            return;
        }
    }
}

/// The wait from wall-clock time `wall` (Unix seconds) to the next whole multiple of
/// `interval`, skipping one that is less than a quarter of the interval away. Every task with
/// the same interval then polls at the same moments, so their answers arrive together and the
/// loop draws them as one frame, not one frame each: six queries on six free-running 1 s
/// timers made three frames a second of a few cells each (issue 18). The period between two
/// polls stays the interval (a slow answer shortens the wait, never lengthens the period) and
/// is never less than three quarters of it.
#[must_use]
pub fn aligned(interval: Duration, wall: f64) -> Duration {
    let period = interval.as_secs_f64();
    if !(period > 0.0 && wall.is_finite()) {
        return interval;
    }
    let mut wait = period - wall.rem_euclid(period);
    if wait < period / 4.0 {
        wait += period;
    }
    Duration::from_secs_f64(wait)
}

/// The wait before retry `failures` (1 for the first), doubling from `interval`, jittered to
/// between half and one and a half times that, capped at [`MAX_BACKOFF`] or the interval,
/// whichever is longer.
#[must_use]
pub fn backoff(failures: u32, interval: Duration, jitter: &mut Jitter) -> Duration {
    let cap = MAX_BACKOFF.max(interval).as_secs_f64();
    let base = interval.as_secs_f64() * 2f64.powi(failures.saturating_sub(1).min(16) as i32);
    let jittered = base.min(cap) * jitter.factor();
    Duration::from_secs_f64(jittered.min(cap))
}

/// The randomness of backoff: `SplitMix64`, seeded from the clock and a number each task takes,
/// so tasks failing together retry apart. Not for anything that needs real randomness.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// A stream of its own: the clock's bits mixed with a count of the streams made so far.
    #[must_use]
    pub fn new() -> Self {
        static MADE: AtomicU64 = AtomicU64::new(0);
        let n = MADE.fetch_add(1, Ordering::Relaxed);
        Self::seeded(crate::wall_now().to_bits() ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    /// A reproducible stream, for tests.
    #[must_use]
    pub fn seeded(seed: u64) -> Self {
        Self(seed)
    }

    /// A factor in `[0.5, 1.5)`.
    pub fn factor(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        #[expect(clippy::cast_precision_loss, reason = "exact: 53 bits")]
        let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
        0.5 + unit
    }
}

impl Default for Jitter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::source::{EventBatch, SourceError};

    #[test]
    fn backoff_doubles_with_jitter_and_caps_near_ten_seconds() {
        let mut jitter = Jitter::seeded(7);
        let i = Duration::from_secs(1);
        for (failures, nominal) in [(1u32, 1.0), (2, 2.0), (3, 4.0), (4, 8.0)] {
            let d = backoff(failures, i, &mut jitter).as_secs_f64();
            assert!(d >= nominal * 0.5 && d <= nominal * 1.5, "{failures}: {d}");
        }
        for failures in 5..400 {
            let d = backoff(failures, i, &mut jitter);
            assert!(
                d <= MAX_BACKOFF && d >= MAX_BACKOFF / 2,
                "{failures}: {d:?}"
            );
        }
        // A long interval is never shortened by the cap, nor stretched past itself.
        let slow = Duration::from_secs(15);
        for failures in 1..40 {
            assert!(backoff(failures, slow, &mut jitter) <= slow);
        }
    }

    #[test]
    fn polls_fall_on_whole_multiples_of_the_interval() {
        let second = Duration::from_secs(1);
        let wait = |wall: f64| aligned(second, wall).as_secs_f64();
        assert!((wait(100.3) - 0.7).abs() < 1e-9, "to 101");
        assert!(
            (wait(100.0) - 1.0).abs() < 1e-9,
            "on a multiple: the next one"
        );
        assert!((wait(100.9) - 1.1).abs() < 1e-9, "too close: the one after");
        let five = Duration::from_secs(5);
        assert!((aligned(five, 1_000_002.0).as_secs_f64() - 3.0).abs() < 1e-6);
        // Two tasks that answered at different moments poll next at the same one.
        let (a, b) = (1_000.05, 1_000.31);
        assert!(((a + wait(a)) - (b + wait(b))).abs() < 1e-9);
    }

    #[test]
    fn jitter_spreads_over_its_range_and_streams_differ() {
        let mut j = Jitter::seeded(1);
        let draws: Vec<f64> = (0..1000).map(|_| j.factor()).collect();
        assert!(draws.iter().all(|f| (0.5..1.5).contains(f)));
        assert!(draws.iter().any(|f| *f < 0.6) && draws.iter().any(|f| *f > 1.4));
        let (mut a, mut b) = (Jitter::new(), Jitter::new());
        assert_ne!(a.factor(), b.factor(), "two tasks retry apart");
    }

    /// Fails its first `fail` turns, counting turns and how many ran at once.
    struct Flaky {
        fail: usize,
        turns: Arc<AtomicUsize>,
        running: Arc<AtomicUsize>,
        most: Arc<AtomicUsize>,
    }

    impl Job for Flaky {
        type Wake = ();

        async fn woken(&mut self) -> Option<()> {
            std::future::pending().await
        }

        async fn turn(&mut self, _: Option<()>) -> Turn {
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(2)).await;
            self.running.fetch_sub(1, Ordering::SeqCst);
            let n = self.turns.fetch_add(1, Ordering::SeqCst);
            let result = if n < self.fail {
                Err(SourceError::NotRecorded("x".into()))
            } else {
                Ok(EventBatch::default())
            };
            Turn::Polled(SourceUpdate::EventsFetched {
                fetched_at: 0.0,
                result,
                replace: false,
            })
        }
    }

    #[tokio::test]
    async fn one_turn_at_a_time_retrying_after_failures_until_cancelled() {
        let (turns, running, most) = Default::default();
        let job = Flaky {
            fail: 2,
            turns: Arc::clone(&turns),
            running: Arc::clone(&running),
            most: Arc::clone(&most),
        };
        let (tx, mut rx) = mpsc::channel(8);
        let cancel = CancellationToken::new();
        let task = tokio::spawn(run(job, Duration::from_millis(1), tx, cancel.clone()));
        let mut failed = 0;
        loop {
            let update = rx.recv().await.expect("an update");
            if !update.is_failure() {
                break;
            }
            failed += 1;
        }
        assert_eq!(failed, 2, "each failure sent, then retried");
        cancel.cancel();
        task.await.expect("ends when cancelled");
        assert_eq!(most.load(Ordering::SeqCst), 1, "never two turns at once");
        assert_eq!(running.load(Ordering::SeqCst), 0);
    }

    /// Never has anything due, counting its turns.
    struct NeverDue(Arc<AtomicUsize>);

    impl Job for NeverDue {
        type Wake = ();

        async fn woken(&mut self) -> Option<()> {
            std::future::pending().await
        }

        async fn turn(&mut self, _: Option<()>) -> Turn {
            self.0.fetch_add(1, Ordering::SeqCst);
            Turn::NotDue
        }
    }

    #[tokio::test]
    async fn a_turn_with_nothing_due_waits_the_interval_and_sends_nothing() {
        let turns = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = mpsc::channel(8);
        let cancel = CancellationToken::new();
        let interval = Duration::from_millis(50);
        let task = tokio::spawn(run(
            NeverDue(Arc::clone(&turns)),
            interval,
            tx,
            cancel.clone(),
        ));
        tokio::time::sleep(Duration::from_secs(1)).await;
        // At most about one turn an interval (each wait is 0.25 to 1.25 intervals, `aligned`;
        // fewer on a loaded machine), not a loop spinning on a timer already past.
        let n = turns.load(Ordering::SeqCst);
        assert!((1..=45).contains(&n), "{n} turns in 20 intervals");
        assert!(rx.try_recv().is_err(), "nothing sent");
        cancel.cancel();
        task.await.expect("ends when cancelled");
    }
}
