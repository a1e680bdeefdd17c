//! Configuration: the TOML schema as written in files (`*File` types, all optional where a
//! default exists) and the resolved [`Config`] the app reads. Lookup order: `--config`, then
//! `$CAPCOM_CONFIG`, then `$XDG_CONFIG_HOME/capcom/config.toml`. Every error names the file, and
//! the line and column where the mistake is.

use std::fmt;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::model::Limits;
use crate::text::safe_line;

mod connection;
mod diagnostic;
mod files;
mod slo;
mod sources;
pub mod theme;
pub use connection::{
    Auth, AuthProblem, Connection, ConnectionFlags, Credentials, DEFAULT_TIMEOUT_SECS, Secret,
    validate_url,
};
use diagnostic::located;
pub use diagnostic::{
    ConfigError, MESSAGE_WIDTH, VALUE_WIDTH, error_at, human_secs, line_column, quoted, toml_error,
};
pub use files::{MAX_FILE_BYTES, read_capped, read_capped_text, read_capped_to, write_atomically};
pub use slo::{
    DEFAULT_PERIOD_SECS, MIN_ALERT_WINDOW_SECS, PERIOD_SECS, Sli, Slo, data_age_reach,
    prom_duration,
};
pub use sources::{
    AlertmanagerConfig, DEFAULT_FAULTS_INTERVAL_SECS, DEFAULT_MAX_EVENTS, DEFAULT_PAGE_SIZE,
    DEFAULT_SEVERITY, DEFAULT_TRACES_INTERVAL_SECS, FieldMap, JaegerApi, JaegerConfig,
    LOOKBACK_SECS, MAX_EVENTS, OPERATOR_WIDTH, OpenSearchConfig, PAGE_SIZE, PrometheusConfig,
    TRACE_LIMIT, WebUis, default_operator,
};
use sources::{AlertmanagerFile, JaegerFile, OpenSearchFile, PrometheusFile};

/// Points kept per series unless configured: a day at 5 s steps, whatever the session length.
pub const DEFAULT_MAX_POINTS: usize = 20_000;
/// The time window shown at start unless configured.
pub const DEFAULT_WINDOW_SECS: f64 = 15.0 * 60.0;
/// How often a live source is polled unless configured.
pub const DEFAULT_INTERVAL_SECS: f64 = 5.0;

/// Digits after the decimal point a series may ask for.
pub const PRECISION: RangeInclusive<usize> = 0..=12;
/// Points kept per series: at least a few screens, at most what memory can afford.
pub const MAX_POINTS: RangeInclusive<usize> = 100..=1_000_000;
/// The time window, seconds: 10 s to a year.
pub const WINDOW_SECS: RangeInclusive<f64> = 10.0..=366.0 * 86_400.0;
/// Seconds between polls of any source: a second to a day.
pub const INTERVAL_SECS: RangeInclusive<f64> = 1.0..=86_400.0;
/// Seconds a request may take: 100 ms to 10 min.
pub const TIMEOUT_SECS: RangeInclusive<f64> = 0.1..=600.0;
/// A column's relative width and a pane's relative height.
pub const WEIGHT: RangeInclusive<u16> = 1..=100;

/// The file schema.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    title: Option<String>,
    theme: Option<Spanned<String>>,
    window: Option<Spanned<String>>,
    max_points: Option<Spanned<usize>>,
    prometheus: Option<PrometheusFile>,
    opensearch: Option<OpenSearchFile>,
    jaeger: Option<JaegerFile>,
    alertmanager: Option<AlertmanagerFile>,
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    slo: Vec<slo::SloFile>,
    layout: LayoutFile,
    #[serde(default)]
    pane: Vec<PaneFile>,
    export: Option<ExportFile>,
}

/// `[export]`: where `e` writes its files.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportFile {
    folder: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    column: Vec<ColumnFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnFile {
    width: Option<Spanned<u16>>,
    panes: Vec<PaneRefFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaneRefFile {
    id: Spanned<String>,
    height: Option<Spanned<u16>>,
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
    min_width: Option<Spanned<u16>>,
    min_height: Option<Spanned<u16>>,
    priority: Option<Spanned<u16>>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum PaneKindFile {
    Chart,
    Table,
    Path,
    Events,
    Traces,
    Slo,
    Faults,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SeriesFile {
    query: String,
    legend: Option<String>,
    #[serde(default)]
    unit: String,
    precision: Option<Spanned<usize>>,
    max: Option<Spanned<f64>>,
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
    /// The live Jaeger, if configured.
    pub jaeger: Option<JaegerConfig>,
    /// The live Alertmanager, if configured.
    pub alertmanager: Option<AlertmanagerConfig>,
    /// The web UIs `o` links to.
    pub links: WebUis,
    /// Read-only: nothing is ever written to a backend (`read-only = true`, `--read-only` or
    /// `CAPCOM_READ_ONLY=1`).
    pub read_only: bool,
    /// The service level objectives, in file order.
    pub slos: Vec<Slo>,
    /// Columns of panes, left to right.
    pub layout: Vec<Column>,
    /// Every pane, in file order; [`PaneId`] indexes this.
    pub panes: Vec<Pane>,
    /// Every query any pane asks, in pane order; [`QueryId`] indexes this.
    pub queries: Vec<Query>,
    /// `[export] folder`: where `e` writes (absolute, or `~/…` for the home folder); `None`
    /// is the default, `$XDG_DATA_HOME/capcom/exports`.
    pub export_folder: Option<String>,
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
    /// How small it still reads, and its rank when the terminal is smaller than that.
    pub fit: Fit,
}

/// How much room a pane needs to be readable and how it ranks against the others when the
/// terminal is too small for all of them (`min-width`, `min-height`, `priority` in its
/// `[[pane]]`; the defaults depend on its kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// Columns, border included, below which its column is stacked onto a neighbour's.
    pub min_width: u16,
    /// Rows, border included, below which it collapses to a one-line title bar.
    pub min_height: u16,
    /// Higher stays open longer: the lowest collapses first.
    pub priority: u16,
}

impl Fit {
    /// The defaults for a pane of `kind`: the page (faults, SLOs) and the event messages stay
    /// open longest, then traces, the table, the charts, the path.
    #[must_use]
    pub fn for_kind(kind: &PaneKind) -> Self {
        let (min_width, min_height, priority) = match kind {
            PaneKind::Faults => (24, 4, 90),
            PaneKind::Slo => (30, 5, 90),
            PaneKind::Events => (34, 5, 80),
            PaneKind::Traces => (34, 5, 60),
            PaneKind::Table(_) => (22, 5, 50),
            // Its border, the time axis and two rows a strip, for up to four strips.
            PaneKind::Chart(q) => (24, 3 + 2 * q.len().clamp(1, 4) as u16, 40),
            PaneKind::Path { .. } => (20, 8, 30),
        };
        Self {
            min_width,
            min_height,
            priority,
        }
    }
}

/// The range of a pane's `min-width` and `min-height`.
pub const MIN_SIDE: RangeInclusive<u16> = 3..=500;
/// The range of a pane's `priority`.
pub const PRIORITY: RangeInclusive<u16> = 0..=100;

/// What a pane shows, with the queries it reads.
#[derive(Debug, Clone, PartialEq)]
pub enum PaneKind {
    /// Stacked strip charts, one per series, over the time window.
    Chart(Vec<QueryId>),
    /// A latest-available-data table: each series' value at the window's end.
    Table(Vec<QueryId>),
    /// The event stream: newest at the bottom, following the tail.
    Events,
    /// Recent traces, newest first; `Enter` opens one as a waterfall.
    Traces,
    /// Every `[[slo]]`: budget, burn rates, alert state.
    Slo,
    /// Every fault: Alertmanager's alerts and the SLO alerts, most severe and newest first.
    Faults,
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

/// Fills `{{label}}` placeholders of a legend template from a series' labels (a missing label
/// is empty). The result is the label values as scraped: sanitize it before drawing it.
#[must_use]
pub fn fill_legend(template: &str, labels: &crate::model::Labels) -> String {
    if !template.contains("{{") {
        return template.to_owned();
    }
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = after[..close].trim();
        out.push_str(labels.get(name).map_or("", String::as_str));
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
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
    let text = read_capped_text(path).map_err(|error| ConfigError::Io {
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
    let file: ConfigFile = toml::from_str(text).map_err(|e| toml_error(origin, text, &e))?;
    Resolver { text, origin }.resolve(file)
}

struct Resolver<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Resolver<'_> {
    /// An error pointing at `span` of the file.
    fn err(&self, span: std::ops::Range<usize>, message: String) -> ConfigError {
        located(self.origin, self.text, span.start, message)
    }

    /// `value` if it lies in `range`, else an error at its line and column naming the range:
    /// the one check for every numeric key (a `max-body` in a connection uses it too).
    fn in_range<T>(
        &self,
        value: &Spanned<T>,
        range: &RangeInclusive<T>,
        what: &str,
    ) -> Result<T, ConfigError>
    where
        T: PartialOrd + Copy + fmt::Display,
    {
        let v = *value.get_ref();
        if range.contains(&v) {
            Ok(v)
        } else {
            Err(self.err(
                value.span(),
                format!(
                    "{what} = {v} is out of range: give {} to {}",
                    range.start(),
                    range.end()
                ),
            ))
        }
    }

    /// A duration such as `"15m"` in seconds, within `range` (seconds).
    fn duration(
        &self,
        s: &Spanned<String>,
        what: &str,
        range: &RangeInclusive<f64>,
    ) -> Result<f64, ConfigError> {
        let secs = match humantime::parse_duration(s.get_ref()) {
            Ok(d) => d.as_secs_f64(),
            Err(e) => {
                return Err(self.err(
                    s.span(),
                    format!(
                        "{what} {} is not a duration ({e}); write e.g. \"15m\", \"6h\", \"1d\"",
                        quoted(s.get_ref())
                    ),
                ));
            }
        };
        if range.contains(&secs) {
            return Ok(secs);
        }
        Err(self.err(
            s.span(),
            format!(
                "{what} {} is out of range: give {} to {}",
                quoted(s.get_ref()),
                human_secs(*range.start()),
                human_secs(*range.end())
            ),
        ))
    }

    fn resolve(&self, file: ConfigFile) -> Result<Config, ConfigError> {
        let window = match &file.window {
            Some(w) => self.duration(w, "window", &WINDOW_SECS)?,
            None => DEFAULT_WINDOW_SECS,
        };
        let max_points = match &file.max_points {
            Some(m) => self.in_range(m, &MAX_POINTS, "max-points")?,
            None => DEFAULT_MAX_POINTS,
        };
        if let Some(t) = &file.theme {
            self.validate_theme(t)?;
        }
        let links = self.web_uis(
            file.prometheus.as_ref(),
            file.opensearch.as_ref(),
            file.jaeger.as_ref(),
        )?;
        let prometheus = match &file.prometheus {
            Some(p) => Some(self.resolve_prometheus(p)?),
            None => None,
        };
        let opensearch = match file.opensearch {
            Some(o) => Some(self.resolve_opensearch(o)?),
            None => None,
        };
        let jaeger = match file.jaeger {
            Some(j) => Some(self.resolve_jaeger(j)?),
            None => None,
        };
        let alertmanager = match &file.alertmanager {
            Some(a) => Some(self.resolve_alertmanager(a)?),
            None => None,
        };
        let mut queries = Vec::new();
        let mut panes = Vec::new();
        for p in &file.pane {
            if panes.iter().any(|q: &Pane| q.id == *p.id.get_ref()) {
                return Err(self.err(
                    p.id.span(),
                    format!("pane id {} is used twice", quoted(p.id.get_ref())),
                ));
            }
            panes.push(self.resolve_pane(p, &mut queries)?);
        }
        let slos = self.resolve_slos(file.slo, &mut queries)?;
        let layout = self.resolve_layout(&file.layout, &panes)?;
        let export_folder = match file.export.and_then(|e| e.folder) {
            Some(f) if f.get_ref().starts_with('/') || f.get_ref().starts_with("~/") => {
                Some(f.into_inner())
            }
            Some(f) => {
                return Err(self.err(
                    f.span(),
                    format!(
                        "[export] folder {} must be absolute or start with ~/",
                        quoted(f.get_ref())
                    ),
                ));
            }
            None => None,
        };
        Ok(Config {
            export_folder,
            alertmanager,
            read_only: file.read_only,
            title: file
                .title
                .as_deref()
                .map_or_else(|| "capcom".to_owned(), shown),
            theme: file.theme.map(Spanned::into_inner),
            window,
            max_points,
            prometheus,
            opensearch,
            jaeger,
            links,
            slos,
            layout,
            panes,
            queries,
        })
    }

    fn resolve_pane(&self, p: &PaneFile, queries: &mut Vec<Query>) -> Result<Pane, ConfigError> {
        let id = p.id.get_ref().clone();
        let id_q = quoted(&id);
        let mut add = |q: Query| {
            queries.push(q);
            queries.len() - 1
        };
        let kind = match p.kind {
            PaneKindFile::Chart | PaneKindFile::Table => {
                if p.x.is_some() || p.y.is_some() || p.heading.is_some() {
                    return Err(self.err(
                        p.id.span(),
                        format!("pane {id_q}: x, y and heading belong to kind = \"path\""),
                    ));
                }
                if p.series.is_empty() {
                    return Err(
                        self.err(p.id.span(), format!("pane {id_q} has no [[pane.series]]"))
                    );
                }
                let mut ids = Vec::new();
                for s in &p.series {
                    ids.push(add(self.resolve_series(s)?));
                }
                if p.kind == PaneKindFile::Chart {
                    PaneKind::Chart(ids)
                } else {
                    PaneKind::Table(ids)
                }
            }
            PaneKindFile::Events
            | PaneKindFile::Traces
            | PaneKindFile::Slo
            | PaneKindFile::Faults => {
                let (what, source) = match p.kind {
                    PaneKindFile::Events => ("an events", "[opensearch]"),
                    PaneKindFile::Traces => ("a traces", "[jaeger]"),
                    PaneKindFile::Faults => ("a faults", "[alertmanager] and every [[slo]]"),
                    _ => ("an SLO", "every [[slo]]"),
                };
                if !p.series.is_empty() || p.x.is_some() || p.y.is_some() || p.heading.is_some() {
                    return Err(self.err(
                        p.id.span(),
                        format!(
                            "pane {id_q}: {what} pane shows {source}; it takes no series or x/y"
                        ),
                    ));
                }
                match p.kind {
                    PaneKindFile::Events => PaneKind::Events,
                    PaneKindFile::Traces => PaneKind::Traces,
                    PaneKindFile::Faults => PaneKind::Faults,
                    _ => PaneKind::Slo,
                }
            }
            PaneKindFile::Path => {
                if !p.series.is_empty() {
                    return Err(self.err(
                        p.id.span(),
                        format!(
                            "pane {id_q}: a path pane takes x, y and heading, not [[pane.series]]"
                        ),
                    ));
                }
                let (Some(x), Some(y)) = (&p.x, &p.y) else {
                    return Err(self.err(
                        p.id.span(),
                        format!("pane {id_q}: kind = \"path\" needs both x and y queries"),
                    ));
                };
                let plain = |promql: &str, unit: &str| Query {
                    promql: promql.to_owned(),
                    legend: shown(promql),
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
        let title = shown(p.title.as_ref().unwrap_or(&id));
        let fit = self.resolve_fit(p, &kind)?;
        Ok(Pane {
            id,
            title,
            kind,
            fit,
        })
    }

    /// A pane's `min-width`, `min-height` and `priority`, each its kind's default if unset.
    fn resolve_fit(&self, p: &PaneFile, kind: &PaneKind) -> Result<Fit, ConfigError> {
        let default = Fit::for_kind(kind);
        Ok(Fit {
            min_width: match &p.min_width {
                Some(w) => self.in_range(w, &MIN_SIDE, "min-width")?,
                None => default.min_width,
            },
            min_height: match &p.min_height {
                Some(h) => self.in_range(h, &MIN_SIDE, "min-height")?,
                None => default.min_height,
            },
            priority: match &p.priority {
                Some(r) => self.in_range(r, &PRIORITY, "priority")?,
                None => default.priority,
            },
        })
    }

    /// A theme named by a built-in name must exist; a file (a path with `/` or ending in
    /// `.toml`) is read, and checked, when the session opens it.
    fn validate_theme(&self, theme: &Spanned<String>) -> Result<(), ConfigError> {
        let name = theme.get_ref();
        let is_file = name.contains('/')
            || Path::new(name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        if is_file || theme::BUILTIN.iter().any(|(n, _)| n == name) {
            return Ok(());
        }
        let names: Vec<_> = theme::BUILTIN.iter().map(|(n, _)| *n).collect();
        Err(self.err(
            theme.span(),
            format!(
                "theme {} is neither built in ({}) nor a .toml file",
                quoted(name),
                names.join(", ")
            ),
        ))
    }

    fn resolve_series(&self, s: &SeriesFile) -> Result<Query, ConfigError> {
        let limits = match &s.limits {
            Some(l) => {
                validate_limits(l.get_ref()).map_err(|m| {
                    self.err(l.span(), format!("limits of {}: {m}", quoted(&s.query)))
                })?;
                *l.get_ref()
            }
            None => Limits::default(),
        };
        let max = match &s.max {
            Some(m) if !(m.get_ref().is_finite() && *m.get_ref() > 0.0) => {
                return Err(self.err(
                    m.span(),
                    format!(
                        "max = {} is out of range: a gauge's full scale is a number above 0",
                        m.get_ref()
                    ),
                ));
            }
            m => m.as_ref().map(|m| *m.get_ref()),
        };
        Ok(Query {
            promql: s.query.clone(),
            legend: shown(s.legend.as_ref().unwrap_or(&s.query)),
            unit: shown(&s.unit),
            precision: match &s.precision {
                Some(p) => self.in_range(p, &PRECISION, "precision")?,
                None => 1,
            },
            max,
            limits,
        })
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
                    let known: Vec<_> = panes
                        .iter()
                        .map(|p| safe_line(&p.id, VALUE_WIDTH))
                        .collect();
                    return Err(self.err(
                        r.id.span(),
                        format!(
                            "the layout names pane {}, which no [[pane]] defines (defined: {})",
                            quoted(r.id.get_ref()),
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
                        format!(
                            "pane {} is placed twice in the layout",
                            quoted(r.id.get_ref())
                        ),
                    ));
                }
                let height = match &r.height {
                    Some(h) => self.in_range(h, &WEIGHT, "height")?,
                    None => 1,
                };
                refs.push((idx, height));
            }
            if refs.is_empty() {
                return Err(self.err(0..0, "a layout column has no panes".into()));
            }
            columns.push(Column {
                width: match &c.width {
                    Some(w) => self.in_range(w, &WEIGHT, "width")?,
                    None => 1,
                },
                panes: refs,
            });
        }
        if columns.is_empty() {
            return Err(self.err(0..0, "the layout has no [[layout.column]]".into()));
        }
        Ok(columns)
    }
}

/// Text from the file that is drawn (a title, a legend, a unit) made safe once, here: controls
/// shown, bidi and zero-width characters dropped. Queries are sent as written, and made safe
/// where they are shown.
fn shown(text: &str) -> String {
    safe_line(text, usize::MAX)
}

/// A limit ladder's own checks, and that every bound is a finite number.
fn validate_limits(limits: &Limits) -> Result<(), String> {
    let bands = [
        limits.watch,
        limits.warning,
        limits.distress,
        limits.critical,
        limits.severe,
    ];
    if let Some(v) = bands
        .iter()
        .flatten()
        .flat_map(|b| [b.low, b.high])
        .flatten()
        .find(|v| !v.is_finite())
    {
        return Err(format!("{v} is not a limit; give finite numbers"));
    }
    limits.validate()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_an_error_not_all_of_memory() {
        let e = load(Path::new("/dev/zero")).expect_err("refused");
        assert!(e.to_string().contains("larger than 16 MiB"), "{e}");
    }

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
    fn drawn_text_from_the_file_cannot_act_on_the_terminal() {
        let text = MINIMAL
            .replace(
                "kind = \"chart\"",
                "kind = \"chart\"\ntitle = \"P\\u001b[2J\\u202eX\"",
            )
            .replace(
                "query = \"up\"",
                "query = \"up\\u001b\"\nunit = \"\\u001b[5m\\u2066\"",
            );
        let c = parse(&format!("title = \"T\\u001b]0;x\\u0007\"\n{text}"), "t").expect("parses");
        assert_eq!(c.title, "T␛]0;x�");
        assert_eq!(c.panes[0].title, "P␛[2JX");
        assert_eq!(c.queries[0].unit, "␛[5m");
        assert_eq!(
            c.queries[0].legend, "up␛",
            "the default legend is the query, shown"
        );
        assert_eq!(
            c.queries[0].promql, "up\u{1b}",
            "the query is sent as written"
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
