//! Service level objectives, as the Google SRE Workbook's "Alerting on SLOs" does them: the
//! error ratio over a window, the burn rate (how fast the error budget goes: 1 spends exactly
//! the budget over the period), the budget left over the period, and multi-window,
//! multi-burn-rate alerts. No I/O: the ratios come in, the verdicts go out. Missing data is
//! `Unknown`, never `Ok`.

/// Seconds in a day.
const DAY: f64 = 86_400.0;

/// The alert an SLO is in, loudest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Alert {
    /// Burning fast: someone should act now.
    Page,
    /// Burning slowly: someone should look today.
    Ticket,
    /// No rule has data enough to say (never shown as ok).
    Unknown,
    /// Every rule has data, and none fires.
    Ok,
}

impl Alert {
    /// The word shown and printed (`page`, `ticket`, `unknown`, `ok`).
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::Ticket => "ticket",
            Self::Unknown => "unknown",
            Self::Ok => "ok",
        }
    }

    /// The exit status of `capcom slo`, as monitoring plugins use them.
    #[must_use]
    pub fn exit_code(self) -> i32 {
        match self {
            Self::Ok => 0,
            Self::Ticket => 1,
            Self::Page => 2,
            Self::Unknown => 3,
        }
    }
}

/// One multi-window rule: it fires when the burn rate over both windows exceeds `factor`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// What it raises.
    pub alert: Alert,
    /// The long window, seconds (how much budget has gone).
    pub long: f64,
    /// The short window, seconds (whether it is still going).
    pub short: f64,
    /// The burn rate both windows must exceed.
    pub factor: f64,
}

/// The Workbook's four rules for an SLO over `period` seconds: page when an hour burns 2 %
/// of the budget (and five minutes still burn as fast) or six hours burn 5 %; ticket when a
/// day burns 10 % or three days burn 10 %. The factor is the budget share times the period
/// over the long window: 14.4, 6, 3 and 1 for 30 days.
#[must_use]
pub fn workbook_rules(period: f64) -> Vec<Rule> {
    let rule = |alert, long: f64, short: f64, share: f64| Rule {
        alert,
        long,
        short,
        factor: share * period / long,
    };
    vec![
        rule(Alert::Page, 3_600.0, 300.0, 0.02),
        rule(Alert::Page, 6.0 * 3_600.0, 1_800.0, 0.05),
        rule(Alert::Ticket, DAY, 2.0 * 3_600.0, 0.10),
        rule(Alert::Ticket, 3.0 * DAY, 6.0 * 3_600.0, 0.10),
    ]
}

/// The burn rate of an error ratio against an objective (e.g. 0.999): 1 spends the budget
/// exactly over the period.
#[must_use]
pub fn burn_rate(error_ratio: f64, objective: f64) -> f64 {
    error_ratio / (1.0 - objective)
}

/// The share of the error budget left after a period whose error ratio was `error_ratio`
/// (negative once overspent).
#[must_use]
pub fn budget_remaining(error_ratio: f64, objective: f64) -> f64 {
    1.0 - burn_rate(error_ratio, objective)
}

/// The share of the budget a burn rate spends in `window` seconds of a `period`.
#[must_use]
pub fn budget_spent(burn: f64, window: f64, period: f64) -> f64 {
    burn * window / period
}

/// Whether two windows (seconds) are the same window. Prometheus writes a window in whole
/// seconds (see `prom_duration`), so windows are compared as whole seconds: the one
/// comparison for a window's query, a rule's windows and the pane's marks.
#[must_use]
pub fn same_window(a: f64, b: f64) -> bool {
    a.round() as i64 == b.round() as i64
}

/// The windows the rules need, shortest first, without repeats.
#[must_use]
pub fn windows(rules: &[Rule]) -> Vec<f64> {
    let mut w: Vec<f64> = rules.iter().flat_map(|r| [r.short, r.long]).collect();
    w.sort_by(f64::total_cmp);
    w.dedup();
    w
}

/// The share of a window its data must cover for the window's burn rate to count: a rate
/// over five minutes of data is not yet an hour's.
pub const MIN_COVERAGE: f64 = 0.9;

/// The share of `window` seconds that data reaching `data_age` seconds back covers (0 to 1).
#[must_use]
pub fn coverage(data_age: f64, window: f64) -> f64 {
    if window <= 0.0 {
        return 1.0;
    }
    (data_age.min(window) / window).clamp(0.0, 1.0)
}

/// Whether data reaching `data_age` seconds back (`None`: not known) covers at least
/// [`MIN_COVERAGE`] of `window`.
#[must_use]
pub fn enough_data(data_age: Option<f64>, window: f64) -> bool {
    data_age.is_some_and(|a| coverage(a, window) >= MIN_COVERAGE)
}

/// How much data there is, to its two largest units: `50s`, `4m52s`, `3h12m`, `2d04h`, `30d`.
#[must_use]
pub fn data_span(secs: f64) -> String {
    let s = secs.max(0.0).floor() as u64;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60, s % 60);
    if d > 0 && h == 0 {
        format!("{d}d")
    } else if d > 0 {
        format!("{d}d{h:02}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m{sec:02}s")
    } else {
        format!("{sec}s")
    }
}

/// What an SLO's rules say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// The alert.
    pub alert: Alert,
    /// The loudest rule that fires (the first such, in rule order).
    pub firing: Option<Rule>,
    /// The alert is `Unknown` because every rule of the loudest severity (every page rule)
    /// has its values but not data enough to judge them: `UNKNOWN (insufficient data)`.
    pub insufficient: bool,
}

/// The alert for error ratios per window (`ratio(window)`: `None` for no data), with data
/// enough for every window. A rule fires when both its windows burn faster than its factor;
/// the loudest firing rule wins. When none fires, it is `Ok` only if every rule had both its
/// windows.
pub fn evaluate(objective: f64, rules: &[Rule], ratio: impl Fn(f64) -> Option<f64>) -> Alert {
    verdict(objective, rules, ratio, Some(f64::INFINITY)).alert
}

/// What the rules say of error ratios per window, when the SLI's data reaches `data_age`
/// seconds back (`None`: not known). A rule whose windows are not covered by data enough
/// (see [`enough_data`]) cannot fire: a fresh Prometheus's first minute, read as an hour,
/// would page at once. When every page rule (every rule, without page rules) is so, the SLO
/// is `Unknown` for insufficient data, never `Ok`; a rule without values is unknown as
/// before; rules lacking only coverage otherwise leave the verdict to the others.
pub fn verdict(
    objective: f64,
    rules: &[Rule],
    ratio: impl Fn(f64) -> Option<f64>,
    data_age: Option<f64>,
) -> Verdict {
    let mut known = true;
    let mut worst: Option<Rule> = None;
    let mut starved = Vec::new();
    for r in rules {
        match (ratio(r.long), ratio(r.short)) {
            (Some(l), Some(s)) if l.is_finite() && s.is_finite() => {
                if !(enough_data(data_age, r.long) && enough_data(data_age, r.short)) {
                    starved.push(r.alert);
                    continue;
                }
                let fires =
                    burn_rate(l, objective) > r.factor && burn_rate(s, objective) > r.factor;
                if fires && worst.is_none_or(|w| r.alert < w.alert) {
                    worst = Some(*r);
                }
            }
            _ => known = false,
        }
    }
    let loudest = rules.iter().map(|r| r.alert).min();
    let insufficient = loudest.is_some_and(|top| {
        rules.iter().filter(|r| r.alert == top).count()
            == starved.iter().filter(|a| **a == top).count()
    });
    let (alert, insufficient) = match (worst, known) {
        (Some(r), _) => (r.alert, false),
        (None, _) if insufficient => (Alert::Unknown, true),
        (None, true) => (Alert::Ok, false),
        (None, false) => (Alert::Unknown, false),
    };
    Verdict {
        alert,
        firing: worst,
        insufficient,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THIRTY_DAYS: f64 = 30.0 * DAY;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn the_workbook_factors_for_thirty_days_and_scaled_for_others() {
        let f: Vec<f64> = workbook_rules(THIRTY_DAYS)
            .iter()
            .map(|r| r.factor)
            .collect();
        for (got, want) in f.iter().zip([14.4, 6.0, 3.0, 1.0]) {
            assert!(close(*got, want), "{f:?}");
        }
        let f28: Vec<f64> = workbook_rules(28.0 * DAY)
            .iter()
            .map(|r| r.factor)
            .collect();
        assert!(close(f28[0], 0.02 * 28.0 * 24.0), "{f28:?}");
        assert!(close(f28[3], 0.1 * 28.0 / 3.0));
    }

    #[test]
    fn worked_numbers_of_the_workbook() {
        // (error ratio, objective, burn rate)
        for (ratio, objective, burn) in [
            (0.001, 0.999, 1.0),
            (0.0144, 0.999, 14.4),
            (0.01, 0.99, 1.0),
            (0.0, 0.999, 0.0),
            (0.05, 0.95, 1.0),
        ] {
            assert!(
                close(burn_rate(ratio, objective), burn),
                "{ratio} at {objective}"
            );
        }
        // 14.4× for one hour of thirty days spends 2 % of the budget; 6× for six hours 5 %;
        // 1× for the whole period all of it.
        assert!(close(budget_spent(14.4, 3_600.0, THIRTY_DAYS), 0.02));
        assert!(close(budget_spent(6.0, 6.0 * 3_600.0, THIRTY_DAYS), 0.05));
        assert!(close(budget_spent(1.0, THIRTY_DAYS, THIRTY_DAYS), 1.0));
        assert!(close(budget_remaining(0.0005, 0.999), 0.5));
        assert!(
            budget_remaining(0.002, 0.999) < 0.0,
            "overspent is negative"
        );
    }

    /// The alert for constant ratios per window, 99.9 % over 30 days.
    fn alert(ratios: &[(f64, Option<f64>)]) -> Alert {
        let rules = workbook_rules(THIRTY_DAYS);
        evaluate(0.999, &rules, |w| {
            ratios
                .iter()
                .find(|(win, _)| same_window(*win, w))
                .and_then(|(_, r)| *r)
        })
    }

    const M5: f64 = 300.0;
    const M30: f64 = 1_800.0;
    const H1: f64 = 3_600.0;
    const H2: f64 = 7_200.0;
    const H6: f64 = 21_600.0;
    const D1: f64 = DAY;
    const D3: f64 = 3.0 * DAY;

    fn all(r: f64) -> Vec<(f64, Option<f64>)> {
        [M5, M30, H1, H2, H6, D1, D3]
            .iter()
            .map(|w| (*w, Some(r)))
            .collect()
    }

    fn with(mut v: Vec<(f64, Option<f64>)>, w: f64, r: Option<f64>) -> Vec<(f64, Option<f64>)> {
        for e in &mut v {
            if same_window(e.0, w) {
                e.1 = r;
            }
        }
        v
    }

    #[test]
    fn windows_are_the_same_when_their_whole_seconds_are() {
        assert!(same_window(300.0, 300.0));
        assert!(same_window(300.0, 300.4));
        assert!(same_window(3_600.0, 3_599.6));
        assert!(!same_window(300.0, 301.0));
        assert!(!same_window(300.0, 1_800.0));
    }

    #[test]
    fn multi_window_alerts() {
        assert_eq!(alert(&all(0.0)), Alert::Ok, "no errors");
        assert_eq!(alert(&all(0.0009)), Alert::Ok, "burn 0.9");
        assert_eq!(
            alert(&all(0.0011)),
            Alert::Ticket,
            "burn 1.1 over 3 d and 6 h"
        );
        assert_eq!(alert(&all(0.004)), Alert::Ticket, "burn 4: the 1 d rule");
        assert_eq!(alert(&all(0.007)), Alert::Page, "burn 7: the 6 h rule");
        assert_eq!(alert(&all(0.015)), Alert::Page, "burn 15: the 1 h rule");
        // A fast burn that has stopped: the hour is hot but the last five minutes are clean
        // and the 6 h window is under 6; the day is over 3, so a ticket remains.
        let stopped = with(with(all(0.004), H1, Some(0.02)), M5, Some(0.0));
        assert_eq!(alert(&stopped), Alert::Ticket);
        // One short blip: five minutes burning, the hour not.
        assert_eq!(alert(&with(all(0.0), M5, Some(0.5))), Alert::Ok);
    }

    #[test]
    fn missing_data_is_unknown_never_ok() {
        assert_eq!(alert(&[]), Alert::Unknown, "no data at all");
        assert_eq!(alert(&with(all(0.0), D3, None)), Alert::Unknown);
        assert_eq!(
            alert(&with(all(0.0), M5, Some(f64::NAN))),
            Alert::Unknown,
            "0/0"
        );
        // But a rule that fires still fires when another lacks data.
        assert_eq!(alert(&with(all(0.015), D3, None)), Alert::Page);
        assert!(Alert::Page < Alert::Ticket && Alert::Ticket < Alert::Unknown);
        assert_eq!(
            [Alert::Ok, Alert::Ticket, Alert::Page, Alert::Unknown].map(Alert::exit_code),
            [0, 1, 2, 3]
        );
    }

    /// The verdict for constant ratios on every window when the data reaches `age` back.
    fn with_age(ratio: f64, age: Option<f64>) -> Verdict {
        verdict(0.999, &workbook_rules(THIRTY_DAYS), |_| Some(ratio), age)
    }

    #[test]
    fn a_window_counts_once_data_covers_nine_tenths_of_it() {
        assert!(close(coverage(270.0, M5), 0.9));
        assert!(close(coverage(2.0 * D1, H1), 1.0));
        assert!(close(coverage(0.0, H1), 0.0));
        assert!(enough_data(Some(270.0), M5));
        assert!(!enough_data(Some(269.0), M5));
        assert!(!enough_data(None, M5), "an age not known is not enough");
    }

    #[test]
    fn too_little_data_is_unknown_for_insufficient_data_never_a_page() {
        // Fifty seconds of a 90 % error ratio: every window reads a burn of 900.
        for age in [Some(50.0), Some(5.0 * 60.0), Some(0.8 * H1), None] {
            let v = with_age(0.9, age);
            assert_eq!(
                (v.alert, v.insufficient, v.firing),
                (Alert::Unknown, true, None),
                "{age:?}"
            );
        }
        // An hour of data: the 1 h rule may page; the 6 h one, the ticket rules not yet.
        let v = with_age(0.9, Some(H1));
        assert_eq!((v.alert, v.insufficient), (Alert::Page, false));
        assert!(v.firing.is_some_and(|r| same_window(r.long, H1)));
        // An hour of clean data: the page rules that can be judged are quiet, so ok.
        assert_eq!(with_age(0.0, Some(H1)).alert, Alert::Ok);
        // A slow burn over a day of data: the 1 d ticket rule may fire, the 3 d one not.
        let v = with_age(0.004, Some(D1));
        assert_eq!((v.alert, v.insufficient), (Alert::Ticket, false));
        // Enough data everywhere: the verdicts as before.
        assert_eq!(with_age(0.015, Some(D3)).alert, Alert::Page);
        assert_eq!(with_age(0.0, Some(D3)).alert, Alert::Ok);
    }

    #[test]
    fn data_spans_read_in_their_two_largest_units() {
        assert_eq!(data_span(50.4), "50s");
        assert_eq!(data_span(292.0), "4m52s");
        assert_eq!(data_span(3.0 * H1 + 720.0), "3h12m");
        assert_eq!(data_span(2.0 * D1 + 4.0 * H1 + 59.0), "2d04h");
        assert_eq!(data_span(30.0 * D1 + 1_296.0), "30d");
    }

    #[test]
    fn no_values_at_all_is_plain_unknown_even_without_an_age() {
        let v = verdict(0.999, &workbook_rules(THIRTY_DAYS), |_| None, None);
        assert_eq!((v.alert, v.insufficient), (Alert::Unknown, false));
    }

    #[test]
    fn without_page_rules_the_ticket_rules_decide_whether_data_is_insufficient() {
        let rules: Vec<Rule> = workbook_rules(THIRTY_DAYS)
            .into_iter()
            .filter(|r| r.alert == Alert::Ticket)
            .collect();
        let v = verdict(0.999, &rules, |_| Some(0.5), Some(H1));
        assert_eq!((v.alert, v.insufficient), (Alert::Unknown, true));
    }
}
