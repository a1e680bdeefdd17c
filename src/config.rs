//! Configuration: the TOML schema as written in files (`*File` types, all optional where a
//! default exists) and the resolved [`Config`] the app reads. Lookup order: `--config`, then
//! `$CAPCOM_CONFIG`, then `$XDG_CONFIG_HOME/capcom/config.toml`. Every error names the file, and
//! the line and column where the mistake is.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::model::Limits;

/// Points kept per series unless configured: a day at 5 s steps, whatever the session length.
pub const DEFAULT_MAX_POINTS: usize = 20_000;
/// The time window shown at start unless configured.
pub const DEFAULT_WINDOW_SECS: f64 = 15.0 * 60.0;
/// How often a live source is polled unless configured.
pub const DEFAULT_INTERVAL_SECS: f64 = 5.0;

/// A configuration that could not be read, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read at all.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// The TOML is malformed or has a wrong or unknown key (toml's message has line and column).
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// toml's message, with line, column and the offending line.
        message: String,
    },
    /// The TOML is well formed but its meaning is wrong.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, for a user.
        message: String,
    },
}

/// The file schema.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    title: Option<String>,
    theme: Option<String>,
    window: Option<Spanned<String>>,
    max_points: Option<Spanned<usize>>,
    prometheus: Option<PrometheusFile>,
    opensearch: Option<OpenSearchFile>,
    layout: LayoutFile,
    #[serde(default)]
    pane: Vec<PaneFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PrometheusFile {
    url: Spanned<String>,
    interval: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
    ca_file: Option<PathBuf>,
    #[serde(default)]
    insecure_skip_verify: bool,
    auth: Option<Spanned<AuthFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct OpenSearchFile {
    url: Spanned<String>,
    index: String,
    #[serde(default)]
    query: String,
    interval: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
    ca_file: Option<PathBuf>,
    #[serde(default)]
    insecure_skip_verify: bool,
    auth: Option<Spanned<AuthFile>>,
    max_events: Option<usize>,
    page_size: Option<usize>,
    tiebreaker: Option<String>,
    #[serde(default)]
    fields: FieldsFile,
}

/// Field names, each one name or a list tried in turn.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FieldsFile {
    timestamp: Option<OneOrMany>,
    level: Option<OneOrMany>,
    message: Option<OneOrMany>,
    service: Option<OneOrMany>,
    trace_id: Option<OneOrMany>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s],
            Self::Many(v) => v,
        }
    }
}

/// Credentials, named by where they are kept: never written in the file itself.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AuthFile {
    username: Option<String>,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    column: Vec<ColumnFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnFile {
    #[serde(default = "one")]
    width: u16,
    panes: Vec<PaneRefFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaneRefFile {
    id: Spanned<String>,
    #[serde(default = "one")]
    height: u16,
}

fn one() -> u16 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PaneFile {
    id: Spanned<String>,
    title: Option<String>,
    kind: PaneKindFile,
    #[serde(default)]
    series: Vec<SeriesFile>,
    x: Option<String>,
    y: Option<String>,
    heading: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum PaneKindFile {
    Chart,
    Table,
    Path,
    Events,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SeriesFile {
    query: String,
    legend: Option<String>,
    #[serde(default)]
    unit: String,
    precision: Option<usize>,
    max: Option<f64>,
    limits: Option<Spanned<Limits>>,
}

/// The resolved configuration the app runs on.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The dashboard's title, shown in the status bar.
    pub title: String,
    /// The theme's name or path, if the file chose one.
    pub theme: Option<String>,
    /// The time window at start, seconds.
    pub window: f64,
    /// Points kept per series.
    pub max_points: usize,
    /// The live Prometheus, if configured.
    pub prometheus: Option<PrometheusConfig>,
    /// The live OpenSearch, if configured.
    pub opensearch: Option<OpenSearchConfig>,
    /// Columns of panes, left to right.
    pub layout: Vec<Column>,
    /// Every pane, in file order; [`PaneId`] indexes this.
    pub panes: Vec<Pane>,
    /// Every query any pane asks, in pane order; [`QueryId`] indexes this.
    pub queries: Vec<Query>,
}

/// A live Prometheus to poll.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusConfig {
    /// How to reach it.
    pub connection: Connection,
    /// Seconds between polls.
    pub interval: f64,
}

/// Events to tail from OpenSearch.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenSearchConfig {
    /// How to reach it.
    pub connection: Connection,
    /// The index or pattern searched, e.g. `rover-events-*`.
    pub index: String,
    /// A query-string query narrowing what is tailed; empty is everything.
    pub query: String,
    /// Seconds between polls.
    pub interval: f64,
    /// Events kept, whatever the session length.
    pub max_events: usize,
    /// Hits asked for per request.
    pub page_size: usize,
    /// The second sort field, so equal timestamps are neither lost nor repeated.
    pub tiebreaker: String,
    /// Which document fields are which.
    pub fields: crate::source::opensearch::FieldMap,
}

/// Events kept unless configured.
pub const DEFAULT_MAX_EVENTS: usize = 10_000;

/// How to reach a backend over HTTP. Holds where secrets are kept, never the secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Base URL, path prefix included, no trailing slash.
    pub url: String,
    /// Seconds a request may take.
    pub timeout: f64,
    /// Extra headers sent with every request (not for secrets: use `auth`).
    pub headers: Vec<(String, String)>,
    /// A PEM bundle of extra CA certificates to trust.
    pub ca_file: Option<PathBuf>,
    /// Accept any TLS certificate (flagged in the status bar).
    pub insecure_skip_verify: bool,
    /// Credentials, if any.
    pub auth: Option<Auth>,
}

/// Where a credential is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// In this environment variable.
    Env(String),
    /// In this file (trailing newline dropped).
    File(PathBuf),
}

/// Credentials for a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP basic auth.
    Basic {
        /// User name.
        username: String,
        /// Where the password is.
        password: Secret,
    },
    /// A bearer token.
    Bearer(Secret),
}

/// Seconds a request may take unless configured.
pub const DEFAULT_TIMEOUT_SECS: f64 = 10.0;

impl Connection {
    /// A connection to `url` with every other setting at its default.
    #[must_use]
    pub fn to_url(url: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            timeout: DEFAULT_TIMEOUT_SECS,
            headers: Vec::new(),
            ca_file: None,
            insecure_skip_verify: false,
            auth: None,
        }
    }
}

/// Checks that `url` is an absolute http(s) URL, for `--prometheus` and the config.
///
/// # Errors
/// A message for users when it is not.
pub fn validate_url(url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if !u.username().is_empty() || u.password().is_some() => Err(format!(
            "{}: credentials do not belong in the URL, where screens and logs would show them; \
             use [prometheus.auth] with password-env or password-file",
            u.host_str().unwrap_or("the URL")
        )),
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(u) => Err(format!(
            "{url:?} is not an http:// or https:// URL (scheme {:?})",
            u.scheme()
        )),
        Err(e) => Err(format!(
            "{url:?} is not a URL ({e}); write e.g. \"http://127.0.0.1:9090\""
        )),
    }
}

/// One column of the layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Relative width.
    pub width: u16,
    /// The panes top to bottom, with their relative heights.
    pub panes: Vec<(PaneId, u16)>,
}

/// Index of a pane in [`Config::panes`].
pub type PaneId = usize;
/// Index of a query in [`Config::queries`].
pub type QueryId = usize;

/// One pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Pane {
    /// The id the layout refers to it by.
    pub id: String,
    /// The title on its border.
    pub title: String,
    /// What it shows.
    pub kind: PaneKind,
}

/// What a pane shows, with the queries it reads.
#[derive(Debug, Clone, PartialEq)]
pub enum PaneKind {
    /// Stacked strip charts, one per series, over the time window.
    Chart(Vec<QueryId>),
    /// A latest-available-data table: each series' value at the window's end.
    Table(Vec<QueryId>),
    /// The event stream: newest at the bottom, following the tail.
    Events,
    /// The rover's x/y path on a map, with its heading.
    Path {
        /// Position east, metres.
        x: QueryId,
        /// Position north, metres.
        y: QueryId,
        /// Heading in degrees clockwise from north.
        heading: Option<QueryId>,
    },
}

/// One `PromQL` query and how to show its series.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The `PromQL` expression.
    pub promql: String,
    /// Legend template; `{{label}}` is replaced by the series' label value.
    pub legend: String,
    /// Unit shown after values.
    pub unit: String,
    /// Digits after the decimal point.
    pub precision: usize,
    /// Full scale for a gauge bar, if the value is a level (e.g. 100 for percent).
    pub max: Option<f64>,
    /// Limit ladder.
    pub limits: Limits,
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.promql)
    }
}

/// Where a configuration comes from, in lookup order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// `--config`: must exist.
    Flag(PathBuf),
    /// `$CAPCOM_CONFIG`: must exist.
    Env(PathBuf),
    /// `$XDG_CONFIG_HOME/capcom/config.toml`: used if it exists.
    Default(PathBuf),
}

/// Finds the configuration file to use: the explicit flag, the environment variable, or the
/// default path if a file is there. `None` means no configuration (the bundled demo).
#[must_use]
pub fn locate(
    flag: Option<&Path>,
    env: Option<&str>,
    xdg: Option<&str>,
    home: Option<&str>,
) -> Option<ConfigSource> {
    if let Some(p) = flag {
        return Some(ConfigSource::Flag(p.to_owned()));
    }
    if let Some(p) = env.filter(|s| !s.is_empty()) {
        return Some(ConfigSource::Env(PathBuf::from(p)));
    }
    let base = match (xdg.filter(|s| !s.is_empty()), home) {
        (Some(x), _) => PathBuf::from(x),
        (None, Some(h)) => Path::new(h).join(".config"),
        (None, None) => return None,
    };
    let p = base.join("capcom").join("config.toml");
    p.is_file().then_some(ConfigSource::Default(p))
}

impl ConfigSource {
    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            Self::Flag(p) | Self::Env(p) | Self::Default(p) => p,
        }
    }
}

/// Reads and resolves a configuration file.
///
/// # Errors
/// The file cannot be read, or [`parse`] rejects it.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Io {
        path: path.display().to_string(),
        error,
    })?;
    parse(&text, &path.display().to_string())
}

/// Parses and resolves configuration text; `origin` names it in errors.
///
/// # Errors
/// Malformed TOML, unknown keys, or a meaning that does not hold together.
pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: origin.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    Resolver { text, origin }.resolve(file)
}

struct Resolver<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Resolver<'_> {
    fn err(&self, span: std::ops::Range<usize>, message: String) -> ConfigError {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ConfigError::Invalid {
            path: self.origin.to_owned(),
            line,
            column,
            message,
        }
    }

    fn duration(&self, s: &Spanned<String>, what: &str) -> Result<f64, ConfigError> {
        match humantime::parse_duration(s.get_ref()) {
            Ok(d) if d.as_secs_f64() > 0.0 => Ok(d.as_secs_f64()),
            Ok(_) => Err(self.err(s.span(), format!("{what} must be longer than zero"))),
            Err(e) => Err(self.err(
                s.span(),
                format!(
                    "{what} {:?} is not a duration ({e}); write e.g. \"15m\", \"6h\", \"1d\"",
                    s.get_ref()
                ),
            )),
        }
    }

    fn resolve(&self, file: ConfigFile) -> Result<Config, ConfigError> {
        let window = match &file.window {
            Some(w) => self.duration(w, "window")?,
            None => DEFAULT_WINDOW_SECS,
        };
        let max_points = match &file.max_points {
            Some(m) if *m.get_ref() < 100 => {
                return Err(self.err(m.span(), "max-points must be at least 100".into()));
            }
            Some(m) => *m.get_ref(),
            None => DEFAULT_MAX_POINTS,
        };
        let prometheus = match &file.prometheus {
            Some(p) => Some(self.resolve_prometheus(p)?),
            None => None,
        };
        let opensearch = match file.opensearch {
            Some(o) => Some(self.resolve_opensearch(o)?),
            None => None,
        };
        let mut queries = Vec::new();
        let mut panes = Vec::new();
        for p in &file.pane {
            if panes.iter().any(|q: &Pane| q.id == *p.id.get_ref()) {
                return Err(self.err(
                    p.id.span(),
                    format!("pane id {:?} is used twice", p.id.get_ref()),
                ));
            }
            panes.push(self.resolve_pane(p, &mut queries)?);
        }
        let layout = self.resolve_layout(&file.layout, &panes)?;
        Ok(Config {
            title: file.title.unwrap_or_else(|| "capcom".to_owned()),
            theme: file.theme,
            window,
            max_points,
            prometheus,
            opensearch,
            layout,
            panes,
            queries,
        })
    }

    fn resolve_connection(
        &self,
        url: &Spanned<String>,
        timeout: Option<&Spanned<String>>,
        headers: &std::collections::BTreeMap<String, String>,
        (ca_file, insecure): (Option<&PathBuf>, bool),
        auth: Option<&Spanned<AuthFile>>,
    ) -> Result<Connection, ConfigError> {
        validate_url(url.get_ref()).map_err(|m| self.err(url.span(), m))?;
        let mut connection = Connection::to_url(url.get_ref());
        if let Some(t) = timeout {
            connection.timeout = self.duration(t, "timeout")?;
        }
        connection.headers = headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        connection.ca_file = ca_file.cloned();
        connection.insecure_skip_verify = insecure;
        if let Some(a) = auth {
            connection.auth = Some(resolve_auth(a.get_ref()).map_err(|m| self.err(a.span(), m))?);
        }
        Ok(connection)
    }

    fn resolve_opensearch(&self, o: OpenSearchFile) -> Result<OpenSearchConfig, ConfigError> {
        let connection = self.resolve_connection(
            &o.url,
            o.timeout.as_ref(),
            &o.headers,
            (o.ca_file.as_ref(), o.insecure_skip_verify),
            o.auth.as_ref(),
        )?;
        let mut fields = crate::source::opensearch::FieldMap::default();
        let f = o.fields;
        for (slot, given) in [
            (&mut fields.timestamp, f.timestamp),
            (&mut fields.level, f.level),
            (&mut fields.message, f.message),
            (&mut fields.service, f.service),
            (&mut fields.trace_id, f.trace_id),
        ] {
            if let Some(g) = given {
                *slot = g.into_vec();
            }
        }
        Ok(OpenSearchConfig {
            connection,
            index: o.index,
            query: o.query,
            interval: match &o.interval {
                Some(i) => self.duration(i, "interval")?,
                None => DEFAULT_INTERVAL_SECS,
            },
            max_events: o.max_events.unwrap_or(DEFAULT_MAX_EVENTS).max(1),
            page_size: o.page_size.unwrap_or(500).clamp(1, 10_000),
            tiebreaker: o.tiebreaker.unwrap_or_else(|| "_id".to_owned()),
            fields,
        })
    }

    fn resolve_prometheus(&self, p: &PrometheusFile) -> Result<PrometheusConfig, ConfigError> {
        let connection = self.resolve_connection(
            &p.url,
            p.timeout.as_ref(),
            &p.headers,
            (p.ca_file.as_ref(), p.insecure_skip_verify),
            p.auth.as_ref(),
        )?;
        let interval = match &p.interval {
            Some(i) => self.duration(i, "interval")?,
            None => DEFAULT_INTERVAL_SECS,
        };
        Ok(PrometheusConfig {
            connection,
            interval,
        })
    }

    fn resolve_pane(&self, p: &PaneFile, queries: &mut Vec<Query>) -> Result<Pane, ConfigError> {
        let id = p.id.get_ref().clone();
        let mut add = |q: Query| {
            queries.push(q);
            queries.len() - 1
        };
        let kind = match p.kind {
            PaneKindFile::Chart | PaneKindFile::Table => {
                if p.x.is_some() || p.y.is_some() || p.heading.is_some() {
                    return Err(self.err(
                        p.id.span(),
                        format!("pane {id:?}: x, y and heading belong to kind = \"path\""),
                    ));
                }
                if p.series.is_empty() {
                    return Err(
                        self.err(p.id.span(), format!("pane {id:?} has no [[pane.series]]"))
                    );
                }
                let mut ids = Vec::new();
                for s in &p.series {
                    let limits = s
                        .limits
                        .as_ref()
                        .map_or_else(Limits::default, |l| *l.get_ref());
                    if let (Err(m), Some(l)) = (limits.validate(), &s.limits) {
                        return Err(self.err(l.span(), format!("limits of {:?}: {m}", s.query)));
                    }
                    ids.push(add(Query {
                        promql: s.query.clone(),
                        legend: s.legend.clone().unwrap_or_else(|| s.query.clone()),
                        unit: s.unit.clone(),
                        precision: s.precision.unwrap_or(1),
                        max: s.max,
                        limits,
                    }));
                }
                if p.kind == PaneKindFile::Chart {
                    PaneKind::Chart(ids)
                } else {
                    PaneKind::Table(ids)
                }
            }
            PaneKindFile::Events => {
                if !p.series.is_empty() || p.x.is_some() || p.y.is_some() || p.heading.is_some() {
                    return Err(self.err(
                        p.id.span(),
                        format!("pane {id:?}: an events pane shows [opensearch]; it takes no series or x/y"),
                    ));
                }
                PaneKind::Events
            }
            PaneKindFile::Path => {
                if !p.series.is_empty() {
                    return Err(self.err(
                        p.id.span(),
                        format!(
                            "pane {id:?}: a path pane takes x, y and heading, not [[pane.series]]"
                        ),
                    ));
                }
                let (Some(x), Some(y)) = (&p.x, &p.y) else {
                    return Err(self.err(
                        p.id.span(),
                        format!("pane {id:?}: kind = \"path\" needs both x and y queries"),
                    ));
                };
                let plain = |promql: &str, unit: &str| Query {
                    promql: promql.to_owned(),
                    legend: promql.to_owned(),
                    unit: unit.to_owned(),
                    precision: 1,
                    max: None,
                    limits: Limits::default(),
                };
                PaneKind::Path {
                    x: add(plain(x, "m")),
                    y: add(plain(y, "m")),
                    heading: p.heading.as_deref().map(|h| add(plain(h, "°"))),
                }
            }
        };
        let title = p.title.clone().unwrap_or_else(|| id.clone());
        Ok(Pane { id, title, kind })
    }

    fn resolve_layout(
        &self,
        layout: &LayoutFile,
        panes: &[Pane],
    ) -> Result<Vec<Column>, ConfigError> {
        let mut columns = Vec::new();
        for c in &layout.column {
            let mut refs = Vec::new();
            for r in &c.panes {
                let Some(idx) = panes.iter().position(|p| p.id == *r.id.get_ref()) else {
                    let known: Vec<_> = panes.iter().map(|p| p.id.as_str()).collect();
                    return Err(self.err(
                        r.id.span(),
                        format!(
                            "the layout names pane {:?}, which no [[pane]] defines (defined: {})",
                            r.id.get_ref(),
                            known.join(", ")
                        ),
                    ));
                };
                if columns
                    .iter()
                    .chain(std::iter::once(&Column {
                        width: 0,
                        panes: refs.clone(),
                    }))
                    .any(|col: &Column| col.panes.iter().any(|(p, _)| *p == idx))
                {
                    return Err(self.err(
                        r.id.span(),
                        format!("pane {:?} is placed twice in the layout", r.id.get_ref()),
                    ));
                }
                refs.push((idx, r.height.max(1)));
            }
            if refs.is_empty() {
                return Err(self.err(0..0, "a layout column has no panes".into()));
            }
            columns.push(Column {
                width: c.width.max(1),
                panes: refs,
            });
        }
        if columns.is_empty() {
            return Err(self.err(0..0, "the layout has no [[layout.column]]".into()));
        }
        Ok(columns)
    }
}

/// One credential source from a pair of `*-env` / `*-file` keys.
fn one_secret(
    what: &str,
    env: Option<&String>,
    file: Option<&PathBuf>,
) -> Result<Option<Secret>, String> {
    match (env, file) {
        (Some(_), Some(_)) => Err(format!("auth: give {what}-env or {what}-file, not both")),
        (Some(e), None) => Ok(Some(Secret::Env(e.clone()))),
        (None, Some(f)) => Ok(Some(Secret::File(f.clone()))),
        (None, None) => Ok(None),
    }
}

fn resolve_auth(a: &AuthFile) -> Result<Auth, String> {
    let password = one_secret(
        "password",
        a.password_env.as_ref(),
        a.password_file.as_ref(),
    )?;
    let token = one_secret("token", a.token_env.as_ref(), a.token_file.as_ref())?;
    match (&a.username, password, token) {
        (Some(username), Some(password), None) => Ok(Auth::Basic { username: username.clone(), password }),
        (None, None, Some(token)) => Ok(Auth::Bearer(token)),
        (Some(_), None, None) => Err("auth: username needs password-env or password-file (passwords are never written in the config)".into()),
        (None, Some(_), _) => Err("auth: a password needs a username".into()),
        (_, _, Some(_)) => Err("auth: give either username and a password, or a token, not both".into()),
        (None, None, None) => Err("auth: give username with password-env or password-file, or token-env or token-file".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[[layout.column]]
panes = [{ id = "env" }]

[[pane]]
id = "env"
kind = "chart"
[[pane.series]]
query = "up"
"#;

    #[test]
    fn a_minimal_file_takes_every_default() {
        let c = parse(MINIMAL, "t.toml").expect("parses");
        assert_eq!(c.window, DEFAULT_WINDOW_SECS);
        assert_eq!(c.max_points, DEFAULT_MAX_POINTS);
        assert_eq!(c.title, "capcom");
        assert_eq!(c.queries[0].legend, "up");
        assert_eq!(c.queries[0].precision, 1);
        assert_eq!(
            c.layout,
            vec![Column {
                width: 1,
                panes: vec![(0, 1)]
            }]
        );
    }

    #[test]
    fn defaults_written_out_parse_to_the_same_config() {
        let explicit = format!(
            "title = \"capcom\"\nwindow = \"15m\"\nmax-points = {DEFAULT_MAX_POINTS}\n{}",
            MINIMAL
                .replace(
                    "panes = [{ id = \"env\" }]",
                    "width = 1\npanes = [{ id = \"env\", height = 1 }]"
                )
                .replace(
                    "query = \"up\"",
                    "query = \"up\"\nlegend = \"up\"\nunit = \"\"\nprecision = 1"
                )
        );
        assert_eq!(
            parse(&explicit, "t").expect("parses"),
            parse(MINIMAL, "t").expect("parses")
        );
    }

    #[test]
    fn lookup_order_is_flag_env_then_xdg() {
        let dir = tempfile::tempdir().expect("tempdir");
        let xdg = dir.path().to_str().expect("utf-8");
        assert_eq!(
            locate(None, None, Some(xdg), None),
            None,
            "no file, no config"
        );
        std::fs::create_dir_all(dir.path().join("capcom")).expect("mkdir");
        std::fs::write(dir.path().join("capcom/config.toml"), MINIMAL).expect("write");
        let found = locate(None, None, Some(xdg), None).expect("found");
        assert!(matches!(found, ConfigSource::Default(_)));
        assert!(matches!(
            locate(None, Some("/e.toml"), Some(xdg), None),
            Some(ConfigSource::Env(_))
        ));
        assert!(matches!(
            locate(Some(Path::new("/f.toml")), Some("/e.toml"), Some(xdg), None),
            Some(ConfigSource::Flag(_))
        ));
    }
}
