//! Lists as a new user drives them: `g` `G` `Home` `End` `PgUp` `PgDn`, the wheel and a click,
//! pressed through the keymap on the bundled replay; `l` on a trace; the errors view; the
//! Events pane naming its query; help scrolling at 80×24.

use capcom::action::Action;
use capcom::app::{App, View};
use capcom::config::PaneKind;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

mod screen;

fn press(app: &mut App, code: KeyCode) {
    let action = capcom::keymap::key_action(app, KeyEvent::new(code, KeyModifiers::NONE))
        .unwrap_or_else(|| panic!("{code:?} is bound"));
    app.update(action);
}

fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16) {
    let event = MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let action = capcom::keymap::mouse_action(event).expect("the mouse is bound");
    app.update(action);
}

fn focus(app: &mut App, kind: &PaneKind) -> usize {
    while app.config.panes[app.focus].kind != *kind {
        press(app, KeyCode::Tab);
    }
    app.focus
}

fn click(app: &mut App, column: u16, row: u16) {
    mouse(app, MouseEventKind::Down(MouseButton::Left), column, row);
}

/// The first pane of `kind`.
fn pane_of(app: &App, kind: &PaneKind) -> usize {
    app.config
        .panes
        .iter()
        .position(|p| p.kind == *kind)
        .expect("a pane of that kind")
}

/// The bundled replay two minutes in, 160×48: every list holds rows.
fn app() -> App {
    screen::app_at(120.0, (160, 48))
}

/// Where pane `pane` is on screen.
fn rect(app: &App, pane: usize) -> ratatui::layout::Rect {
    app.pane_areas(ratatui::layout::Rect::new(0, 0, 160, 48))
        .into_iter()
        .find(|(p, _)| *p == pane)
        .expect("on screen")
        .1
}

#[test]
fn events_g_is_the_oldest_end_the_newest_and_following_again_and_a_page_is_its_height() {
    let mut a = app();
    let pane = focus(&mut a, &PaneKind::Events);
    let len = a.events.visible_len();
    let height = usize::from(rect(&a, pane).height - 2);
    assert!(len > height, "{len} events for {height} rows");
    press(&mut a, KeyCode::Char('g'));
    assert_eq!(a.events.selected, len - 1, "g: the top row, the oldest");
    press(&mut a, KeyCode::PageDown);
    assert_eq!(a.events.selected, len - 1 - height, "PgDn: a page newer");
    press(&mut a, KeyCode::PageUp);
    press(&mut a, KeyCode::PageUp);
    assert_eq!(a.events.selected, len - 1, "PgUp stops at the top");
    a.events.unseen = 4;
    press(&mut a, KeyCode::End);
    assert_eq!(
        (a.events.selected, a.events.unseen),
        (0, 0),
        "End follows again"
    );
    assert!(
        a.conductor.paused_at.is_none(),
        "End on the list does not touch time"
    );
    press(&mut a, KeyCode::Home);
    assert_eq!(a.events.selected, len - 1, "Home as g");
    press(&mut a, KeyCode::Char('G'));
    assert_eq!(a.events.selected, 0, "G as End");
}

#[test]
fn traces_faults_and_slos_take_the_list_keys() {
    let mut a = app();
    focus(&mut a, &PaneKind::Traces);
    let len = a.traces.shown().len();
    assert!(len > 2);
    press(&mut a, KeyCode::End);
    assert_eq!(a.traces.selected, len - 1);
    press(&mut a, KeyCode::Char('g'));
    assert_eq!(a.traces.selected, 0);
    press(&mut a, KeyCode::PageDown);
    assert!(a.traces.selected > 1, "a page is more than a row");
    let faults = focus(&mut a, &PaneKind::Faults);
    let rows = a.shown_faults().len();
    assert!(rows > 1);
    press(&mut a, KeyCode::Char('G'));
    assert_eq!(a.selected[faults], rows - 1);
    press(&mut a, KeyCode::Home);
    assert_eq!(a.selected[faults], 0);
    let slo = focus(&mut a, &PaneKind::Slo);
    press(&mut a, KeyCode::End);
    assert_eq!(a.selected[slo], a.config.slos.len() - 1);
    press(&mut a, KeyCode::PageUp);
    assert_eq!(a.selected[slo], 0);
}

#[test]
fn on_a_chart_end_and_g_follow_now_and_pages_move_time() {
    let mut a = app();
    screen::focus(&mut a, |a| {
        matches!(a.config.panes[a.focus].kind, PaneKind::Chart(_))
    });
    press(&mut a, KeyCode::PageUp);
    let end = a.conductor.end(a.now);
    assert!(
        (a.now - end - a.conductor.window).abs() < 1.0,
        "a window back"
    );
    press(&mut a, KeyCode::Char('G'));
    assert!(a.conductor.paused_at.is_none());
    press(&mut a, KeyCode::Home);
    assert!(
        a.notice
            .as_deref()
            .is_some_and(|n| n.contains("lists nothing"))
    );
}

#[test]
fn the_waterfall_and_the_span_detail_take_the_list_keys() {
    let mut a = app();
    focus(&mut a, &PaneKind::Traces);
    // The longest trace: most spans.
    let most = (0..a.traces.shown().len())
        .max_by_key(|&i| a.traces.shown()[i].trace.spans.len())
        .expect("a trace");
    a.traces.selected = most;
    press(&mut a, KeyCode::Enter);
    let rows = match a.views.last() {
        Some(View::Trace(v)) => v.rows.len(),
        other => panic!("{other:?}"),
    };
    press(&mut a, KeyCode::End);
    assert!(matches!(a.views.last(), Some(View::Trace(v)) if v.selected == rows - 1));
    press(&mut a, KeyCode::Home);
    assert!(matches!(a.views.last(), Some(View::Trace(v)) if v.selected == 0));
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::End);
    let Some(View::Span { scroll, .. }) = a.views.last() else {
        panic!("a span")
    };
    let end = *scroll;
    press(&mut a, KeyCode::Char('j'));
    assert!(
        matches!(a.views.last(), Some(View::Span { scroll, .. }) if *scroll == end),
        "j stops at the end"
    );
    press(&mut a, KeyCode::Char('g'));
    assert!(matches!(a.views.last(), Some(View::Span { scroll: 0, .. })));
}

#[test]
fn a_click_selects_the_row_under_it_and_the_wheel_scrolls_the_list_under_the_mouse() {
    let mut a = app();
    let traces = focus(&mut a, &PaneKind::Traces);
    let r = rect(&a, traces);
    // The border, the header, then the rows: the third row is at y + 4.
    click(&mut a, r.x + 5, r.y + 4);
    assert_eq!((a.focus, a.traces.selected), (traces, 2));
    let faults = pane_of(&a, &PaneKind::Faults);
    let f = rect(&a, faults);
    // Two lines a fault: line 3 inside is the second fault.
    click(&mut a, f.x + 3, f.y + 3);
    assert_eq!((a.focus, a.selected[faults]), (faults, 1));
    // The wheel over the Traces pane moves its list, not the focus.
    mouse(&mut a, MouseEventKind::ScrollDown, r.x + 5, r.y + 5);
    assert_eq!((a.focus, a.traces.selected), (faults, 5));
    mouse(&mut a, MouseEventKind::ScrollUp, r.x + 5, r.y + 5);
    assert_eq!(a.traces.selected, 2);
    // A click on the newest event (the bottom row of the Events pane).
    let events = pane_of(&a, &PaneKind::Events);
    let e = rect(&a, events);
    click(&mut a, e.x + 3, e.y + 2);
    let top = a.events.selected;
    assert!(top > 0, "the top row is an older event");
    click(&mut a, e.x + 3, e.bottom() - 2);
    assert_eq!(a.events.selected, 0, "the bottom row is the newest");
}

#[test]
fn l_on_the_traces_pane_lists_the_selected_traces_events_and_keeps_time_following() {
    let mut a = app();
    focus(&mut a, &PaneKind::Traces);
    a.traces.selected = 1;
    let id = a
        .traces
        .selected_trace()
        .expect("a trace")
        .trace
        .trace_id
        .to_string();
    press(&mut a, KeyCode::Char('l'));
    assert!(
        matches!(a.views.last(), Some(View::TraceEvents { .. })),
        "{:?}",
        a.views
    );
    assert_eq!(a.events.filter, id);
    assert!(a.conductor.paused_at.is_none(), "time still follows");
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Right);
    assert!(a.conductor.paused_at.is_some(), "→ still scrubs");
}

#[test]
fn help_scrolls_at_80x24_and_says_there_is_more() {
    let mut a = screen::app_at(2.0, (80, 24));
    press(&mut a, KeyCode::Char('?'));
    let top = screen::text(&a);
    assert!(top.contains("more ↓"), "{top}");
    press(&mut a, KeyCode::End);
    insta::assert_snapshot!("help_80x24_scrolled_to_its_end", screen::draw(&a).backend());
    let bottom = screen::text(&a);
    assert!(
        bottom.contains("q / Ctrl-C") && bottom.contains("limits:"),
        "{bottom}"
    );
    press(&mut a, KeyCode::Char('g'));
    assert_eq!(screen::text(&a), top);
}

#[test]
fn the_events_pane_names_its_server_side_query() {
    let mut a = screen::app_at(2.0, (160, 48));
    a.events.query = "level:ERROR AND\u{1b}[31m nav".into();
    let frame = screen::text(&a);
    assert!(frame.contains("Events · level:ERROR AND␛[31m"), "{frame}");
    assert!(!frame.contains('\u{1b}'), "{frame}");
    insta::assert_snapshot!("events_pane_query_160x48", screen::draw(&a).backend());
}

#[test]
fn the_errors_view_shows_the_whole_error_wrapped_with_secrets_redacted() {
    capcom::text::register_secret("hunter2-token");
    let mut a = screen::app_at(2.0, (80, 24));
    let long = format!(
        "cannot connect to http://flight:hunter2-token@prometheus.ground.example:9090/api/v1/query_range: {}",
        "connection refused after three attempts; the route to the ground station is down "
            .repeat(2)
    );
    a.update(Action::Source(
        capcom::source::SourceUpdate::MetricsFetched {
            query: 0,
            fetched_at: a.now,
            result: Err(capcom::source::SourceError::Connect(
                capcom::source::SourceId::Prometheus,
                long,
            )),
            replace: false,
        },
    ));
    press(&mut a, KeyCode::Char('E'));
    let frame = screen::text(&a);
    assert!(!frame.contains("hunter2"), "{frame}");
    assert!(frame.contains("‹redacted›"), "{frame}");
    assert!(
        frame.contains("station is down"),
        "the end of the error: {frame}"
    );
    insta::assert_snapshot!("errors_view_80x24", screen::draw(&a).backend());
    press(&mut a, KeyCode::Esc);
    assert!(a.views.is_empty());
}
