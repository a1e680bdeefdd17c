//! Whole-frame snapshots of what users see, on the bundled recording at a fixed replay time,
//! drawn through the real render path onto ratatui's `TestBackend` at 80×24 and 160×48.
//! Accept intended changes with `cargo insta review`, never by editing `.snap` files.

#![allow(
    clippy::float_cmp,
    reason = "exact values are the point of these checks"
)]

use capcom::action::Action;
use capcom::app::App;
use capcom::cmd::snapshot::feed;
use capcom::config::PaneKind;
use ratatui::Terminal;

mod screen;

use screen::draw;

/// The app `secs` seconds into the replay, sized `w`×`h`, after `actions`.
fn app_at(secs: f64, size: (u16, u16), actions: &[Action]) -> App {
    let mut app = screen::app_at(secs, size);
    for a in actions {
        app.update(a.clone());
    }
    app
}

/// The bundled session.
fn session() -> capcom::session::Session {
    screen::bundled()
}

/// The wall-clock time of every snapshot.
const WALL: f64 = screen::WALL;

#[test]
fn dashboard_160x48() {
    insta::assert_snapshot!(draw(&app_at(2.0, (160, 48), &[])).backend());
}

#[test]
fn dashboard_80x24() {
    insta::assert_snapshot!(draw(&app_at(2.0, (80, 24), &[])).backend());
}

#[test]
fn dashboard_during_the_wheel_slip_160x48() {
    // The replay opens five minutes into the slip; two minutes on, the LM motor is past its
    // critical limit.
    insta::assert_snapshot!(draw(&app_at(120.0, (160, 48), &[])).backend());
}

#[test]
fn help_overlay_80x24() {
    insta::assert_snapshot!(draw(&app_at(2.0, (80, 24), &[Action::ToggleHelp])).backend());
}

#[test]
fn zoomed_environment_160x48() {
    // Internal, then Faults beneath it, then Environment.
    let to_environment = [Action::FocusNext, Action::FocusNext, Action::ToggleZoom];
    let app = app_at(2.0, (160, 48), &to_environment);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn paused_scrubbed_back_and_window_widened_160x48() {
    let actions = [
        Action::WindowWider,
        Action::WindowWider,
        Action::ScrubBack,
        Action::ScrubBack,
    ];
    insta::assert_snapshot!(draw(&app_at(2.0, (160, 48), &actions)).backend());
}

#[test]
fn too_small_terminal_says_so() {
    insta::assert_snapshot!(draw(&app_at(2.0, (30, 8), &[])).backend());
}

#[test]
fn limit_levels_are_coloured_and_worded() {
    let app = app_at(2.0, (160, 48), &[]);
    let terminal = draw(&app);
    let buf = terminal.backend().buffer();
    let row = (0..48)
        .find(|&y| {
            (0..60)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("motor LM")
        })
        .expect("a motor LM row");
    let line: String = (0..60).map(|x| buf[(x, row)].symbol()).collect();
    let at = line
        .find("WARN")
        .expect("the LM motor is at its warning limit in the recording");
    let col = line[..at].chars().count() as u16;
    assert_eq!(
        buf[(col, row)].fg,
        app.theme
            .limit_warning
            .fg
            .expect("dark theme colours warnings")
    );
}

#[test]
fn j_past_the_last_table_row_stays_on_it_and_k_moves_up_at_once() {
    let mut app = app_at(2.0, (160, 48), &[]);
    screen::focus(&mut app, |a| {
        matches!(a.config.panes[a.focus].kind, PaneKind::Table(_))
    });
    let PaneKind::Table(queries) = &app.config.panes[app.focus].kind else {
        unreachable!("focused above")
    };
    let rows: usize = queries.iter().map(|&q| app.queries[q].set.len()).sum();
    assert!(rows > 2, "the bundled Internal table has rows");
    for _ in 0..rows + 5 {
        app.update(Action::SelectNext);
    }
    assert_eq!(app.selected[app.focus], rows - 1);
    app.update(Action::SelectPrev);
    assert_eq!(app.selected[app.focus], rows - 2);
}

#[test]
fn the_snapshot_command_prints_exactly_height_lines() {
    let text = capcom::cmd::snapshot::snapshot(&session(), (120, 30), WALL).expect("snapshot");
    assert_eq!(text.lines().count(), 30);
    assert!(
        text.contains("Environment") && text.contains("Internal") && text.contains("Rover path")
    );
    assert!(text.contains("REPLAY"));
}

#[test]
fn warnings_from_the_backend_are_shown_in_their_pane() {
    use capcom::source::SourceUpdate;
    use capcom::source::prometheus::QueryResult;
    let mut app = app_at(2.0, (160, 48), &[]);
    let warning = "PromQL info: metric might not be a counter".to_owned();
    let result = Ok(QueryResult {
        series: vec![],
        warnings: vec![warning],
    });
    let update = SourceUpdate::MetricsFetched {
        query: 0,
        fetched_at: app.now,
        result,
        replace: false,
    };
    app.update(Action::Source(update));
    let text = capcom::cmd::snapshot::frame_text(&app, (160, 48));
    let first = text.lines().next().expect("a line");
    assert!(first.contains("warning: PromQL info: metri"), "{first}");
}

/// Focus order: Internal, Environment, SLOs, Traces, Rover path, Events.
const TO_EVENTS: [Action; 6] = [
    Action::FocusNext,
    Action::FocusNext,
    Action::FocusNext,
    Action::FocusNext,
    Action::FocusNext,
    Action::FocusNext,
];

#[test]
fn events_pane_scrolled_back_160x48() {
    let mut actions = TO_EVENTS.to_vec();
    actions.extend([Action::SelectPrev, Action::SelectPrev, Action::SelectPrev]);
    let app = app_at(2.0, (160, 48), &actions);
    assert_eq!(app.config.panes[app.focus].id, "events");
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn new_events_while_scrolled_back_are_counted_not_jumped_to() {
    let mut actions = TO_EVENTS.to_vec();
    actions.push(Action::SelectPrev);
    let mut app = app_at(2.0, (160, 48), &actions);
    let before = app.events.selected_event().cloned().expect("selected");
    let session = session();
    let (_, replay) = session.start(WALL);
    let mut replay = replay.expect("replay");
    let clock = session.clock(WALL).expect("clock");
    feed(&mut app, replay.poll(clock.display(WALL + 2.0)));
    let later = replay.poll(clock.display(WALL + 900.0));
    feed(&mut app, later);
    assert!(
        app.events.unseen > 0,
        "events arrived in 15 minutes of the morning drive"
    );
    assert_eq!(
        app.events.selected_event(),
        Some(&before),
        "the operator's place is kept"
    );
    let text = capcom::cmd::snapshot::frame_text(&app, (160, 48));
    assert!(
        text.contains(&format!("{} new ↓", app.events.unseen)),
        "{text}"
    );
}

#[test]
fn an_event_opens_as_its_whole_document_160x48() {
    let mut actions = TO_EVENTS.to_vec();
    actions.extend([Action::SelectPrev, Action::DrillIn]);
    insta::assert_snapshot!(draw(&app_at(2.0, (160, 48), &actions)).backend());
}

#[test]
fn the_local_filter_narrows_the_list_160x48() {
    let mut actions = TO_EVENTS.to_vec();
    actions.push(Action::Filter);
    actions.extend("image".chars().map(Action::TextInput));
    actions.push(Action::TextCommit);
    let app = app_at(2.0, (160, 48), &actions);
    assert!(
        app.events
            .visible()
            .all(|e| e.message.to_lowercase().contains("image"))
    );
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn hostile_text_reaches_the_terminal_as_harmless_characters() {
    use capcom::model::event::{Event, Level};
    use capcom::source::{EventBatch, SourceUpdate};
    use ratatui::{TerminalOptions, Viewport};
    let hostile = [
        "title\u{1b}]0;pwned\u{7} clear\u{1b}[2J\u{1b}[H red\u{1b}[31m",
        "csi\u{9b}31m osc8\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\",
        "rtl\u{202e}gnp.exe zero\u{200b}width bom\u{feff} tab\there\nnewline\r",
        "wide 火星探査車火星探査車火星探査車火星探査車火星探査車火星探査車火星探査車火星探査車火星探査車",
        &"long ".repeat(400),
    ];
    let mut app = app_at(2.0, (160, 48), &TO_EVENTS);
    let events = hostile
        .iter()
        .enumerate()
        .map(|(i, m)| Event {
            t: Some(app.now),
            level: Level::Error,
            level_text: "error\u{1b}[5m".into(),
            message: (*m).to_owned(),
            service: Some("svc\u{1b}[1m".into()),
            trace_id: None,
            id: format!("h{i}"),
            index: "hostile".into(),
            doc: serde_json::json!({ "message": m }).into(),
        })
        .collect();
    app.update(Action::Source(SourceUpdate::EventsFetched {
        fetched_at: app.now,
        result: Ok(EventBatch {
            events,
            warnings: vec![],
        }),
        replace: false,
    }));
    let frame = capcom::cmd::snapshot::frame_text(&app, (160, 48));
    assert!(
        !frame.chars().any(|c| c.is_control() && c != '\n'),
        "{frame:?}"
    );
    assert!(frame.contains("␛]0;pwned"), "shown, harmlessly: {frame}");
    for line in frame.lines() {
        assert!(
            ratatui::text::Line::raw(line).width() <= 160,
            "no line overflows: {line}"
        );
    }
    // The bytes written to a real terminal backend hold none of the input's sequences.
    let area = ratatui::layout::Rect::new(0, 0, 160, 48);
    let options = TerminalOptions {
        viewport: Viewport::Fixed(area),
    };
    let written = Shared::default();
    let mut terminal =
        Terminal::with_options(capcom::tui::Lean::new(written.clone()), options).expect("terminal");
    terminal
        .draw(|f| capcom::ui::render(&app, f))
        .expect("draw");
    let mut detail = app.clone();
    detail.update(Action::DrillIn);
    terminal
        .draw(|f| capcom::ui::render(&detail, f))
        .expect("draw the detail view");
    let bytes = String::from_utf8_lossy(&written.0.lock().expect("lock")).into_owned();
    for needle in [
        "\u{1b}]0;pwned",
        "\u{1b}[2J",
        "\u{1b}]8;;http://evil",
        "\u{9b}31m",
        "\u{202e}",
        "\u{200b}",
        "\u{7}",
        "\u{1b}[5m",
        "\u{1b}[1msvc",
    ] {
        assert!(!bytes.contains(needle), "{needle:?} reached the terminal");
    }
}

/// A 160×48 terminal emulator after `bytes`.
fn emulate(bytes: &[u8]) -> vt100::Parser {
    let size = |n| std::num::NonZeroU16::new(n).expect("not zero");
    let mut vt = vt100::Parser::new(size(48), size(160), 0);
    vt.process(bytes);
    vt
}

/// What a terminal emulator shows after `bytes`, cell by cell: text and style.
fn shown(bytes: &[u8]) -> Vec<String> {
    let vt = emulate(bytes);
    let screen = vt.screen();
    (0..48)
        .flat_map(|row| (0..160).map(move |col| (row, col)))
        .map(|(row, col)| {
            let c = screen.cell(row, col).expect("in the screen");
            format!(
                "{row},{col} {:?} {:?} {:?} b{} d{} i{} u{} r{}",
                c.contents(),
                c.fgcolor(),
                c.bgcolor(),
                c.bold(),
                c.dim(),
                c.italic(),
                c.underline(),
                c.inverse()
            )
        })
        .collect()
}

#[test]
fn the_lean_backend_shows_what_ratatuis_shows_in_fewer_bytes() {
    use ratatui::backend::CrosstermBackend;
    use ratatui::{TerminalOptions, Viewport};
    // Ages ticking, focus moving through the panes, an overlay opened: styles come and go.
    let mut drill = TO_EVENTS.to_vec();
    drill.push(Action::DrillIn);
    let frames = [
        app_at(2.0, (160, 48), &[]),
        app_at(3.0, (160, 48), &[]),
        app_at(4.0, (160, 48), &TO_EVENTS),
        app_at(5.0, (160, 48), &drill),
        app_at(6.0, (160, 48), &[]),
    ];
    let options = || TerminalOptions {
        viewport: Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 160, 48)),
    };
    let (lean, plain) = (Shared::default(), Shared::default());
    let mut a =
        Terminal::with_options(capcom::tui::Lean::new(lean.clone()), options()).expect("terminal");
    let mut b =
        Terminal::with_options(CrosstermBackend::new(plain.clone()), options()).expect("terminal");
    let bytes = |w: &Shared| w.0.lock().expect("lock").clone();
    let mut tick = (0, 0);
    for (i, app) in frames.iter().enumerate() {
        let before = (bytes(&lean).len(), bytes(&plain).len());
        a.draw(|f| capcom::ui::render(app, f)).expect("draw");
        b.draw(|f| capcom::ui::render(app, f)).expect("draw");
        assert_eq!(shown(&bytes(&lean)), shown(&bytes(&plain)), "frame {i}");
        if i == 1 {
            tick = (
                bytes(&lean).len() - before.0,
                bytes(&plain).len() - before.1,
            );
        }
    }
    assert!(tick.0 > 0, "the second frame wrote something");
    assert!(
        tick.0 * 3 < tick.1 * 2,
        "a second's ticking ages: {} bytes, ratatui's backend {}",
        tick.0,
        tick.1
    );
    assert!(bytes(&lean).len() < bytes(&plain).len());
    // A clear paints the default background, not the last frame's.
    ratatui::backend::Backend::clear(a.backend_mut()).expect("clear");
    let vt = emulate(&bytes(&lean));
    let cell = vt.screen().cell(47, 159).expect("in the screen");
    assert_eq!(cell.bgcolor(), vt100::Color::Default);
    assert_eq!(cell.contents(), "");
}

/// A writer whose bytes the test can read after the terminal has written them.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn live_without_opensearch_or_jaeger_their_panes_say_so_and_are_not_stale_160x48() {
    let config = capcom::config::parse(capcom::DASHBOARD_TOML, "t").expect("the bundled dashboard");
    assert!(config.opensearch.is_none() && config.jaeger.is_none());
    let theme = capcom::config::theme::Theme::builtin("mono").expect("theme");
    let mut app = App::new(config, theme, capcom::app::Clock::Live, None, screen::WALL);
    app.update(Action::Resize {
        width: 160,
        height: 48,
    });
    let frame = capcom::cmd::snapshot::frame_text(&app, (160, 48));
    assert!(frame.contains("┌ Events ─"), "{frame}");
    assert_eq!(
        frame.matches("no [opensearch] configured").count(),
        2,
        "{frame}"
    );
    assert_eq!(
        frame.matches("no [jaeger] configured").count(),
        2,
        "{frame}"
    );
    assert!(!frame.contains("STALE"), "{frame}");
    assert!(!frame.contains("no events yet"), "{frame}");
}
