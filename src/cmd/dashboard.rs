//! `capcom` with no subcommand: the interactive dashboard. Resolves what to open, sets the
//! terminal up, starts the sources and hands everything to the loop (`event.rs`).

use eyre::Result;

use crate::action::Action;
use crate::cli::OpenArgs;
use crate::session::Session;

/// Runs the dashboard until the user quits or a signal arrives; returns the exit code.
///
/// # Errors
/// What to open cannot be resolved, or the terminal cannot be set up or written to.
pub fn run(open: &OpenArgs) -> Result<u8> {
    let log = crate::logging::init();
    tracing::info!(?log, version = env!("CARGO_PKG_VERSION"), "capcom starting");
    let session = Session::prepare(open)?;
    run_session(&session)?;
    Ok(0)
}

/// Runs the interactive dashboard on `session` until the user quits or a signal arrives.
///
/// # Errors
/// The terminal cannot be set up or written to.
fn run_session(session: &Session) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (mut app, replay) = session.start(crate::wall_now());
        // Asked before the terminal is taken over: tmux's setting, the queries typed before.
        app.handoff.clipboard_refused = crate::handoff::clipboard_refused();
        if let Some(path) = crate::handoff::history_path() {
            app.handoff.history = crate::handoff::load_history(&path, crate::app::HISTORY_MAX);
        }
        let (terminal, guard) = crate::tui::init()?;
        let size = terminal.size()?;
        app.update(Action::Resize {
            width: size.width,
            height: size.height,
        });
        let sources = super::sources::spawn(session, &app, replay)?;
        let cancel = sources.cancel.clone();
        let result = crate::event::run_loop(app, terminal, sources).await;
        cancel.cancel();
        drop(guard);
        result
    })
}
