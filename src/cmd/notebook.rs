//! `capcom notebook`: list the dashboard's notebook, write an entry from the command line
//! (several lines from standard input), or export it as Markdown or HTML for a hand-over.
//! The file and its formats are `crate::notebook`.

use std::io::Read as _;
use std::path::Path;

use eyre::{Result, bail, eyre};

use crate::cli::{NotebookCommand, NotebookFormat, OpenArgs};
use crate::model::notebook::{Entry, EntryKind, MissionTime, next_id};
use crate::notebook::{Store, pane_text, utc};
use crate::session::Session;

/// The longest note read from standard input: 1 MiB.
const MAX_NOTE_BYTES: u64 = 1024 * 1024;

/// Runs `capcom notebook`; returns the exit code.
///
/// # Errors
/// The dashboard cannot be resolved, there is nowhere to keep a notebook, the note cannot be
/// written or read, or the report cannot be written.
pub fn run(
    open: &OpenArgs,
    export: Option<NotebookFormat>,
    out: Option<&Path>,
    command: Option<&NotebookCommand>,
) -> Result<u8> {
    let session = Session::prepare(open)?;
    let path = session.notebook.clone().ok_or_else(|| {
        eyre!("nowhere to keep a notebook: neither $XDG_DATA_HOME nor $HOME is set")
    })?;
    let store = Store::new(path);
    run_on(&store, &session.config, export, out, command)
}

/// [`run`] on the notebook `store` of the dashboard `config`.
///
/// # Errors
/// As [`run`].
pub fn run_on(
    store: &Store,
    config: &crate::config::Config,
    export: Option<NotebookFormat>,
    out: Option<&Path>,
    command: Option<&NotebookCommand>,
) -> Result<u8> {
    let loaded = store.load();
    for w in &loaded.warnings {
        eprintln!("capcom: {w}");
    }
    let mut stdout = crate::stdio::Out::stdout();
    if let Some(NotebookCommand::Add { text }) = command {
        let text = match text {
            Some(t) => t.clone(),
            None => read_stdin()?,
        };
        let text = text.trim_end().to_owned();
        if text.trim().is_empty() {
            bail!("an empty note: nothing written");
        }
        let now = crate::wall_now();
        let mission = MissionTime {
            end: now,
            paused: false,
            window: config.window,
        };
        let entry = Entry::new(
            next_id(&loaded.entries),
            now,
            mission,
            EntryKind::Note,
            text,
        );
        store
            .append(&entry)
            .map_err(|e| eyre!("{}: {e}", store.shown()))?;
        stdout.line(format_args!(
            "note #{} written to {}",
            entry.id,
            store.shown()
        ));
    } else if let Some(format) = export {
        let report = match format {
            NotebookFormat::Md => crate::notebook::markdown(&config.title, &loaded.entries),
            NotebookFormat::Html => crate::notebook::html(&config.title, &loaded.entries),
        };
        match out {
            Some(file) => {
                crate::notebook::write_atomically(file, &report)
                    .map_err(|e| eyre!("{}: {e}", file.display()))?;
                stdout.line(format_args!(
                    "{} written to {}",
                    crate::text::plural(loaded.entries.len(), "entry"),
                    file.display()
                ));
            }
            None => stdout.text(&report),
        }
    } else if loaded.entries.is_empty() {
        stdout.line(format_args!("no entries in {}", store.shown()));
    } else {
        for e in &loaded.entries {
            let (head, more) = e.headline();
            let more = if more > 0 {
                format!(" (+{})", crate::text::plural(more, "line"))
            } else {
                String::new()
            };
            stdout.line(format_args!(
                "#{:<4} {}  {:<14} {:<15} {head}{more}",
                e.id,
                utc(e.mission.end),
                pane_text(e),
                e.kind.word()
            ));
        }
    }
    stdout.finish()?;
    Ok(0)
}

/// A note from standard input, at most [`MAX_NOTE_BYTES`].
fn read_stdin() -> Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_NOTE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_NOTE_BYTES {
        bail!(
            "a note is at most {}",
            crate::text::size_text(MAX_NOTE_BYTES)
        );
    }
    String::from_utf8(bytes).map_err(|_| eyre!("the note is not UTF-8 text"))
}
