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
    /// The largest answer read, in bytes; a larger one is refused while it streams in.
    pub max_body: u64,
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

/// The largest answer read unless configured: far above any sensible dashboard query (a
/// window of 11,000 points is about 300 KiB a series), far below what hurts a ground station.
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// The range `max-body` may be set in.
pub const MAX_BODY_RANGE: std::ops::RangeInclusive<u64> = 64 * 1024..=1024 * 1024 * 1024;

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
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// A size as written in the configuration: a whole number of bytes, or one with a unit
/// (`512KiB`, `64MiB`, `1GiB`; `KB`, `MB`, `GB` are taken as the same powers of two).
///
/// # Errors
/// A message for users when it is not a size.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("{t:?} is not a size; write e.g. \"64MiB\"")),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("{t:?} is not a size; write e.g. \"64MiB\""))
}

/// Checks that `url` is an absolute http(s) URL, for `--prometheus`, the simulator's flags and
/// the config. `section` is the config section the URL belongs to (`"jaeger"`), whose `.auth`
/// table a message about credentials points to; `None` where there is no such table.
///
/// # Errors
/// A message for users when it is not.
pub fn validate_url(url: &str, section: Option<&str>) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if !u.username().is_empty() || u.password().is_some() => Err(format!(
            "{}: credentials do not belong in the URL, where screens and logs would show them{}",
            u.host_str().unwrap_or("the URL"),
            section.map_or(String::new(), |s| format!(
                "; use [{s}.auth] with password-env or password-file"
            ))
        )),
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(u) => Err(format!(
            "{:?} is not an http:// or https:// URL (scheme {:?})",
            without_userinfo(url),
            u.scheme()
        )),
        Err(e) => Err(format!(
            "{:?} is not a URL ({e}); write e.g. \"http://127.0.0.1:9090\"",
            without_userinfo(url)
        )),
    }
}

/// `url` with anything between `scheme://` and an `@` replaced, so an error that quotes a URL
/// which does not parse never quotes the password in it.
fn without_userinfo(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let authority_end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    match url[start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}{}{}",
            &url[..start],
            crate::text::REDACTED,
            &url[start + at..]
        ),
        None => url.to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_url_with_a_password_is_never_quoted_with_it() {
        for url in [
            "http://ops:hunter2@[::1/prom",
            "http://ops:hunter2@host:99999/",
        ] {
            let e = validate_url(url, Some("prometheus")).expect_err("refused");
            assert!(!e.contains("hunter2"), "{e}");
            assert!(e.contains("‹redacted›@"), "{e}");
        }
        for url in ["http://ops:hunter2@host/", "ftp://ops:hunter2@host/"] {
            let e = validate_url(url, Some("prometheus")).expect_err("refused");
            assert!(
                !e.contains("hunter2") && e.contains("credentials do not belong"),
                "{e}"
            );
        }
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("65536"), Ok(65_536));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("512 KiB"), Ok(512 << 10));
        assert_eq!(parse_size("1GB"), Ok(1 << 30));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999999GiB").is_err());
    }
}
