//! The operator's notebook as users meet it: keys pressed through the keymap on the bundled
//! replay, each entry written through the loop's own effect into a notebook file in a
//! tempdir, read back by a new session; the Notebook view's whole frame; the exports and the
//! `capcom notebook` command; and a writer killed with SIGKILL over and over while it writes.

#![allow(
    clippy::float_cmp,
    reason = "mission times are whole recorded seconds, compared exactly"
)]

use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use capcom::action::{Action, Effect};
use capcom::app::{App, View};
use capcom::event::{Carried, Outlets, attach_screen, carry_out};
use capcom::model::notebook::{Entry, EntryKind, MissionTime};
use capcom::notebook::Store;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod screen;

use screen::{draw, press, text};

/// The bundled replay `secs` seconds in at `size`, its notebook at `path`.
fn start(path: &Path, secs: f64, size: (u16, u16)) -> App {
    let mut session = screen::bundled();
    session.notebook = Some(path.to_path_buf());
    screen::replay_at(&session, secs, size).0
}

/// Carries out `effects` as the loop does (the screen drawn into a note that asks for it,
/// the entry appended to `outlets`' notebook) and applies what comes back.
fn carry(app: &mut App, effects: Vec<Effect>, outlets: &Outlets) {
    for mut effect in effects {
        // A replay carries a silence write out itself and says it is done.
        if let Effect::WriteSilence(write) = &effect {
            let done = capcom::source::SourceUpdate::SilenceWritten {
                write: write.clone(),
                result: Ok(format!("local-{}", app.notebook.entries.len())),
            };
            let more = app.update(Action::Source(done));
            carry(app, more, outlets);
            continue;
        }
        attach_screen(app, &mut effect);
        if let Carried::Then(action) = carry_out(effect, outlets) {
            let more = app.update(action);
            carry(app, more, outlets);
        }
    }
}

/// Presses `keys` and carries out what they ask.
fn keys(app: &mut App, keys: &str, outlets: &Outlets) {
    let effects = press(app, keys);
    carry(app, effects, outlets);
}

fn ctrl(app: &mut App, c: char) {
    let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    let action = capcom::keymap::key_action(app, key).expect("bound");
    assert!(app.update(action).is_empty());
}

/// The replay's shift: what is added to a recorded time to show it.
fn shift(app: &App) -> f64 {
    match app.clock {
        capcom::app::Clock::Replay(c) => c.shift(),
        capcom::app::Clock::Live => 0.0,
    }
}

/// A notebook in a fresh tempdir (kept alive by the first value), the loop's outlets writing
/// to it, and the bundled replay `secs` seconds in at 160×48 reading it.
fn fresh(secs: f64) -> (tempfile::TempDir, PathBuf, Outlets, App) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("notebooks/n.jsonl");
    let outlets = Outlets::detached(Some(Store::new(path.clone())));
    let app = start(&path, secs, (160, 48));
    (dir, path, outlets, app)
}

#[test]
fn a_note_typed_at_n_is_written_and_read_again_after_a_restart() {
    let (_dir, path, outlets, mut app) = fresh(2.0);
    // Paused ten minutes back with a 1 h window, the Environment pane focused.
    keys(&mut app, "+@-10m\n", &outlets);
    screen::focus(&mut app, |a| a.config.panes[a.focus].id == "environment");
    let end = app.conductor.end(app.now);
    keys(&mut app, "n", &outlets);
    assert!(
        text(&app).contains(" note (^S adds the screen): "),
        "{}",
        text(&app)
    );
    ctrl(&mut app, 's');
    let prompt = text(&app);
    assert!(
        prompt.contains(" note + screen (^S drops it): "),
        "{prompt}"
    );
    keys(&mut app, "motor hot\n", &outlets);
    assert!(app.views.is_empty(), "the prompt closed");
    assert_eq!(app.notebook.unsaved, Vec::<u64>::new());
    let status = text(&app);
    assert!(status.contains("note #1 written to "), "{status}");

    // A restart: a new session reads the file.
    let again = start(&path, 30.0, (160, 48));
    let [e]: [Entry; 1] = again
        .notebook
        .entries
        .clone()
        .try_into()
        .expect("one entry");
    assert_eq!(e.text, "motor hot");
    assert_eq!((e.kind, e.pane.as_str()), (EntryKind::Note, "environment"));
    assert_eq!(e.pane_title, "Environment");
    // Pinned to the recording's own time, which the replay showed shifted.
    assert_eq!(
        e.mission,
        MissionTime {
            end: end - shift(&app),
            paused: true,
            window: 3_600.0
        }
    );
    let screen = e.screen.expect("the screen was attached");
    assert!(screen.contains("Environment"), "{screen}");
    assert!(
        !screen.contains("note + screen"),
        "drawn with the prompt closed"
    );
}

#[test]
fn capital_n_lists_the_notes_and_enter_takes_the_conductor_back_to_one() {
    let (_dir, _, outlets, mut app) = fresh(2.0);
    keys(&mut app, "@-20m\n", &outlets);
    let (then, window) = (app.conductor.end(app.now), app.conductor.window);
    keys(&mut app, "nrover stalled at the dune\n", &outlets);
    // Elsewhere in time: following now with a wider window.
    keys(&mut app, "L++nback to nominal\n", &outlets);
    assert_eq!(app.conductor.paused_at, None);
    keys(&mut app, "N", &outlets);
    assert!(matches!(
        app.views.last(),
        Some(View::Notebook { selected: 1 })
    ));
    let shown = text(&app);
    assert!(shown.contains("notebook · 2 entries"), "{shown}");
    assert!(shown.contains("rover stalled at the dune"), "{shown}");
    keys(&mut app, "k\n", &outlets);
    assert!(app.views.is_empty(), "Enter closes the list");
    assert_eq!(app.conductor.paused_at, Some(then));
    assert_eq!(app.conductor.window, window);
    keys(&mut app, "N\x1b", &outlets);
    assert!(app.views.is_empty(), "Esc closes it");
}

#[test]
fn acknowledging_a_fault_writes_an_entry_with_its_name_and_comment() {
    let (_dir, path, outlets, mut app) = fresh(120.0);
    screen::focus(&mut app, App::faults_focused);
    let fault = app.selected_fault().expect("a fault fires").name;
    keys(&mut app, "alooking at it\n", &outlets);
    keys(&mut app, "u", &outlets);
    let loaded = Store::new(path).load();
    let got: Vec<(EntryKind, String)> = loaded
        .entries
        .iter()
        .map(|e| (e.kind, e.text.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                EntryKind::Acknowledged,
                format!("{fault} for 24 h: looking at it")
            ),
            (EntryKind::Unacknowledged, fault),
        ]
    );
    assert_eq!(loaded.entries[0].pane, "faults");
}

#[test]
fn a_note_that_cannot_be_written_says_why_and_is_written_when_it_can_be() {
    let dir = tempfile::tempdir().expect("tmp");
    // A file where the notebook's folder should be.
    let blocker = dir.path().join("notebooks");
    std::fs::write(&blocker, "").expect("blocks");
    let path = blocker.join("n.jsonl");
    let outlets = Outlets::detached(Some(Store::new(path.clone())));
    let mut app = start(&path, 2.0, (160, 48));
    keys(&mut app, "nfirst\n", &outlets);
    let status = text(&app);
    let last = status.lines().last().expect("status");
    assert!(
        last.contains("could not write #1:") && last.contains("trying again in 10 s"),
        "{last}"
    );
    assert_eq!(app.notebook.unsaved, [1]);
    assert_eq!(app.notebook.entries.len(), 1, "kept in memory");
    std::fs::remove_file(&blocker).expect("unblocks");
    let wall = app.wall_now();
    let early = app.update(Action::Tick { wall: wall + 1.0 });
    assert!(!early.iter().any(|e| matches!(e, Effect::WriteNote { .. })));
    let effects = app.update(Action::Tick { wall: wall + 11.0 });
    carry(&mut app, effects, &outlets);
    assert!(app.notebook.unsaved.is_empty());
    assert_eq!(Store::new(path).load().entries[0].text, "first");
}

#[test]
fn entries_append_and_load_back_and_a_torn_line_is_skipped_not_lost() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path().join("a/b/n.jsonl"));
    assert_eq!(
        store.load(),
        capcom::notebook::Loaded::default(),
        "no file: no notes"
    );
    store.append(&entry(1, "one")).expect("writes");
    // A crash mid-write: half a line, no newline.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&store.path)
        .expect("opens");
    f.write_all(b"{\"id\":2,\"writ").expect("tears");
    store.append(&entry(3, "three\nlines")).expect("writes");
    let loaded = store.load();
    let ids: Vec<u64> = loaded.entries.iter().map(|e| e.id).collect();
    assert_eq!(ids, [1, 3]);
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert!(
        loaded.warnings[0].contains("line 2"),
        "{:?}",
        loaded.warnings
    );
    let text = std::fs::read_to_string(&store.path).expect("reads");
    assert!(text.contains("{\"id\":2,\"writ\n"), "the torn line is kept");
}

#[test]
fn the_exports_escape_hostile_notes() {
    let mut e = entry(7, "<script>alert(1)</script>\n\u{1b}]52;c;AAAA\u{7} & more");
    e.screen = Some("┌ Environment ┐\n``` <b>".into());
    let html = capcom::notebook::html("Mars <rover>", std::slice::from_ref(&e));
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains('\u{1b}') && !html.contains('\u{7}'),
        "{html}"
    );
    assert!(html.contains("␛]52;c;AAAA� &amp; more"), "{html}");
    assert!(html.contains("Notebook: Mars &lt;rover&gt;"), "{html}");
    assert!(html.contains("&lt;b&gt;"), "{html}");
    let md = capcom::notebook::markdown("Mars", &[e]);
    assert!(!md.contains('\u{1b}'), "{md}");
    assert!(
        md.contains("## 2025-11-26 09:12:03 UTC · Environment · note"),
        "{md}"
    );
    assert!(
        md.contains("> <script>alert(1)</script>\n> ␛]52;c;AAAA� & more\n"),
        "{md}"
    );
    assert!(
        md.contains("\n````text\n┌ Environment ┐\n``` <b>\n````\n"),
        "{md}"
    );
}

#[test]
fn a_torn_last_line_is_skipped_with_a_warning_and_the_rest_loads() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("n.jsonl");
    let store = Store::new(path.clone());
    store.append(&entry(1, "whole")).expect("writes");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("opens");
    f.write_all(b"{\"id\":2,\"written\":17").expect("tears");
    let app = start(&path, 2.0, (160, 48));
    assert_eq!(app.notebook.entries.len(), 1);
    let status = text(&app);
    let last = status.lines().last().expect("status");
    assert!(
        last.contains("line 2: not a whole entry, skipped and kept in the file"),
        "{last}"
    );
}

/// A note on the Environment pane, paused at 2025-11-26 09:12:03 UTC.
fn entry(id: u64, text: &str) -> Entry {
    let paused = MissionTime {
        end: 1_764_148_323.0,
        paused: true,
        window: 900.0,
    };
    Entry {
        pane: "environment".into(),
        pane_title: "Environment".into(),
        ..Entry::new(id, screen::WALL, paused, EntryKind::Note, text.into())
    }
}

/// The notebook view with three entries, the second selected.
fn notebook_view(size: (u16, u16)) -> App {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("n.jsonl");
    let store = Store::new(path.clone());
    let mut hostile = entry(
        2,
        "wheel LM slipping \u{1b}[2J\u{1b}]0;pwned\u{7}\nsecond line: current 3.1 A\nthird",
    );
    hostile.screen = Some("┌ Environment ┐".into());
    let mut ack = entry(3, "MotorHot for 24 h: on it");
    ack.kind = EntryKind::Acknowledged;
    ack.pane = "faults".into();
    ack.pane_title = "Faults".into();
    ack.mission.paused = false;
    ack.mission.end += 300.0;
    for e in [entry(1, "sol 1 started"), hostile, ack] {
        store.append(&e).expect("writes");
    }
    let mut app = start(&path, 2.0, size);
    press(&mut app, "Nk");
    app
}

#[test]
fn notebook_view_80x24() {
    insta::assert_snapshot!(draw(&notebook_view((80, 24))).backend());
}

#[test]
fn notebook_view_160x48() {
    insta::assert_snapshot!(draw(&notebook_view((160, 48))).backend());
}

fn capcom(data: &Path, args: &[&str], stdin: &str) -> (String, String, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(args)
        .env("XDG_DATA_HOME", data)
        .env_remove("CAPCOM_CONFIG")
        .env("XDG_CONFIG_HOME", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("capcom runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("writes");
    let out = child.wait_with_output().expect("ends");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[test]
fn capcom_notebook_adds_lists_and_exports_markdown_and_escaped_html() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path();
    let (out, err, ok) = capcom(data, &["notebook"], "");
    assert!(ok && out.starts_with("no entries in "), "{out}{err}");
    let hostile = "<script>alert(1)</script>\n\u{1b}]52;c;AAAA\u{7}\u{1b}[2J two lines\n";
    let (out, err, ok) = capcom(data, &["notebook", "add"], hostile);
    assert!(ok, "{err}");
    let file = data.join("capcom/notebooks/mars-rover-sol-1.jsonl");
    assert_eq!(out, format!("note #1 written to {}\n", file.display()));
    let (out, _, ok) = capcom(data, &["notebook"], "");
    assert!(ok, "{out}");
    assert!(
        out.contains("note            <script>alert(1)</script> (+1 line)"),
        "{out}"
    );
    let (md, _, ok) = capcom(data, &["notebook", "--export", "md"], "");
    assert!(ok, "{md}");
    assert!(
        md.starts_with("# Notebook: Mars rover · sol 1\n\n1 entry\n"),
        "{md}"
    );
    assert!(
        md.contains("> <script>alert(1)</script>\n> ␛]52;c;AAAA�␛[2J two lines\n"),
        "{md}"
    );
    let report = data.join("report.html");
    let report_arg = report.to_str().expect("utf-8");
    let (out, _, ok) = capcom(
        data,
        &["notebook", "--export", "html", "--out", report_arg],
        "",
    );
    assert!(ok && out.contains("1 entry written to"), "{out}");
    let html = std::fs::read_to_string(&report).expect("written");
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        !html.contains('\u{1b}') && !html.contains('\u{7}'),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;\n␛]52;c;AAAA�␛[2J two lines"),
        "{html}"
    );
    for text in [&md, &out, &html] {
        assert!(!text.contains('\u{1b}'), "nothing reaches a terminal raw");
    }
}

/// The notebook the child writer writes to.
const WRITER_ENV: &str = "CAPCOM_TEST_NOTEBOOK_WRITER";
/// The child writes this much screen with each entry, so a kill often lands mid-write.
const SCREEN_BYTES: usize = 128 * 1024;

/// The screen entry `id` carries: its id over and over, so a whole one is recognised.
fn screen_of(id: u64) -> String {
    format!("{id:08}\n").repeat(SCREEN_BYTES / 9)
}

#[test]
#[ignore = "a helper: the SIGKILL test runs it in a child process"]
fn notebook_writer_child() {
    let Some(path) = std::env::var_os(WRITER_ENV) else {
        return;
    };
    let store = Store::new(PathBuf::from(path));
    let first = capcom::model::notebook::next_id(&store.load().entries);
    let mut stdout = std::io::stdout();
    for id in first..first + 15 {
        let mut e = entry(id, &format!("entry {id}"));
        e.screen = Some(screen_of(id));
        store.append(&e).expect("appends");
        writeln!(stdout, "wrote {id}").expect("says");
        stdout.flush().expect("says");
    }
}

#[test]
fn a_writer_killed_mid_write_loses_nothing_it_had_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("n.jsonl");
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .subsec_nanos();
    let mut written = Vec::new();
    let rounds = 8;
    for _ in 0..rounds {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let mut child = Command::new(std::env::current_exe().expect("the test binary"))
            .args([
                "--ignored",
                "--exact",
                "notebook_writer_child",
                "--nocapture",
            ])
            .env(WRITER_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        // Wait for the first entry, then kill at a random point of the next ones.
        let first = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.starts_with("wrote "));
        std::thread::sleep(std::time::Duration::from_micros(u64::from(seed % 40_000)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        written.extend(
            first
                .into_iter()
                .chain(lines.map_while(Result::ok))
                .filter_map(|l| {
                    l.strip_prefix("wrote ")
                        .map(|n| n.parse::<u64>().expect("id"))
                }),
        );
    }
    let loaded = Store::new(path.clone()).load();
    assert!(
        loaded.warnings.len() <= rounds,
        "at most one torn line per kill: {:?}",
        loaded.warnings
    );
    for w in &loaded.warnings {
        assert!(w.contains("not a whole entry"), "{w}");
    }
    for e in &loaded.entries {
        assert_eq!(e.text, format!("entry {}", e.id));
        assert_eq!(e.screen.as_deref(), Some(screen_of(e.id).as_str()), "whole");
    }
    for id in &written {
        assert!(
            loaded.entries.iter().any(|e| e.id == *id),
            "#{id} was written and is lost; {} entries, warnings {:?}",
            loaded.entries.len(),
            loaded.warnings
        );
    }
    assert!(
        written.len() >= rounds,
        "each child wrote at least one entry"
    );
    eprintln!(
        "{} entries written and kept across {rounds} kills; {} torn lines skipped",
        written.len(),
        loaded.warnings.len()
    );
}
