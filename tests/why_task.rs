//! `w` off the loop: an `Effect::Why` carried out as the loop does reaches the analysis task,
//! which asks the replay task for the window's input, analyses it on the blocking pool and
//! answers `SourceUpdate::WhyAnalysed` on the sources' channel; a second `w` while it runs is
//! told so, and without a task the request is answered at once with why not.

use std::time::Duration;

use capcom::action::{Action, Effect};
use capcom::event::{Carried, Outlets, carry_out};
use capcom::source::SourceUpdate;
use capcom::source::recording::{Recording, Replay, ReplayClock, ReplayInputs};
use capcom::source::why::{Gatherer, Request};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn w_on_the_bundled_replay_comes_back_analysed_and_a_second_w_is_told_to_wait() {
    let rec = Recording::bundled().expect("bundled recording");
    let config = rec.config().expect("its dashboard");
    let clock = ReplayClock {
        wall_origin: capcom::wall_now(),
        rec_origin: rec.manifest.started + rec.manifest.replay_from,
        speed: 1.0,
        original: false,
    };
    let (replay, _) = Replay::new(&rec, &config, clock);
    let (tx, mut rx) = mpsc::channel(256);
    let (why_tx, why_rx) = mpsc::channel(1);
    let inputs = ReplayInputs {
        clock: watch::channel(None).1,
        events_until: watch::channel(None).1,
        trace_query: watch::channel(capcom::model::traces::TraceQuery::default()).1,
        trace_fetch: mpsc::channel(1).1,
        silence_writes: mpsc::channel(1).1,
        chart_query: watch::channel(None).1,
        why: why_rx,
    };
    let cancel = CancellationToken::new();
    tokio::spawn(capcom::source::recording::run(
        replay,
        clock,
        Duration::from_secs(3600),
        inputs,
        tx.clone(),
        cancel.clone(),
    ));
    let asker = capcom::source::why::spawn(Gatherer::Replay(why_tx), tx, cancel.clone());
    let outlets = Outlets {
        why: asker,
        ..Outlets::detached(None)
    };
    let slo = config
        .slos
        .iter()
        .find(|s| s.name == "mobility commands")
        .expect("the demo's SLO");
    let request = Request::for_slo(slo, clock.display(capcom::wall_now()));
    assert_eq!(
        carry_out(Effect::Why(Box::new(request.clone())), &outlets),
        Carried::Done
    );
    assert_eq!(
        carry_out(Effect::Why(Box::new(request.clone())), &outlets),
        Carried::Then(Action::ShowNotice(
            "an analysis is running; its report comes when it is done".into()
        ))
    );
    let (answered, why) = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let SourceUpdate::WhyAnalysed { request, result } =
                rx.recv().await.expect("the sources run")
            {
                break (request, result.expect("a report"));
            }
        }
    })
    .await
    .expect("the analysis answers in time");
    assert_eq!(*answered, request);
    assert!(why.looked_at.traces > 0, "{:?}", why.looked_at);
    assert!(why.looked_at.series > 0, "{:?}", why.looked_at);
    assert!(why.looked_at.events > 0, "{:?}", why.looked_at);
    assert!(!why.shared.is_empty() && !why.bottleneck.is_empty());
    assert!(why.impact.budget.is_some(), "{:?}", why.unused);
    // Once answered, the next `w` is taken again.
    assert_eq!(
        carry_out(Effect::Why(Box::new(request)), &outlets),
        Carried::Done
    );
    cancel.cancel();
}

#[test]
fn without_a_task_w_is_answered_at_once_with_why_not() {
    let outlets = Outlets::detached(None);
    let request = Request::for_window(
        "the window",
        capcom::model::why::Window {
            from: 0.0,
            to: 60.0,
        },
    );
    let Carried::Then(Action::Source(SourceUpdate::WhyAnalysed { request: r, result })) =
        carry_out(Effect::Why(Box::new(request.clone())), &outlets)
    else {
        panic!("answered at once")
    };
    assert_eq!(*r, request);
    assert_eq!(
        result.map(|_| ()),
        Err("the analysis task has stopped".into())
    );
}
