//! `e`: export what is focused. (Issue 16: being built.)

use super::{App, Handled};

impl App {
    /// `e`.
    pub(super) fn export_key(&mut self) -> Handled {
        self.notice = Some("export is not built yet".into());
        Handled::DONE
    }
}
