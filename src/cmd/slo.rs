//! `capcom slo`: each SLO's state once, as a table or JSON, with the exit status monitoring
//! plugins use (0 ok, 1 ticket, 2 page, 3 unknown), so cron and other monitoring can run it.
//! Anything that stops it from knowing — a bad config, no SLOs — is unknown (3), not an error
//! status another tool could read as a page.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::app::App;
use crate::cli::OpenArgs;
use crate::config::{Slo, prom_duration};
use crate::model::slo::{Alert, burn_rate, data_span};
use crate::session::Session;
use crate::ui::panes::slo::INSUFFICIENT;

/// Runs `capcom slo`: prints the report and returns the exit status.
#[must_use]
pub fn run(open: &OpenArgs, json_out: bool) -> u8 {
    match report(open, json_out) {
        Ok((text, alert)) => {
            let mut out = crate::stdio::Out::stdout();
            out.text(&text);
            match out.finish() {
                Ok(()) => u8::try_from(alert.exit_code()).unwrap_or(3),
                Err(e) => {
                    crate::stdio::report_error(&e.into());
                    3
                }
            }
        }
        Err(e) => {
            crate::stdio::report_error(&e);
            3
        }
    }
}

fn report(open: &OpenArgs, json_out: bool) -> eyre::Result<(String, Alert)> {
    let session = Session::prepare(open)?;
    if session.config.slos.is_empty() {
        eyre::bail!("the configuration has no [[slo]]: nothing to report");
    }
    let app = super::snapshot::settled(&session, (160, 48), crate::wall_now())?;
    let worst = app
        .config
        .slos
        .iter()
        .map(|s| app.slo_status(s).alert)
        .min()
        .unwrap_or(Alert::Unknown);
    let text = if json_out {
        let list: Vec<Value> = app.config.slos.iter().map(|s| as_json(&app, s)).collect();
        format!("{}\n", serde_json::to_string_pretty(&Value::Array(list))?)
    } else {
        table(&app)
    };
    Ok((text, worst))
}

/// One SLO as JSON: numbers as numbers, unknowns as null. `data_seconds` is how far back the
/// SLI's data reaches (the budget is computed over the least of it and the period);
/// `insufficient_windows` those whose burn rate does not count yet, and `insufficient_data`
/// whether that is why the alert is unknown.
#[must_use]
pub fn as_json(app: &App, slo: &Slo) -> Value {
    let status = app.slo_status(slo);
    let burns: serde_json::Map<String, Value> = status
        .ratios
        .iter()
        .map(|&(w, r)| {
            (
                prom_duration(w),
                r.map_or(Value::Null, |r| json!(burn_rate(r, slo.objective))),
            )
        })
        .collect();
    json!({
        "name": slo.name,
        "service": slo.service,
        "objective": slo.objective,
        "period": prom_duration(slo.period),
        "sli": slo.sli.kind(),
        "sli_value": status.sli(),
        "error_budget_remaining": status.budget(slo.objective),
        "burn_rate": burns,
        "data_seconds": status.data_age,
        "insufficient_windows": status
            .ratios
            .iter()
            .filter(|(w, r)| r.is_some() && !status.enough_data(*w))
            .map(|(w, _)| prom_duration(*w))
            .collect::<Vec<_>>(),
        "insufficient_data": status.insufficient,
        "alert": status.alert.word(),
    })
}

fn table(app: &App) -> String {
    let windows: Vec<f64> = app
        .config
        .slos
        .first()
        .map(|s| s.windows.iter().map(|(w, _)| *w).collect())
        .unwrap_or_default();
    let name_w = app
        .config
        .slos
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "{:<7} {:<name_w$} {:<14} {:>9} {:>6} {:>8} {:>8}  burn rate",
        "ALERT", "SLO", "SERVICE", "OBJECTIVE", "PERIOD", "SLI", "BUDGET"
    );
    for w in &windows {
        let _ = write!(out, " {:>6}", prom_duration(*w));
    }
    out.push_str("  DATA\n");
    let pct = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| format!("{:.2}%", v * 100.0));
    for slo in &app.config.slos {
        let s = app.slo_status(slo);
        let _ = write!(
            out,
            "{:<7} {:<name_w$} {:<14} {:>9} {:>6} {:>8} {:>8}           ",
            s.alert.word(),
            crate::text::one_line(&slo.name, name_w),
            crate::text::one_line(&slo.service, 14),
            format!(
                "{}%",
                crate::source::prometheus::format_value(slo.objective * 100.0)
            ),
            prom_duration(slo.period),
            pct(s.sli()),
            pct(s.budget(slo.objective)),
        );
        for &(w, r) in &s.ratios {
            let b = match r {
                None => "?".to_owned(),
                Some(_) if !s.enough_data(w) => INSUFFICIENT.to_owned(),
                Some(r) => format!("{:.2}", burn_rate(r, slo.objective)),
            };
            let _ = write!(out, " {b:>6}");
        }
        let data = s
            .data_age
            .map_or_else(|| "?".to_owned(), |a| data_span(a.min(slo.period)));
        let why = if s.insufficient {
            " (insufficient data)"
        } else {
            ""
        };
        let _ = writeln!(out, "  {data}{why}");
    }
    out
}
