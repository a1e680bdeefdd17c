//! Impact: how many traces failed, which commands (root operations) and services they were,
//! and how much of the SLO's error budget the window spent.

use std::sync::Arc;

use super::{Budget, FastMap};
use crate::model::slo;
use crate::model::span::{Span, Trace};

/// A command (a trace's root operation) and how often it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The root's service.
    pub service: String,
    /// The root's operation.
    pub operation: String,
    /// Failing traces.
    pub failing: usize,
    /// All its traces.
    pub total: usize,
}

/// The error budget the window spent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spent {
    /// Bad events (total − good).
    pub bad: f64,
    /// Bad over total (0 without events).
    pub error_ratio: f64,
    /// How fast the window burned: 1 spends the budget exactly over the period.
    pub burn_rate: f64,
    /// The share of the period's budget the window spent, 0…1 (or more).
    pub spent: f64,
}

/// Who and what was hurt.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Impact {
    /// Failing traces.
    pub failing: usize,
    /// All traces.
    pub total: usize,
    /// Commands with a failing trace, most failures first.
    pub commands: Vec<Command>,
    /// Services the failing traces touched, and how many failing traces touched each, most
    /// first.
    pub services: Vec<(String, usize)>,
    /// The budget spent, when the window is an SLO's.
    pub budget: Option<Spent>,
}

/// The impact of the failing traces (`failing[i]` for `traces[i]`), and of the budget's counts
/// over `window` seconds.
#[must_use]
pub fn impact(
    traces: &[Arc<Trace>],
    failing: &[bool],
    budget: Option<Budget>,
    window: f64,
) -> Impact {
    let mut commands: FastMap<(&str, &str), (usize, usize)> = FastMap::default();
    let mut services: FastMap<&str, usize> = FastMap::default();
    let mut touched: Vec<&str> = Vec::new();
    for (t, &fail) in traces.iter().zip(failing) {
        let (service, operation) = root(t);
        let c = commands.entry((service, operation)).or_default();
        c.1 += 1;
        if fail {
            c.0 += 1;
            touched.clear();
            for svc in t.spans.iter().filter_map(|s| s.service.as_deref()) {
                if !touched.contains(&svc) {
                    touched.push(svc);
                    *services.entry(svc).or_default() += 1;
                }
            }
        }
    }
    let mut commands: Vec<Command> = commands
        .into_iter()
        .filter(|(_, (f, _))| *f > 0)
        .map(|((service, operation), (failing, total))| Command {
            service: service.to_owned(),
            operation: operation.to_owned(),
            failing,
            total,
        })
        .collect();
    commands.sort_by(|a, b| {
        b.failing
            .cmp(&a.failing)
            .then_with(|| (&a.service, &a.operation).cmp(&(&b.service, &b.operation)))
    });
    let mut services: Vec<(String, usize)> = services
        .into_iter()
        .map(|(s, n)| (s.to_owned(), n))
        .collect();
    services.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Impact {
        failing: failing.iter().filter(|f| **f).count(),
        total: traces.len(),
        commands,
        services,
        budget: budget.map(|b| spent(b, window)),
    }
}

/// A trace's command: its root's service (`?` without one) and operation — the earliest span
/// naming no parent, or the earliest span of a running trace (as the Traces pane says it).
fn root(t: &Trace) -> (&str, &str) {
    let earliest = |a: &&Span, b: &&Span| a.start.total_cmp(&b.start);
    let root = (t
        .spans
        .iter()
        .filter(|s| s.parent_id.is_none())
        .min_by(earliest))
    .or_else(|| t.spans.iter().min_by(earliest));
    root.map_or(("?", ""), |r| {
        (r.service.as_deref().unwrap_or("?"), r.name.as_str())
    })
}

/// The budget `b`'s counts spent over `window` seconds of its period.
#[must_use]
pub fn spent(b: Budget, window: f64) -> Spent {
    let bad = (b.total - b.good).max(0.0);
    let error_ratio = if b.total > 0.0 { bad / b.total } else { 0.0 };
    let burn_rate = slo::burn_rate(error_ratio, b.objective);
    Spent {
        bad,
        error_ratio,
        burn_rate,
        spent: slo::budget_spent(burn_rate, window, b.period),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::why::testing::trace;

    #[test]
    fn failing_commands_and_the_services_they_touched() {
        let traces: Vec<_> = (0..10).map(|i| trace(i, i < 3, &[], &[])).collect();
        let failing: Vec<bool> = (0..10).map(|i| i < 3).collect();
        let got = impact(&traces, &failing, None, 600.0);
        assert_eq!((got.failing, got.total), (3, 10));
        assert_eq!(
            got.commands,
            [Command {
                service: "rover-fsw".into(),
                operation: "command".into(),
                failing: 3,
                total: 10
            }]
        );
        assert_eq!(
            got.services,
            [("camera".into(), 3), ("rover-fsw".into(), 3)]
        );
        assert_eq!(got.budget, None);
    }

    #[test]
    fn budget_spent_in_the_window() {
        // 99 % over 30 days; an hour at a 10 % error ratio burns 10× and spends 10/720 of it.
        let b = Budget {
            objective: 0.99,
            good: 900.0,
            total: 1000.0,
            period: 30.0 * 86_400.0,
        };
        let s = spent(b, 3_600.0);
        assert!((s.error_ratio - 0.1).abs() < 1e-12);
        assert!((s.burn_rate - 10.0).abs() < 1e-9);
        assert!((s.spent - 10.0 / 720.0).abs() < 1e-12);
        let quiet = spent(
            Budget {
                good: 0.0,
                total: 0.0,
                ..b
            },
            3_600.0,
        );
        assert_eq!((quiet.bad, quiet.spent), (0.0, 0.0));
    }
}
