//! Jaeger: the pure parsers of its query APIs' answers (v3 and v1), the thin client, and the
//! task that searches traces and fetches them by id.

mod client;
pub mod search;
mod v3;

pub use client::*;
pub use v3::*;
