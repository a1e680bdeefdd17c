//! A replay's answer to a Why request: the recorded traces, events and series of the window
//! and its baseline, as display time `now` has reached them.
//!
//! CONTRACT (issue 17 phase 2): the GATHER helper's.

use super::Replay;
use crate::model::why::Input;
use crate::source::why::{Request, empty_input};

impl Replay {
    /// What `request` needs, from the recording as display time `now` has reached it.
    #[must_use]
    pub fn why_input(&self, request: &Request, now: f64) -> Input {
        let _ = now;
        empty_input(request, "a replay's why is not built yet")
    }
}
