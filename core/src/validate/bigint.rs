//! Just enough arbitrary-precision integer arithmetic to stand in for Python's `int`: parse and
//! print decimal text, compare, convert from/to `f64` exactly. An INT never passes through `f64`
//! unless Python itself would do so.

use std::cmp::Ordering;

const BASE: u64 = 1_000_000_000;

/// A signed integer of any size: base-10⁹ limbs, least significant first, no trailing zero limbs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BigInt {
    negative: bool,
    limbs: Vec<u32>,
}

impl BigInt {
    pub(crate) fn zero() -> Self {
        BigInt {
            negative: false,
            limbs: Vec::new(),
        }
    }

    pub(crate) fn from_i64(v: i64) -> Self {
        let mut m = v.unsigned_abs();
        let mut limbs = Vec::new();
        while m > 0 {
            limbs.push((m % BASE) as u32);
            m /= BASE;
        }
        BigInt {
            negative: v < 0,
            limbs,
        }
    }

    /// Parses `[-+]?[0-9]+` (ASCII digits only, no separators).
    pub(crate) fn parse_plain(text: &str) -> Option<Self> {
        let (negative, digits) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let bytes = digits.as_bytes();
        let mut limbs = Vec::with_capacity(bytes.len() / 9 + 1);
        let mut end = bytes.len();
        while end > 0 {
            let start = end.saturating_sub(9);
            let mut limb = 0u32;
            for &b in &bytes[start..end] {
                limb = limb * 10 + u32::from(b - b'0');
            }
            limbs.push(limb);
            end = start;
        }
        let mut n = BigInt { negative, limbs };
        n.normalize();
        Some(n)
    }

    fn normalize(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
        if self.limbs.is_empty() {
            self.negative = false;
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// The value as an `i64`, when it fits.
    pub(crate) fn to_i64(&self) -> Option<i64> {
        let mut m: u128 = 0;
        for &l in self.limbs.iter().rev() {
            m = m.checked_mul(u128::from(BASE as u32))? + u128::from(l);
            if m > u128::from(u64::MAX) {
                return None;
            }
        }
        if self.negative {
            if m <= i64::MAX as u128 + 1 {
                Some((m as i128).wrapping_neg() as i64)
            } else {
                None
            }
        } else {
            i64::try_from(m).ok()
        }
    }

    /// The exact integer value of an integral, finite `f64`.
    pub(crate) fn from_integral_f64(f: f64) -> Self {
        debug_assert!(f.is_finite() && f.fract() == 0.0);
        if f == 0.0 {
            return BigInt::zero();
        }
        let bits = f.to_bits();
        let negative = bits >> 63 == 1;
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1u64 << 52) - 1);
        let (mantissa, mut shift) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), exp - 1075)
        };
        let mut n = if shift < 0 {
            let m = mantissa >> (-shift).min(63);
            shift = 0;
            BigInt::from_i64(m as i64)
        } else {
            BigInt::from_i64(mantissa as i64)
        };
        while shift > 0 {
            let step = shift.min(29);
            n.mul_small(1u64 << step);
            shift -= step;
        }
        n.negative = negative;
        n.normalize();
        n
    }

    fn mul_small(&mut self, factor: u64) {
        let mut carry = 0u64;
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * factor + carry;
            *limb = (v % BASE) as u32;
            carry = v / BASE;
        }
        while carry > 0 {
            self.limbs.push((carry % BASE) as u32);
            carry /= BASE;
        }
    }

    /// Python's `float(int)`: correctly rounded, `None` when it overflows.
    pub(crate) fn to_f64(&self) -> Option<f64> {
        let f: f64 = self.to_string().parse().ok()?;
        f.is_finite().then_some(f)
    }

    fn cmp_magnitude(&self, other: &BigInt) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }

    /// Exact comparison with a float, as Python compares `int` and `float`; `None` for NaN.
    pub(crate) fn cmp_f64(&self, f: f64) -> Option<Ordering> {
        if f.is_nan() {
            return None;
        }
        if f.is_infinite() {
            return Some(if f > 0.0 {
                Ordering::Less
            } else {
                Ordering::Greater
            });
        }
        let floor = f.floor();
        Some(match self.cmp(&BigInt::from_integral_f64(floor)) {
            Ordering::Equal if f != floor => Ordering::Less,
            other => other,
        })
    }
}

impl Ord for BigInt {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for BigInt {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for BigInt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some((top, rest)) = self.limbs.split_last() else {
            return f.write_str("0");
        };
        if self.negative {
            f.write_str("-")?;
        }
        write!(f, "{top}")?;
        for limb in rest.iter().rev() {
            write!(f, "{limb:09}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> BigInt {
        BigInt::parse_plain(s).unwrap()
    }

    #[test]
    fn round_trips_decimal_text() {
        for s in [
            "0",
            "-1",
            "18446744073709551616",
            "-18446744073709551615",
            "1000000000",
            "999999999",
        ] {
            assert_eq!(n(s).to_string(), s);
        }
        assert_eq!(n("-0").to_string(), "0");
        assert_eq!(n("+007").to_string(), "7");
        assert!(BigInt::parse_plain("1_0").is_none());
    }

    #[test]
    fn compares_exactly() {
        assert!(n("18446744073709551616") > n("18446744073709551615"));
        assert!(n("-5") < n("-4"));
        assert_eq!(n("12").cmp_f64(12.5), Some(Ordering::Less));
        assert_eq!(n("13").cmp_f64(12.5), Some(Ordering::Greater));
        assert_eq!(n("-13").cmp_f64(-12.5), Some(Ordering::Less));
        // 2^64 as a float equals the int 2^64 exactly, and is above 2^64 - 1.
        assert_eq!(
            n("18446744073709551616").cmp_f64(18446744073709551616.0),
            Some(Ordering::Equal)
        );
        assert_eq!(
            n("18446744073709551615").cmp_f64(18446744073709551616.0),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn converts_floats_exactly() {
        assert_eq!(
            BigInt::from_integral_f64(1e20).to_string(),
            "100000000000000000000"
        );
        assert_eq!(BigInt::from_integral_f64(-12.0).to_string(), "-12");
        assert_eq!(BigInt::from_integral_f64(1e300).to_string().len(), 301);
        assert_eq!(n("9007199254740993").to_f64(), Some(9007199254740992.0));
        assert_eq!(n("-42").to_i64(), Some(-42));
        assert_eq!(n("9223372036854775808").to_i64(), None);
        assert_eq!(n("-9223372036854775808").to_i64(), Some(i64::MIN));
    }
}
