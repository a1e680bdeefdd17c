//! The thin client of Prometheus' HTTP API: one request per call, its body read through the
//! shared HTTP path and parsed by [`super::parse`]'s functions, off the event loop when large.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;
use tracing::Instrument as _;

use super::parse::{ParseError, QueryResult, malformed, parse_query, parse_query_range};
use crate::config::Connection;
use crate::source::http::{self, SetupError};
use crate::source::{SourceError, SourceId};

/// What a client has fetched, for tests and measurements (`capcom check` prints it).
#[derive(Debug, Default)]
pub struct FetchStats {
    /// Requests sent.
    pub requests: AtomicU64,
    /// Response body bytes received (after decompression).
    pub bytes: AtomicU64,
    /// Samples received.
    pub points: AtomicU64,
}

/// A successful answer: the verbatim body (for recordings) and what it says.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The body exactly as the server sent it.
    pub body: Vec<u8>,
    /// The parsed result.
    pub result: QueryResult,
}

/// A thin client of Prometheus' HTTP API. Requests go through reqwest rather than the
/// `prometheus-http-query` crate because capcom needs the verbatim body: recordings store it,
/// and live and replayed data must pass through the same `parse_*` functions.
#[derive(Debug, Clone)]
pub struct PrometheusClient {
    endpoint: http::Endpoint,
    /// Counters of what this client (and its clones) fetched.
    pub stats: Arc<FetchStats>,
}

impl PrometheusClient {
    /// A client for a connection.
    ///
    /// # Errors
    /// Credentials, headers or a CA bundle that cannot be used.
    pub fn new(conn: &Connection) -> Result<Self, SetupError> {
        Ok(Self {
            endpoint: http::Endpoint::new(conn, SourceId::Prometheus)?,
            stats: Arc::default(),
        })
    }

    /// The base URL, for messages.
    #[must_use]
    pub fn url(&self) -> &str {
        self.endpoint.base()
    }

    /// `GET /api/v1/query_range`.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn query_range(
        &self,
        query: &str,
        start: f64,
        end: f64,
        step: f64,
    ) -> Result<Fetched, SourceError> {
        self.query_range_as(query, (start, end, step), Encoding::Gzip)
            .await
    }

    /// `GET /api/v1/query_range` over `(start, end, step)`, asking for the answer `encoding`:
    /// a poller that knows its answers are small asks for them plain.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn query_range_as(
        &self,
        query: &str,
        (start, end, step): (f64, f64, f64),
        encoding: Encoding,
    ) -> Result<Fetched, SourceError> {
        let params = [
            ("query", query.to_owned()),
            ("start", num(start)),
            ("end", num(end)),
            ("step", num(step)),
        ];
        let body = self
            .get_as("/api/v1/query_range", &params, encoding)
            .await?;
        let (body, result) =
            http::parse_off_thread(SourceId::Prometheus, body, parse_query_range).await;
        let result = result?;
        self.count(&result);
        Ok(Fetched { body, result })
    }

    /// `GET /api/v1/query`, at `time` or now.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn query(&self, query: &str, time: Option<f64>) -> Result<Fetched, SourceError> {
        let mut params = vec![("query", query.to_owned())];
        if let Some(t) = time {
            params.push(("time", num(t)));
        }
        let body = self.get("/api/v1/query", &params).await?;
        let (body, result) = http::parse_off_thread(SourceId::Prometheus, body, parse_query).await;
        let result = result?;
        self.count(&result);
        Ok(Fetched { body, result })
    }

    /// `GET /api/v1/status/buildinfo`: the server's version.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn version(&self) -> Result<String, SourceError> {
        #[derive(Deserialize)]
        struct Info {
            data: Option<BuildInfo>,
        }
        #[derive(Deserialize)]
        struct BuildInfo {
            version: String,
        }
        let body = self.get("/api/v1/status/buildinfo", &[]).await?;
        let info: Info = serde_json::from_slice(&body).map_err(malformed)?;
        Ok(info
            .data
            .map_or_else(|| "unknown".to_owned(), |d| d.version))
    }

    fn count(&self, result: &QueryResult) {
        let points: usize = result.series.iter().map(|s| s.points.len()).sum();
        self.stats
            .points
            .fetch_add(points as u64, Ordering::Relaxed);
    }

    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<http::Body, SourceError> {
        self.get_as(path, params, Encoding::Gzip).await
    }

    async fn get_as(
        &self,
        path: &str,
        params: &[(&str, String)],
        encoding: Encoding,
    ) -> Result<http::Body, SourceError> {
        let span = tracing::debug_span!(
            "prometheus",
            path,
            query = params.first().map(|p| p.1.as_str())
        );
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = self.endpoint.get(path, params);
        if encoding == Encoding::Plain {
            request = request.header(reqwest::header::ACCEPT_ENCODING, "identity");
        }
        // Instrumented, not entered: an entered span held across an await would tag whatever
        // else the thread runs meanwhile.
        let (status, body) = self.endpoint.fetch(request).instrument(span).await?;
        self.stats
            .bytes
            .fetch_add(body.len() as u64, Ordering::Relaxed);
        if status.is_success() {
            return Ok(body);
        }
        // Prometheus answers 400, 422 and 503 with its JSON error envelope: its message is
        // better than the status line.
        if let Err(api @ ParseError::Api { .. }) = parse_query(&body) {
            return Err(api.into());
        }
        Err(http::status_error(SourceId::Prometheus, status, &body))
    }
}

/// How an answer is asked for. Prometheus gzips every answer a client accepts gzip for,
/// however small: a following chart's tail of a few points then costs both ends a gzip
/// stream (a twentieth of capcom's CPU on six 1 s queries) to save a few hundred bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Gzipped when the server will (reqwest undoes it, within the body limit).
    Gzip,
    /// Plain (`Accept-Encoding: identity`), for answers known to be small.
    Plain,
}

/// A number as a query parameter: whole seconds without a fraction.
fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}
