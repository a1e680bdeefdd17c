//! The rover world simulator: a deterministic rover on a traverse over one Martian sol
//! (`world`), and what it writes: the bundled recording (`recording`). It is the single source
//! of the demo data, so regenerating it reproduces the committed files byte for byte.

pub mod events;
pub mod metrics;
pub mod recording;
pub mod rng;
pub mod world;
