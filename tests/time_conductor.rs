//! The time conductor governs every pane: paused and scrubbed back, the Events pane lists the
//! events up to its end and the Traces pane the traces in its window, on the bundled recording,
//! with keys pressed through the keymap and the app's effects answered by the replay.

#![allow(
    clippy::float_cmp,
    reason = "exact values are the point of these checks"
)]

use capcom::action::{Action, Effect};
use capcom::app::{App, Clock};
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
/// sources from the replay at the app's display time.
fn press(app: &mut App, replay: &mut Replay, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        let action = key_action(app, KeyEvent::from(code)).expect("a bound key");
        answer(app, replay, action);
    }
}

/// Applies `action` and carries out its effects on the replay, as the replay task does.
fn answer(app: &mut App, replay: &mut Replay, action: Action) {
    let Clock::Replay(before) = app.clock else {
        panic!("a replay")
    };
    for effect in app.update(action) {
        let now = app.now;
        match effect {
            Effect::ReTime(to) => {
                replay.retime(to.shift() - before.shift());
                feed(app, replay.poll(now));
            }
            Effect::EventsUntil(until) => {
                feed(app, replay.events_until(until, now).into_iter().collect());
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
    press(&mut app, &mut replay, "+");
    press(&mut app, &mut replay, &"h".repeat(24));
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
    press(&mut app, &mut replay, "L");
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
    press(&mut app, &mut replay, &format!("@-{}s\n", back.round()));
    let end = app.conductor.end(now);
    assert!(end < oldest, "{end} {oldest}");
    assert_eq!(app.events.asked, Some(end));
    let shown: Vec<f64> = app.events.visible().filter_map(|e| e.t).collect();
    assert!(shown.iter().all(|&t| t <= end));
    let recorded_before = match replay.events_until(Some(end), now) {
        Some(capcom::source::SourceUpdate::EventsFetched { result: Ok(b), .. }) => b.events.len(),
        other => panic!("{other:?}"),
    };
    assert_eq!(shown.len(), recorded_before);
}

#[test]
fn at_jumps_to_a_time_or_to_fixed_bounds_and_says_what_it_cannot_read() {
    let (mut app, mut replay, now) = start();
    press(&mut app, &mut replay, "@-3h\n");
    assert_eq!(app.conductor.paused_at, Some(now - 10_800.0));
    assert!(app.views.is_empty(), "the prompt closes");
    // 2027-01-15: the display's date.
    press(&mut app, &mut replay, "@06:00..06:30\n");
    assert_eq!(app.conductor.window, 1_800.0);
    assert_eq!(app.conductor.end(now), 1_800_000_000.0 - 5_400.0);
    assert_eq!(app.conductor.start(now), 1_800_000_000.0 - 7_200.0);
    press(&mut app, &mut replay, "@2027-01-15T07:15Z\n");
    assert_eq!(app.conductor.end(now), 1_800_000_000.0 - 2_700.0);
    let before = app.conductor;
    press(&mut app, &mut replay, "@soon\n");
    assert_eq!(app.conductor, before, "a bad time changes nothing");
    let text = screen::text(&app);
    let last = text.lines().last().expect("a status line");
    assert!(last.contains("cannot read \"soon\" as a time"), "{last}");
}

#[test]
fn original_time_shows_the_recorded_times_with_their_dates_160x48() {
    use clap::Parser as _;
    let cli = capcom::cli::Cli::try_parse_from(["capcom", "--original-time", "--theme", "dark"])
        .expect("the flag parses");
    let session = capcom::session::Session::prepare_bundled(&cli.open).expect("opens");
    let (app, _, now) = screen::replay_at(&session, 2.0, (160, 48));
    // The recording's replay-from moment: 2026-11-26T11:10:30Z, two seconds on.
    assert_eq!(now, 1_795_651_200.0 + 40_230.0 + 2.0);
    let text = screen::text(&app);
    let status = text.lines().last().expect("status");
    assert!(status.contains("2026-11-26 11:10:32 UTC"), "{status}");
    assert!(
        text.contains("11-26 11:05:30 WARN  wheel slip"),
        "the slip at its recorded time, dated: {text}"
    );
    insta::assert_snapshot!(screen::draw(&app).backend());
}

#[test]
fn a_window_across_midnight_dates_its_lists_and_one_within_today_does_not() {
    let (mut app, mut replay, _) = start();
    let text = screen::text(&app);
    assert!(!text.contains("01-15 "), "{text}");
    // 08:00 with a one-day window: it starts yesterday.
    press(&mut app, &mut replay, "+++");
    assert_eq!(app.conductor.window, 86_400.0);
    let text = screen::text(&app);
    assert!(text.contains("2027-01-15 08:00:02 UTC"), "{text}");
    let events = text.lines().filter(|l| l.contains("01-15 0")).count();
    assert!(events > 5, "events and traces are dated: {text}");
}

#[test]
fn capital_o_switches_a_paused_replay_to_its_original_times_and_back() {
    let (mut app, mut replay, now) = start();
    press(&mut app, &mut replay, "@-2m\n");
    let slip = |app: &App| {
        app.events
            .visible()
            .find(|e| e.message.contains("wheel slip detected"))
            .and_then(|e| e.t)
    };
    let shifted = slip(&app).expect("the slip, before the end");
    press(&mut app, &mut replay, "O");
    // The same moment of the recording, at its recorded time: 2026-11-26T11:05:30Z.
    assert_eq!(slip(&app), Some(1_795_651_200.0 + 39_930.0));
    assert_eq!(
        app.conductor.end(app.now),
        1_795_651_200.0 + 40_232.0 - 120.0
    );
    let text = screen::text(&app);
    assert!(text.contains("2026-11-26 11:08:32 UTC"), "{text}");
    assert!(text.contains("11-26 11:05:30 WARN"), "dated lists: {text}");
    assert!(
        // The configured queries; the runtime slot after them charts nothing here.
        app.queries[..app.chart_slot()]
            .iter()
            .all(|q| q.set.last_time().is_some_and(|t| t <= app.now)),
        "no point from the shifted times is left"
    );
    press(&mut app, &mut replay, "O");
    assert_eq!(slip(&app), Some(shifted));
    assert_eq!(app.now, now);
    let live = capcom::keymap::key_action(&app, KeyEvent::from(KeyCode::Char('O')));
    assert_eq!(live, Some(Action::ToggleOriginalTime));
}
