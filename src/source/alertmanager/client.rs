//! The thin client of Alertmanager's API v2, through the shared HTTP path (credentials,
//! timeouts, bounded reads). Built read-only ([`AlertmanagerClient::read_only`]) it refuses
//! every write before a request is made: read-only mode's last line of defence.

use super::{
    FaultError, Status, new_silence_body, parse_alerts, parse_created, parse_error, parse_silences,
    parse_status,
};
use crate::model::fault::{Fault, NewSilence, Silence};
use crate::source::http::{self, SetupError};
use crate::source::{SourceError, SourceId};

/// A thin client of Alertmanager's API v2.
#[derive(Debug, Clone)]
pub struct AlertmanagerClient {
    endpoint: http::Endpoint,
    read_only: bool,
}

impl AlertmanagerClient {
    /// A client for a connection.
    ///
    /// # Errors
    /// Credentials, headers or a CA bundle that cannot be used.
    pub fn new(conn: &crate::config::Connection) -> Result<Self, SetupError> {
        Ok(Self {
            endpoint: http::Endpoint::new(conn, SourceId::Alertmanager)?,
            read_only: false,
        })
    }

    /// This client, refusing every write ([`FaultError::ReadOnly`]) without sending it. There
    /// is no way back: a read-only client stays one.
    #[must_use]
    pub fn read_only(self) -> Self {
        Self {
            read_only: true,
            ..self
        }
    }

    /// Whether writes are refused.
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// `Err(ReadOnly)` when built read-only: the first line of every write.
    fn writable(&self) -> Result<(), SourceError> {
        if self.read_only {
            return Err(FaultError::ReadOnly.into());
        }
        Ok(())
    }

    /// `GET /api/v2/status`: the version and the cluster's state.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn status(&self) -> Result<Status, SourceError> {
        let body = self.ok(self.endpoint.get("/api/v2/status", &[])).await?;
        Ok(parse_status(&body)?)
    }

    /// `GET /api/v2/alerts`: every alert, silenced and inhibited ones included.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn alerts(&self) -> Result<Vec<Fault>, SourceError> {
        let body = self.ok(self.endpoint.get("/api/v2/alerts", &[])).await?;
        Ok(parse_alerts(&body)?)
    }

    /// `GET /api/v2/silences`: every silence, expired ones included.
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn silences(&self) -> Result<Vec<Silence>, SourceError> {
        let body = self.ok(self.endpoint.get("/api/v2/silences", &[])).await?;
        Ok(parse_silences(&body)?)
    }

    /// `POST /api/v2/silences`: creates `silence`, answering its id.
    ///
    /// # Errors
    /// Any failure, Alertmanager's refusal in its own words; a read-only client's refusal.
    pub async fn create_silence(&self, silence: &NewSilence) -> Result<String, SourceError> {
        self.writable()?;
        let request = self
            .endpoint
            .post("/api/v2/silences")
            .json(&new_silence_body(silence));
        let body = self.ok(request).await?;
        Ok(parse_created(&body)?)
    }

    /// `DELETE /api/v2/silence/{id}`: expires a silence now.
    ///
    /// # Errors
    /// Any failure, Alertmanager's refusal in its own words; a read-only client's refusal.
    pub async fn expire_silence(&self, id: &str) -> Result<(), SourceError> {
        self.writable()?;
        let id: String = id
            .chars()
            .filter(|c| c.is_ascii_hexdigit() || *c == '-')
            .collect();
        self.ok(self.endpoint.delete(&format!("/api/v2/silence/{id}")))
            .await
            .map(drop)
    }

    /// `GET path`'s body, verbatim (`capcom record` keeps answers as they came).
    ///
    /// # Errors
    /// Any failure, as one readable line.
    pub async fn body(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        self.ok(self.endpoint.get(path, &[])).await
    }

    /// The body of a successful answer; an error status with Alertmanager's envelope says
    /// what it says, else the status line.
    async fn ok(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, SourceError> {
        let (status, body) = self.endpoint.fetch(request).await?;
        let body = body.into_vec();
        if status.is_success() {
            return Ok(body);
        }
        Err(match parse_error(&body) {
            Some(message) => FaultError::Api(format!("HTTP {}: {message}", status.as_u16())).into(),
            None => http::status_error(SourceId::Alertmanager, status, &body),
        })
    }
}
