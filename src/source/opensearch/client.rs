//! The thin client of OpenSearch's `_search`: one request per call through the shared HTTP
//! path, the answer parsed by [`super::parse_search`], off the event loop when large.

use serde_json::Value;

use super::{SearchError, SearchPage, parse_search};
use crate::source::http::{self, SetupError};
use crate::source::{SourceError, SourceId};

/// A thin client of OpenSearch's `_search`.
#[derive(Debug, Clone)]
pub struct OpenSearchClient {
    endpoint: http::Endpoint,
}

impl OpenSearchClient {
    /// A client for a connection.
    ///
    /// # Errors
    /// Credentials, headers or a CA bundle that cannot be used.
    pub fn new(conn: &crate::config::Connection) -> Result<Self, SetupError> {
        Ok(Self {
            endpoint: http::Endpoint::new(conn, SourceId::OpenSearch)?,
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
        let request = self.endpoint.post(&format!("/{index}/_search")).json(body);
        let (status, bytes) = self.endpoint.fetch(request).await?;
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
