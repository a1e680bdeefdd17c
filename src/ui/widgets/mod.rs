//! Small reusable widgets.

pub mod strip;
