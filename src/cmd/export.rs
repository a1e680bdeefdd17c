//! `capcom export`: one pane (or one trace) over a window, to one file, as `e` exports it in
//! the dashboard — for scripts and cron. The data is gathered as `capcom snapshot` gathers it.

use std::io::Write as _;
use std::sync::Arc;

use eyre::{Result, bail, eyre};

use crate::app::App;
use crate::cli::{ExportArgs, OpenArgs};
use crate::export::{Content, Format};
use crate::model::conductor::{Jump, parse_jump};
use crate::session::Session;
use crate::source::SourceUpdate;
use crate::text::one_line;

/// Runs `capcom export`; returns the exit code.
///
/// # Errors
/// An unknown pane, a format the pane cannot give, a window that cannot be read, no data
/// source, or a file that cannot be written.
pub fn run(open: &OpenArgs, args: &ExportArgs) -> Result<u8> {
    let format = Format::parse(&args.format).ok_or_else(|| eyre!("unknown format"))?;
    let session = Session::prepare(open)?;
    let pane = match &args.pane {
        Some(id) => Some(find_pane(&session, id)?),
        None => None,
    };
    let wall = crate::wall_now();
    let (app, replay) = super::snapshot::settled_with(&session, (160, 48), wall, |app| {
        set_window(app, args.from.as_deref(), args.to.as_deref())
    })?;
    let content = match (&args.trace, pane) {
        (Some(id), _) => Content::Trace(fetch_trace(&session, replay.as_ref(), &app, id)?),
        (None, Some(p)) => app.export_pane(p).map_err(|e| eyre!(e))?.content,
        (None, None) => bail!("give --pane ID or --trace ID"),
    };
    let bytes = crate::export::render(&content, format)?;
    if args.out.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()?;
    } else {
        crate::export::files::write_atomic(&args.out, &bytes, true)?;
    }
    Ok(0)
}

/// The pane `id` names, or an error listing the dashboard's panes.
fn find_pane(session: &Session, id: &str) -> Result<usize> {
    let panes = &session.config.panes;
    if let Some(i) = panes.iter().position(|p| p.id == id) {
        return Ok(i);
    }
    let ids: Vec<&str> = panes.iter().map(|p| p.id.as_str()).collect();
    bail!(
        "no pane {:?} in this dashboard; its panes are: {}",
        one_line(id, 60),
        one_line(&ids.join(", "), 200)
    )
}

/// One time `text` gives, read like the `@` prompt at display time `now` (`day` is the date
/// bare times fall on); a range is refused.
///
/// # Errors
/// What could not be read, or a range.
pub(super) fn instant(text: &str, now: f64, day: f64) -> Result<f64> {
    match parse_jump(text, now, day) {
        Ok(Jump::End(t)) => Ok(t),
        Ok(Jump::Bounds { .. }) => {
            bail!("{:?}: give one time, not a range", one_line(text, 60))
        }
        Err(e) => bail!("{}", one_line(&e, 200)),
    }
}

/// Pauses the conductor on the window `--from`/`--to` give (each read like the `@` prompt).
fn set_window(app: &mut App, from: Option<&str>, to: Option<&str>) -> Result<()> {
    let now = app.now;
    let day = app.conductor.end(now);
    let instant = |text: &str| instant(text, now, day);
    let jump = match (from, to) {
        (None, None) => return Ok(()),
        (None, Some(to)) => Jump::End(instant(to)?),
        (Some(from), to) => {
            let start = instant(from)?;
            let end = to.map_or(Ok(now), instant)?;
            if end <= start {
                bail!("--to must come after --from");
            }
            Jump::Bounds { start, end }
        }
    };
    app.conductor.jump(jump, now);
    Ok(())
}

/// The trace `id`, from the replay or the live Jaeger.
fn fetch_trace(
    session: &Session,
    replay: Option<&crate::source::recording::Replay>,
    app: &App,
    id: &str,
) -> Result<Arc<crate::model::span::Trace>> {
    let shown = one_line(id, 40);
    if let Some(replay) = replay {
        return match replay.trace(id, app.now) {
            SourceUpdate::TraceFetched { result: Ok(t), .. } => Ok(t),
            SourceUpdate::TraceFetched { result: Err(e), .. } => {
                bail!("trace {shown}: {}", one_line(&e.to_string(), 200))
            }
            _ => bail!("trace {shown}: not in the recording"),
        };
    }
    let Some(j) = &session.config.jaeger else {
        bail!("no [jaeger] is configured to fetch trace {shown} from");
    };
    let client = crate::source::jaeger::JaegerClient::new(&j.connection, j.api)
        .map_err(|e| eyre!("jaeger: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match runtime.block_on(client.trace(id)) {
        Ok((_, Some(t))) => Ok(Arc::new(t)),
        Ok((_, None)) => bail!("trace {shown}: Jaeger has no such trace"),
        Err(e) => bail!("trace {shown}: {}", one_line(&e.to_string(), 200)),
    }
}
