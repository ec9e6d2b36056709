//! Money amounts: exact decimals with at most two places, read from literal text, never through a float.
//!
//! The service writes amounts as strings with two decimals (`"1400026.00"`); some integrations send JSON
//! numbers. Both are read from their text: `50000`, `50000.5` and `"50000.50"` all become `50000.50`.
//! Anything else — thousands separators, exponents, three decimals, signs where none belong, white
//! space, an empty string — is rejected with a reason.

use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

/// An exact amount of money with exactly two decimal places.
///
/// ```
/// use cekmutasi::amount::Amount;
/// let a: Amount = "1400026".parse().unwrap();
/// assert_eq!(a.to_string(), "1400026.00");
/// assert!("1.400.026,00".parse::<Amount>().is_err());
/// ```
// Every Amount has scale 2 (the only constructors make it so), so equality, order and hashing work on the
// mantissa: Decimal's own Hash normalises on every call, which is slow on a hot path.
#[derive(Debug, Clone, Copy)]
pub struct Amount(Decimal);

impl PartialEq for Amount {
    fn eq(&self, other: &Self) -> bool {
        self.0.mantissa() == other.0.mantissa()
    }
}

impl Eq for Amount {}

impl std::hash::Hash for Amount {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.mantissa().hash(state);
    }
}

impl PartialOrd for Amount {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Amount {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.mantissa().cmp(&other.0.mantissa())
    }
}

/// Why a text is not an amount. The message names no field: callers add the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// An empty text.
    Empty,
    /// Not a plain decimal (separators, an exponent, letters).
    NotDecimal,
    /// More than two decimals.
    TooManyDecimals,
    /// A negative amount where only positive ones are allowed.
    Negative,
    /// Too large to be exact.
    OutOfRange,
}

impl AmountError {
    /// What is wrong, for an error message.
    pub fn message(self) -> &'static str {
        match self {
            AmountError::Empty => "amount is empty",
            AmountError::NotDecimal => {
                "not a decimal amount (digits, optionally '.' and one or two decimals; no separators or exponent)"
            }
            AmountError::TooManyDecimals => "amount has more than two decimals",
            AmountError::Negative => "amount must not be negative",
            AmountError::OutOfRange => "amount is out of range",
        }
    }
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// The largest mantissa a `Decimal` holds (96 bits).
const MAX_MANTISSA: u128 = (1u128 << 96) - 1;

impl Amount {
    /// Zero, with two decimals.
    pub const ZERO: Amount = Amount(Decimal::from_parts(0, 0, 0, false, 2));

    /// Parses `-?digits(.d{1,2})?`. A sign is accepted only with `allow_negative`.
    pub fn parse_text(text: &str, allow_negative: bool) -> Result<Amount, AmountError> {
        Amount::parse_written(text, allow_negative).map(|(amount, _)| amount)
    }

    /// [`Amount::parse_text`], and whether the text is the amount written out (two decimals, no superfluous
    /// zero or sign: `50000.00`, not `007.00` or `-0.00`), found in the same pass.
    fn parse_written(text: &str, allow_negative: bool) -> Result<(Amount, bool), AmountError> {
        let bytes = text.as_bytes();
        let (negative, digits) = match bytes.first() {
            None => return Err(AmountError::Empty),
            Some(b'-') => (true, &bytes[1..]),
            Some(_) => (false, bytes),
        };
        // One pass for the grammar, the dot's place and the mantissa (amounts are read by the million): the
        // mantissa wraps when there are too many digits for a u64, and is then computed again below.
        let mut dot = None;
        let mut small: u64 = 0;
        for (i, &b) in digits.iter().enumerate() {
            match b {
                b'0'..=b'9' => small = small.wrapping_mul(10).wrapping_add(u64::from(b - b'0')),
                b'.' if dot.is_none() => dot = Some(i),
                _ => return Err(AmountError::NotDecimal),
            }
        }
        let (int_len, frac_len) = match dot {
            Some(at) => (at, digits.len() - at - 1),
            None => (digits.len(), 0),
        };
        if int_len == 0 || (dot.is_some() && frac_len == 0) {
            return Err(AmountError::NotDecimal);
        }
        if frac_len > 2 {
            return Err(AmountError::TooManyDecimals);
        }
        if negative && !allow_negative {
            return Err(AmountError::Negative);
        }
        // The mantissa in cents: the digits, then zeros up to two places.
        let mantissa: u128 = if int_len <= 16 {
            // At most 18 digits: the u64 did not wrap (the common case; u128 arithmetic is slow in wasm).
            u128::from(small * 10u64.pow(2 - frac_len as u32))
        } else {
            let zeros = b"00".iter().take(2 - frac_len);
            digits
                .iter()
                .filter(|b| **b != b'.')
                .chain(zeros)
                .try_fold(0u128, |m, d| {
                    m.checked_mul(10)?.checked_add(u128::from(d - b'0')).filter(|m| *m <= MAX_MANTISSA)
                })
                .ok_or(AmountError::OutOfRange)?
        };
        let signed = if negative { -(mantissa as i128) } else { mantissa as i128 };
        let written = frac_len == 2 && !(int_len > 1 && digits[0] == b'0') && !(negative && mantissa == 0);
        Ok((Amount::from_cents(signed).expect("within the mantissa range"), written))
    }

    /// Reads an amount from a JSON value's literal text: a string (`"50000.00"`) or a number (`50000`).
    pub fn from_json_literal(raw: &str, allow_negative: bool) -> Result<Amount, AmountError> {
        Amount::from_json_literal_normal(raw, allow_negative).map(|(amount, _)| amount)
    }

    /// [`Amount::from_json_literal`], and whether `raw` is the amount's normal form, found in the same pass (a
    /// report is read by the amount): exactly how the amount is written out, a string with two decimals and
    /// no superfluous zeros or sign (`"50000.00"`, `"-1.50"`; not `50000`, `"007.00"`, `"-0.00"`).
    pub fn from_json_literal_normal(raw: &str, allow_negative: bool) -> Result<(Amount, bool), AmountError> {
        match raw.as_bytes().first() {
            Some(b'"') => {
                // Any text is read safely, not only a well-formed literal: a lone quote is not an amount.
                let inner = raw[1..].strip_suffix('"').ok_or(AmountError::NotDecimal)?;
                match Amount::parse_written(inner, allow_negative) {
                    // Escapes in an amount are odd but legal JSON (a backslash is not a digit, so the text
                    // as written is never an amount): decode them, then apply the same grammar. Never the
                    // normal form.
                    Err(AmountError::NotDecimal) if inner.contains('\\') => {
                        let s = crate::json::unescape(inner).ok_or(AmountError::NotDecimal)?;
                        Amount::parse_text(&s, allow_negative).map(|amount| (amount, false))
                    }
                    read => read,
                }
            }
            // A number is never the normal form, which is a string.
            Some(b'-' | b'0'..=b'9') => Amount::parse_text(raw, allow_negative).map(|amount| (amount, false)),
            _ => Err(AmountError::NotDecimal),
        }
    }

    /// The amount of this many cents (hundredths), if a `Decimal` holds it.
    pub fn from_cents(cents: i128) -> Option<Amount> {
        let magnitude = cents.unsigned_abs();
        if magnitude > MAX_MANTISSA {
            return None;
        }
        let (lo, mid, hi) = (magnitude as u32, (magnitude >> 32) as u32, (magnitude >> 64) as u32);
        Some(Amount(Decimal::from_parts(lo, mid, hi, cents < 0, 2)))
    }

    /// The amount in cents (hundredths).
    pub fn mantissa(self) -> i128 {
        self.0.mantissa()
    }

    /// The amount in cents (hundredths), when it fits an `i64` (up to about 9.2e16).
    pub fn cents(self) -> Option<i64> {
        i64::try_from(self.0.mantissa()).ok()
    }

    /// The value as a `Decimal` (two decimals).
    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// True below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
}

impl Default for Amount {
    fn default() -> Self {
        Amount::ZERO
    }
}

impl FromStr for Amount {
    type Err = AmountError;
    /// Parses a non-negative amount; use [`Amount::parse_text`] to allow a sign.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Amount::parse_text(s, false)
    }
}

impl Amount {
    /// The two-decimal text, written into a stack buffer: the same text as `Decimal`'s `Display` for a
    /// scale of 2, without its general formatting code (which costs kilobytes of wasm).
    fn write(self, out: &mut [u8; 48]) -> &str {
        let m = self.0.mantissa();
        let mut v = m.unsigned_abs();
        let mut i = out.len();
        let mut digits = 0;
        while digits < 3 || v > 0 {
            if digits == 2 {
                i -= 1;
                out[i] = b'.';
            }
            i -= 1;
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
            digits += 1;
        }
        if m < 0 {
            i -= 1;
            out[i] = b'-';
        }
        std::str::from_utf8(&out[i..]).unwrap_or_else(|_| unreachable!("ASCII digits"))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write(&mut [0; 48]))
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.write(&mut [0; 48]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        Amount::parse_text(s, true).unwrap().to_string()
    }

    #[test]
    fn normalises_to_two_places() {
        assert_eq!(ok("0"), "0.00");
        assert_eq!(ok("50000"), "50000.00");
        assert_eq!(ok("50000.5"), "50000.50");
        assert_eq!(ok("1400026.00"), "1400026.00");
        assert_eq!(ok("-12.34"), "-12.34");
        assert_eq!(ok("-0.00"), "0.00");
        assert_eq!(ok("007.10"), "7.10");
    }

    #[test]
    fn rejects_everything_else() {
        let cases = [
            ("", AmountError::Empty),
            ("1.400.026,00", AmountError::NotDecimal),
            ("1,400,026.00", AmountError::NotDecimal),
            ("1e3", AmountError::NotDecimal),
            ("1E3", AmountError::NotDecimal),
            ("1.5e2", AmountError::NotDecimal),
            ("1.001", AmountError::TooManyDecimals),
            ("1.000", AmountError::TooManyDecimals),
            (" 1.00", AmountError::NotDecimal),
            ("1.00 ", AmountError::NotDecimal),
            ("+1.00", AmountError::NotDecimal),
            (".50", AmountError::NotDecimal),
            ("5.", AmountError::NotDecimal),
            ("-", AmountError::NotDecimal),
            ("--1", AmountError::NotDecimal),
            ("1..0", AmountError::NotDecimal),
            ("NaN", AmountError::NotDecimal),
            ("Infinity", AmountError::NotDecimal),
            ("0x10", AmountError::NotDecimal),
            ("１２", AmountError::NotDecimal),
        ];
        for (text, want) in cases {
            assert_eq!(Amount::parse_text(text, true), Err(want), "{text:?}");
        }
        assert_eq!(Amount::parse_text("-1.00", false), Err(AmountError::Negative));
    }

    #[test]
    fn range_is_decimal_range_not_float_range() {
        // 2^96-1 = 79228162514264337593543950335: the largest mantissa, i.e. ...503.35 with two places.
        assert_eq!(ok("792281625142643375935439503.35"), "792281625142643375935439503.35");
        assert_eq!(Amount::parse_text("792281625142643375935439503.36", true), Err(AmountError::OutOfRange));
        let huge = "9".repeat(400);
        assert_eq!(Amount::parse_text(&huge, true), Err(AmountError::OutOfRange));
        // A value a float cannot hold exactly stays exact.
        assert_eq!(ok("9007199254740993.01"), "9007199254740993.01");
    }

    #[test]
    fn display_matches_decimal_display() {
        let samples = [
            "0",
            "0.01",
            "0.1",
            "1",
            "-0.05",
            "-12.5",
            "99.99",
            "100",
            "1400026.00",
            "9007199254740993.01",
            "792281625142643375935439503.35",
            "-792281625142643375935439503.35",
        ];
        for text in samples {
            let a = Amount::parse_text(text, true).unwrap();
            assert_eq!(a.to_string(), a.decimal().to_string(), "{text}");
        }
        for cents in (-100_000i128..100_000).step_by(997) {
            let a = Amount::from_cents(cents).unwrap();
            assert_eq!(a.to_string(), a.decimal().to_string());
            assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{}\"", a.decimal()));
        }
    }

    proptest::proptest! {
        /// Any text: an amount exactly when it is `-?digits(.d{1,2})?`, and then its value in cents is the
        /// digits read as one integer (the decimals padded to two places), or out of range past a Decimal's
        /// mantissa.
        #[test]
        fn reads_what_the_grammar_says_and_nothing_else(text in "-?[0-9.]{0,30}|[0-9a-z.+ -]{0,12}") {
            let unsigned = text.strip_prefix('-').unwrap_or(&text);
            let (int, frac) = unsigned.split_once('.').map_or((unsigned, None), |(i, f)| (i, Some(f)));
            let grammar = !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.is_none_or(|f| (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()));
            let got = Amount::parse_text(&text, true);
            if !grammar {
                proptest::prop_assert!(got.is_err(), "{text:?} read as {got:?}");
            } else {
                let cents: u128 = format!("{int}{:0<2}", frac.unwrap_or("")).parse().unwrap();
                let sign = if text.starts_with('-') { -1 } else { 1 };
                let want = if cents > MAX_MANTISSA { Err(AmountError::OutOfRange) } else { Ok(sign * cents as i128) };
                proptest::prop_assert_eq!(got.map(Amount::mantissa), want, "{:?}", text);
            }
        }
    }

    /// The normal form on its own, from its definition (the reference the reader's own finding is held to):
    /// a string `-?digits.dd` without a leading zero (but `0.dd`) and not a negative zero.
    fn is_normal_json(raw: &str) -> bool {
        let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
            return false;
        };
        let unsigned = inner.strip_prefix('-').unwrap_or(inner).as_bytes();
        let n = unsigned.len();
        n >= 4
            && unsigned[n - 3] == b'.'
            && unsigned[..n - 3].iter().chain(&unsigned[n - 2..]).all(u8::is_ascii_digit)
            && !(unsigned[0] == b'0' && n > 4)
            && !(inner.starts_with('-') && unsigned.iter().all(|b| *b == b'0' || *b == b'.'))
    }

    proptest::proptest! {
        /// The normal form found while reading is exactly `is_normal_json`, for strings of amount-like text
        /// (with the odd escape) and for numbers.
        #[test]
        fn normal_form_found_while_reading(text in "-?0{0,2}[0-9]{0,4}(\\.[0-9]{0,3})?|[-0-9.a\\\\u]{0,8}", quoted: bool) {
            let raw = if quoted { format!("\"{text}\"") } else { text.clone() };
            let fused = Amount::from_json_literal_normal(&raw, true);
            proptest::prop_assert_eq!(fused.is_ok_and(|(_, n)| n), is_normal_json(&raw), "{:?}", raw);
        }
    }

    #[test]
    fn normal_json_form() {
        // Each way of finding it: on its own, and while reading the amount.
        let fused = |raw: &str| Amount::from_json_literal_normal(raw, true).is_ok_and(|(_, normal)| normal);
        for yes in ["\"0.00\"", "\"50000.00\"", "\"-1.50\"", "\"10.05\""] {
            assert!(is_normal_json(yes) && fused(yes), "{yes}");
        }
        for no in [
            "50000",
            "50000.00",
            "\"50000\"",
            "\"50000.5\"",
            "\"007.00\"",
            "\"-0.00\"",
            "\"-00.00\"",
            "\"\\u0035.00\"",
            "\".00\"",
            "\"1.0a\"",
            "\"\"",
            "\"a.00\"",
        ] {
            assert!(!is_normal_json(no) && !fused(no), "{no}");
        }
    }

    #[test]
    fn json_literals() {
        assert_eq!(Amount::from_json_literal("\"50000.00\"", false).unwrap().to_string(), "50000.00");
        assert_eq!(Amount::from_json_literal("50000", false).unwrap().to_string(), "50000.00");
        assert_eq!(Amount::from_json_literal("\"\\u0035.00\"", false).unwrap().to_string(), "5.00");
        assert_eq!(Amount::from_json_literal("1e3", false), Err(AmountError::NotDecimal));
        assert_eq!(Amount::from_json_literal("\"\"", false), Err(AmountError::Empty));
        assert_eq!(Amount::from_json_literal("null", false), Err(AmountError::NotDecimal));
        assert_eq!(Amount::from_json_literal("true", false), Err(AmountError::NotDecimal));
    }
}
