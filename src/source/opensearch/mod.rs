//! OpenSearch: the pure parser of `_search` answers into events, the thin client, and the
//! live tail.

mod parse;
pub mod tail;

pub use parse::*;
pub use tail::{OpenSearchClient, tail_request};
