//! The thin client of OpenSearch's `_search`: one request per call through the shared HTTP
//! path, the answer parsed by [`super::parse_search`], off the event loop when large.

use serde_json::Value;

use super::{SearchError, SearchPage, parse_search};
use crate::source::http::{self, SetupError};
use crate::source::{SourceError, SourceId};

/// A thin client of OpenSearch's `_search`.
#[derive(Debug, Clone)]
pub struct OpenSearchClient {
    http: reqwest::Client,
    base: String,
    timeout: f64,
    max_body: u64,
}

impl OpenSearchClient {
    /// A client for a connection.
    ///
    /// # Errors
    /// Credentials, headers or a CA bundle that cannot be used.
    pub fn new(conn: &crate::config::Connection) -> Result<Self, SetupError> {
        Ok(Self {
            http: http::client(conn)?,
            base: conn.url.clone(),
            timeout: conn.timeout,
            max_body: conn.max_body,
        })
    }

    /// `POST /{index}/_search` with `body`: the verbatim answer and what it says.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn search(
        &self,
        index: &str,
        body: &Value,
    ) -> Result<(Vec<u8>, SearchPage), SourceError> {
        let url = format!("{}/{}/_search", self.base, index);
        let request = self.http.post(&url).json(body);
        let (status, bytes) = http::fetch(
            request,
            SourceId::OpenSearch,
            &self.base,
            self.timeout,
            self.max_body,
        )
        .await?;
        if status.is_success() {
            let (bytes, page) =
                http::parse_off_thread(SourceId::OpenSearch, bytes, parse_search).await;
            return Ok((bytes, page?));
        }
        // OpenSearch explains its errors in an envelope: that beats the status line.
        match parse_search(&bytes) {
            Err(e @ SearchError::Api { .. }) => Err(e.into()),
            _ => Err(http::status_error(SourceId::OpenSearch, status, &bytes)),
        }
    }
}
