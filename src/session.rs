//! What to open, resolved from the command line, configuration and environment: the dashboard
//! configuration, the theme, and where data comes from (a recording, for now). Shared by the
//! interactive dashboard and `capcom snapshot`, so both show the same thing.

use color_eyre::eyre::{Result, WrapErr, bail};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::action::Action;
use crate::app::{App, Clock, ReplayInfo};
use crate::cli::OpenArgs;
use crate::config::{self, Config};
use crate::source::SourceUpdate;
use crate::source::fixture::{Recording, Replay, ReplayClock};
use crate::theme::Theme;

/// A resolved session: everything needed to build the app and start its sources.
#[derive(Debug)]
pub struct Session {
    /// The dashboard.
    pub config: Config,
    /// The theme.
    pub theme: Theme,
    /// The recording to replay.
    pub recording: Recording,
    /// Replay speed.
    pub speed: f64,
}

impl Session {
    /// Resolves what to open. A config file given explicitly (flag or `$CAPCOM_CONFIG`) must
    /// exist and parse; with none at all, the bundled recording opens.
    ///
    /// # Errors
    /// A bad config, theme or recording, with a message naming the file.
    pub fn prepare(open: &OpenArgs) -> Result<Self> {
        let found = config::locate(
            open.config.as_deref(),
            None,
            std::env::var("XDG_CONFIG_HOME").ok().as_deref(),
            std::env::var("HOME").ok().as_deref(),
        );
        Self::prepare_with(open, found.as_ref())
    }

    /// What [`Session::prepare`] does, ignoring any default config file: `--config` or
    /// `--replay` if given, else the bundled recording. For tests, which must not depend on the
    /// files of whoever runs them.
    ///
    /// # Errors
    /// As [`Session::prepare`].
    pub fn prepare_bundled(open: &OpenArgs) -> Result<Self> {
        let found = open.config.clone().map(config::ConfigSource::Flag);
        Self::prepare_with(open, found.as_ref())
    }

    fn prepare_with(open: &OpenArgs, found: Option<&config::ConfigSource>) -> Result<Self> {
        let file_config = found.map(|s| config::load(s.path())).transpose()?;
        let recording = match &open.replay {
            Some(dir) => Recording::open(dir).wrap_err("cannot open the recording")?,
            None if file_config.is_some() => bail!(
                "{} configures live sources, and live polling is not built yet: replay a recording \
                 with --replay DIR, or run capcom with no configuration for the bundled demo",
                found
                    .as_ref()
                    .map_or(String::new(), |s| s.path().display().to_string())
            ),
            None => Recording::bundled().wrap_err("the bundled recording is broken")?,
        };
        let config = match file_config {
            Some(c) => c,
            None => recording.config()?,
        };
        let theme_name = open
            .theme
            .clone()
            .or_else(|| {
                std::env::var_os("NO_COLOR")
                    .filter(|v| !v.is_empty())
                    .map(|_| "mono".to_owned())
            })
            .or_else(|| config.theme.clone())
            .unwrap_or_else(|| "dark".to_owned());
        let theme = Theme::load(&theme_name).map_err(color_eyre::eyre::Error::msg)?;
        Ok(Self {
            config,
            theme,
            recording,
            speed: open.speed,
        })
    }

    /// The replay clock for a replay starting at wall-clock time `wall`.
    #[must_use]
    pub fn clock(&self, wall: f64) -> ReplayClock {
        let m = &self.recording.manifest;
        ReplayClock {
            wall_origin: wall,
            rec_origin: m.started + m.replay_from,
            speed: self.speed,
        }
    }

    /// The app at wall-clock time `wall`, and the replay to feed it, with the errors for
    /// queries the recording cannot answer already applied.
    #[must_use]
    pub fn start(&self, wall: f64) -> (App, Replay) {
        let clock = self.clock(wall);
        let info = ReplayInfo {
            name: self.recording.manifest.name.clone(),
            speed: self.speed,
            finished: false,
        };
        let mut app = App::new(
            self.config.clone(),
            self.theme.clone(),
            Clock::Replay(clock),
            Some(info),
            wall,
        );
        let (replay, errors) = Replay::new(&self.recording, &self.config, clock);
        for e in errors {
            app.update(Action::Source(e));
        }
        (app, replay)
    }

    /// One frame at `size` as plain text, exactly `size.1` lines, with the replay played up to
    /// wall-clock time `wall`.
    #[must_use]
    pub fn snapshot(&self, size: (u16, u16), wall: f64) -> String {
        let (mut app, mut replay) = self.start(wall);
        let now = app.now;
        feed(&mut app, replay.poll(now));
        app.update(Action::Resize {
            width: size.0,
            height: size.1,
        });
        frame_text(&app, size)
    }
}

/// Applies source updates to the app.
pub fn feed(app: &mut App, updates: Vec<SourceUpdate>) {
    for u in updates {
        app.update(Action::Source(u));
    }
}

/// Renders the app at `size` and returns the frame as text, one line per row, trailing blanks
/// trimmed.
#[must_use]
pub fn frame_text(app: &App, size: (u16, u16)) -> String {
    let area = Rect::new(0, 0, size.0, size.1);
    let mut buf = Buffer::empty(area);
    crate::ui::draw(app, area, &mut buf);
    let mut out = String::with_capacity(usize::from(size.0 + 1) * usize::from(size.1) * 3);
    for y in 0..size.1 {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in 0..size.0 {
            let symbol = buf[(x, y)].symbol();
            if skip == 0 {
                line.push_str(symbol);
            }
            skip = skip.max(unicode_width(symbol)).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn unicode_width(s: &str) -> usize {
    use ratatui::text::Span;
    Span::raw(s).width()
}
