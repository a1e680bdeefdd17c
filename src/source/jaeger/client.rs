//! The live Jaeger source: a thin client of Jaeger's query APIs — v2's `/api/v3` (OTLP JSON)
//! first, v1's `/api` as the fallback, `auto` asking which the server has (the task that uses
//! it is [`super::search`]). Parameters go in snake_case, which every v3 server reads;
//! a server that insists on camelCase gets it on the retry. Attribute and duration filters are
//! also applied here, because older servers ignore them.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use super::v1::{services_v1, v1_params};
use super::v3::{services_v3, v3_params};
use super::{Api, TraceError};
use crate::config::JaegerApi;
use crate::model::span::Trace;
use crate::model::traces::{Listed, TraceQuery, newest_first};
use crate::source::http::{self, SetupError};
use crate::source::{SourceError, SourceId};

/// Services searched at most when the search names none (one request each).
pub const MAX_SERVICES: usize = 20;

/// One search's verbatim answer: which service, and the body (for recordings).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The service searched.
    pub service: String,
    /// The body as sent (empty for a 404 "no traces").
    pub body: Vec<u8>,
}

/// A thin client of Jaeger's query API.
#[derive(Debug)]
pub struct JaegerClient {
    endpoint: http::Endpoint,
    /// The API the server speaks, once configured or found.
    found: OnceLock<Api>,
    /// The server rejected snake_case parameters: send camelCase.
    camel: AtomicBool,
}

impl JaegerClient {
    /// A client for a connection, speaking `api`.
    ///
    /// # Errors
    /// Credentials, headers or a CA bundle that cannot be used.
    pub fn new(conn: &crate::config::Connection, api: JaegerApi) -> Result<Self, SetupError> {
        Ok(Self {
            endpoint: http::Endpoint::new(conn, SourceId::Jaeger)?,
            found: Option::<Api>::from(api).map_or_else(OnceLock::new, OnceLock::from),
            camel: AtomicBool::new(false),
        })
    }

    async fn get(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<(u16, http::Body), SourceError> {
        let (status, body) = self.endpoint.fetch(self.endpoint.get(path, params)).await?;
        Ok((status.as_u16(), body))
    }

    /// The API the server speaks: as configured, or (for `auto`) found by asking
    /// `/api/v3/services`, then `/api/services`, once.
    ///
    /// # Errors
    /// The server cannot be reached, or answers neither as Jaeger does.
    pub async fn api(&self) -> Result<Api, SourceError> {
        if let Some(api) = self.found.get() {
            return Ok(*api);
        }
        let api = self.detect().await?;
        Ok(*self.found.get_or_init(|| api))
    }

    async fn detect(&self) -> Result<Api, SourceError> {
        let (status, body) = self.get("/api/v3/services", &[]).await?;
        if status == 200 && services_v3(&body).is_ok() {
            return Ok(Api::V3);
        }
        let (status1, body1) = self.get("/api/services", &[]).await?;
        if status1 == 200 && services_v1(&body1).is_ok() {
            return Ok(Api::V1);
        }
        if matches!(status, 401 | 403) {
            return Err(status_error(status, &body));
        }
        Err(SourceError::Trace(TraceError::Malformed(format!(
            "{} answers neither /api/v3/services (HTTP {status}) nor /api/services (HTTP \
             {status1}) as Jaeger does; is this Jaeger's query port (16686)? Set api = \"v3\" or \
             \"v1\" to skip detection",
            self.endpoint.base()
        ))))
    }

    /// The services Jaeger knows, sorted.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn services(&self) -> Result<Vec<String>, SourceError> {
        let api = self.api().await?;
        let path = match api {
            Api::V3 => "/api/v3/services",
            Api::V1 => "/api/services",
        };
        let (status, body) = self.get(path, &[]).await?;
        if status != 200 {
            return Err(error_of(api, status, &body));
        }
        let mut list = match api {
            Api::V3 => services_v3(&body),
            Api::V1 => services_v1(&body),
        }
        .map_err(SourceError::Trace)?;
        list.sort();
        Ok(list)
    }

    /// The operations (span names) of a service, sorted.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn operations(&self, service: &str) -> Result<Vec<String>, SourceError> {
        let api = self.api().await?;
        let (status, body) = match api {
            Api::V3 => {
                self.get("/api/v3/operations", &[("service", service.to_owned())])
                    .await?
            }
            Api::V1 => {
                let path = format!("/api/services/{}/operations", path_segment(service));
                self.get(&path, &[]).await?
            }
        };
        if status != 200 {
            return Err(error_of(api, status, &body));
        }
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| SourceError::Trace(TraceError::Malformed(e.to_string())))?;
        let list = match api {
            Api::V3 => v.get("operations").and_then(Value::as_array).map(|ops| {
                ops.iter()
                    .filter_map(|o| o.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect::<Vec<_>>()
            }),
            Api::V1 => v.get("data").and_then(Value::as_array).map(|ops| {
                ops.iter()
                    .filter_map(|o| o.as_str().map(str::to_owned))
                    .collect()
            }),
        };
        let mut list = list.ok_or_else(|| {
            SourceError::Trace(TraceError::Malformed("no list of operations".into()))
        })?;
        list.sort();
        list.dedup();
        Ok(list)
    }

    /// Searches one service's traces that started in the `query`'s lookback before `now`
    /// (Unix s): the verbatim answer and the traces in it. A 404 "no traces" is an empty
    /// answer.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn search(
        &self,
        service: &str,
        query: &TraceQuery,
        now: f64,
    ) -> Result<(Answer, Vec<Trace>), SourceError> {
        let api = self.api().await?;
        let (status, body) = match api {
            Api::V3 => {
                let camel = self.camel.load(Ordering::Relaxed);
                let (status, body) = self
                    .get("/api/v3/traces", &v3_params(service, query, now, camel))
                    .await?;
                if status == 400 && !camel {
                    // A server that reads only camelCase says a required parameter is missing.
                    let (s2, b2) = self
                        .get("/api/v3/traces", &v3_params(service, query, now, true))
                        .await?;
                    if s2 != 400 {
                        self.camel.store(true, Ordering::Relaxed);
                    }
                    (s2, b2)
                } else {
                    (status, body)
                }
            }
            Api::V1 => {
                self.get("/api/traces", &v1_params(service, query, now))
                    .await?
            }
        };
        let answer = |body| Answer {
            service: service.to_owned(),
            body,
        };
        match status {
            200 => {
                let (body, traces) = api.parse_off_thread(body).await;
                Ok((answer(body), traces?))
            }
            404 if not_found(api, &body) => Ok((answer(Vec::new()), Vec::new())),
            _ => Err(error_of(api, status, &body)),
        }
    }

    /// One trace by id: the verbatim answer and the trace, or `None` when Jaeger has no such
    /// trace.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn trace(&self, trace_id: &str) -> Result<(Vec<u8>, Option<Trace>), SourceError> {
        let api = self.api().await?;
        // As pasted, an id may carry spaces or capitals; Jaeger's ids are lower-case hex.
        let want = trace_id.trim().to_ascii_lowercase();
        let id = path_segment(&want);
        let path = match api {
            Api::V3 => format!("/api/v3/traces/{id}"),
            Api::V1 => format!("/api/traces/{id}"),
        };
        let (status, body) = self.get(&path, &[]).await?;
        match status {
            200 => {
                let (body, traces) = api.parse_off_thread(body).await;
                let mut traces = traces?;
                let found = traces.iter().position(|t| same_id(&t.trace_id, &want));
                let trace = match found {
                    Some(i) => Some(traces.swap_remove(i)),
                    None => traces.into_iter().next(),
                };
                Ok((body, trace))
            }
            404 if not_found(api, &body) => Ok((body.into_vec(), None)),
            _ => Err(error_of(api, status, &body)),
        }
    }

    /// Runs `query` as Jaeger would: each service (or every known one, up to
    /// [`MAX_SERVICES`]), merged, filtered again here, newest first, at most `limit`.
    ///
    /// # Errors
    /// The first failure.
    pub async fn search_all(
        &self,
        query: &TraceQuery,
        now: f64,
    ) -> Result<(Vec<Answer>, Vec<Listed>), SourceError> {
        let services = if query.services.is_empty() {
            let mut all = self.services().await?;
            all.truncate(MAX_SERVICES);
            all
        } else {
            query.services.clone()
        };
        // The window the request asked for, [now - lookback, now + 1 s]: `matches` ends its
        // lookback at the `now` it is given, so the lookback grows by that second too.
        let window = TraceQuery {
            lookback: query.lookback + 1.0,
            ..query.clone()
        };
        let mut answers = Vec::with_capacity(services.len());
        let mut list = Vec::new();
        for service in &services {
            let (answer, traces) = self.search(service, query, now).await?;
            answers.push(answer);
            for t in traces {
                let listed = Listed::new(t);
                if window.matches(&listed.trace, &listed.summary, now + 1.0) {
                    list.push(listed);
                }
            }
        }
        newest_first(&mut list, query.limit);
        Ok((answers, list))
    }
}

/// Ids compare without the leading zeros some v1 servers drop.
fn same_id(a: &str, b: &str) -> bool {
    a.trim_start_matches('0') == b.trim_start_matches('0')
}

/// A path segment made safe: only hex digits and the few characters ids and names use.
fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whether a 404 is Jaeger's own "no traces found" / "trace not found": its error envelope
/// (v3 `error`, v1 `errors`). A 404 from anything else at that URL — a wrong path prefix, a
/// proxy — is an error to show, not an empty answer that hides the mistake.
fn not_found(api: Api, body: &[u8]) -> bool {
    matches!(api.parse(body), Err(TraceError::Api(_)))
}

/// A failed status: the API's own error message when the body has one, else the status line.
fn error_of(api: Api, status: u16, body: &[u8]) -> SourceError {
    match api.parse(body) {
        Err(e @ TraceError::Api(_)) => SourceError::Trace(e),
        _ => status_error(status, body),
    }
}

fn status_error(status: u16, body: &[u8]) -> SourceError {
    let status = reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::BAD_GATEWAY);
    http::status_error(SourceId::Jaeger, status, body)
}
