//! OpenSearch: the pure parser of `_search` answers into events, the thin client, and the
//! live tail.

mod client;
mod parse;
pub mod tail;

pub use client::OpenSearchClient;
pub use parse::{
    FieldMap, Hit, SearchError, SearchPage, lookup, parse_search, parse_time, to_event,
};
pub use tail::{tail_request, until_request};
