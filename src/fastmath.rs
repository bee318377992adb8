//! Branch-free `exp` and `phi(z) = (e^z - 1)/z` for the neuron update loops: plain arithmetic
//! and bit operations that the compiler inlines and vectorises across neurons (libm's `exp` is a
//! call, which keeps every loop that uses it scalar). Accurate to a few units in the last place
//! over the range a simulation meets; NaN stays NaN, so a blow-up is still reported.

/// `1 / k!` for `k = 0..=12`: the Taylor coefficients of `e^r` on `|r| <= ln 2 / 2`, where the
/// term of degree 13 is below 2e-17 of the sum.
const INV_FACTORIAL: [f64; 13] = [
    1.0,
    1.0,
    0.5,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
];

/// `ln 2` split so that `n ln2_HI` is exact for the `n` an `f64` exponent takes.
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// `sum c[k] r^k` by Estrin's scheme: a shorter dependency chain than Horner's.
#[inline(always)]
fn series(r: f64, c: &[f64; 13]) -> f64 {
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p01 = c[0] + c[1] * r;
    let p23 = c[2] + c[3] * r;
    let p45 = c[4] + c[5] * r;
    let p67 = c[6] + c[7] * r;
    let p89 = c[8] + c[9] * r;
    let p1011 = c[10] + c[11] * r;
    let low = (p01 + p23 * r2) + (p45 + p67 * r2) * r4;
    let high = (p89 + p1011 * r2) + c[12] * r4;
    low + high * r8
}

/// `e^x`. Below -708 it returns a tiny positive number instead of a subnormal, above 709 the
/// largest finite power of two times the series (both far outside what a neuron meets).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let clamped = x.clamp(-708.0, 709.0);
    // Round to the nearest integer by adding and taking away 1.5 x 2^52 (`f64::round` is a
    // libm call on baseline x86-64, where there is no rounding instruction).
    // The integer n then sits in the low bits of `shifted`, and 2^n is built from them with
    // integer adds and shifts (no float-to-integer conversion, which has no vector form here).
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let shifted = clamped * std::f64::consts::LOG2_E + SHIFT;
    let n = shifted - SHIFT;
    let r = clamped - n * LN2_HI - n * LN2_LO;
    let k = shifted.to_bits().wrapping_sub(SHIFT.to_bits());
    let scale = f64::from_bits(k.wrapping_add(1023) << 52);
    // A NaN input stays NaN through the clamp and the series.
    series(r, &INV_FACTORIAL) * scale
}

/// `(e^z - 1) / z`, continuous at 0: below |z| = 0.01 its Taylor series to `z^5` (the next term
/// is under 2e-16 of the sum), above it the quotient, whose cancellation costs at most
/// `1e-16 / |z|` = 1e-14 relative; both are computed and one is selected, so there is no branch.
#[inline(always)]
pub fn phi(z: f64) -> f64 {
    let near = 1.0 + z * (0.5 + z * (1.0 / 6.0 + z * (1.0 / 24.0 + z * (1.0 / 120.0 + z * (1.0 / 720.0)))));
    let far = (exp(z) - 1.0) / z;
    if z.abs() < 0.01 { near } else { far }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_libm_to_a_few_ulp() {
        let mut worst: f64 = 0.0;
        for k in -70_000..=70_000 {
            let x = k as f64 * 0.01 + 0.003_7;
            let rel = (exp(x) - x.exp()).abs() / x.exp();
            worst = worst.max(rel);
        }
        assert!(worst < 1e-15, "worst relative error {worst:e}");
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn phi_is_smooth_through_zero() {
        for z in [-3.0, -0.4, -0.2, -0.0101, -0.0099, -1e-3, -1e-9, 0.0, 1e-9, 1e-3, 0.0099, 0.0101, 0.2, 0.4, 3.0] {
            let exact = if z == 0.0 { 1.0 } else { f64::exp_m1(z) / z };
            assert!((phi(z) - exact).abs() < 2e-14 * exact, "phi({z}) = {} vs {exact}", phi(z));
        }
    }
}
