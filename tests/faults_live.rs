//! Issue 15's "Done when", end to end through the real app, keys and sources: a real
//! Prometheus whose rule starts firing a few seconds in, into a real Alertmanager; capcoms
//! on it, each an `App` with its sources spawned as the dashboard spawns them and a loop
//! that does what `event::run_loop` does (source updates and ticks into `App::update`, keys
//! through the keymap, every effect carried out by `event::carry_out`), read from the frame
//! `capcom snapshot` draws. Operator `flight` sees the alert within one interval of
//! Alertmanager holding it, acknowledges and shelves it with `a` and `s`; operator `other`'s
//! capcom shows by whom and why; the shelf ends on time in Alertmanager and both show the
//! fault firing again; a read-only capcom's `a` and `s` write nothing.

use std::collections::VecDeque;
use std::path::Path;
use std::time::{Duration, Instant};

use capcom::action::Action;
use capcom::app::App;
use capcom::cli::OpenArgs;
use capcom::cmd::sources;
use capcom::config::Connection;
use capcom::event::{Carried, Sources, carry_out};
use capcom::model::fault::{AlertState, Silence, SilenceState};
use capcom::session::Session;
use capcom::source::alertmanager::AlertmanagerClient;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod common;
mod screen;

/// The alert the rule fires.
const ALERT: &str = "RoverBatteryLow";

/// `[alertmanager] interval`: every capcom here polls this often, seconds.
const INTERVAL: f64 = 1.0;

/// How long the custom shelf lasts: `8s`, typed in the chooser's "custom" prompt (it takes
/// any length above zero up to a week).
const SHELF_SECS: f64 = 8.0;

/// How late a frame may be beyond what it waits for: the loop's 25 ms naps, two busy cores.
const SLACK: f64 = 0.5;

/// One capcom: its app, its sources, and who it is.
struct Capcom {
    name: &'static str,
    app: App,
    sources: Sources,
}

impl Capcom {
    /// Opens a live session on `url` as `operator` (config text `extra` first), spawns its
    /// sources as the dashboard does, sized `160`×`12`, showing only the Faults pane.
    fn open(name: &'static str, dir: &Path, url: &str, operator: &str, extra: &str) -> Self {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(
            &path,
            format!(
                "{extra}[alertmanager]\nurl = \"{url}\"\ninterval = \"{INTERVAL}s\"\noperator = \"{operator}\"\n\
                 [[layout.column]]\npanes = [{{ id = \"faults\" }}]\n\
                 [[pane]]\nid = \"faults\"\nkind = \"faults\"\n"
            ),
        )
        .expect("write config");
        let session = Session::prepare_bundled(&OpenArgs {
            config: Some(path),
            theme: Some("dark".into()),
            ..OpenArgs::default()
        })
        .expect("a live session");
        let (mut app, replay) = session.start(capcom::wall_now());
        assert!(replay.is_none(), "live, not a replay");
        app.update(Action::Resize {
            width: 160,
            height: 12,
        });
        let sources = sources::spawn(&session, &app, None).expect("sources");
        Self { name, app, sources }
    }

    /// What the loop's `apply` does: each action through `update`, each effect carried out,
    /// an effect that could not be carried out coming back as the next action.
    fn apply(&mut self, actions: Vec<Action>) {
        let mut queue = VecDeque::from(actions);
        while let Some(action) = queue.pop_front() {
            for effect in self.app.update(action) {
                match carry_out(effect, &self.sources.outlets) {
                    Carried::Then(next) => queue.push_front(next),
                    // No terminal here: a copy has nowhere to go.
                    Carried::Done | Carried::Terminal(_) => {}
                    Carried::Quit => panic!("{}: capcom quit", self.name),
                }
            }
        }
    }

    /// A tick of the wall clock and whatever the sources sent since the last pump.
    fn pump(&mut self) {
        let mut batch = vec![Action::Tick {
            wall: capcom::wall_now(),
        }];
        while let Ok(update) = self.sources.rx.try_recv() {
            batch.push(Action::Source(update));
        }
        self.apply(batch);
    }

    /// Types `keys` as the terminal delivers them (`\n` Enter), through the keymap.
    fn press(&mut self, keys: &str) {
        for c in keys.chars() {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            if let Some(action) = capcom::keymap::key_action(&self.app, key) {
                self.apply(vec![action]);
            }
        }
    }

    /// The frame, as text.
    fn frame(&self) -> String {
        screen::text(&self.app)
    }
}

/// The fault's two lines in the pane in `frame` (the state word, then by whom and why), if
/// listed.
fn fault_lines(frame: &str) -> Option<String> {
    let lines: Vec<&str> = frame.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with('┃') && l.contains(ALERT))?;
    Some(format!(
        "{}\n{}",
        lines[at],
        lines.get(at + 1).unwrap_or(&"")
    ))
}

/// Whether the fault is listed in `frame` in `state` (the pane's word, e.g. `acked`).
fn listed_as(frame: &str, state: &str) -> bool {
    frame.contains(&format!("{state:<8} {ALERT}"))
}

/// The status bar, or the notice in its place.
fn status(frame: &str) -> &str {
    frame.lines().last().unwrap_or("")
}

/// Pumps every capcom until `who`'s frame passes `ok`, napping 25 ms between rounds; the
/// moment it did. Fails after `secs` showing the frame.
async fn wait_for(
    caps: &mut [Capcom],
    who: usize,
    secs: f64,
    what: &str,
    ok: impl Fn(&str) -> bool,
) -> (Instant, String) {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    loop {
        for c in caps.iter_mut() {
            c.pump();
        }
        let frame = caps[who].frame();
        if ok(&frame) {
            return (Instant::now(), frame);
        }
        assert!(
            Instant::now() < deadline,
            "{}: {what}, not within {secs} s; the frame:\n{frame}",
            caps[who].name
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Keeps every capcom running for `secs`.
async fn run_for(caps: &mut [Capcom], secs: f64) {
    let until = Instant::now() + Duration::from_secs_f64(secs);
    while Instant::now() < until {
        for c in caps.iter_mut() {
            c.pump();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// `t` as the pane writes a time of today (UTC, whole seconds).
fn hms(t: f64) -> String {
    chrono::DateTime::from_timestamp(t.floor() as i64, 0)
        .expect("a time")
        .format("%H:%M:%S")
        .to_string()
}

/// The silence on Alertmanager whose comment is `comment`.
async fn silence_with(client: &AlertmanagerClient, comment: &str) -> Silence {
    let all = client.silences().await.expect("silences");
    all.iter()
        .find(|s| s.comment == comment)
        .cloned()
        .unwrap_or_else(|| panic!("no silence `{comment}` on Alertmanager: {all:?}"))
}

const A: usize = 0;
const B: usize = 1;
const RO: usize = 2;

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one story, told in order: fire, acknowledge, undo, shelve, expire, read-only"
)]
fn flight_acknowledges_and_shelves_a_firing_alert_that_another_capcom_sees_and_read_only_writes_nothing()
 {
    // The rule starts firing a few seconds from now, once capcom A is polling: so "within
    // one interval of Alertmanager holding it" measures A, not the order things started in.
    let fires_at = capcom::wall_now().floor() + 8.0;
    let Some((am, _prometheus)) = common::firing(
        ALERT,
        &format!("vector(18) and on() (vector(time()) > {fires_at})"),
        "{severity: warning, service: power}",
        "Battery below 20 %",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let client = AlertmanagerClient::new(&Connection::to_url(&am.url)).expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut caps = vec![
            Capcom::open("A", dir.path(), &am.url, "flight", ""),
            Capcom::open("B", dir.path(), &am.url, "other", ""),
        ];
        // When Alertmanager first holds the alert, seen directly.
        let held = tokio::spawn(common::first_held(client.clone(), ALERT));
        // A has polled (its pane says how long ago) before the alert exists.
        let (_, before) = wait_for(&mut caps, A, 10.0, "A's first poll", |f| {
            status(f).contains("alertmanager ok")
        })
        .await;
        assert!(
            fault_lines(&before).is_none() && !held.is_finished(),
            "the rule fired before A was polling; raise its delay:\n{before}"
        );

        // 1. The firing alert appears in A's Faults pane within one interval.
        let (arrived, frame) = wait_for(&mut caps, A, 20.0, "the firing alert", |f| {
            listed_as(f, "firing")
        })
        .await;
        let held = held.await.expect("probe");
        let late = arrived.saturating_duration_since(held).as_secs_f64();
        assert!(
            late <= INTERVAL + SLACK,
            "in A's pane {late:.2} s after Alertmanager held it (interval {INTERVAL} s):\n{frame}"
        );
        let lines = fault_lines(&frame).expect("listed");
        assert!(lines.contains("WARN"), "{lines}");
        assert!(lines.contains("Battery below 20 %"), "{lines}");

        // 2. `a`, a comment, Enter: B (operator `other`) shows it acknowledged by flight.
        caps[A].press("a");
        assert!(
            status(&caps[A].frame()).contains(&format!("acknowledge {ALERT} for 24 h, comment:")),
            "{}",
            caps[A].frame()
        );
        caps[A].press("on it, swapping packs\n");
        let (_, b_acked) = wait_for(&mut caps, B, 5.0, "acknowledged by flight", |f| {
            listed_as(f, "acked")
                && fault_lines(f).is_some_and(|l| l.contains("by flight till ") && l.contains(": on it, swapping packs"))
        })
        .await;
        let ack = silence_with(&client, "ack: on it, swapping packs").await;
        assert_eq!(
            (ack.created_by.as_str(), ack.state),
            ("flight", SilenceState::Active)
        );
        assert!(
            (ack.ends_at - ack.starts_at - 86_400.0).abs() < 2.0,
            "a day: {ack:?}"
        );
        assert_eq!(
            status(&caps[A].frame()).trim_end(),
            format!(" acknowledged {ALERT} for 24 h"),
            "{}",
            caps[A].frame()
        );

        // 3. `u` on A expires the acknowledgement: both show it firing again.
        caps[A].press("u");
        for who in [A, B] {
            wait_for(&mut caps, who, 5.0, "firing after the undo", |f| {
                listed_as(f, "firing")
            })
            .await;
        }
        assert_eq!(
            silence_with(&client, "ack: on it, swapping packs").await.state,
            SilenceState::Expired
        );

        // 4. `s`, the chooser's last choice (custom), `8s`, a comment, Enter: shelved by
        // flight until its end, in B's pane (showing every fault, `f` four times).
        caps[B].press("ffff");
        caps[A].press("sjjj\n");
        assert!(
            status(&caps[A].frame()).contains(&format!("shelve {ALERT} for (20m, 1h):")),
            "{}",
            caps[A].frame()
        );
        caps[A].press(&format!("{SHELF_SECS}s\nswapping to the spare\n"));
        let (_, a_shelved) = wait_for(&mut caps, A, 5.0, "the shelf written", |f| {
            status(f).trim_end() == format!(" shelved {ALERT} for 8 s")
        })
        .await;
        let shelf = silence_with(&client, "shelve: swapping to the spare").await;
        assert_eq!(
            (shelf.created_by.as_str(), shelf.state),
            ("flight", SilenceState::Active)
        );
        assert!(
            (shelf.ends_at - shelf.starts_at - SHELF_SECS).abs() < 1.0,
            "{shelf:?}"
        );
        assert!(
            fault_lines(&a_shelved).is_none(),
            "out of A's default list:\n{a_shelved}"
        );
        let till = format!("by flight till {}: swapping to the spare", hms(shelf.ends_at));
        let (_, b_shelved) = wait_for(&mut caps, B, 3.0, "shelved by flight", |f| {
            listed_as(f, "shelved") && fault_lines(f).is_some_and(|l| l.contains(&till))
        })
        .await;

        // 5. The shelf ends on time: Alertmanager suppresses the alert until its end and not
        // after, and both capcoms show it firing again within an interval of it.
        let mut last_suppressed = 0.0;
        let active_at = loop {
            let now = capcom::wall_now();
            let alert = client
                .alerts()
                .await
                .expect("alerts")
                .into_iter()
                .find(|x| x.name() == ALERT)
                .expect("still firing");
            match alert.state {
                AlertState::Suppressed => last_suppressed = now,
                AlertState::Active => break now,
                AlertState::Unprocessed => {}
            }
            assert!(
                now < shelf.ends_at + 5.0,
                "still suppressed 5 s after the shelf's end"
            );
            for c in &mut caps {
                c.pump();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(
            last_suppressed > shelf.ends_at - 1.0,
            "suppressed until the end ({:.2} s before it)",
            shelf.ends_at - last_suppressed
        );
        assert!(
            active_at >= shelf.ends_at - 0.1 && active_at <= shelf.ends_at + 1.0,
            "active again {:+.2} s after the shelf's end",
            active_at - shelf.ends_at
        );
        assert_eq!(
            silence_with(&client, "shelve: swapping to the spare").await.state,
            SilenceState::Expired
        );
        for who in [A, B] {
            wait_for(&mut caps, who, INTERVAL + SLACK, "firing once the shelf ended", |f| {
                listed_as(f, "firing")
            })
            .await;
        }

        // 6. Read-only: `a` and `s` say why and nothing reaches Alertmanager.
        caps.push(Capcom::open(
            "read-only",
            dir.path(),
            &am.url,
            "flight",
            "read-only = true\n",
        ));
        wait_for(&mut caps, RO, 5.0, "the firing alert, read-only", |f| {
            listed_as(f, "firing") && status(f).contains("READ-ONLY")
        })
        .await;
        let silences = client.silences().await.expect("silences");
        caps[RO].press("a");
        let refused_a = caps[RO].frame();
        assert!(
            status(&refused_a).starts_with(
                " read-only: acknowledging would write a silence to Alertmanager; nothing is written"
            ),
            "{refused_a}"
        );
        caps[RO].press("s");
        let refused_s = caps[RO].frame();
        assert!(
            status(&refused_s).starts_with(
                " read-only: shelving would write a silence to Alertmanager; nothing is written"
            ),
            "{refused_s}"
        );
        assert!(caps[RO].app.views.is_empty(), "no prompt, no chooser");
        run_for(&mut caps, 2.0 * INTERVAL).await;
        assert_eq!(
            client.silences().await.expect("silences"),
            silences,
            "read-only wrote to Alertmanager"
        );
        assert!(listed_as(&caps[RO].frame(), "firing"), "{}", caps[RO].frame());

        for c in &caps {
            c.sources.cancel.cancel();
        }
        eprintln!(
            "A after `s`:\n{a_shelved}\nB acknowledged:\n{b_acked}\nB shelved:\n{b_shelved}\nread-only after `s`:\n{refused_s}"
        );
    });
}
