//! The HTTP client every backend shares: timeouts, credentials, extra headers, a CA bundle and
//! the explicit insecure switch, all from a [`Connection`]. Secrets are read here, once, from
//! the environment variable or file the configuration names; they go into headers marked
//! sensitive and appear in no message, log line or `Debug` output.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use super::{SourceError, SourceId};
use crate::config::{Auth, Connection, Secret};
use crate::text::one_line;

/// Sends `request` and reads the whole answer, at most `max_body` bytes of it: its status and
/// body, or why there is none, in one line naming `backend` (and `base` for a connection that
/// cannot be made). The limit holds while the body streams in (after gzip is undone), so a
/// huge or endless answer costs at most `max_body` of memory before it is refused.
///
/// # Errors
/// Timeout, connection failure, a body cut off in transfer, or one over `max_body`.
pub async fn fetch(
    request: reqwest::RequestBuilder,
    backend: SourceId,
    base: &str,
    timeout: f64,
    max_body: u64,
) -> Result<(reqwest::StatusCode, Body), SourceError> {
    let transport = |e: &reqwest::Error, reading: bool| {
        if e.is_timeout() {
            return SourceError::Timeout(backend, (timeout * 1000.0).round() as u64);
        }
        // The innermost cause says what happened ("Connection refused (os error 111)").
        let mut cause: &dyn std::error::Error = e;
        while let Some(next) = cause.source() {
            cause = next;
        }
        let what = one_line(&cause.to_string(), 120);
        if reading {
            SourceError::Cut(backend, what)
        } else if e.is_connect() {
            SourceError::Connect(backend, format!("{}: {what}", one_line(base, 80)))
        } else {
            SourceError::Connect(backend, what)
        }
    };
    let too_large = || SourceError::TooLarge(backend, max_body);
    let mut response = request.send().await.map_err(|e| transport(&e, false))?;
    let status = response.status();
    // An honest server says how much is coming: refuse at once rather than after the limit.
    // (Compressed answers say their compressed length; the limit below still holds.)
    if response.content_length().is_some_and(|n| n > max_body) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let mut gate = None;
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(&e, true))? {
        if body.len() as u64 + chunk.len() as u64 > max_body {
            return Err(too_large());
        }
        if gate.is_none() && body.len() + chunk.len() > LARGE_BODY {
            // Past a quarter of a megabyte, wait for the one place for a large body (the connection
            // waits meanwhile): however many queries answer hugely at once, one is in memory.
            gate = Some(large_body_gate().await);
        }
        if body.is_empty() {
            // The first chunk of many: reserve for the announced length, within the limit.
            let hint = response.content_length().unwrap_or(0).min(max_body);
            body.reserve_exact(usize::try_from(hint).unwrap_or(0).max(chunk.len()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((
        status,
        Body {
            bytes: body,
            _gate: gate,
        },
    ))
}

/// A body past this size (a quarter of a megabyte) holds the large-body gate until it has been parsed.
const LARGE_BODY: usize = 256 * 1024;

/// The one place for a large body, process-wide: the ceiling on memory is then one answer of
/// `max-body` plus a quarter of a megabyte per query, not `max-body` per query (31 queries answering
/// 30 MB each took capcom to 404 MB).
async fn large_body_gate() -> tokio::sync::OwnedSemaphorePermit {
    static GATE: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    let gate = GATE.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(1)));
    // The semaphore is never closed, so acquiring cannot fail; a closed one would only mean
    // no gate.
    match std::sync::Arc::clone(gate).acquire_owned().await {
        Ok(permit) => permit,
        Err(_) => unreachable!("the large-body gate is never closed"),
    }
}

/// An answer's body, holding the large-body gate while it is large: parse it (see
/// [`parse_off_thread`]) or drop it to let the next large answer in.
#[derive(Debug)]
pub struct Body {
    bytes: Vec<u8>,
    /// Held for as long as the body is (dropping it lets the next large answer in).
    _gate: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Body {
    /// The bytes, letting go of the gate.
    #[must_use]
    pub fn into_vec(self) -> Vec<u8> {
        self.bytes
    }
}

impl std::ops::Deref for Body {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// A body larger than this is parsed on a blocking thread rather than in the source's task, so
/// that parsing never delays a key press (the runtime has one thread, shared with the UI).
const PARSE_INLINE_MAX: usize = 64 * 1024;

/// Runs `parse` over `body` where it cannot hold up the event loop: inline for a small body,
/// on tokio's blocking pool for a large one. The body comes back with the result (recordings
/// keep it verbatim).
pub async fn parse_off_thread<T, E>(
    backend: SourceId,
    body: Body,
    parse: fn(&[u8]) -> Result<T, E>,
) -> (Vec<u8>, Result<T, SourceError>)
where
    T: Send + 'static,
    E: Into<SourceError> + Send + 'static,
{
    if body.len() <= PARSE_INLINE_MAX {
        let result = parse(&body).map_err(Into::into);
        return (body.into_vec(), result);
    }
    let len = body.len();
    match tokio::task::spawn_blocking(move || {
        let result = parse(&body);
        // The gate is let go here, once the parsed answer stands in for the body.
        (body.into_vec(), result)
    })
    .await
    {
        Ok((body, result)) => (body, result.map_err(Into::into)),
        // A parser that panicked: the answer is lost, the source goes on.
        Err(e) => (
            Vec::new(),
            Err(SourceError::Cut(
                backend,
                format!("the {len}-byte answer could not be read: {e}"),
            )),
        ),
    }
}

/// A failed status whose body is not the API's own error: the status line and the start of
/// the body, made safe to print.
#[must_use]
pub fn status_error(backend: SourceId, status: reqwest::StatusCode, body: &[u8]) -> SourceError {
    SourceError::Http {
        backend,
        status: status.to_string(),
        detail: one_line(&String::from_utf8_lossy(body), 120),
    }
}

/// A connection that cannot be set up, said for users (and never quoting a secret).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct SetupError(pub String);

/// Reads a secret from where the configuration says it is.
fn read_secret(what: &str, secret: &Secret) -> Result<String, SetupError> {
    match secret {
        Secret::Env(var) => std::env::var(var)
            .map_err(|_| SetupError(format!("{what}: environment variable {var} is not set"))),
        Secret::File(path) => crate::config::read_capped_text(path)
            .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
            .map_err(|e| SetupError(format!("{what}: cannot read {}: {e}", path.display()))),
    }
    .and_then(|s| {
        if s.is_empty() {
            Err(SetupError(format!("{what} is empty")))
        } else {
            Ok(s)
        }
    })
}

fn auth_header(auth: &Auth) -> Result<HeaderValue, SetupError> {
    let value = match auth {
        Auth::Basic { username, password } => {
            let password = read_secret("password", password)?;
            let encoded = STANDARD.encode(format!("{username}:{password}"));
            // A server may echo the header back in an error body: neither the password nor
            // its encoded form may reach a screen.
            crate::text::register_secret(&password);
            crate::text::register_secret(&encoded);
            format!("Basic {encoded}")
        }
        Auth::Bearer(token) => {
            let token = read_secret("token", token)?;
            crate::text::register_secret(&token);
            format!("Bearer {token}")
        }
    };
    let mut header = HeaderValue::from_str(&value)
        .map_err(|_| SetupError("credentials hold characters a header cannot carry".into()))?;
    header.set_sensitive(true);
    Ok(header)
}

/// Builds the client for a connection.
///
/// # Errors
/// A credential that cannot be read, a bad header, or an unreadable CA bundle.
pub fn client(conn: &Connection) -> Result<reqwest::Client, SetupError> {
    let mut headers = HeaderMap::new();
    for (name, value) in &conn.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| SetupError(format!("header name {name:?} is not valid")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| SetupError(format!("header {name}: the value is not valid")))?;
        headers.insert(name, value);
    }
    if let Some(auth) = &conn.auth {
        headers.insert(AUTHORIZATION, auth_header(auth)?);
    }
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("capcom/", env!("CARGO_PKG_VERSION")))
        .default_headers(headers)
        .timeout(Duration::from_secs_f64(conn.timeout))
        .connect_timeout(Duration::from_secs_f64(conn.timeout.min(5.0)))
        .danger_accept_invalid_certs(conn.insecure_skip_verify);
    if let Some(path) = &conn.ca_file {
        let pem = crate::config::read_capped(path)
            .map_err(|e| SetupError(format!("ca-file {}: {e}", path.display())))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| SetupError(format!("ca-file {}: {e}", path.display())))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| SetupError(format!("HTTP client: {e}")))
}

/// One backend's end of the shared HTTP path: its client, where it is, and the limits every
/// request to it runs under. Each source's client holds one.
#[derive(Debug, Clone)]
pub struct Endpoint {
    backend: SourceId,
    http: reqwest::Client,
    base: String,
    /// `base` parsed once, when it is a plain `scheme://host[:port][/path]`: each request's
    /// URL is then made by setting its path rather than parsing the whole again (parsing was
    /// 4 % of capcom's CPU at six 1 s queries).
    base_url: Option<reqwest::Url>,
    timeout: f64,
    max_body: u64,
}

impl Endpoint {
    /// The endpoint of `backend` at a connection.
    ///
    /// # Errors
    /// Credentials, headers or a CA bundle that cannot be used.
    pub fn new(conn: &Connection, backend: SourceId) -> Result<Self, SetupError> {
        Ok(Self {
            backend,
            http: client(conn)?,
            base: conn.url.clone(),
            base_url: reqwest::Url::parse(&conn.url)
                .ok()
                .filter(|u| u.has_host() && u.query().is_none() && u.fragment().is_none()),
            timeout: conn.timeout,
            max_body: conn.max_body,
        })
    }

    /// The base URL.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A `GET` of `path` under the base URL with query `params`.
    pub fn get(&self, path: &str, params: &[(&str, String)]) -> reqwest::RequestBuilder {
        match &self.base_url {
            Some(base) => {
                let mut url = base.clone();
                url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
                self.http.get(url).query(params)
            }
            None => self.http.get(format!("{}{path}", self.base)).query(params),
        }
    }

    /// A `POST` of `path` under the base URL.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.base))
    }

    /// A `DELETE` of `path` under the base URL.
    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.delete(format!("{}{path}", self.base))
    }

    /// [`fetch`] under this endpoint's limits.
    ///
    /// # Errors
    /// As [`fetch`].
    pub async fn fetch(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(reqwest::StatusCode, Body), SourceError> {
        fetch(
            request,
            self.backend,
            &self.base,
            self.timeout,
            self.max_body,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_url_is_the_base_and_the_path_whether_parsed_once_or_not() {
        for base in [
            "http://127.0.0.1:9090",
            "http://127.0.0.1:9090/",
            "https://metrics.example/prom",
            "https://metrics.example/prom/",
            "http://[::1]:9090/a%20b",
        ] {
            let conn = Connection::to_url(base);
            let endpoint = Endpoint::new(&conn, SourceId::Prometheus).expect("endpoint");
            assert!(endpoint.base_url.is_some(), "{base} is parsed once");
            let params = [("query", "up{job=\"a b\"}".to_owned())];
            let fast = endpoint
                .get("/api/v1/query", &params)
                .build()
                .expect("built");
            let slow = endpoint
                .http
                .get(format!("{}/api/v1/query", base.trim_end_matches('/')))
                .query(&params)
                .build()
                .expect("built");
            assert_eq!(fast.url(), slow.url(), "{base}");
        }
    }

    #[test]
    fn a_missing_secret_names_where_it_was_looked_for() {
        let e = read_secret("token", &Secret::Env("CAPCOM_TEST_UNSET_VAR".into())).unwrap_err();
        assert_eq!(
            e.0,
            "token: environment variable CAPCOM_TEST_UNSET_VAR is not set"
        );
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("token");
        std::fs::write(&path, "abc\n").expect("write");
        assert_eq!(
            read_secret("token", &Secret::File(path)).expect("reads"),
            "abc"
        );
    }

    #[test]
    fn the_auth_header_is_sensitive_and_hidden_from_debug() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("pw");
        std::fs::write(&path, "hunter2").expect("write");
        let auth = Auth::Basic {
            username: "u".into(),
            password: Secret::File(path),
        };
        let h = auth_header(&auth).expect("header");
        assert!(h.is_sensitive());
        assert!(!format!("{h:?}").contains("dTpodW50ZXIy"), "{h:?}");
    }
}
