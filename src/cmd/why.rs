//! `capcom why`: the Why view's analysis for scripts, as text or JSON. The window is an SLO's
//! (its page rule's long window ending at `--to` or now) or `--from`/`--to`; the data is the
//! replay's as display time now has reached it (as `capcom snapshot` sees it), or the live
//! sources' ([`crate::source::why::Live`]); the analysis is `model::why::analyse`, the one
//! the dashboard's `w` runs. The JSON is built here, field by field, so its shape is this
//! file's promise to scripts and not a side effect of the model's types.

use std::fmt::Write as _;

use eyre::{Result, bail};
use serde_json::{Value, json};

use crate::cli::{OpenArgs, WhyArgs};
use crate::export::csv::rfc3339;
use crate::model::why::{self, Why, Window};
use crate::session::Session;
use crate::source::why::{Live, Request};
use crate::text::one_line;

/// Rows per section the text report prints (the JSON lists every row).
pub const TEXT_ROWS: usize = 10;
/// Trace ids per shared row the JSON lists (its `traces` counts them all).
pub const JSON_TRACE_IDS: usize = 20;
/// The widest a row's text is printed.
const WIDTH: usize = 200;

/// Runs `capcom why`; returns the exit code (0 when the analysis ran).
///
/// # Errors
/// An unknown SLO (the error lists the SLOs), a time that cannot be read, neither `--slo` nor
/// `--from`, a live source whose client cannot be set up, or standard output closed.
pub fn run(open: &OpenArgs, args: &WhyArgs) -> Result<u8> {
    let session = Session::prepare(open)?;
    let (app, replay) = session.start(crate::wall_now());
    let now = app.now;
    let request = request(&session, args, now, app.conductor.end(now))?;
    let input = if let Some(replay) = &replay {
        replay.why_input(&request, now)
    } else {
        let live = Live::new(&session.config).map_err(|e| eyre::eyre!("{e}"))?;
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(live.input(&request))
    };
    let why = why::analyse(&input);
    let text = if args.json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&as_json(&request, &why))?
        )
    } else {
        as_text(&request, &why)
    };
    let mut out = crate::stdio::Out::stdout();
    out.text(&text);
    out.finish()?;
    Ok(0)
}

/// The request `args` ask for at display time `now` (`day` is the date bare times fall on).
fn request(session: &Session, args: &WhyArgs, now: f64, day: f64) -> Result<Request> {
    let instant = |text: &str| super::export::instant(text, now, day);
    let end = args.to.as_deref().map_or(Ok(now), instant)?;
    if let Some(name) = &args.slo {
        let slos = &session.config.slos;
        let Some(slo) = slos.iter().find(|s| s.name == *name) else {
            let names: Vec<String> = slos.iter().map(|s| format!("{:?}", s.name)).collect();
            if names.is_empty() {
                bail!(
                    "no SLO {:?}: this dashboard has no [[slo]]",
                    one_line(name, 60)
                );
            }
            bail!(
                "no SLO {:?} in this dashboard; its SLOs are: {}",
                one_line(name, 60),
                one_line(&names.join(", "), 200)
            );
        };
        return Ok(Request::for_slo(slo, end));
    }
    let Some(from) = &args.from else {
        bail!("give --slo NAME, or --from TIME (and --to TIME)");
    };
    let from = instant(from)?;
    if end <= from {
        bail!("--to must come after --from");
    }
    let window = Window { from, to: end };
    let title = format!("{} to {}", rfc3339(from), rfc3339(end));
    Ok(Request::for_window(&title, window))
}

/// The report as text: what was compared, how much was looked at, each section's rows (the
/// significant marked `*`), the impact and what was missing.
#[must_use]
pub fn as_text(request: &Request, why: &Why) -> String {
    let mut t = String::new();
    let l = &why.looked_at;
    let _ = writeln!(
        t,
        "Why: {}\nwindow {} to {}, baseline {} to {}",
        one_line(&request.title, 120),
        rfc3339(request.window.from),
        rfc3339(request.window.to),
        rfc3339(request.baseline.from),
        rfc3339(request.baseline.to),
    );
    let _ = writeln!(
        t,
        "looked at {} traces ({} failing, {} spans), {} events ({} in the baseline), {} series",
        l.traces, l.failing, l.spans, l.events, l.baseline_events, l.series
    );
    section(
        &mut t,
        "What the failing traces share",
        why.shared.iter().map(|r| (r.significant, r.to_string())),
    );
    section(
        &mut t,
        "Where the time goes",
        why.bottleneck
            .iter()
            .map(|r| (r.significant, r.to_string())),
    );
    section(
        &mut t,
        "Log patterns new or growing",
        why.patterns.iter().map(|r| (r.significant, r.to_string())),
    );
    section(
        &mut t,
        "Metrics that moved",
        why.movers.iter().map(|r| (r.significant, r.to_string())),
    );
    let i = &why.impact;
    let _ = writeln!(
        t,
        "\nImpact: {} of {} traces failing ({:.0} %)",
        i.failing,
        i.total,
        why::percent(i.failing, i.total)
    );
    for c in i.commands.iter().take(TEXT_ROWS) {
        let _ = writeln!(
            t,
            "  command {} — {} of {} failing",
            one_line(&format!("{} {}", c.service, c.operation), WIDTH),
            c.failing,
            c.total
        );
    }
    if !i.services.is_empty() {
        let services: Vec<String> = i
            .services
            .iter()
            .map(|(s, n)| format!("{} ({n})", one_line(s, 60)))
            .collect();
        let _ = writeln!(t, "  services touched: {}", services.join(", "));
    }
    match &i.budget {
        Some(b) => {
            let _ = writeln!(
                t,
                "  error budget: error ratio {:.2} %, burn rate {:.1}×, {:.2} % of the period's budget spent in the window",
                100.0 * b.error_ratio,
                b.burn_rate,
                100.0 * b.spent
            );
        }
        None => {
            let _ = writeln!(t, "  error budget: not an SLO's window, or not known");
        }
    }
    if !why.unused.is_empty() {
        let _ = writeln!(t, "\nNot looked at ({}):", why.unused.len());
        for u in &why.unused {
            let _ = writeln!(t, "  {}", one_line(u, WIDTH));
        }
    }
    t
}

/// One section: its title with its counts, then its first [`TEXT_ROWS`] rows.
fn section(t: &mut String, title: &str, rows: impl ExactSizeIterator<Item = (bool, String)>) {
    let rows: Vec<(bool, String)> = rows.collect();
    let significant = rows.iter().filter(|(s, _)| *s).count();
    let _ = writeln!(
        t,
        "\n{title} ({} rows, {significant} significant)",
        rows.len()
    );
    for (rank, (sig, text)) in rows.iter().take(TEXT_ROWS).enumerate() {
        let mark = if *sig { '*' } else { ' ' };
        let _ = writeln!(t, "{mark} {:>2}. {}", rank + 1, one_line(text, WIDTH));
    }
    if rows.len() > TEXT_ROWS {
        let _ = writeln!(
            t,
            "  … {} more (--json lists them all)",
            rows.len() - TEXT_ROWS
        );
    }
}

/// A time as RFC 3339, or null.
fn time(t: Option<f64>) -> Value {
    t.map_or(Value::Null, |t| Value::String(rfc3339(t)))
}

/// A window as `{from, to}`, RFC 3339 and Unix seconds.
fn window(w: Window) -> Value {
    json!({"from": rfc3339(w.from), "to": rfc3339(w.to), "from_unix": w.from, "to_unix": w.to})
}

/// The report as one JSON document: every section's rows best first, each with its `rank`
/// (1 is first), its counts and `significant`. Strings are as the telemetry wrote them (JSON
/// escapes them); non-finite numbers are null.
#[must_use]
pub fn as_json(request: &Request, why: &Why) -> Value {
    let l = &why.looked_at;
    let (shared, bottleneck, patterns, movers) = sections(why);
    let i = &why.impact;
    json!({
        "title": request.title,
        "slo": request.slo,
        "service": request.service,
        "window": window(request.window),
        "baseline": window(request.baseline),
        "looked_at": {
            "traces": l.traces,
            "failing": l.failing,
            "spans": l.spans,
            "events": l.events,
            "baseline_events": l.baseline_events,
            "series": l.series,
        },
        "shared": shared,
        "bottleneck": bottleneck,
        "patterns": patterns,
        "movers": movers,
        "impact": impact(i),
        "missing": why.unused,
    })
}

/// The four ranked sections' rows, as JSON.
fn sections(why: &Why) -> (Vec<Value>, Vec<Value>, Vec<Value>, Vec<Value>) {
    let shared: Vec<Value> = why
        .shared
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "rank": i + 1,
                "kind": r.kind.word(),
                "key": r.key,
                "value": r.value,
                "failing": r.failing,
                "failing_total": r.failing_total,
                "others": r.others,
                "others_total": r.others_total,
                "score": r.score,
                "significant": r.significant,
                "traces": r.traces.len(),
                "trace_ids": r.trace_ids().take(JSON_TRACE_IDS).collect::<Vec<_>>(),
            })
        })
        .collect();
    let bottleneck: Vec<Value> = why
        .bottleneck
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "rank": i + 1,
                "service": r.service,
                "operation": r.operation,
                "failing_secs": r.failing_secs,
                "others_secs": r.others_secs,
                "failing_share": r.failing_share,
                "failing_per_trace": r.failing_per_trace,
                "others_per_trace": r.others_per_trace,
                "significant": r.significant,
            })
        })
        .collect();
    let patterns: Vec<Value> = why
        .patterns
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "rank": i + 1,
                "template": r.template.to_string(),
                "window": r.window,
                "baseline": r.baseline,
                "new": r.new,
                "growth": r.growth,
                "first_seen": time(r.first_seen),
                "last_seen": time(r.last_seen),
                "significant": r.significant,
            })
        })
        .collect();
    let movers: Vec<Value> = why
        .movers
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let direction = match r.direction {
                why::movers::Direction::Up => "up",
                why::movers::Direction::Down => "down",
                why::movers::Direction::Flat => "flat",
            };
            json!({
                "rank": i + 1,
                "name": r.name,
                "labels": r.labels,
                "before": r.before,
                "after": r.after,
                "direction": direction,
                "score": r.score,
                "significant": r.significant,
            })
        })
        .collect();
    (shared, bottleneck, patterns, movers)
}

/// The impact section, as JSON.
fn impact(i: &why::impact::Impact) -> Value {
    json!({
        "failing": i.failing,
        "total": i.total,
        "commands": i.commands.iter().map(|c| json!({
            "service": c.service,
            "operation": c.operation,
            "failing": c.failing,
            "total": c.total,
        })).collect::<Vec<_>>(),
        "services": i.services.iter().map(|(s, n)| json!({"service": s, "failing": n})).collect::<Vec<_>>(),
        "budget": i.budget.map(|b| json!({
            "bad": b.bad,
            "error_ratio": b.error_ratio,
            "burn_rate": b.burn_rate,
            "spent": b.spent,
        })),
    })
}
