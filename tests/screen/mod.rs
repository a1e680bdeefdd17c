//! What the whole-frame tests share: the bundled replay at a fixed wall-clock time, played
//! to a moment and sized, drawn on ratatui's `TestBackend`.

#![allow(dead_code, reason = "each test file uses a different part")]

use capcom::action::Action;
use capcom::app::App;
use capcom::cli::OpenArgs;
use capcom::cmd::snapshot::feed;
use capcom::session::Session;
use capcom::source::recording::Replay;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The wall-clock time every snapshot is taken at (2027-01-15T08:00:00Z): the replay shows its
/// `replay-from` moment at this time.
pub const WALL: f64 = 1_800_000_000.0;

/// The bundled recording in the dark theme, ignoring the tester's own config.
pub fn bundled() -> Session {
    Session::prepare_bundled(&OpenArgs {
        speed: 1.0,
        theme: Some("dark".into()),
        ..OpenArgs::default()
    })
    .expect("the bundled recording opens")
}

/// `session` replayed `secs` seconds in at `size`; with the replay, to answer later searches,
/// and the display time reached.
pub fn replay_at(session: &Session, secs: f64, (w, h): (u16, u16)) -> (App, Replay, f64) {
    let (mut app, replay) = session.start(WALL);
    let mut replay = replay.expect("the session replays");
    app.update(Action::Resize {
        width: w,
        height: h,
    });
    let now = session
        .clock(WALL)
        .expect("a replay clock")
        .display(WALL + secs);
    feed(&mut app, replay.poll(now));
    app.update(Action::Tick { wall: WALL + secs });
    (app, replay, now)
}

/// The bundled replay `secs` seconds in at `size`.
pub fn app_at(secs: f64, size: (u16, u16)) -> App {
    replay_at(&bundled(), secs, size).0
}

/// The frame through the real render path.
pub fn draw(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("terminal");
    terminal.draw(|f| capcom::ui::render(app, f)).expect("draw");
    terminal
}

/// The frame as plain text.
pub fn text(app: &App) -> String {
    capcom::cmd::snapshot::frame_text(app, app.size)
}

/// Moves focus to the first pane `is` accepts.
pub fn focus(app: &mut App, is: impl Fn(&App) -> bool) {
    for _ in 0..app.config.panes.len() {
        if is(app) {
            return;
        }
        app.update(Action::FocusNext);
    }
    panic!("no such pane");
}

/// Presses each of `keys` through the keymap, as the terminal would deliver them (`\n`
/// Enter, `\x1b` Esc); the effects the app asked for.
pub fn press(app: &mut App, keys: &str) -> Vec<capcom::action::Effect> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut effects = Vec::new();
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            c => KeyCode::Char(c),
        };
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        if let Some(action) = capcom::keymap::key_action(app, key) {
            effects.extend(app.update(action));
        }
    }
    effects
}
