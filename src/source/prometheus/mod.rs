//! Prometheus: the pure parsers of its HTTP API's answers, the thin client, and the live
//! poller (one task per query).

mod client;
mod parse;
pub mod poller;

pub use client::{Encoding, FetchStats, Fetched, PrometheusClient};
pub use parse::{ParseError, QueryResult, format_value, parse_query, parse_query_range};
