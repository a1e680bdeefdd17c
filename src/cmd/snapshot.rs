//! `capcom snapshot`: one rendered frame as plain text, for scripts, bug reports and tests,
//! once the data is in (a replay played up to now, or each live query answered once). `capcom
//! slo` reads the same settled app.

use std::time::Duration;

use eyre::Result;

use crate::action::Action;
use crate::app::App;
use crate::cli::OpenArgs;
use crate::session::Session;
use crate::source::SourceUpdate;

/// Runs `capcom snapshot`: prints one frame of `size`; returns the exit code.
///
/// # Errors
/// What to open cannot be resolved, a live source cannot be set up, or standard output fails.
pub fn run(open: &OpenArgs, size: (u16, u16)) -> Result<u8> {
    let session = Session::prepare(open)?;
    let mut out = crate::stdio::Out::stdout();
    out.text(&snapshot(&session, size, crate::wall_now())?);
    out.finish()?;
    Ok(0)
}

/// One frame at `size` as plain text, exactly `size.1` lines, at wall-clock time `wall`: a
/// replay played up to then, or each live query answered once (or failed).
///
/// # Errors
/// A live source that cannot be set up.
pub fn snapshot(session: &Session, size: (u16, u16), wall: f64) -> Result<String> {
    let app = settled(session, size, wall)?;
    Ok(frame_text(&app, size))
}

/// The app at `size` and wall-clock time `wall` once its data is in: a replay played up
/// to then, or each live query answered once (or failed).
///
/// # Errors
/// A live source that cannot be set up.
pub fn settled(session: &Session, size: (u16, u16), wall: f64) -> Result<App> {
    settled_with(session, size, wall, |_| Ok(())).map(|(app, _)| app)
}

/// [`settled`], with `prepare` run on the app before any data is asked for (`capcom export`
/// sets its window there), and the replay handed back to answer more (a trace by id).
///
/// # Errors
/// `prepare` fails, or a live source cannot be set up.
pub fn settled_with(
    session: &Session,
    size: (u16, u16),
    wall: f64,
    prepare: impl FnOnce(&mut App) -> Result<()>,
) -> Result<(App, Option<crate::source::recording::Replay>)> {
    let (mut app, replay) = session.start(wall);
    app.update(Action::Resize {
        width: size.0,
        height: size.1,
    });
    prepare(&mut app)?;
    if let Some(mut replay) = replay {
        let now = app.now;
        feed(&mut app, replay.poll(now));
        return Ok((app, Some(replay)));
    }
    fetch_once(session, &mut app)?;
    Ok((app, None))
}

/// Runs the live pollers until every query has answered once, or its timeout has passed.
fn fetch_once(session: &Session, app: &mut App) -> Result<()> {
    let prometheus = session
        .config
        .prometheus
        .as_ref()
        .map(|p| p.connection.timeout);
    let opensearch = session
        .config
        .opensearch
        .as_ref()
        .map(|o| o.connection.timeout);
    let jaeger = session.config.jaeger.as_ref().map(|j| j.connection.timeout);
    let alertmanager = session
        .config
        .alertmanager
        .as_ref()
        .map(|a| a.connection.timeout);
    let timeout = prometheus
        .into_iter()
        .chain(opensearch)
        .chain(jaeger)
        .chain(alertmanager)
        .fold(1.0, f64::max);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut sources = super::sources::spawn(session, app, None)?;
        // Each query once, the events once when there is an [opensearch], the traces once
        // when there is a [jaeger], the faults once when there is an [alertmanager] (the
        // Faults pane and the status bar's count show them).
        // The runtime slot (`App::chart_slot`) asks for nothing in a snapshot.
        let mut answered = vec![session.config.prometheus.is_none(); app.config.queries.len()];
        let (events_at, traces_at, faults_at) =
            (answered.len(), answered.len() + 1, answered.len() + 2);
        answered.push(session.config.opensearch.is_none());
        answered.push(session.config.jaeger.is_none());
        answered.push(session.config.alertmanager.is_none());
        let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(timeout + 1.0);
        while !answered.iter().all(|a| *a) {
            let Ok(Some(update)) = tokio::time::timeout_at(deadline, sources.rx.recv()).await
            else {
                break;
            };
            match &update {
                SourceUpdate::MetricsFetched { query, .. } if *query < events_at => {
                    answered[*query] = true;
                }
                SourceUpdate::EventsFetched { .. } => answered[events_at] = true,
                SourceUpdate::TracesFetched { .. } => answered[traces_at] = true,
                SourceUpdate::FaultsFetched { .. } => answered[faults_at] = true,
                SourceUpdate::MetricsFetched { .. }
                | SourceUpdate::ReplayFinished
                | SourceUpdate::Exported { .. }
                | SourceUpdate::TraceFetched { .. }
                | SourceUpdate::SilenceWritten { .. }
                | SourceUpdate::NoteWritten { .. }
                | SourceUpdate::WhyAnalysed { .. } => {}
            }
            app.update(Action::Source(update));
        }
        sources.cancel.cancel();
        Ok(())
    })
}

/// Applies source updates to the app.
pub fn feed(app: &mut App, updates: Vec<SourceUpdate>) {
    for u in updates {
        app.update(Action::Source(u));
    }
}

pub use crate::ui::frame_text;
