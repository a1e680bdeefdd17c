//! What to open, resolved from the command line, configuration and environment: the dashboard
//! configuration, the theme, and where data comes from — a live Prometheus or a recording.
//! Shared by the interactive dashboard, `capcom snapshot`, `record` and `check`, so all of them
//! agree on what a command line means.

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::action::Action;
use crate::app::{App, Clock, ReplayInfo};
use crate::cli::OpenArgs;
use crate::config::{self, Config, Connection, PrometheusConfig};
use crate::model::traces::TraceQuery;
use crate::source::SourceUpdate;
use crate::source::jaeger::JaegerClient;
use crate::source::prometheus::PrometheusClient;
use crate::source::prometheus::poller::{self, Plan};
use crate::source::recording::{self, Recording, Replay, ReplayClock};
use crate::theme::Theme;

/// Updates a source may queue before it waits for the loop.
pub const CHANNEL_CAPACITY: usize = 256;

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
}

/// The running sources of a session: dropping it does not stop them; cancel does.
pub struct Sources {
    /// Their updates.
    pub rx: mpsc::Receiver<SourceUpdate>,
    /// Tells live pollers what to fetch (unused by a replay).
    pub plan: watch::Sender<Plan>,
    /// Tells the live events tail its server-side query (unused by a replay).
    pub event_query: watch::Sender<String>,
    /// Tells the traces source (live or replayed) the search to run.
    pub trace_query: watch::Sender<TraceQuery>,
    /// Asks the traces source for one trace by id.
    pub trace_fetch: mpsc::Sender<String>,
    /// Stops them.
    pub cancel: CancellationToken,
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
                let text = crate::sim::recording::DASHBOARD_TOML.to_owned();
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
        let theme =
            Theme::load(&theme_name(open, &config)).map_err(color_eyre::eyre::Error::msg)?;
        Ok(Self {
            config,
            config_text,
            theme,
            data,
            speed: open.speed,
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
        })
    }

    /// The app at wall-clock time `wall`, and the replay to feed it if this is one, with the
    /// errors for queries the recording cannot answer already applied.
    #[must_use]
    pub fn start(&self, wall: f64) -> (App, Option<Replay>) {
        let config = self.config.clone();
        let theme = self.theme.clone();
        match (&self.data, self.clock(wall)) {
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
        }
    }

    /// Starts this session's sources for `app` (a replay task, or one live poller per query).
    /// Call inside a tokio runtime.
    ///
    /// # Errors
    /// A live source whose client cannot be set up (credentials, CA bundle).
    pub fn spawn_sources(&self, app: &App, replay: Option<Replay>) -> Result<Sources> {
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let cancel = CancellationToken::new();
        let (plan, plan_rx) = watch::channel(Plan::new(app.fetch_plan()));
        let (event_query, query_rx) = watch::channel(app.events.query.clone());
        let (trace_query, trace_query_rx) = watch::channel(app.traces.query.clone());
        let (trace_fetch, trace_fetch_rx) = mpsc::channel(16);
        match (&self.data, replay) {
            (Data::Replay(_), Some(replay)) => {
                let clock = self
                    .clock(app.now)
                    .ok_or_else(|| eyre!("a replay without a clock"))?;
                let period =
                    Duration::from_secs_f64((config::DEFAULT_INTERVAL_SECS / self.speed).max(0.05));
                let inputs = recording::ReplayInputs {
                    trace_query: trace_query_rx,
                    trace_fetch: trace_fetch_rx,
                };
                tokio::spawn(recording::run(
                    replay,
                    clock,
                    period,
                    inputs,
                    tx,
                    cancel.clone(),
                ));
            }
            (Data::Live(p), _) => {
                if let Some(p) = p {
                    let client = PrometheusClient::new(&p.connection)
                        .map_err(|e| eyre!("prometheus: {e}"))?;
                    let queries: Vec<String> = self
                        .config
                        .queries
                        .iter()
                        .map(|q| q.promql.clone())
                        .collect();
                    let interval = Duration::from_secs_f64(p.interval);
                    poller::spawn(&client, &queries, &plan_rx, interval, &tx, &cancel);
                }
                if let Some(os) = &self.config.opensearch {
                    let client = crate::source::opensearch::OpenSearchClient::new(&os.connection)
                        .map_err(|e| eyre!("opensearch: {e}"))?;
                    let window = self.config.window;
                    tokio::spawn(crate::source::opensearch::tail::run(
                        client,
                        os.clone(),
                        window,
                        query_rx,
                        tx.clone(),
                        cancel.clone(),
                    ));
                }
                if let Some(j) = &self.config.jaeger {
                    let client = JaegerClient::new(&j.connection, j.api)
                        .map_err(|e| eyre!("jaeger: {e}"))?;
                    tokio::spawn(crate::source::jaeger::search::run(
                        std::sync::Arc::new(client),
                        j.interval,
                        trace_query_rx,
                        trace_fetch_rx,
                        tx.clone(),
                        cancel.clone(),
                    ));
                }
            }
            (Data::Replay(_), None) => bail!("a replay session started without its replay"),
        }
        Ok(Sources {
            rx,
            plan,
            event_query,
            trace_query,
            trace_fetch,
            cancel,
        })
    }

    /// One frame at `size` as plain text, exactly `size.1` lines, at wall-clock time `wall`: a
    /// replay played up to then, or each live query answered once (or failed).
    ///
    /// # Errors
    /// A live source that cannot be set up.
    pub fn snapshot(&self, size: (u16, u16), wall: f64) -> Result<String> {
        let app = self.settled(size, wall)?;
        Ok(frame_text(&app, size))
    }

    /// The app at `size` and wall-clock time `wall` once its data is in: a replay played up
    /// to then, or each live query answered once (or failed).
    ///
    /// # Errors
    /// A live source that cannot be set up.
    pub fn settled(&self, size: (u16, u16), wall: f64) -> Result<App> {
        let (mut app, replay) = self.start(wall);
        app.update(Action::Resize {
            width: size.0,
            height: size.1,
        });
        match replay {
            Some(mut replay) => {
                let now = app.now;
                feed(&mut app, replay.poll(now));
            }
            None => self.fetch_once(&mut app)?,
        }
        Ok(app)
    }

    /// Runs the live pollers until every query has answered once, or its timeout has passed.
    fn fetch_once(&self, app: &mut App) -> Result<()> {
        let prometheus = self
            .config
            .prometheus
            .as_ref()
            .map(|p| p.connection.timeout);
        let opensearch = self
            .config
            .opensearch
            .as_ref()
            .map(|o| o.connection.timeout);
        let jaeger = self.config.jaeger.as_ref().map(|j| j.connection.timeout);
        let timeout = prometheus
            .into_iter()
            .chain(opensearch)
            .chain(jaeger)
            .fold(1.0, f64::max);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let mut sources = self.spawn_sources(app, None)?;
            // Each query once, the events once when there is an [opensearch], the traces once
            // when there is a [jaeger].
            let mut answered = vec![self.config.prometheus.is_none(); app.queries.len()];
            let (events_at, traces_at) = (answered.len(), answered.len() + 1);
            answered.push(self.config.opensearch.is_none());
            answered.push(self.config.jaeger.is_none());
            let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(timeout + 1.0);
            while !answered.iter().all(|a| *a) {
                let Ok(Some(update)) = tokio::time::timeout_at(deadline, sources.rx.recv()).await
                else {
                    break;
                };
                match &update {
                    SourceUpdate::MetricsFetched { query, .. } => answered[*query] = true,
                    SourceUpdate::EventsFetched { .. } => answered[events_at] = true,
                    SourceUpdate::TracesFetched { .. } => answered[traces_at] = true,
                    SourceUpdate::ReplayFinished | SourceUpdate::TraceFetched { .. } => {}
                }
                app.update(Action::Source(update));
            }
            sources.cancel.cancel();
            Ok(())
        })
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
        (None, None) if config.opensearch.is_some() || config.jaeger.is_some() => return Ok(None),
        (None, None) => bail!(
            "{} has no [prometheus], [opensearch] or [jaeger] section: add one with its url, \
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

/// The `--prometheus-*` flags over the configured connection.
fn apply_flags(flags: &crate::cli::PrometheusFlags, p: &mut PrometheusConfig) -> Result<()> {
    use crate::config::{Auth, Secret};
    if let Some(i) = flags.prometheus_interval {
        p.interval = i;
    }
    let c = &mut p.connection;
    if let Some(t) = flags.prometheus_timeout {
        c.timeout = t;
    }
    c.headers.extend(flags.prometheus_header.iter().cloned());
    if let Some(ca) = &flags.prometheus_ca_file {
        c.ca_file = Some(ca.clone());
    }
    c.insecure_skip_verify |= flags.prometheus_insecure_skip_verify;
    let secret =
        |env: &Option<String>, file: &Option<std::path::PathBuf>, what: &str| match (env, file) {
            (Some(_), Some(_)) => Err(eyre!(
                "give --prometheus-{what}-env or --prometheus-{what}-file, not both"
            )),
            (Some(e), None) => Ok(Some(Secret::Env(e.clone()))),
            (None, Some(f)) => Ok(Some(Secret::File(f.clone()))),
            (None, None) => Ok(None),
        };
    let password = secret(
        &flags.prometheus_password_env,
        &flags.prometheus_password_file,
        "password",
    )?;
    let token = secret(
        &flags.prometheus_token_env,
        &flags.prometheus_token_file,
        "token",
    )?;
    match (&flags.prometheus_user, password, token) {
        (None, None, None) => {}
        (Some(username), Some(password), None) => {
            c.auth = Some(Auth::Basic {
                username: username.clone(),
                password,
            });
        }
        (None, None, Some(token)) => c.auth = Some(Auth::Bearer(token)),
        _ => bail!(
            "give --prometheus-user with --prometheus-password-env or -file, or \
             --prometheus-token-env or -file, alone"
        ),
    }
    Ok(())
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
            skip = skip
                .max(ratatui::text::Span::raw(symbol).width())
                .saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
