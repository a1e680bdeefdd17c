//! Recordings: directories of verbatim response bodies (plus the `capcom.toml` that was
//! recorded and a `recording.toml` manifest saying which body answers which request), and the
//! one compiled into the binary. `replay` plays them through the same parsers as live data.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use crate::config::{self, Config, ConfigError};
use crate::source::jaeger::Api;

mod faults;
pub mod files;
mod replay;
pub use files::{MAX_BODY_BYTES, MAX_TOML_BYTES, Refused};
pub use replay::{Replay, ReplayClock, ReplayInputs, run};

/// The recording compiled into the binary, opened when there is no configuration.
/// Each file gzipped (`build.rs`), so the binary is small and a body is only in memory while
/// it is parsed.
static BUNDLED: Dir<'static> = include_dir!("$OUT_DIR/mars-rover");

/// A bundled file, inflated.
fn bundled_file(name: &str) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let gz = BUNDLED.get_file(format!("{name}.gz"))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz.contents())
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// The manifest file's name inside a recording.
pub const MANIFEST: &str = "recording.toml";
/// The dashboard file's name inside a recording.
pub const DASHBOARD: &str = "capcom.toml";

/// A recording that cannot be opened. Every message is one line, its untrusted parts (file
/// names from the manifest, toml's message) made safe to print.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    /// `recording.toml` or `capcom.toml` is missing, unreadable or refused.
    #[error("{}: {error}", shown(path))]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: Refused,
    },
    /// The manifest is malformed: `FILE:LINE:COL: message`.
    #[error("{}{}: {message}", shown(path), at.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// 1-based line and column, when toml knows them.
        at: Option<(usize, usize)>,
        /// The first line of toml's message, made safe and cut.
        message: String,
    },
    /// A manifest entry names a body that is refused (outside the directory, not a regular
    /// file, too large).
    #[error("{}: {entry}: file \"{file}\": {error}", shown(path))]
    Body {
        /// The manifest.
        path: PathBuf,
        /// Which entry: `[[prometheus]] 3` (1-based).
        entry: String,
        /// The file it names, made safe and cut.
        file: String,
        /// What was refused.
        error: Refused,
    },
    /// The recorded dashboard is not a valid configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// A path as one safe line.
fn shown(path: &Path) -> String {
    crate::text::one_line(&path.display().to_string(), 200)
}

/// `recording.toml`: what was recorded, when, and which file answers which request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    /// Format version of the recording (1).
    pub format: u32,
    /// A short name, shown in the status bar.
    pub name: String,
    /// What this recording shows.
    #[serde(default)]
    pub description: String,
    /// Unix time (s) the recording starts at.
    pub started: f64,
    /// Unix time (s) the recording ends at.
    pub ended: f64,
    /// Seconds after `started` at which a replay begins (so a window of history is on screen).
    #[serde(default)]
    pub replay_from: f64,
    /// Prometheus responses.
    #[serde(default)]
    pub prometheus: Vec<PrometheusEntry>,
    /// OpenSearch `_search` responses, replayed as the event stream.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opensearch: Vec<OpenSearchEntry>,
    /// Jaeger trace searches and traces, replayed as the Traces pane's answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jaeger: Vec<JaegerEntry>,
    /// Alertmanager's alerts and silences, one entry per poll whose answer changed; replayed
    /// as the Faults pane's snapshots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alertmanager: Vec<AlertmanagerEntry>,
}

/// One recorded Alertmanager poll: what `/api/v2/alerts` and `/api/v2/silences` answered at
/// `at`. A body that did not change since the last entry is not written again: the entry
/// names the earlier file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AlertmanagerEntry {
    /// Unix time (s) of the poll; the snapshot holds from then until the next entry's.
    pub at: f64,
    /// The `/api/v2/alerts` body's path, relative to the recording.
    pub alerts: String,
    /// The `/api/v2/silences` body's path, relative to the recording.
    pub silences: String,
}

/// One recorded Jaeger answer (a search, or one trace by id) and the file holding its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct JaegerEntry {
    /// The API that answered: `v3` (OTLP JSON) or `v1`; anything else refuses the manifest.
    pub api: Api,
    /// The service searched, if a search.
    #[serde(default)]
    pub service: String,
    /// The body's path, relative to the recording.
    pub file: String,
}

/// One recorded OpenSearch search and the file holding its response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OpenSearchEntry {
    /// The index or pattern searched.
    pub index: String,
    /// The query-string query, empty for everything.
    #[serde(default)]
    pub query: String,
    /// The body's path, relative to the recording.
    pub file: String,
}

/// One recorded Prometheus request and the file holding its response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PrometheusEntry {
    /// The API endpoint: `query_range`.
    pub endpoint: String,
    /// The `PromQL` expression, as a dashboard's query writes it.
    pub query: String,
    /// `start` parameter (Unix s).
    pub start: f64,
    /// `end` parameter (Unix s).
    pub end: f64,
    /// `step` parameter (s).
    pub step: f64,
    /// The body's path, relative to the recording.
    pub file: String,
}

/// An opened recording: its manifest, dashboard text and bodies.
#[derive(Debug, Clone)]
pub struct Recording {
    /// Where it came from, for messages (`bundled:mars-rover` or a path).
    pub origin: String,
    /// The manifest.
    pub manifest: Manifest,
    /// The recorded `capcom.toml`.
    pub dashboard: String,
    files: Files,
}

#[derive(Debug, Clone)]
enum Files {
    Bundled,
    /// The recording directory, canonical: every body must resolve inside it.
    Dir(PathBuf),
}

impl Recording {
    /// The recording compiled into the binary.
    ///
    /// # Errors
    /// Only if the bundled files are broken, which a test rules out.
    pub fn bundled() -> Result<Self, RecordingError> {
        let read = |name: &str| {
            bundled_file(name).ok_or_else(|| RecordingError::Io {
                path: PathBuf::from(name),
                error: Refused::Io(std::io::Error::from(std::io::ErrorKind::NotFound)),
            })
        };
        let manifest = parse_manifest(&read(MANIFEST)?, Path::new("bundled recording.toml"))?;
        let dashboard = String::from_utf8_lossy(&read(DASHBOARD)?).into_owned();
        Ok(Self {
            origin: "bundled:mars-rover".into(),
            manifest,
            dashboard,
            files: Files::Bundled,
        })
    }

    /// A recording directory. Its files are untrusted: `recording.toml`, `capcom.toml` and
    /// every body the manifest names must be regular files inside the directory, of a capped
    /// size ([`files`]); a body that is refused refuses the recording, naming its entry. A body
    /// that is merely missing is left to its query, which shows it as an error.
    ///
    /// # Errors
    /// A missing, refused or malformed `recording.toml` or `capcom.toml`, or a refused body.
    pub fn open(dir: &Path) -> Result<Self, RecordingError> {
        let root = std::fs::canonicalize(dir).map_err(|e| RecordingError::Io {
            path: dir.to_owned(),
            error: Refused::Io(e),
        })?;
        let read = |name: &str| {
            files::read(&root, name, MAX_TOML_BYTES).map_err(|error| RecordingError::Io {
                path: dir.join(name),
                error,
            })
        };
        let manifest_path = dir.join(MANIFEST);
        let manifest = parse_manifest(&read(MANIFEST)?, &manifest_path)?;
        let dashboard = String::from_utf8_lossy(&read(DASHBOARD)?).into_owned();
        for (entry, file) in manifest.files() {
            match files::open(&root, file, MAX_BODY_BYTES) {
                Err(error) if !error.is_missing() => {
                    return Err(RecordingError::Body {
                        path: manifest_path,
                        entry,
                        file: crate::text::one_line(file, 120),
                        error,
                    });
                }
                _ => {}
            }
        }
        Ok(Self {
            origin: dir.display().to_string(),
            manifest,
            dashboard,
            files: Files::Dir(root),
        })
    }

    /// The recorded dashboard as a configuration.
    ///
    /// # Errors
    /// When the recorded `capcom.toml` does not parse.
    pub fn config(&self) -> Result<Config, ConfigError> {
        config::parse(&self.dashboard, &format!("{}/{DASHBOARD}", self.origin))
    }

    /// A body by its path in the recording, read under the checks of [`files::read`].
    fn body(&self, file: &str) -> Result<Cow<'static, [u8]>, Refused> {
        match &self.files {
            Files::Bundled => bundled_file(file)
                .map(Cow::Owned)
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound).into()),
            Files::Dir(root) => files::read(root, file, MAX_BODY_BYTES).map(Cow::Owned),
        }
    }
}

impl Manifest {
    /// Every body file the manifest names, with its entry for messages (`[[jaeger]] 2`).
    fn files<'a>(&'a self) -> Vec<(String, &'a str)> {
        let numbered = |section: &str, files: Vec<&'a str>| -> Vec<(String, &'a str)> {
            let entry = |(i, file)| (format!("[[{section}]] {}", i + 1), file);
            files.into_iter().enumerate().map(entry).collect()
        };
        let mut out = numbered(
            "prometheus",
            self.prometheus.iter().map(|e| &*e.file).collect(),
        );
        out.extend(numbered(
            "opensearch",
            self.opensearch.iter().map(|e| &*e.file).collect(),
        ));
        out.extend(numbered(
            "jaeger",
            self.jaeger.iter().map(|e| &*e.file).collect(),
        ));
        for (i, e) in self.alertmanager.iter().enumerate() {
            let entry = format!("[[alertmanager]] {}", i + 1);
            out.push((entry.clone(), &*e.alerts));
            out.push((entry, &*e.silences));
        }
        out
    }
}

/// Parses a `recording.toml` manifest; `path` names it in errors. Public for the fuzz targets.
///
/// # Errors
/// Malformed TOML, or keys the manifest does not have: one line, `FILE:LINE:COL: message`.
pub fn parse_manifest(bytes: &[u8], path: &Path) -> Result<Manifest, RecordingError> {
    let text = String::from_utf8_lossy(bytes);
    toml::from_str(&text).map_err(|e| RecordingError::Manifest {
        path: path.to_owned(),
        at: e.span().map(|span| config::line_column(&text, span.start)),
        message: crate::text::one_line(e.message().lines().next().unwrap_or_default(), 160),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST_V1: &str = "format = 1\nname = \"x\"\nstarted = 0.0\nended = 1.0\n\n\
                               [[jaeger]]\napi = \"v1\"\nfile = \"jaeger/a.json\"\n";

    #[test]
    fn a_jaeger_body_says_its_api_and_an_unknown_one_refuses_the_manifest() {
        let path = Path::new("rec/recording.toml");
        let manifest = parse_manifest(MANIFEST_V1.as_bytes(), path).expect("manifest");
        assert_eq!(manifest.jaeger[0].api, Api::V1);
        let v2 = MANIFEST_V1.replace("\"v1\"", "\"v2\"");
        let error = parse_manifest(v2.as_bytes(), path).expect_err("v2 is no API");
        assert_eq!(
            error.to_string(),
            "rec/recording.toml:7:7: unknown variant `v2`, expected `v3` or `v1`"
        );
    }
}
