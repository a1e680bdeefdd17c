//! The time conductor governs every pane: paused and scrubbed back, the Events pane lists the
//! events up to its end and the Traces pane the traces in its window, on the bundled recording,
//! with keys pressed through the keymap and the app's effects answered by the replay.

#![allow(
    clippy::float_cmp,
    reason = "exact values are the point of these checks"
)]

use capcom::action::{Action, Effect};
use capcom::app::App;
use capcom::cmd::snapshot::feed;
use capcom::keymap::key_action;
use capcom::source::recording::Replay;
use crossterm::event::{KeyCode, KeyEvent};

mod screen;

/// The bundled replay two seconds in, 160×48, and its replay and display time.
fn start() -> (App, Replay, f64) {
    screen::replay_at(&screen::bundled(), 2.0, (160, 48))
}

/// Presses `keys` through the keymap, as the loop does, answering what the app asks of its
/// sources from the replay at display time `now`.
fn press(app: &mut App, replay: &mut Replay, now: f64, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        let action = key_action(app, KeyEvent::from(code)).expect("a bound key");
        answer(app, replay, now, action);
    }
}

/// Applies `action` and carries out its effects on the replay, as the replay task does.
fn answer(app: &mut App, replay: &mut Replay, now: f64, action: Action) {
    for effect in app.update(action) {
        match effect {
            Effect::EventsUntil(until) => {
                feed(app, replay.events_until(until, now).into_iter().collect())
            }
            Effect::SearchTraces(q) => {
                replay.trace_query = q;
                feed(app, replay.search(now).into_iter().collect());
            }
            _ => {}
        }
    }
}

#[test]
fn paused_and_scrubbed_back_events_and_traces_show_that_time_160x48() {
    let (mut app, mut replay, now) = start();
    let newest = app
        .events
        .visible()
        .last()
        .and_then(|e| e.t)
        .expect("events");
    // A 1 h window, scrubbed back 3 h: 24 eighths.
    press(&mut app, &mut replay, now, "+");
    press(&mut app, &mut replay, now, &"h".repeat(24));
    let (start, end) = (app.conductor.start(now), app.conductor.end(now));
    assert_eq!(end, now - 3.0 * 3_600.0);
    let shown: Vec<f64> = app.events.visible().filter_map(|e| e.t).collect();
    assert!(!shown.is_empty(), "the night's events before the end");
    assert!(shown.iter().all(|&t| t <= end), "nothing after the end");
    assert!(newest > end);
    let traces = app.traces.shown();
    assert!(!traces.is_empty(), "the traces of that hour");
    assert!(
        traces
            .iter()
            .all(|l| l.summary.start >= start && l.summary.start <= end),
        "only traces that started in the window"
    );
    insta::assert_snapshot!(screen::draw(&app).backend());
    // Following again resumes the live tail.
    press(&mut app, &mut replay, now, "n");
    assert_eq!(app.events.visible().last().and_then(|e| e.t), Some(newest));
    assert!(app.traces.shown().iter().any(|l| l.summary.start > end));
}

#[test]
fn scrubbed_back_past_what_the_pane_holds_the_events_are_fetched_up_to_the_end() {
    // A pane keeping 20 events holds only the last few minutes of the night.
    let mut session = screen::bundled();
    let text = format!(
        "{}\n[opensearch]\nurl = \"http://127.0.0.1:9200\"\nindex = \"rover-events-*\"\nmax-events = 20\n",
        session.config_text
    );
    session.config = capcom::config::parse(&text, "t").expect("parses");
    let (mut app, mut replay, now) = screen::replay_at(&session, 2.0, (160, 48));
    assert_eq!(app.events.log.len(), 20);
    let oldest = app
        .events
        .visible()
        .next()
        .and_then(|e| e.t)
        .expect("events");
    // Before the oldest event held: the pane asks the replay for the events up to there.
    let back = now - oldest + 600.0;
    press(
        &mut app,
        &mut replay,
        now,
        &format!("g-{}s\n", back.round()),
    );
    let end = app.conductor.end(now);
    assert!(end < oldest, "{end} {oldest}");
    assert_eq!(app.events.asked, Some(end));
    let shown: Vec<f64> = app.events.visible().filter_map(|e| e.t).collect();
    assert!(shown.iter().all(|&t| t <= end));
    let recorded_before = replay
        .events_until(Some(end), now)
        .map(|u| match u {
            capcom::source::SourceUpdate::EventsFetched { result: Ok(b), .. } => b.events.len(),
            _ => 0,
        })
        .unwrap_or(0);
    assert_eq!(shown.len(), recorded_before);
}

#[test]
fn g_jumps_to_a_time_or_to_fixed_bounds_and_says_what_it_cannot_read() {
    let (mut app, mut replay, now) = start();
    press(&mut app, &mut replay, now, "g-3h\n");
    assert_eq!(app.conductor.paused_at, Some(now - 10_800.0));
    assert!(app.views.is_empty(), "the prompt closes");
    // 2027-01-15: the display's date.
    press(&mut app, &mut replay, now, "g06:00..06:30\n");
    assert_eq!(app.conductor.window, 1_800.0);
    assert_eq!(app.conductor.end(now), 1_800_000_000.0 - 5_400.0);
    assert_eq!(app.conductor.start(now), 1_800_000_000.0 - 7_200.0);
    press(&mut app, &mut replay, now, "g2027-01-15T07:15Z\n");
    assert_eq!(app.conductor.end(now), 1_800_000_000.0 - 2_700.0);
    let before = app.conductor;
    press(&mut app, &mut replay, now, "gsoon\n");
    assert_eq!(app.conductor, before, "a bad time changes nothing");
    let text = screen::text(&app);
    let last = text.lines().last().expect("a status line");
    assert!(last.contains("cannot read \"soon\" as a time"), "{last}");
}
