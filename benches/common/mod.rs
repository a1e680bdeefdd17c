//! What the benches share: an app whose every query was answered, as a poller answers, then
//! sized like a terminal.

use capcom::action::Action;
use capcom::app::App;
use capcom::model::Series;
use capcom::source::SourceUpdate;
use capcom::source::prometheus::QueryResult;

/// Answers each of `app`'s queries `q` with `series(q)` at `now`, then sizes it `w`×`h`.
pub fn answered(
    app: &mut App,
    now: f64,
    series: impl Fn(usize) -> Vec<Series>,
    (w, h): (u16, u16),
) {
    for q in 0..app.config.queries.len() {
        app.update(Action::Source(SourceUpdate::MetricsFetched {
            query: q,
            fetched_at: now,
            result: Ok(QueryResult {
                series: series(q),
                warnings: vec![],
            }),
            replace: false,
        }));
    }
    app.update(Action::Resize {
        width: w,
        height: h,
    });
}
