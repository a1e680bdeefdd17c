//! Prometheus: the pure parsers of its HTTP API's answers, the thin client, and the live
//! poller (one task per query).

mod parse;
pub mod poller;

pub use parse::*;
