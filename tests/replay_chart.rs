//! The runtime query slot in a replay: the replay task answers it from the recording when
//! the `PromQL` set at runtime is a recorded query (as it answers a dashboard's, by
//! `Manifest::answers`), and with `not recorded` for that slot alone otherwise.

use std::time::Duration;

use capcom::source::recording::{Recording, Replay, ReplayClock, ReplayInputs};
use capcom::source::{SourceError, SourceUpdate};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// The next answer for query `slot`, skipping everything else the replay sends.
async fn slot_answer(
    rx: &mut mpsc::Receiver<SourceUpdate>,
    slot: usize,
) -> Result<capcom::source::prometheus::QueryResult, SourceError> {
    loop {
        let update = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("an answer in time")
            .expect("the replay runs");
        if let SourceUpdate::MetricsFetched {
            query,
            result,
            replace,
            ..
        } = update
            && query == slot
        {
            assert!(
                replace,
                "a new query's first answer replaces the last's: {result:?}"
            );
            return result;
        }
    }
}

#[tokio::test]
async fn the_replay_answers_the_slot_for_a_recorded_query_and_not_recorded_otherwise() {
    let rec = Recording::bundled().expect("bundled recording");
    let config = rec.config().expect("its dashboard");
    let slot = config.queries.len();
    let clock = ReplayClock {
        wall_origin: capcom::wall_now(),
        rec_origin: rec.manifest.started + rec.manifest.replay_from,
        speed: 1.0,
        original: false,
    };
    let (replay, _) = Replay::new(&rec, &config, clock);
    let (tx, mut rx) = mpsc::channel(256);
    let (_clock_tx, clock_rx) = watch::channel(None);
    let (_until_tx, until_rx) = watch::channel(None);
    let (_query_tx, query_rx) = watch::channel(capcom::model::traces::TraceQuery::default());
    let (_fetch_tx, fetch_rx) = mpsc::channel(4);
    let (_writes_tx, writes_rx) = mpsc::channel(4);
    let (chart, chart_rx) = watch::channel(None);
    let inputs = ReplayInputs {
        clock: clock_rx,
        events_until: until_rx,
        trace_query: query_rx,
        trace_fetch: fetch_rx,
        silence_writes: writes_rx,
        chart_query: chart_rx,
        why: mpsc::channel(1).1,
    };
    let cancel = CancellationToken::new();
    let task = tokio::spawn(capcom::source::recording::run(
        replay,
        clock,
        Duration::from_secs(3600),
        inputs,
        tx,
        cancel.clone(),
    ));

    // The replay's first poll (its interval's first tick) comes before the chart is set, so
    // no tick releases the slot between the two charts below: wait for a dashboard query.
    let first_poll = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(u) = rx.recv().await {
            if matches!(u, SourceUpdate::MetricsFetched { query: 0, .. }) {
                return;
            }
        }
    });
    first_poll.await.expect("the replay's first poll");

    // The battery alert's rule, `rover_battery_soc_percent < 30`, charts its left side.
    chart.send_replace(Some("rover_battery_soc_percent".into()));
    let answer = slot_answer(&mut rx, slot).await.expect("recorded");
    let points: usize = answer.series.iter().map(|s| s.points.len()).sum();
    assert!(points > 0, "what the replay has reached so far: {answer:?}");

    chart.send_replace(Some("rover_battery_soc_percent * 2".into()));
    match slot_answer(&mut rx, slot).await {
        Err(SourceError::NotRecorded(q)) => assert_eq!(q, "rover_battery_soc_percent * 2"),
        other => panic!("not recorded: {other:?}"),
    }
    cancel.cancel();
    task.await.expect("the replay ends cleanly");
}
