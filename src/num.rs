//! Round numbers for scales and axes, without libm.
//!
//! Rust's `f64::powf`, `log10`, `sin_cos` and the like are calls into the system's
//! `libm.so.6`. Five such calls were all capcom made (a scale bar, a heading arrow, the exports'
//! value axes), and for them the loader mapped and relocated the whole library: 650 KB resident
//! in every session. What those places need, a power of ten and a step of 1, 2 or 5 times one,
//! is exact with products and one division. `clippy.toml` (`disallowed-methods`) keeps the calls
//! out, and `tests/linkage.rs` checks that the binary does not ask for libm.

/// The largest power of ten at most `x`: 10ⁿ as a product of tens, exact up to 10²², and 10⁻ⁿ
/// as one division by one, so correctly rounded. `None` unless `x` is finite and at least
/// about 10⁻³⁰⁸ (the smallest normal float).
#[must_use]
pub fn decade(x: f64) -> Option<f64> {
    if !(x.is_finite() && x > 0.0) {
        return None;
    }
    if x >= 1.0 {
        let mut p = 1.0;
        while p * 10.0 <= x {
            p *= 10.0;
        }
        Some(p)
    } else {
        let mut d = 1.0;
        // Stops at the latest when d overflows and 1/d is 0, which is ≤ x.
        while 1.0 / d > x {
            d *= 10.0;
        }
        Some(1.0 / d).filter(|&p| p > 0.0)
    }
}

/// The smallest step of 1, 2 or 5 times a power of ten that puts at most `max` multiples of
/// itself in `[from, to]`; `None` for an empty, reversed or unbounded range or `max` 0.
#[must_use]
pub fn round_step(from: f64, to: f64, max: usize) -> Option<f64> {
    let span = to - from;
    let d = decade(span)?;
    if max == 0 {
        return None;
    }
    // From d/10 up: some multiple of 10d fits once, since span < 10d.
    [d / 10.0, d / 5.0, d / 2.0, d, d * 2.0, d * 5.0, d * 10.0]
        .into_iter()
        .find(|&s| multiples(from, to, s).count() <= max)
}

/// The multiples of `step` in `[from, to]`, ascending; as many as there are, so the caller
/// picks a step the range holds few of. Each is computed on its own (no running sum), and a
/// step that is one over a whole number as a division by it, so 0.3 is 3 / 10 (0.3) rather
/// than 3 × 0.1 (0.30000000000000004).
pub fn multiples(from: f64, to: f64, step: f64) -> impl Iterator<Item = f64> {
    let ok = step.is_finite() && step > 0.0 && from.is_finite() && to.is_finite();
    let inverse = (1.0 / step).round();
    let inverse = if step < 1.0 && (inverse * step - 1.0).abs() < 1e-12 {
        inverse
    } else {
        0.0
    };
    let at = move |k: f64| if inverse > 0.0 { k / inverse } else { k * step };
    let first = if ok { (from / step).ceil() } else { 1.0 };
    let last = if ok { (to / step).floor() } else { 0.0 };
    // Rounding at either end can put a multiple just outside: the filter drops it.
    let count = (last - first + 1.0).max(0.0) as u64;
    (0..count)
        .map(move |i| at(first + i as f64))
        .filter(move |&v| v >= from && v <= to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decade_is_the_power_of_ten_at_or_below() {
        assert_eq!(decade(1.0), Some(1.0));
        assert_eq!(decade(9.99), Some(1.0));
        assert_eq!(decade(10.0), Some(10.0));
        assert_eq!(decade(1_234.5), Some(1_000.0));
        assert_eq!(decade(0.5), Some(0.1));
        assert_eq!(decade(0.1), Some(0.1));
        assert_eq!(decade(0.000_42), Some(0.000_1));
        assert_eq!(decade(1e22), Some(1e22));
        assert_eq!(decade(3e-22), Some(1e-22));
        // Past 10²² the products round, but the answer stays a bracket of `x`.
        assert_eq!(decade(1e-320), None);
        for x in [f64::MIN_POSITIVE, 1.5e300, f64::MAX] {
            let d = decade(x).expect("positive and finite");
            assert!(d <= x && d * 10.0 > x, "{x}: {d}");
        }
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(decade(bad), None, "{bad}");
        }
    }

    #[test]
    fn steps_are_one_two_or_five_and_fit_the_count() {
        assert_eq!(round_step(0.0, 1.0, 6), Some(0.2));
        assert_eq!(round_step(0.0, 1.0, 11), Some(0.1));
        assert_eq!(round_step(0.0, 1.0, 5), Some(0.5));
        assert_eq!(round_step(0.0, 1.0, 2), Some(1.0));
        assert_eq!(round_step(0.0, 1.0, 1), Some(2.0));
        assert_eq!(round_step(-3.0, 97.0, 6), Some(20.0));
        // 12.6, 12.8, 13.0 and 13.2.
        assert_eq!(round_step(12.5, 13.25, 4), Some(0.2));
        assert_eq!(round_step(12.5, 13.25, 3), Some(0.5));
        assert_eq!(round_step(1.0, 1.0, 4), None);
        assert_eq!(round_step(0.0, 1.0, 0), None);
        for (from, to, max) in [(0.0, 7.3, 3), (-0.02, 0.05, 8), (1e6, 3.2e6, 10)] {
            let s = round_step(from, to, max).expect("a step");
            assert!(multiples(from, to, s).count() <= max, "{from}..{to}: {s}");
        }
    }

    #[test]
    fn multiples_are_the_round_numbers_themselves() {
        let got: Vec<f64> = multiples(0.0, 1.0, 0.1).collect();
        let want = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
        assert_eq!(got, want);
        let got: Vec<f64> = multiples(-0.07, 0.05, 0.02).collect();
        assert_eq!(got, [-0.06, -0.04, -0.02, 0.0, 0.02, 0.04]);
        let got: Vec<f64> = multiples(95.0, 305.0, 50.0).collect();
        assert_eq!(got, [100.0, 150.0, 200.0, 250.0, 300.0]);
        // Not one over a whole number: times the step.
        let got: Vec<f64> = multiples(0.0, 1.5, 0.48).collect();
        assert_eq!(got, [0.0, 0.48, 0.96, 0.48 * 3.0]);
        assert_eq!(multiples(0.0, 1.0, 0.0).count(), 0);
        assert_eq!(multiples(0.0, f64::NAN, 1.0).count(), 0);
        assert_eq!(multiples(2.0, 1.0, 1.0).count(), 0);
    }
}
