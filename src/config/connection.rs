//! How to reach a backend, as configuration says it: the URL, timeout, headers, TLS and where
//! credentials are kept (never the credentials themselves), shared by every source's section.

use std::path::PathBuf;

use serde::Deserialize;

/// Credentials, named by where they are kept: never written in the file itself.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct AuthFile {
    username: Option<String>,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
}

/// How to reach a backend over HTTP. Holds where secrets are kept, never the secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Base URL, path prefix included, no trailing slash.
    pub url: String,
    /// Seconds a request may take.
    pub timeout: f64,
    /// Extra headers sent with every request (not for secrets: use `auth`).
    pub headers: Vec<(String, String)>,
    /// A PEM bundle of extra CA certificates to trust.
    pub ca_file: Option<PathBuf>,
    /// Accept any TLS certificate (flagged in the status bar).
    pub insecure_skip_verify: bool,
    /// Credentials, if any.
    pub auth: Option<Auth>,
}

/// Where a credential is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// In this environment variable.
    Env(String),
    /// In this file (trailing newline dropped).
    File(PathBuf),
}

/// Credentials for a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP basic auth.
    Basic {
        /// User name.
        username: String,
        /// Where the password is.
        password: Secret,
    },
    /// A bearer token.
    Bearer(Secret),
}

/// Seconds a request may take unless configured.
pub const DEFAULT_TIMEOUT_SECS: f64 = 10.0;

impl Connection {
    /// A connection to `url` with every other setting at its default.
    #[must_use]
    pub fn to_url(url: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            timeout: DEFAULT_TIMEOUT_SECS,
            headers: Vec::new(),
            ca_file: None,
            insecure_skip_verify: false,
            auth: None,
        }
    }
}

/// Checks that `url` is an absolute http(s) URL, for `--prometheus` and the config.
///
/// # Errors
/// A message for users when it is not.
pub fn validate_url(url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if !u.username().is_empty() || u.password().is_some() => Err(format!(
            "{}: credentials do not belong in the URL, where screens and logs would show them; \
             use [prometheus.auth] with password-env or password-file",
            u.host_str().unwrap_or("the URL")
        )),
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(u) => Err(format!(
            "{url:?} is not an http:// or https:// URL (scheme {:?})",
            u.scheme()
        )),
        Err(e) => Err(format!(
            "{url:?} is not a URL ({e}); write e.g. \"http://127.0.0.1:9090\""
        )),
    }
}

/// One credential source from a pair of `*-env` / `*-file` keys.
fn one_secret(
    what: &str,
    env: Option<&String>,
    file: Option<&PathBuf>,
) -> Result<Option<Secret>, String> {
    match (env, file) {
        (Some(_), Some(_)) => Err(format!("auth: give {what}-env or {what}-file, not both")),
        (Some(e), None) => Ok(Some(Secret::Env(e.clone()))),
        (None, Some(f)) => Ok(Some(Secret::File(f.clone()))),
        (None, None) => Ok(None),
    }
}

pub(super) fn resolve_auth(a: &AuthFile) -> Result<Auth, String> {
    let password = one_secret(
        "password",
        a.password_env.as_ref(),
        a.password_file.as_ref(),
    )?;
    let token = one_secret("token", a.token_env.as_ref(), a.token_file.as_ref())?;
    match (&a.username, password, token) {
        (Some(username), Some(password), None) => Ok(Auth::Basic { username: username.clone(), password }),
        (None, None, Some(token)) => Ok(Auth::Bearer(token)),
        (Some(_), None, None) => Err("auth: username needs password-env or password-file (passwords are never written in the config)".into()),
        (None, Some(_), _) => Err("auth: a password needs a username".into()),
        (_, _, Some(_)) => Err("auth: give either username and a password, or a token, not both".into()),
        (None, None, None) => Err("auth: give username with password-env or password-file, or token-env or token-file".into()),
    }
}
