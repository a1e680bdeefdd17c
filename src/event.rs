//! The loop: one `select!` over terminal input, source updates, a one-second tick and shutdown
//! signals. It owns the `App` and the terminal, applies actions, carries out effects, and draws
//! only when something changed — input at once, data at most every [`MIN_FRAME_GAP`].

use std::time::Duration;

use crossterm::event::{Event, KeyEventKind};
use eyre::Result;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::action::{Action, Effect};
use crate::app::App;
use crate::keymap;
use crate::model::traces::TraceQuery;
use crate::source::SourceUpdate;
use crate::source::prometheus::poller::Plan;

/// How often the clock ticks (ages and the status clock move).
pub const TICK_PERIOD: Duration = Duration::from_secs(1);
/// The least time between two frames drawn for data; input draws at once.
pub const MIN_FRAME_GAP: Duration = Duration::from_millis(33);
/// How long a frame for data or the clock waits after the first of them, for the rest: the
/// pollers and the tick fall on the same wall-clock seconds (`runner::aligned`), and their
/// answers, a few milliseconds apart, are drawn as one frame instead of one each.
pub const SETTLE: Duration = Duration::from_millis(40);
/// How long the first frame waits for data before drawing without it.
const FIRST_DATA_WAIT: Duration = Duration::from_millis(40);

/// The running sources' channels, as the loop uses them: dropping it does not stop them;
/// cancel does.
pub struct Sources {
    /// Their updates.
    pub rx: mpsc::Receiver<SourceUpdate>,
    /// Where the loop sends what `update`'s effects ask of them.
    pub outlets: Outlets,
    /// Stops them.
    pub cancel: CancellationToken,
}

/// Where the loop carries effects out to: the channels the sources listen on.
#[derive(Debug)]
pub struct Outlets {
    /// Tells live pollers what to fetch (unused by a replay).
    pub plan: watch::Sender<Plan>,
    /// Tells the live events tail its server-side query (unused by a replay).
    pub event_query: watch::Sender<String>,
    /// Tells the events source (live or replayed) the end to show while paused before what
    /// the pane holds; `None` follows the tail.
    pub events_until: watch::Sender<Option<f64>>,
    /// Tells a replay the clock to replay on (switched to or from its original times).
    pub replay_clock: watch::Sender<Option<crate::source::recording::ReplayClock>>,
    /// Tells the traces source (live or replayed) the search to run.
    pub trace_query: watch::Sender<TraceQuery>,
    /// Asks the traces source for one trace by id.
    pub trace_fetch: mpsc::Sender<String>,
    /// Asks the faults source (live, or a replay acting locally) to create or expire a
    /// silence. Absent in read-only mode: nothing can be written.
    pub silence_writes: Option<mpsc::Sender<crate::model::fault::SilenceWrite>>,
    /// Tells the runtime query slot's source (live poller or replay) its `PromQL`; `None`
    /// asks for nothing.
    pub chart_query: watch::Sender<Option<String>>,
    /// The notebook's file; `None` when there is nowhere to keep one (no `$XDG_DATA_HOME`
    /// or `$HOME`).
    pub notebook: Option<crate::notebook::Store>,
    /// Hands the export task what `e` asks to export.
    pub exports: mpsc::Sender<crate::export::Request>,
    /// Hands the analysis task a Why request (`w`), one at a time.
    pub why: crate::source::why::Asker,
}

impl Outlets {
    /// Outlets whose sources are gone (every send goes nowhere), writing notes to
    /// `notebook`: for tests that carry out effects.
    #[must_use]
    pub fn detached(notebook: Option<crate::notebook::Store>) -> Self {
        Self {
            plan: watch::channel(Plan::default()).0,
            event_query: watch::channel(String::new()).0,
            events_until: watch::channel(None).0,
            replay_clock: watch::channel(None).0,
            trace_query: watch::channel(TraceQuery::default()).0,
            trace_fetch: mpsc::channel(1).0,
            silence_writes: None,
            chart_query: watch::channel(None).0,
            notebook,
            exports: mpsc::channel(1).0,
            why: crate::source::why::Asker::detached(),
        }
    }
}

/// Runs the loop until the user quits or a signal arrives (`cmd/dashboard.rs` sets it up).
///
/// # Errors
/// The terminal cannot be written to, or a signal handler cannot be installed.
pub async fn run_loop(
    mut app: App,
    mut terminal: crate::tui::Screen,
    sources: Sources,
) -> Result<()> {
    let Sources {
        mut rx, outlets, ..
    } = sources;
    let mut events = terminal_input()?;
    // Ticks on whole wall-clock seconds, when the pollers of a 1 s interval ask too.
    let first_tick = crate::source::runner::aligned(TICK_PERIOD, crate::wall_now());
    let mut tick = tokio::time::interval_at(Instant::now() + first_tick, TICK_PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    // SIGQUIT's default (terminate with a core) would leave the terminal in the alternate
    // screen and raw mode: it ends capcom like SIGTERM.
    let mut sigquit = signal(SignalKind::quit())?;
    // The first frame waits briefly for the sources' first answers, so it shows data rather
    // than "waiting" followed 33 ms later by the same screen with data.
    if let Ok(Some(first)) = tokio::time::timeout(FIRST_DATA_WAIT, rx.recv()).await {
        let batch = vec![Action::Sources(all_waiting(first, &mut rx))];
        if apply(&mut app, batch, &outlets, &mut terminal)? == Flow::Quit {
            return Ok(());
        }
    }
    terminal.draw(|f| crate::ui::render(&app, f))?;
    let mut last_draw = Instant::now();
    let mut pending = false;
    let mut settled_at = Instant::now();
    loop {
        let draw_at = (last_draw + MIN_FRAME_GAP).max(settled_at);
        let mut now_please = false;
        let actions: Vec<Action> = tokio::select! {
            ev = events.recv() => match ev {
                Some(Ok(ev)) => {
                    now_please = true;
                    terminal_action(&app, &ev).into_iter().collect()
                }
                Some(Err(_)) | None => break,
            },
            Some(update) = rx.recv() => vec![Action::Sources(all_waiting(update, &mut rx))],
            _ = tick.tick() => vec![Action::Tick { wall: crate::wall_now() }],
            () = tokio::time::sleep_until(draw_at), if pending => Vec::new(),
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sigint.recv() => break,
            _ = sigquit.recv() => break,
        };
        if !actions.is_empty() {
            if !pending {
                settled_at = Instant::now() + SETTLE;
            }
            pending = true;
            if apply(&mut app, actions, &outlets, &mut terminal)? == Flow::Quit {
                return Ok(());
            }
        }
        if pending && (now_please || Instant::now() >= draw_at.max(settled_at)) {
            terminal.draw(|f| crate::ui::render(&app, f))?;
            last_draw = Instant::now();
            pending = false;
        }
    }
    Ok(())
}

/// `first` and every update already waiting behind it.
fn all_waiting(first: SourceUpdate, rx: &mut mpsc::Receiver<SourceUpdate>) -> Vec<SourceUpdate> {
    let mut batch = vec![first];
    while let Ok(more) = rx.try_recv() {
        batch.push(more);
    }
    batch
}

/// Terminal input, read on a thread of its own that blocks in `crossterm::event::read` and
/// hands each event over a channel. crossterm's `EventStream` costs the loop on every wake-up
/// (six answers and the tick a second): each poll of it wakes its reader thread and spins on
/// the reader's lock (`sched_yield`) until that thread lets go; a channel costs nothing to
/// poll. Nothing else reads the terminal while the loop runs (nothing asks it for the cursor
/// or hands the terminal to another program), so the thread owns input until the process
/// ends; it stops at the first event after the loop is gone.
fn terminal_input() -> std::io::Result<mpsc::Receiver<std::io::Result<Event>>> {
    let (tx, rx) = mpsc::channel(64);
    std::thread::Builder::new()
        .name("capcom-input".into())
        .spawn(move || {
            loop {
                let ev = crossterm::event::read();
                let failed = ev.is_err();
                if tx.blocking_send(ev).is_err() || failed {
                    return;
                }
            }
        })?;
    Ok(rx)
}

/// Whether the loop goes on.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Quit,
}

/// Applies actions in order and carries out the effects each returns; an effect that cannot be
/// carried out comes back as an action, so only `update` writes the model. Bytes for the
/// terminal itself (a copy, OSC 52) go to `terminal`, between frames.
fn apply(
    app: &mut App,
    actions: Vec<Action>,
    outlets: &Outlets,
    terminal: &mut crate::tui::Screen,
) -> Result<Flow> {
    use std::io::Write as _;
    let mut queue = std::collections::VecDeque::from(actions);
    while let Some(action) = queue.pop_front() {
        for mut effect in app.update(action) {
            attach_screen(app, &mut effect);
            match carry_out(effect, outlets) {
                Carried::Quit => return Ok(Flow::Quit),
                Carried::Then(next) => queue.push_front(next),
                Carried::Terminal(bytes) => {
                    let out = terminal.backend_mut();
                    out.write_all(&bytes)?;
                    out.flush()?;
                }
                Carried::Done => {}
            }
        }
    }
    Ok(Flow::Continue)
}

/// Draws the screen as text into a note that asks for it, as the loop does before carrying
/// the note's effect out: the frame the user sees (the prompt closed).
pub fn attach_screen(app: &App, effect: &mut Effect) {
    if let Effect::WriteNote {
        entry,
        screen: true,
    } = effect
    {
        entry.screen = Some(crate::ui::frame_text(app, app.size));
    }
}

/// What carrying out one effect left to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Carried {
    /// Nothing: it went to its source.
    Done,
    /// Apply this next (a notice saying why the effect could not be carried out).
    Then(Action),
    /// End the loop.
    Quit,
    /// Write these bytes to the terminal (an OSC 52 copy).
    Terminal(Vec<u8>),
}

/// Carries out one effect of `update` on the sources' channels, as the loop does.
#[must_use]
pub fn carry_out(effect: Effect, outlets: &Outlets) -> Carried {
    let notice = |why: &str| Carried::Then(Action::ShowNotice(why.to_owned()));
    match effect {
        Effect::Quit => return Carried::Quit,
        Effect::SetEventQuery(q) => {
            outlets.event_query.send_replace(q);
        }
        Effect::EventsUntil(until) => {
            outlets.events_until.send_replace(until);
        }
        Effect::ReTime(clock) => {
            outlets.replay_clock.send_replace(Some(clock));
        }
        Effect::SearchTraces(q) => {
            outlets.trace_query.send_replace(q);
        }
        Effect::FetchTrace(id) => {
            // A full queue means the source is busy with earlier asks: say so.
            if outlets.trace_fetch.try_send(id).is_err() {
                return notice("the traces source is busy; try again");
            }
        }
        Effect::PlanChanged(wanted) => {
            outlets.plan.send_replace(wanted);
        }
        Effect::ChartQuery(promql) => {
            outlets.chart_query.send_replace(promql);
        }
        Effect::Clipboard(text) => return Carried::Terminal(crate::handoff::osc52(&text)),
        Effect::SaveQueryHistory(history) => {
            let saved = crate::handoff::history_path()
                .ok_or_else(|| std::io::Error::other("no $XDG_STATE_HOME or $HOME"))
                .and_then(|path| crate::handoff::save_history(&path, &history));
            if let Err(e) = saved {
                return notice(&format!(
                    "the ad-hoc queries' history was not saved: {}",
                    crate::text::one_line(&e.to_string(), 80)
                ));
            }
        }
        Effect::Export(request) => {
            if outlets.exports.try_send(*request).is_err() {
                return notice("exports are still being written; try again");
            }
        }
        Effect::Why(request) => match outlets.why.ask(request) {
            Ok(()) => {}
            Err((_, crate::source::why::Refused::Busy)) => {
                return notice("an analysis is running; its report comes when it is done");
            }
            Err((request, crate::source::why::Refused::Stopped)) => {
                return Carried::Then(Action::Source(SourceUpdate::WhyAnalysed {
                    request,
                    result: Err("the analysis task has stopped".to_owned()),
                }));
            }
        },
        Effect::WriteSilence(write) => match &outlets.silence_writes {
            None => return notice("read-only: nothing is written to Alertmanager"),
            Some(tx) if tx.try_send(write).is_err() => {
                return notice("the faults source is busy or stopped; try again");
            }
            Some(_) => {}
        },
        Effect::WriteNote { entry, .. } => {
            let result = match &outlets.notebook {
                None => Err(
                    "nowhere to keep a notebook: neither $XDG_DATA_HOME nor $HOME is set"
                        .to_owned(),
                ),
                Some(store) => store.append(&entry).map_or_else(
                    |e| Err(format!("{}: {e}", store.shown())),
                    |()| Ok(store.shown()),
                ),
            };
            return Carried::Then(Action::Source(SourceUpdate::NoteWritten { entry, result }));
        }
    }
    Carried::Done
}

/// The action a terminal event asks for: keys (presses only), clicks, resizes.
fn terminal_action(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => keymap::key_action(app, *key),
        Event::Mouse(m) => keymap::mouse_action(*m),
        Event::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}
