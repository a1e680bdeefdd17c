//! Exports: what a pane shows, as files to hand on. Pure functions from owned data to bytes —
//! a chart or the rover's path as PNG and SVG (drawn with plotters, the bundled font), a chart
//! or table as CSV, the events as NDJSON, a trace as Jaeger JSON and OTLP JSON — plus the one
//! place files are named and written (`files.rs`). The app builds a [`Request`] from what is
//! focused; the export task (`cmd/sources.rs`) or `capcom export` renders it off the loop.
//! Nothing here imports `app/` or `ui/`.

use std::sync::Arc;

use crate::model::span::Trace;
use crate::model::{Labels, Limits, Point};

pub mod chart;
pub mod csv;
pub mod files;
pub mod trace;

/// The default size of a PNG or SVG: a report's page width.
pub const DEFAULT_SIZE: (u32, u32) = (1600, 900);

/// A file format an export can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A raster chart.
    Png,
    /// A vector chart.
    Svg,
    /// Time, series, value rows.
    Csv,
    /// One event document per line.
    Ndjson,
    /// Jaeger's `/api/traces/{id}` body, as Jaeger UI's "upload trace" opens it.
    Jaeger,
    /// OTLP JSON (`resourceSpans`).
    Otlp,
}

impl Format {
    /// Every format, in the order `--format` lists them.
    pub const ALL: [Format; 6] = [
        Self::Png,
        Self::Svg,
        Self::Csv,
        Self::Ndjson,
        Self::Jaeger,
        Self::Otlp,
    ];

    /// The name `--format` takes.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
            Self::Csv => "csv",
            Self::Ndjson => "ndjson",
            Self::Jaeger => "jaeger",
            Self::Otlp => "otlp",
        }
    }

    /// The file name's extension.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jaeger => "jaeger.json",
            Self::Otlp => "otlp.json",
            other => other.name(),
        }
    }

    /// The format `name` names.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// One series of a panel: its legend and the points capcom holds for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Its legend, as the pane shows it.
    pub legend: String,
    /// Its labels.
    pub labels: Labels,
    /// The points held over the window, with one either side to reach its edges.
    pub points: Vec<Point>,
    /// The step the data comes at (the smallest gap seen), if known.
    pub step: Option<f64>,
}

/// One query's series on one value axis: a strip of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// What the query measures (its legend template, or its `PromQL`).
    pub name: String,
    /// Unit of its values.
    pub unit: String,
    /// Digits after the decimal point.
    pub precision: usize,
    /// Its limit ladder.
    pub limits: Limits,
    /// Keep every limit bound in view (an alert's threshold), not only those near the data.
    pub show_all_limits: bool,
    /// Its series.
    pub lines: Vec<Line>,
}

/// A chart or table over a time window: one panel per query, sharing the time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The title.
    pub title: String,
    /// The window's start, Unix seconds.
    pub from: f64,
    /// The window's end, Unix seconds.
    pub to: f64,
    /// Its panels, top to bottom.
    pub panels: Vec<Panel>,
}

/// The rover's path: position east and north over a window, and its heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The title.
    pub title: String,
    /// The window's start, Unix seconds.
    pub from: f64,
    /// The window's end, Unix seconds.
    pub to: f64,
    /// Position east, metres.
    pub x: Vec<Point>,
    /// Position north, metres.
    pub y: Vec<Point>,
    /// Heading, degrees clockwise from north.
    pub heading: Vec<Point>,
    /// The step the data comes at, if known.
    pub step: Option<f64>,
}

/// What is exported.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A chart or table pane, or an alert's chart.
    Chart(Chart),
    /// The rover's path.
    Path(Path),
    /// The event documents in the window, oldest first.
    Events(Vec<serde_json::Value>),
    /// One trace.
    Trace(Arc<Trace>),
}

impl Content {
    /// The formats this content can be written in, the first being what `e` writes first.
    #[must_use]
    pub fn formats(&self) -> &'static [Format] {
        match self {
            Self::Chart(_) | Self::Path(_) => &[Format::Png, Format::Svg, Format::Csv],
            Self::Events(_) => &[Format::Ndjson],
            Self::Trace(_) => &[Format::Jaeger, Format::Otlp],
        }
    }
}

/// An export asked for: what, named after which pane, at which wall-clock time.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The pane's id (or a view's name): the files' names start with it, made safe.
    pub pane: String,
    /// Wall-clock Unix time of the ask: the files' time stamp.
    pub at: f64,
    /// What to write.
    pub content: Content,
}

/// Why an export could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The content cannot be written in that format.
    #[error("{what} cannot be exported as {format}; it gives {gives}")]
    Unsupported {
        /// What was to be exported.
        what: &'static str,
        /// The format asked for.
        format: &'static str,
        /// The formats it gives.
        gives: String,
    },
    /// Drawing failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// Writing a file failed.
    #[error("{0}")]
    Io(String),
}

impl Content {
    /// What the content is, for messages.
    #[must_use]
    pub fn what(&self) -> &'static str {
        match self {
            Self::Chart(_) => "a chart",
            Self::Path(_) => "the path",
            Self::Events(_) => "the events",
            Self::Trace(_) => "a trace",
        }
    }
}

/// The bytes of `content` in `format`.
///
/// # Errors
/// A format the content does not give, or a drawing failure.
pub fn render(content: &Content, format: Format) -> Result<Vec<u8>, ExportError> {
    match (content, format) {
        (Content::Chart(c), Format::Png) => chart::chart_png(c, DEFAULT_SIZE),
        (Content::Chart(c), Format::Svg) => chart::chart_svg(c, DEFAULT_SIZE),
        (Content::Chart(c), Format::Csv) => Ok(csv::chart(c).into_bytes()),
        (Content::Path(p), Format::Png) => chart::path_png(p, DEFAULT_SIZE),
        (Content::Path(p), Format::Svg) => chart::path_svg(p, DEFAULT_SIZE),
        (Content::Path(p), Format::Csv) => Ok(csv::path(p).into_bytes()),
        (Content::Events(docs), Format::Ndjson) => Ok(trace::ndjson(docs)),
        (Content::Trace(t), Format::Jaeger) => Ok(trace::jaeger_json(t)),
        (Content::Trace(t), Format::Otlp) => Ok(trace::otlp_json(t)),
        (content, format) => Err(ExportError::Unsupported {
            what: content.what(),
            format: format.name(),
            gives: content
                .formats()
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Renders every format `request`'s content gives and writes them into `folder` (see
/// [`files::write_all`]); returns the paths written.
///
/// # Errors
/// Drawing failed, or the folder cannot be written.
pub fn write_request(
    request: &Request,
    folder: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, ExportError> {
    let outputs = request
        .content
        .formats()
        .iter()
        .map(|&f| render(&request.content, f).map(|bytes| (f, bytes)))
        .collect::<Result<Vec<_>, _>>()?;
    files::write_all(folder, &request.pane, request.at, &outputs)
}

/// Points more than this many steps apart are not joined: the data has a gap there (the
/// strip charts use the same rule).
pub use crate::model::series::GAP_STEPS;

/// Splits `points` into runs to draw as lines: a non-finite value, or two points further
/// apart than `GAP_STEPS` steps, ends a run.
#[must_use]
pub fn runs(points: &[Point], step: Option<f64>) -> Vec<Vec<(f64, f64)>> {
    let max_gap = step.map_or(f64::INFINITY, |s| s * GAP_STEPS);
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut prev: Option<Point> = None;
    for &p in points {
        if !p.v.is_finite() {
            prev = None;
            continue;
        }
        match prev {
            Some(q) if p.t - q.t <= max_gap => {
                if let Some(run) = out.last_mut() {
                    run.push((p.t, p.v));
                }
            }
            _ => out.push(vec![(p.t, p.v)]),
        }
        prev = Some(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[(f64, f64)]) -> Vec<Point> {
        v.iter().map(|&(t, v)| Point { t, v }).collect()
    }

    #[test]
    fn a_jump_or_a_nan_ends_a_run() {
        let p = pts(&[
            (0.0, 1.0),
            (5.0, 2.0),
            (10.0, f64::NAN),
            (15.0, 3.0),
            (60.0, 4.0),
        ]);
        let r = runs(&p, Some(5.0));
        assert_eq!(
            r,
            vec![
                vec![(0.0, 1.0), (5.0, 2.0)],
                vec![(15.0, 3.0)],
                vec![(60.0, 4.0)]
            ]
        );
    }

    #[test]
    fn a_format_a_content_does_not_give_says_what_it_gives() {
        let e = render(&Content::Events(vec![]), Format::Png).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the events cannot be exported as png; it gives ndjson"
        );
    }
}
