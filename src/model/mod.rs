//! The data model: series buffers and limit states. Plain values only — nothing here knows about
//! terminals (ratatui) or networks (reqwest), so all of it is tested with plain values.

pub mod conductor;
pub mod critical_path;
pub mod event;
pub mod fault;
pub mod limits;
pub mod notebook;
pub mod series;
pub mod slo;
pub mod span;
pub mod threshold;
pub mod traces;
pub mod waterfall;
pub mod why;

pub use conductor::Conductor;
pub use limits::{LimitLevel, Limits};
pub use series::{Labels, Point, Series, SeriesBuf, SeriesSet};
