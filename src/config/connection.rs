//! How to reach a backend, as configuration says it: the URL, timeout, headers, TLS and where
//! credentials are kept (never the credentials themselves), shared by every source's section.
//! The keys as written, resolved into a [`Connection`] in one place; the one resolver of
//! credentials; and the one place command-line flags go over a section's connection.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::{ConfigError, Resolver, TIMEOUT_SECS};

/// Credentials, named by where they are kept: never written in the file itself. The keys of
/// an `auth` table, or the matching `--prometheus-*` flags.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Credentials {
    /// Basic auth user name.
    pub username: Option<String>,
    /// Environment variable holding the password.
    pub password_env: Option<String>,
    /// File holding the password.
    pub password_file: Option<PathBuf>,
    /// Environment variable holding a bearer token.
    pub token_env: Option<String>,
    /// File holding a bearer token.
    pub token_file: Option<PathBuf>,
}

/// Why [`Credentials`] do not make one [`Auth`]; the config file and the flags word each their
/// own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProblem {
    /// Both places for one secret (`"password"` or `"token"`).
    Both(&'static str),
    /// A user name with no password.
    UsernameWithoutPassword,
    /// A password with no user name.
    PasswordWithoutUsername,
    /// A token with a user name or a password.
    TokenAndPassword,
    /// Nothing at all.
    Nothing,
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
    what: &'static str,
    env: Option<&String>,
    file: Option<&PathBuf>,
) -> Result<Option<Secret>, AuthProblem> {
    match (env, file) {
        (Some(_), Some(_)) => Err(AuthProblem::Both(what)),
        (Some(e), None) => Ok(Some(Secret::Env(e.clone()))),
        (None, Some(f)) => Ok(Some(Secret::File(f.clone()))),
        (None, None) => Ok(None),
    }
}

impl Credentials {
    /// The one resolver of credentials: a user name and a password, or a token alone.
    ///
    /// # Errors
    /// What is missing or too much.
    pub fn resolve(&self) -> Result<Auth, AuthProblem> {
        let password = one_secret(
            "password",
            self.password_env.as_ref(),
            self.password_file.as_ref(),
        )?;
        let token = one_secret("token", self.token_env.as_ref(), self.token_file.as_ref())?;
        match (&self.username, password, token) {
            (Some(username), Some(password), None) => Ok(Auth::Basic {
                username: username.clone(),
                password,
            }),
            (None, None, Some(token)) => Ok(Auth::Bearer(token)),
            (Some(_), None, None) => Err(AuthProblem::UsernameWithoutPassword),
            (None, Some(_), _) => Err(AuthProblem::PasswordWithoutUsername),
            (_, _, Some(_)) => Err(AuthProblem::TokenAndPassword),
            (None, None, None) => Err(AuthProblem::Nothing),
        }
    }
}

/// An `auth` table's problem, as the config's message says it.
fn auth_table_message(problem: AuthProblem) -> String {
    match problem {
        AuthProblem::Both(what) => format!("auth: give {what}-env or {what}-file, not both"),
        AuthProblem::UsernameWithoutPassword => "auth: username needs password-env or password-file (passwords are never written in the config)".into(),
        AuthProblem::PasswordWithoutUsername => "auth: a password needs a username".into(),
        AuthProblem::TokenAndPassword => "auth: give either username and a password, or a token, not both".into(),
        AuthProblem::Nothing => "auth: give username with password-env or password-file, or token-env or token-file".into(),
    }
}

/// Connection settings given on the command line, to go over a section's.
#[derive(Debug, Default, Clone)]
pub struct ConnectionFlags {
    /// Seconds a request may take.
    pub timeout: Option<f64>,
    /// Extra headers, added to the section's.
    pub headers: Vec<(String, String)>,
    /// A PEM bundle of extra CA certificates to trust.
    pub ca_file: Option<PathBuf>,
    /// Accept any TLS certificate.
    pub insecure_skip_verify: bool,
    /// Credentials; none given leaves the section's.
    pub credentials: Credentials,
}

impl Connection {
    /// Puts `flags` over this connection: the one place command-line flags override a
    /// section. `flag` names the flags in messages (`"--prometheus"`).
    ///
    /// # Errors
    /// Credentials that do not make one [`Auth`], in the flags' words.
    pub fn layer(&mut self, flags: &ConnectionFlags, flag: &str) -> Result<(), String> {
        if let Some(t) = flags.timeout {
            self.timeout = t;
        }
        self.headers.extend(flags.headers.iter().cloned());
        if let Some(ca) = &flags.ca_file {
            self.ca_file = Some(ca.clone());
        }
        self.insecure_skip_verify |= flags.insecure_skip_verify;
        match flags.credentials.resolve() {
            Ok(auth) => self.auth = Some(auth),
            Err(AuthProblem::Nothing) => {}
            Err(AuthProblem::Both(what)) => {
                return Err(format!(
                    "give {flag}-{what}-env or {flag}-{what}-file, not both"
                ));
            }
            Err(_) => {
                return Err(format!(
                    "give {flag}-user with {flag}-password-env or -file, or \
                     {flag}-token-env or -file, alone"
                ));
            }
        }
        Ok(())
    }
}

/// Declares a backend section's file schema: `url`, the section's own keys, `interval`, the
/// connection keys every section shares, then more of its own keys. (serde's `flatten` would
/// lose `deny_unknown_fields` and the line and column of a bad value, so the shared keys are
/// written out here, once, in the order serde's "expected one of" messages list them.)
macro_rules! section_file {
    ($(#[$attr:meta])* $name:ident { $($before:tt)* } { $($after:tt)* }) => {
        $(#[$attr])*
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub(super) struct $name {
            url: toml::Spanned<String>,
            $($before)*
            interval: Option<toml::Spanned<String>>,
            timeout: Option<toml::Spanned<String>>,
            max_body: Option<toml::Spanned<String>>,
            #[serde(default)]
            headers: std::collections::BTreeMap<String, String>,
            ca_file: Option<std::path::PathBuf>,
            #[serde(default)]
            insecure_skip_verify: bool,
            auth: Option<toml::Spanned<super::connection::Credentials>>,
            $($after)*
        }

        impl $name {
            /// The connection keys, as written.
            fn connection_keys(&self) -> super::connection::ConnectionKeys<'_> {
                super::connection::ConnectionKeys {
                    url: &self.url,
                    timeout: self.timeout.as_ref(),
                    max_body: self.max_body.as_ref(),
                    headers: &self.headers,
                    ca_file: self.ca_file.as_ref(),
                    insecure_skip_verify: self.insecure_skip_verify,
                    auth: self.auth.as_ref(),
                }
            }
        }
    };
}
pub(super) use section_file;

/// A section's connection keys, as written.
pub(super) struct ConnectionKeys<'a> {
    pub url: &'a Spanned<String>,
    pub timeout: Option<&'a Spanned<String>>,
    pub max_body: Option<&'a Spanned<String>>,
    pub headers: &'a BTreeMap<String, String>,
    pub ca_file: Option<&'a PathBuf>,
    pub insecure_skip_verify: bool,
    pub auth: Option<&'a Spanned<Credentials>>,
}

impl Resolver<'_> {
    /// The connection of the `[section]` table (`"jaeger"`), which its messages name.
    pub(super) fn resolve_connection(
        &self,
        section: &str,
        keys: &ConnectionKeys<'_>,
    ) -> Result<Connection, ConfigError> {
        let url = keys.url;
        validate_url(url.get_ref(), Some(section)).map_err(|m| self.err(url.span(), m))?;
        let mut connection = Connection::to_url(url.get_ref());
        if let Some(t) = keys.timeout {
            connection.timeout = self.duration(t, "timeout", &TIMEOUT_SECS)?;
        }
        if let Some(m) = keys.max_body {
            let range = MAX_BODY_RANGE;
            connection.max_body = parse_size(m.get_ref())
                .and_then(|n| {
                    if range.contains(&n) {
                        Ok(n)
                    } else {
                        Err(format!(
                            "max-body must be between {} and {}",
                            crate::text::size_text(*range.start()),
                            crate::text::size_text(*range.end())
                        ))
                    }
                })
                .map_err(|msg| self.err(m.span(), msg))?;
        }
        connection.headers = keys
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        connection.ca_file = keys.ca_file.cloned();
        connection.insecure_skip_verify = keys.insecure_skip_verify;
        if let Some(a) = keys.auth {
            let auth = a.get_ref().resolve().map_err(auth_table_message);
            connection.auth = Some(auth.map_err(|m| self.err(a.span(), m))?);
        }
        Ok(connection)
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
