//! Jaeger: its query APIs, v2's `/api/v3` (`v3.rs`, OTLP JSON) and v1's `/api` (`v1.rs`),
//! each a pure parser onto one OpenTelemetry-shaped trace model plus the parameters of its
//! requests; the thin client that speaks either ([`JaegerClient`]); and the task that
//! searches traces and fetches them by id ([`search`]). Malformed or partial traces still parse: a span
//! missing a field gets a default, and nothing here panics on any input.

mod client;
pub mod search;
mod v1;
mod v3;

pub use client::{Answer, JaegerClient, MAX_SERVICES};
pub use v1::{parse_v1, v1_params};
pub use v3::{parse_v3, v3_params};

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::JaegerApi;
use crate::model::span::Trace;
use crate::model::traces::TraceQuery;
use crate::source::{SourceError, SourceId, http};

/// Why a Jaeger body could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TraceError {
    /// Jaeger answered with an error (v1 `errors`, v3 `error`).
    #[error("{0}")]
    Api(String),
    /// The body is not what the API sends.
    #[error("malformed response: {0}")]
    Malformed(String),
}

/// Ids as lower-case hex, without the leading zeros some v1 servers drop or keep.
fn id(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

/// Which of Jaeger's query APIs a server speaks: the one truth for a client (configured or
/// found) and a recording (each body's `api`, written and read by serde as `v3` or `v1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// `/api/v3`.
    V3,
    /// `/api`.
    V1,
}

impl Api {
    /// As written in configs and recordings.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::V3 => "v3",
            Self::V1 => "v1",
        }
    }

    /// Parses a body of this API's trace endpoints.
    ///
    /// # Errors
    /// As the parser says.
    pub fn parse(self, body: &[u8]) -> Result<Vec<Trace>, TraceError> {
        match self {
            Self::V3 => parse_v3(body),
            Self::V1 => parse_v1(body),
        }
    }

    /// [`Api::parse`] where it cannot hold up the event loop (see [`http::parse_off_thread`]).
    async fn parse_off_thread(
        self,
        body: http::Body,
    ) -> (Vec<u8>, Result<Vec<Trace>, SourceError>) {
        let parse = match self {
            Self::V3 => parse_v3,
            Self::V1 => parse_v1,
        };
        http::parse_off_thread(SourceId::Jaeger, body, parse).await
    }
}

/// What the configuration fixes: the API named, or nothing for `auto`, which asks the server.
impl From<JaegerApi> for Option<Api> {
    fn from(setting: JaegerApi) -> Self {
        match setting {
            JaegerApi::Auto => None,
            JaegerApi::V3 => Some(Api::V3),
            JaegerApi::V1 => Some(Api::V1),
        }
    }
}

/// The texts one body repeats (attribute keys, string values, services), each held once and
/// shared by every use: the bundled sol's 11,056 attributes name 61 keys and hold 540
/// distinct string values, and a copy of its own per attribute was a quarter of its traces'
/// memory.
#[derive(Default)]
struct Names(std::collections::HashSet<Arc<str>>);

impl Names {
    /// `key`, shared with every earlier use of it in the body.
    fn get(&mut self, key: &str) -> Arc<str> {
        if let Some(k) = self.0.get(key) {
            return Arc::clone(k);
        }
        let k: Arc<str> = key.into();
        self.0.insert(Arc::clone(&k));
        k
    }
}

/// A duration as Go's `time.ParseDuration` reads it.
fn go_duration(secs: f64) -> String {
    format!("{}us", (secs * 1e6).round() as i64)
}

fn attributes_json(query: &TraceQuery) -> Option<String> {
    (!query.attributes.is_empty()).then(|| {
        let map: serde_json::Map<String, Value> = query
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        Value::Object(map).to_string()
    })
}

fn string_list(body: &[u8], key: &str) -> Result<Vec<String>, TraceError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| TraceError::Malformed(e.to_string()))?;
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .ok_or_else(|| TraceError::Malformed(format!("no `{key}` list")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_is_written_as_its_name_and_a_setting_fixes_it_or_leaves_it_to_the_server() {
        for api in [Api::V3, Api::V1] {
            let written = toml::to_string(&std::collections::BTreeMap::from([("api", api)]));
            assert_eq!(
                written.expect("toml"),
                format!("api = \"{}\"\n", api.name())
            );
        }
        assert_eq!(Option::<Api>::from(JaegerApi::Auto), None);
        assert_eq!(Option::<Api>::from(JaegerApi::V3), Some(Api::V3));
        assert_eq!(Option::<Api>::from(JaegerApi::V1), Some(Api::V1));
    }
}
