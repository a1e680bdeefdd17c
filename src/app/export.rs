//! `e`: export what is focused or shown, over the time conductor's window. The app only builds
//! an owned [`Request`] (the data as held, copied out) and hands it to the loop as an effect;
//! the export task renders and writes it on tokio's blocking pool and answers
//! `SourceUpdate::Exported`, which the status bar reports.

use std::path::PathBuf;

use super::{App, Handled, View};
use crate::action::Effect;
use crate::config::{PaneId, PaneKind, Query, QueryId, fill_legend};
use crate::export::{Chart, Content, Line, Panel, Path, Request};
use crate::model::{Labels, SeriesSet};
use crate::text::safe_line;

/// The widest a legend or title is written into a chart.
const TEXT_MAX: usize = 80;

impl App {
    /// `e`.
    pub(super) fn export_key(&mut self) -> Handled {
        match self.export_shown() {
            Ok(request) => {
                let name = safe_line(&request.pane, 40);
                self.notice = Some(format!("exporting {name}…"));
                Handled::Done(vec![Effect::Export(Box::new(request))])
            }
            Err(why) => {
                self.notice = Some(why);
                Handled::DONE
            }
        }
    }

    /// The export of what is shown: the trace of a waterfall or span view, an alert's chart,
    /// a zoomed pane, else the focused pane.
    ///
    /// # Errors
    /// Why what is shown cannot be exported, for the status bar.
    pub fn export_shown(&self) -> Result<Request, String> {
        for view in self.views.iter().rev() {
            match view {
                View::Trace(t) => return Ok(self.trace_request(&t.trace)),
                View::Span { trace, .. } => return Ok(self.trace_request(trace)),
                View::AlertChart(v) => {
                    let to = self.conductor.end(self.now);
                    let from = to - v.window(self.conductor.window);
                    let lines = lines(&self.queries[self.chart_slot()].set, from, to, |l| {
                        crate::export::csv::labels_text(l)
                    });
                    let title = match &v.fault {
                        Some(f) => format!("{} · {}", f.name, v.expression),
                        None => format!("query · {}", v.expression),
                    };
                    let chart = Chart {
                        title: safe_line(&title, TEXT_MAX),
                        from,
                        to,
                        panels: vec![panel(&v.query, lines, true)],
                    };
                    let name = if v.fault.is_some() { "alert" } else { "query" };
                    return Ok(self.request(name, Content::Chart(chart)));
                }
                View::FaultDetail { .. } => {
                    return Err(
                        "a fault is not exported: c charts its rule, e there exports the chart"
                            .into(),
                    );
                }
                View::Zoom(p) => return self.export_pane(*p),
                _ => {}
            }
        }
        self.export_pane(self.focus)
    }

    /// The export of pane `pane` over the conductor's window.
    ///
    /// # Errors
    /// The pane shows nothing that can be exported (traces, SLOs, faults).
    pub fn export_pane(&self, pane: PaneId) -> Result<Request, String> {
        let p = &self.config.panes[pane];
        let (from, to) = (self.conductor.start(self.now), self.conductor.end(self.now));
        let content = match &p.kind {
            PaneKind::Chart(qs) | PaneKind::Table(qs) => Content::Chart(Chart {
                title: safe_line(&format!("{} · {}", self.config.title, p.title), TEXT_MAX),
                from,
                to,
                panels: qs.iter().map(|&q| self.query_panel(q, from, to)).collect(),
            }),
            PaneKind::Path { x, y, heading } => {
                let held = |q: QueryId| {
                    self.queries[q]
                        .set
                        .iter()
                        .next()
                        .map(|(_, b)| (b.window(from, to).to_vec(), b.step()))
                        .unwrap_or_default()
                };
                let (xs, step) = held(*x);
                Content::Path(Path {
                    title: safe_line(&format!("{} · {}", self.config.title, p.title), TEXT_MAX),
                    from,
                    to,
                    x: xs,
                    y: held(*y).0,
                    heading: heading.map(|h| held(h).0).unwrap_or_default(),
                    step,
                })
            }
            PaneKind::Events => Content::Events(
                self.events
                    .log
                    .iter()
                    .filter(|e| e.t.is_some_and(|t| t >= from && t <= to))
                    .map(|e| (*e.doc).clone())
                    .collect(),
            ),
            PaneKind::Traces => {
                return match self.traces.selected_trace() {
                    Some(listed) => Ok(self.trace_request(&listed.trace)),
                    None => Err("no trace is selected to export".into()),
                };
            }
            PaneKind::Slo | PaneKind::Faults => {
                return Err(format!(
                    "nothing to export in {}: e takes a chart, table, path, events or a trace",
                    safe_line(&p.title, 20)
                ));
            }
        };
        Ok(self.request(&p.id, content))
    }

    /// A trace's export, named after its id (files `trace-<id>-<stamp>.jaeger.json`, …).
    fn trace_request(&self, trace: &std::sync::Arc<crate::model::span::Trace>) -> Request {
        let id: String = trace.trace_id.chars().take(32).collect();
        self.request(&format!("trace-{id}"), Content::Trace(trace.clone()))
    }

    fn request(&self, pane: &str, content: Content) -> Request {
        Request {
            pane: pane.to_owned(),
            at: self.wall_now(),
            content,
        }
    }

    /// The window an alert's chart shows: at least its hour, ending where the conductor does.
    fn query_panel(&self, q: QueryId, from: f64, to: f64) -> Panel {
        let query = &self.config.queries[q];
        let lines = lines(&self.queries[q].set, from, to, |l| {
            safe_line(&fill_legend(&query.legend, l), TEXT_MAX)
        });
        panel(query, lines, false)
    }

    /// What an export's answer says in the status bar: the pane, then the first file's path
    /// and the other files' extensions, shortened to fit the screen; or why it failed.
    pub(super) fn exported(&mut self, pane: &str, result: &Result<Vec<PathBuf>, String>) {
        let pane = safe_line(pane, 30);
        let width = usize::from(self.size.0).saturating_sub(2).max(20);
        self.notice = Some(match result {
            Ok(paths) if !paths.is_empty() => {
                let first = paths[0].display().to_string();
                let stem_len = paths[0].file_stem().map_or(0, |s| {
                    s.to_string_lossy().split('.').next().map_or(0, str::len)
                });
                let others: Vec<String> = paths[1..]
                    .iter()
                    .filter_map(|p| {
                        let name = p.file_name()?.to_string_lossy().into_owned();
                        name.get(stem_len..).map(str::to_owned)
                    })
                    .collect();
                let tail = if others.is_empty() {
                    String::new()
                } else {
                    format!(", {}", others.join(", "))
                };
                let head = format!("exported {pane} → ");
                let room = width.saturating_sub(head.chars().count() + tail.chars().count());
                format!("{head}{}{tail}", shorten_path(&first, room))
            }
            Ok(_) => format!("exported {pane}: nothing written"),
            Err(why) => format!("export of {pane} failed: {why}"),
        });
    }
}

/// `path` made safe and cut to `width` characters by eliding the middle of its folders, so the
/// file's name always shows.
fn shorten_path(path: &str, width: usize) -> String {
    let safe = safe_line(path, usize::MAX);
    let n = safe.chars().count();
    if n <= width {
        return safe;
    }
    let name_at = safe.rfind('/').map_or(0, |i| i + 1);
    let name: String = safe[name_at..].to_owned();
    let keep = width.saturating_sub(name.chars().count() + 1);
    if keep < 4 {
        return safe_line(&name, width.max(8));
    }
    let head: String = safe.chars().take(keep / 2).collect();
    let folder: Vec<char> = safe[..name_at].chars().collect();
    let tail: String = folder[folder.len().saturating_sub(keep - keep / 2)..]
        .iter()
        .collect();
    format!("{head}…{tail}{name}")
}

/// A query's series over `[from, to]` (with a point either side), each legend by `legend`.
fn lines(set: &SeriesSet, from: f64, to: f64, legend: impl Fn(&Labels) -> String) -> Vec<Line> {
    set.iter()
        .map(|(labels, buf)| Line {
            legend: legend(labels),
            labels: labels.clone(),
            points: buf.window(from, to).to_vec(),
            step: buf.step(),
        })
        .filter(|l| !l.points.is_empty())
        .collect()
}

fn panel(query: &Query, lines: Vec<Line>, show_all_limits: bool) -> Panel {
    let template = fill_legend(&query.legend, &Labels::new());
    let name = if template.trim().is_empty() {
        query.promql.clone()
    } else {
        template.trim().to_owned()
    };
    Panel {
        name: safe_line(&name, TEXT_MAX),
        unit: query.unit.clone(),
        precision: query.precision,
        limits: query.limits,
        show_all_limits,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_path_keeps_its_file_name() {
        let p = "/home/operator/.local/share/capcom/exports/environment-20261126T091030Z.png";
        let s = shorten_path(p, 50);
        assert!(s.ends_with("environment-20261126T091030Z.png"), "{s}");
        assert!(s.chars().count() <= 50, "{s}");
        assert_eq!(shorten_path("/a/b.png", 50), "/a/b.png");
    }
}
