//! The rover world simulator: a deterministic rover on a traverse over one Martian sol
//! (`world`), what it reports (`metrics`, `events`, `traces`, and the alerts its rules raise:
//! `alerts`), and what it writes: the bundled recording (`recording`, with `otlp` for the
//! Jaeger body). It is the single source
//! of the demo data, so regenerating it reproduces the committed files byte for byte.

#![cfg_attr(test, allow(clippy::float_cmp))]
// The float functions capcom keeps out to not load libm (clippy.toml) are fine in the simulator.
#![allow(clippy::disallowed_methods)]

pub mod alerts;
pub mod bulk;
pub mod cli;
pub mod events;
pub mod export;
pub mod live;
pub mod metrics;
pub mod otlp;
pub mod recording;
pub mod rng;
pub mod slo;
mod span_builder;
pub mod traces;
pub mod world;

/// Why a request to one of the simulator's outputs failed, in one line: a timeout as such,
/// a connection failure as `cannot connect: <innermost cause>` ("Connection refused (os error
/// 111)"), anything else as its innermost cause. reqwest's own text stops before the cause.
fn request_failure(e: &reqwest::Error, timeout: std::time::Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f64());
    }
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    let what = capcom::text::one_line(&inner.to_string(), 120);
    if e.is_connect() {
        format!("cannot connect: {what}")
    } else {
        what
    }
}
