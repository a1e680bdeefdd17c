//! Small terminals are first-class: the demo at the sizes people open (80×24 over ssh, 100×30,
//! 120×40, 160×48), nothing drawn outside its own rectangle at any size from 40×12 to
//! 200×60, the sources that are not ok in the status bar before anything else, and the clock
//! never cut mid-digit.

use capcom::app::{App, Failure};
use capcom::source::Reason;
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;

mod screen;

use screen::{app_at, draw, text};

#[test]
fn demo_80x24() {
    insta::assert_snapshot!(draw(&app_at(2.0, (80, 24))).backend());
}

#[test]
fn demo_100x30() {
    insta::assert_snapshot!(draw(&app_at(2.0, (100, 30))).backend());
}

#[test]
fn demo_120x40() {
    insta::assert_snapshot!(draw(&app_at(2.0, (120, 40))).backend());
}

#[test]
fn demo_160x48() {
    insta::assert_snapshot!(draw(&app_at(2.0, (160, 48))).backend());
}

/// The demo at 80×24 reads as an operator needs: most of each event message, both faults
/// and the page, the trace operations.
#[test]
fn at_80x24_the_messages_the_page_and_the_operations_read() {
    let screen = text(&app_at(2.0, (80, 24)));
    assert!(
        screen.contains("mobility wheel LM slip 86 % over the"),
        "an event message is cut short:\n{screen}"
    );
    assert!(screen.contains("PAGE  mobility commands"), "{screen}");
    assert!(screen.contains("SLO downlink latency") || screen.contains("SLO downlink l"));
    assert!(screen.contains("mobility: slip.check"), "{screen}");
    // The second objective does not fit: the pane says so, on a line of its own rather than
    // over the first one's burn rates.
    let more = screen
        .lines()
        .find(|l| l.contains("+1 more"))
        .unwrap_or_else(|| panic!("no +1 more:\n{screen}"));
    assert!(
        more.contains(" burn  5m ") && more.contains(" +1 more "),
        "the burn rates keep the line, cut short of the mark: {more}"
    );
    // Folded panes say what they hold and how to see them.
    assert!(
        screen.contains(" Environment · 5 series · z to zoom "),
        "{screen}"
    );
}

/// At 120×40 both objectives show, and Internal takes no more rows than its series.
#[test]
fn at_120x40_space_goes_where_it_is_needed() {
    let app = app_at(2.0, (120, 40));
    let screen = text(&app);
    assert!(screen.contains("TICKET  downlink latency"), "{screen}");
    let areas = app.pane_areas(Rect::new(0, 0, 120, 40));
    let internal = areas[0].1;
    let need = app.pane_need(0).expect("a table has a need");
    assert_eq!(internal.height, need, "Internal is as tall as its rows");
}

/// Every pane, drawn alone onto a screen of marked cells, changes no cell outside its
/// rectangle; the rectangles tile the screen above the status bar without overlapping.
#[test]
fn nothing_draws_outside_its_area_from_40x12_to_200x60() {
    const MARK: &str = "\u{2591}";
    let session = screen::bundled();
    let widths = (40..=200).step_by(20).chain([50, 80, 100, 120, 160]);
    let mut sizes: Vec<(u16, u16)> = Vec::new();
    for w in widths {
        for h in (12..=60).step_by(12).chain([16, 30, 40]) {
            sizes.push((w, h));
        }
    }
    for (w, h) in sizes {
        let (app, _, _) = screen::replay_at(&session, 2.0, (w, h));
        let screen = Rect::new(0, 0, w, h);
        let areas = app.pane_areas(screen);
        let main = Rect::new(0, 0, w, h - 1);
        let covered: u32 = areas.iter().map(|(_, r)| r.area()).sum();
        assert_eq!(covered, main.area(), "{w}×{h}: {areas:?}");
        for (i, (pane, rect)) in areas.iter().enumerate() {
            assert!(main.union(*rect) == main, "{w}×{h}: pane {pane} {rect:?}");
            for (_, other) in &areas[i + 1..] {
                assert!(!rect.intersects(*other), "{w}×{h}: {rect:?} and {other:?}");
            }
            let mut buf = Buffer::filled(screen, Cell::new(MARK));
            capcom::ui::panes::render(&app, *pane, *rect, &mut buf);
            assert_inside(&buf, *rect, MARK, &format!("{w}×{h} pane {pane}"));
        }
        let status = Rect::new(0, h - 1, w, 1);
        let mut buf = Buffer::filled(screen, Cell::new(MARK));
        capcom::ui::status::render(&app, status, &mut buf);
        assert_inside(&buf, status, MARK, &format!("{w}×{h} status bar"));
    }
}

fn assert_inside(buf: &Buffer, rect: Rect, mark: &str, what: &str) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            if !rect.contains((x, y).into()) {
                assert_eq!(
                    buf[(x, y)].symbol(),
                    mark,
                    "{what} drew at ({x}, {y}) outside {rect:?}"
                );
            }
        }
    }
}

/// The status bar's last row.
fn status_line(app: &App) -> String {
    text(app).lines().last().unwrap_or_default().to_owned()
}

fn fail(app: &mut App, jaeger: bool) {
    let failure = Failure {
        at: app.now,
        reason: Reason::NoAnswer,
        query_only: false,
    };
    if jaeger {
        app.traces.error = Some(failure);
    } else {
        app.events.error = Some(failure);
    }
}

/// A stale Jaeger or OpenSearch shows at 80 columns, before the window, the clock and the
/// sources that are fine; when even they do not fit, `+N more` says how many are hidden.
#[test]
fn sources_that_are_not_ok_come_before_everything_else() {
    let mut app = app_at(2.0, (80, 24));
    fail(&mut app, true);
    let line = status_line(&app);
    assert!(line.contains("jaeger STALE"), "{line}");
    assert!(
        !line.contains("prometheus ok"),
        "ok sources give way first: {line}"
    );
    fail(&mut app, false);
    app.size = (60, 20);
    let line = status_line(&app);
    assert!(
        line.contains('+'),
        "two stale sources in 60 columns: {line}"
    );
    assert!(line.contains("more"), "{line}");
}

/// At 60 columns the clock is whole or absent, never cut mid-digit; at 80 it shows.
#[test]
fn the_clock_is_never_cut() {
    for w in 40..=120 {
        let app = app_at(2.0, (w, 24));
        let line = status_line(&app);
        let clock = regex_lite_clock(&line);
        if let Some(at) = line.find(" · 1") {
            let rest = &line[at + " · ".len()..];
            let digits: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ':')
                .collect();
            assert!(
                digits.len() == 5 || digits.len() == 8,
                "{w} columns: cut clock {digits:?} in {line:?}"
            );
        }
        if w >= 60 {
            assert!(clock, "{w} columns: no clock in {line:?}");
        }
    }
}

/// Whether `line` holds a whole `HH:MM` time.
fn regex_lite_clock(line: &str) -> bool {
    line.as_bytes().windows(5).any(|w| {
        w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && w[2] == b':'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
    })
}

/// The SLO pane with one objective shown and `+1 more`: at every width, the row on the mark's
/// line is cut short of the mark, so its burn rates are whole pairs from the start of the
/// full line, never a value cut by the mark (`3d 0.+1 more`).
#[test]
fn the_slo_panes_more_mark_never_cuts_a_burn_rate() {
    let app = app_at(2.0, (160, 48));
    let pane = app
        .config
        .panes
        .iter()
        .position(|p| p.kind == capcom::config::PaneKind::Slo)
        .expect("the demo has an SLO pane");
    let line_of = |buf: &Buffer, y: u16| -> String {
        (buf.area.left()..buf.area.right())
            .map(|x| buf[(x, y)].symbol().to_owned())
            .collect()
    };
    let pairs = |line: &str| -> Vec<String> {
        let burn = line.split(" burn ").nth(1).unwrap_or("");
        let burn = burn.split(" +1 more").next().unwrap_or("");
        let words: Vec<&str> = burn.split_whitespace().collect();
        words.chunks(2).map(|c| c.join(" ")).collect()
    };
    // Three rows inside the border: the first objective, its burn rates on the mark's line.
    let wide = Rect::new(0, 0, 200, 5);
    let mut buf = Buffer::empty(wide);
    capcom::ui::panes::render(&app, pane, wide, &mut buf);
    let full = pairs(&line_of(&buf, 3));
    assert!(full.len() >= 5, "{full:?}");
    let mut cut_somewhere = false;
    for w in 40..=100 {
        let area = Rect::new(0, 0, w, 5);
        let mut buf = Buffer::empty(area);
        capcom::ui::panes::render(&app, pane, area, &mut buf);
        let last = line_of(&buf, 3);
        assert!(last.contains(" +1 more "), "{w}: {last}");
        let shown = pairs(&last);
        assert_eq!(shown, full[..shown.len()], "{w}: {last}");
        for pair in &shown {
            assert_eq!(pair.split(' ').count(), 2, "{w}: a cut pair in {last}");
        }
        cut_somewhere |= shown.len() < full.len();
    }
    assert!(cut_somewhere, "no width made the burn line meet the mark");
}
