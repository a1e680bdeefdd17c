//! `w`: the Why view. The app builds a [`Request`] for what is in view (the selected SLO, the
//! fault shown or selected, else the conductor's window), hands it to the loop as
//! `Effect::Why`, and shows the report that comes back as `SourceUpdate::WhyAnalysed`.
//!
//! CONTRACT (issue 17 phase 2): the VIEW helper's.

use super::{App, Handled};
use crate::model::why::Why;
use crate::source::why::Request;

impl App {
    /// `w`.
    pub(super) fn why_key(&mut self) -> Handled {
        self.notice = Some("why is not built yet".into());
        Handled::DONE
    }

    /// A Why analysis came back.
    pub(super) fn why_analysed(&mut self, request: &Request, result: &Result<Box<Why>, String>) {
        if let Err(why) = result {
            self.notice = Some(format!(
                "why {}: {}",
                crate::text::one_line(&request.title, 40),
                crate::text::one_line(why, 120)
            ));
        }
    }
}
