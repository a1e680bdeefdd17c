//! A tiny seeded PRNG (`SplitMix64`) and the few transcendental functions the simulator uses.
//!
//! Hand-written on purpose: committed fixtures are regenerated from the simulator and must come
//! out byte-for-byte identical on every machine and forever. A random-number crate may change
//! its algorithms between versions, and the platform `libm` behind `f64::sin`/`exp`/`ln` may
//! differ in the last bit between systems. Everything here is plain IEEE-754 `+ - * /`, `sqrt`
//! and bit manipulation, which Rust evaluates identically everywhere (it never fuses to FMA).

use std::f64::consts::{FRAC_2_PI, LOG2_E, SQRT_2, TAU};

/// A `SplitMix64` generator: 64 bits of state, fast, well mixed, fully reproducible.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// Creates a generator; every seed (including 0) is valid and gives its own stream.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Returns the next 64 uniformly distributed bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a uniform `f64` in `[0, 1)` with 53 bits of precision.
    #[allow(clippy::cast_precision_loss, reason = "exact: the value is below 2^53")]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * f64::from_bits(0x3CA0_0000_0000_0000) // 2^-53
    }

    /// Returns a standard normal deviate (mean 0, variance 1) by the Box–Muller transform.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // (0, 1], so ln is finite
        let u2 = self.next_f64();
        (-2.0 * ln(u1)).sqrt() * cos(TAU * u2)
    }

    /// Returns a uniform `f64` in `[lo, hi)` (or exactly `lo` when `lo == hi`).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }
}

// fdlibm's split constants: the `_HI` parts have trailing zero bits, so `k * HI` is exact.
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
const PIO2_HI: f64 = f64::from_bits(0x3FF9_21FB_5440_0000);
const PIO2_LO: f64 = f64::from_bits(0x3DD0_B461_1A62_6331);

/// Platform-independent `e^x` (within a few ulp of the true value).
#[must_use]
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "|k| <= 1023"
)]
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -708.0 {
        return 0.0;
    }
    let k = (x * LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO; // |r| <= ln2 / 2
    let mut p = 1.0;
    for i in (1..=14).rev() {
        p = 1.0 + r * p / f64::from(i);
    }
    p * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

/// Platform-independent natural logarithm (`NaN` for negative input, `-inf` for zero).
#[must_use]
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (scaled, mut exponent) = if x < f64::MIN_POSITIVE {
        (x * 18_014_398_509_481_984.0, -54) // scale subnormals by 2^54
    } else {
        (x, 0)
    };
    let bits = scaled.to_bits();
    exponent += ((bits >> 52) & 0x7ff) as i32 - 1023;
    let mut mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if mantissa > SQRT_2 {
        mantissa *= 0.5;
        exponent += 1;
    }
    // ln m = 2 atanh(f) = 2 (f + f^3/3 + f^5/5 + ...) with f = (m - 1) / (m + 1), |f| <= 0.172
    let f = (mantissa - 1.0) / (mantissa + 1.0);
    let f2 = f * f;
    let mut series = 0.0;
    for k in (0..=12).rev() {
        series = 1.0 / f64::from(2 * k + 1) + f2 * series;
    }
    let e = f64::from(exponent);
    e * LN2_HI + (e * LN2_LO + 2.0 * f * series)
}

/// Reduces `x` to `r` in `[-pi/4, pi/4]` and the quadrant `k mod 4` (accurate for |x| < 1e6).
#[allow(
    clippy::cast_possible_truncation,
    reason = "saturating is fine, only k mod 4 is used"
)]
fn reduce(x: f64) -> (f64, i64) {
    let k = (x * FRAC_2_PI).round();
    ((x - k * PIO2_HI) - k * PIO2_LO, (k as i64).rem_euclid(4))
}

fn sin_poly(r: f64) -> f64 {
    let r2 = r * r;
    let mut p = 1.0;
    for n in (1..=9).rev() {
        p = 1.0 - r2 / f64::from((2 * n) * (2 * n + 1)) * p;
    }
    r * p
}

fn cos_poly(r: f64) -> f64 {
    let r2 = r * r;
    let mut p = 1.0;
    for n in (1..=9).rev() {
        p = 1.0 - r2 / f64::from((2 * n - 1) * (2 * n)) * p;
    }
    p
}

/// Platform-independent sine of `x` radians (meant for |x| < 1e6).
#[must_use]
pub fn sin(x: f64) -> f64 {
    if !x.is_finite() {
        return f64::NAN;
    }
    let (r, q) = reduce(x);
    match q {
        0 => sin_poly(r),
        1 => cos_poly(r),
        2 => -sin_poly(r),
        _ => -cos_poly(r),
    }
}

/// Platform-independent cosine of `x` radians (meant for |x| < 1e6).
#[must_use]
pub fn cos(x: f64) -> f64 {
    if !x.is_finite() {
        return f64::NAN;
    }
    let (r, q) = reduce(x);
    match q {
        0 => cos_poly(r),
        1 => -sin_poly(r),
        2 => -cos_poly(r),
        _ => sin_poly(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_known_first_value() {
        let (mut a, mut b) = (Rng::new(42), Rng::new(42));
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        // Reference value of SplitMix64 with seed 0: pins the algorithm itself.
        assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn values_in_range() {
        let mut r = Rng::new(7);
        for _ in 0..10_000 {
            let u = r.next_f64();
            assert!((0.0..1.0).contains(&u));
            let v = r.range(-3.0, 5.0);
            assert!((-3.0..5.0).contains(&v));
            assert!(r.normal().is_finite());
        }
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = Rng::new(1234);
        let n = 10_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / f64::from(n - 1);
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn math_matches_std_closely() {
        for i in -2000..=2000 {
            let x = f64::from(i) * 0.0137;
            assert!((sin(x) - x.sin()).abs() < 1e-15, "sin {x}");
            assert!((cos(x) - x.cos()).abs() < 1e-15, "cos {x}");
            let big = x * 300.0;
            assert!((sin(big) - big.sin()).abs() < 1e-12, "sin {big}");
            assert!(
                (exp(x) - x.exp()).abs() <= 4.0 * f64::EPSILON * x.exp(),
                "exp {x}"
            );
            let p = exp(x * 20.0);
            assert!((ln(p) - p.ln()).abs() <= 4.0 * f64::EPSILON * p.ln().abs().max(1.0));
        }
        assert!((ln(5e-324) - 5e-324_f64.ln()).abs() < 1e-12);
        assert_eq!(exp(0.0).to_bits(), 1.0_f64.to_bits());
        assert_eq!(ln(1.0).to_bits(), 0.0_f64.to_bits());
    }
}
