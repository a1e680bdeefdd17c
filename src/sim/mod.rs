//! The rover world simulator: a deterministic rover on a traverse over one Martian sol
//! (`world`), what it reports (`metrics`, `events`, `traces`), and what it writes: the bundled
//! recording (`recording`, with `otlp` for the Jaeger body). It is the single source
//! of the demo data, so regenerating it reproduces the committed files byte for byte.

pub mod bulk;
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
