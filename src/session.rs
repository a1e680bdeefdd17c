//! What to open, resolved from the command line, configuration and environment: the dashboard
//! configuration, the theme, and where data comes from — a live Prometheus or a recording.
//! Shared by the interactive dashboard, `capcom snapshot`, `record` and `check`, so all of them
//! agree on what a command line means. Starting the sources is `cmd/sources.rs`.

use eyre::{Result, WrapErr, bail, eyre};

use crate::action::Action;
use crate::app::{App, Clock, ReplayInfo};
use crate::cli::OpenArgs;
use crate::config::theme::Theme;
use crate::config::{self, Config, Connection, PrometheusConfig};
use crate::source::recording::{Recording, Replay, ReplayClock};

/// Where a session's data comes from.
#[derive(Debug)]
pub enum Data {
    /// A recording, replayed.
    Replay(Recording),
    /// Live backends: a Prometheus if configured (and whatever `[opensearch]` says).
    Live(Option<PrometheusConfig>),
}

/// A resolved session: everything needed to build the app and start its sources.
#[derive(Debug)]
pub struct Session {
    /// The dashboard.
    pub config: Config,
    /// The dashboard's text, as written (a recording keeps it).
    pub config_text: String,
    /// The theme.
    pub theme: Theme,
    /// Where data comes from.
    pub data: Data,
    /// Replay speed.
    pub speed: f64,
    /// Show a replay at its recorded times rather than shifted to now.
    pub original_time: bool,
    /// The dashboard's notebook file (`crate::notebook::path_for` its title); `None` when
    /// there is nowhere to keep one, and for tests (`prepare_bundled`) unless they set it.
    pub notebook: Option<std::path::PathBuf>,
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
        let mut session = Self::prepare_with(open, found.as_ref())?;
        session.notebook = crate::notebook::path_for(&session.config.title);
        Ok(session)
    }

    /// What [`Session::prepare`] does, ignoring any default config file: for tests, which must
    /// not depend on the files of whoever runs them.
    ///
    /// # Errors
    /// As [`Session::prepare`].
    pub fn prepare_bundled(open: &OpenArgs) -> Result<Self> {
        let found = open.config.clone().map(config::ConfigSource::Flag);
        Self::prepare_with(open, found.as_ref())
    }

    fn prepare_with(open: &OpenArgs, found: Option<&config::ConfigSource>) -> Result<Self> {
        let file = match found {
            Some(s) => {
                let text = config::read_capped_text(s.path())
                    .map_err(|e| eyre!("{}: {e}", s.path().display()))?;
                let config = config::parse(&text, &s.path().display().to_string())?;
                Some((config, text))
            }
            None => None,
        };
        let (mut config, config_text, data) = match (&open.replay, file) {
            (Some(dir), file) => {
                let rec = Recording::open(dir).wrap_err("cannot open the recording")?;
                let (config, text) = match file {
                    Some(f) => f,
                    None => (rec.config()?, rec.dashboard.clone()),
                };
                (config, text, Data::Replay(rec))
            }
            (None, Some((config, text))) => {
                let live = live_source(open, &config, found)?;
                (config, text, Data::Live(live))
            }
            (None, None) if open.prometheus.is_some() => {
                let text = crate::DASHBOARD_TOML.to_owned();
                let config = config::parse(&text, "the bundled dashboard")?;
                let live = live_source(open, &config, None)?;
                (config, text, Data::Live(live))
            }
            (None, None) => {
                let rec = Recording::bundled().wrap_err("the bundled recording is broken")?;
                (rec.config()?, rec.dashboard.clone(), Data::Replay(rec))
            }
        };
        if let Data::Live(Some(p)) = &data {
            config.prometheus = Some(p.clone());
        }
        // Any of the file's key, the flag and CAPCOM_READ_ONLY (read by clap into the flag)
        // turns read-only on; none of them can turn it off.
        config.read_only |= open.read_only;
        let theme = Theme::load(&theme_name(open, &config)).map_err(eyre::Error::msg)?;
        Ok(Self {
            config,
            config_text,
            theme,
            data,
            speed: open.speed,
            original_time: open.original_time,
            notebook: None,
        })
    }

    /// The replay clock for a replay starting at wall-clock time `wall` (none when live).
    #[must_use]
    pub fn clock(&self, wall: f64) -> Option<ReplayClock> {
        let Data::Replay(rec) = &self.data else {
            return None;
        };
        let m = &rec.manifest;
        Some(ReplayClock {
            wall_origin: wall,
            rec_origin: m.started + m.replay_from,
            speed: self.speed,
            original: self.original_time,
        })
    }

    /// The app at wall-clock time `wall`, and the replay to feed it if this is one, with the
    /// errors for queries the recording cannot answer already applied and the notebook read.
    #[must_use]
    pub fn start(&self, wall: f64) -> (App, Option<Replay>) {
        let (mut app, replay) = self.start_app(wall);
        if let Some(path) = &self.notebook {
            let loaded = crate::notebook::Store::new(path.clone()).load();
            app.set_notebook(loaded.entries, &loaded.warnings);
        }
        (app, replay)
    }

    fn start_app(&self, wall: f64) -> (App, Option<Replay>) {
        let config = self.config.clone();
        let theme = self.theme.clone();
        let (mut app, replay) = match (&self.data, self.clock(wall)) {
            (Data::Replay(rec), Some(clock)) => {
                let info = ReplayInfo {
                    name: rec.manifest.name.clone(),
                    speed: self.speed,
                    finished: false,
                };
                let mut app = App::new(config, theme, Clock::Replay(clock), Some(info), wall);
                let (replay, errors) = Replay::new(rec, &self.config, clock);
                for e in errors {
                    app.update(Action::Source(e));
                }
                (app, Some(replay))
            }
            _ => (App::new(config, theme, Clock::Live, None, wall), None),
        };
        app.help_len = crate::keymap::help_len;
        (app, replay)
    }
}

/// The live Prometheus of a session: `--prometheus` over the file's `[prometheus]`.
fn live_source(
    open: &OpenArgs,
    config: &Config,
    found: Option<&config::ConfigSource>,
) -> Result<Option<PrometheusConfig>> {
    let mut p = match (&open.prometheus, &config.prometheus) {
        (Some(url), file) => {
            config::validate_url(url, Some("prometheus"))
                .map_err(|e| eyre!("--prometheus: {e}"))?;
            let mut p = file.clone().unwrap_or(PrometheusConfig {
                connection: Connection::to_url(url),
                interval: config::DEFAULT_INTERVAL_SECS,
            });
            url.trim_end_matches('/').clone_into(&mut p.connection.url);
            p
        }
        (None, Some(p)) => p.clone(),
        (None, None)
            if config.opensearch.is_some()
                || config.jaeger.is_some()
                || config.alertmanager.is_some() =>
        {
            return Ok(None);
        }
        (None, None) => bail!(
            "{} has no [prometheus], [opensearch], [jaeger] or [alertmanager] section: add one \
             with its url, \
             pass --prometheus URL, or replay a recording with --replay DIR",
            found.map_or_else(
                || "the configuration".to_owned(),
                |s| s.path().display().to_string()
            )
        ),
    };
    apply_flags(&open.prometheus_flags, &mut p)?;
    Ok(Some(p))
}

/// The `--prometheus-*` flags over the configured `[prometheus]`.
fn apply_flags(flags: &crate::cli::PrometheusFlags, p: &mut PrometheusConfig) -> Result<()> {
    if let Some(i) = flags.prometheus_interval {
        p.interval = i;
    }
    let connection = config::ConnectionFlags {
        timeout: flags.prometheus_timeout,
        headers: flags.prometheus_header.clone(),
        ca_file: flags.prometheus_ca_file.clone(),
        insecure_skip_verify: flags.prometheus_insecure_skip_verify,
        credentials: config::Credentials {
            username: flags.prometheus_user.clone(),
            password_env: flags.prometheus_password_env.clone(),
            password_file: flags.prometheus_password_file.clone(),
            token_env: flags.prometheus_token_env.clone(),
            token_file: flags.prometheus_token_file.clone(),
        },
    };
    p.connection
        .layer(&connection, "--prometheus")
        .map_err(eyre::Error::msg)
}

fn theme_name(open: &OpenArgs, config: &Config) -> String {
    open.theme
        .clone()
        .or_else(|| {
            std::env::var_os("NO_COLOR")
                .filter(|v| !v.is_empty())
                .map(|_| "mono".to_owned())
        })
        .or_else(|| config.theme.clone())
        .unwrap_or_else(|| "dark".to_owned())
}
