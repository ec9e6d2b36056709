//! Form bodies exactly as PHP's `http_build_query` writes them (the encoding the service expects).
//!
//! Read from JSON text in the caller's member order (PHP keeps insertion order): nested objects and lists
//! become bracketed keys (`search%5Bdate%5D%5Bfrom%5D`, `tokens%5B0%5D`), keys and values are
//! percent-encoded as PHP's `urlencode` does (RFC 1738: space is `+`; only `A-Z a-z 0-9 - _ .` stay as they
//! are; non-ASCII as UTF-8 bytes), `true`/`false` are `1`/`0`, `null` members and empty objects are left
//! out, integers are written as they are and other numbers as PHP's `%.14G` writes a float.
//!
//! ```
//! use cekmutasi::form::encode_form;
//! let body = encode_form(r#"{"search":{"date":{"from":"2018-04-09 00:00:00"}},"ok":true,"x":null}"#).unwrap();
//! assert_eq!(body, "search%5Bdate%5D%5Bfrom%5D=2018-04-09+00%3A00%3A00&ok=1");
//! ```

use crate::error::{Error, ErrorCode, Result};
use crate::json::{read_string, Reader, Stop};
use std::borrow::Cow;

/// Appends `s` percent-encoded as PHP's `urlencode`.
pub fn urlencode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
}

/// A float as PHP's `http_build_query` writes it: `%.14G` (14 significant digits, rounded half to even
/// from the float's exact value, trailing zeros dropped, exponent form below 1e-4 and from 1e14, written
/// `1.0E+25`).
///
/// One quirk of PHP's (zend_dtoa's) is kept: a whole number from 1e14 to 1e15 that ends in a 5 which
/// rounds down to an even 14th digit keeps its trailing zeros (`100000000000005.0` is
/// `1.0000000000000E+14`, `100000000000001.0` is `1.0E+14`).
///
/// The digits come from the float's exact decimal expansion (every finite `f64` is an integer times a
/// power of two, so a finite decimal), not from the standard library's float formatting, which would
/// bring about 7 KB of code into the module for this one use.
pub fn php_float(x: f64) -> String {
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    if x.is_infinite() {
        return if x < 0.0 { "-INF".into() } else { "INF".into() };
    }
    let a = x.abs();
    let (digits, exp) = significant_digits(a, 14);
    let tie_kept = a.fract() == 0.0 && (1e14..1e15).contains(&a) && a as u64 % 10 == 5 && a as u64 / 10 % 2 == 0;
    let digits = if tie_kept { &digits[..] } else { digits.trim_end_matches('0') };
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    if !(-4..14).contains(&exp) {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        out.push('E');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&exp.unsigned_abs().to_string());
    } else if exp < 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
        out.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', int_len - digits.len()));
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// `m × 2^e` written out exactly in decimal: its digits (no leading zeros; `m > 0`) and the decimal
/// exponent of the first one.
fn exact_decimal(m: u64, e: i32) -> (String, i32) {
    // m × 2^e as an integer times a power of ten: m × 2^e, or m × 5^-e × 10^e. Limbs of 10^9, little end
    // first, multiplied by 2^29 or 5^13 at a time (a limb times either fits a u64 with its carry).
    let mut limbs: Vec<u32> = vec![
        (m % 1_000_000_000) as u32,
        (m / 1_000_000_000 % 1_000_000_000) as u32,
        (m / 1_000_000_000_000_000_000) as u32,
    ];
    let (mut times, exp10, base, step) = if e >= 0 { (e, 0, 2u64, 29) } else { (-e, e, 5, 13) };
    while times > 0 {
        let k = times.min(step);
        times -= k;
        let by = base.pow(k as u32);
        let mut carry = 0u64;
        for l in limbs.iter_mut() {
            let v = u64::from(*l) * by + carry;
            *l = (v % 1_000_000_000) as u32;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push((carry % 1_000_000_000) as u32);
            carry /= 1_000_000_000;
        }
    }
    let mut all = Vec::with_capacity(limbs.len() * 9);
    for l in limbs.iter().rev() {
        let mut d = [b'0'; 9];
        let mut n = *l;
        for slot in d.iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        all.extend_from_slice(&d);
    }
    let first = all.iter().position(|&c| c != b'0').unwrap_or(all.len());
    let digits: String = all[first..].iter().map(|&c| char::from(c)).collect();
    let exp = exp10 + digits.len() as i32 - 1;
    (digits, exp)
}

/// A positive finite float as `m × 2^e`.
fn parts(x: f64) -> (u64, i32) {
    let bits = x.to_bits();
    match (bits >> 52) as i32 & 0x7ff {
        0 => (bits & ((1 << 52) - 1), -1074),
        biased => ((bits & ((1 << 52) - 1)) | (1 << 52), biased - 1075),
    }
}

/// The first `n` significant digits of a positive finite `x`, rounded half to even from its exact value,
/// and the decimal exponent of the first one (`x ≈ d.ddd × 10^exp`).
fn significant_digits(x: f64, n: usize) -> (String, i32) {
    let (m, e) = parts(x);
    let (all, mut exp10) = exact_decimal(m, e);
    if all.len() <= n {
        return (format!("{all:0<n$}"), exp10);
    }
    let (head, tail) = all.split_at(n);
    let mut digits: Vec<u8> = head.bytes().collect();
    let first = tail.as_bytes()[0];
    let rest_zero = tail[1..].bytes().all(|b| b == b'0');
    let up = first > b'5' || (first == b'5' && (!rest_zero || (digits[n - 1] - b'0') % 2 == 1));
    if up {
        let mut i = n;
        loop {
            if i == 0 {
                // 99…9 rounded up: 10…0, one more digit before the point.
                digits.insert(0, b'1');
                digits.truncate(n);
                exp10 += 1;
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    (String::from_utf8(digits).unwrap_or_default(), exp10)
}

/// A JSON number's literal as (digits without leading or trailing zeros, decimal exponent of the first),
/// or None for zero.
fn literal_decimal(text: &str) -> Option<(String, i32)> {
    let text = text.trim_start_matches('-');
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => {
            // Saturated far beyond any float's range: `1e99999999999` is still infinite, not an error.
            let e = text[i + 1..].trim_start_matches('+');
            let (sign, digits) = e.strip_prefix('-').map_or((1, e), |d| (-1, d));
            let n = digits.bytes().fold(0i32, |n, c| n.saturating_mul(10).saturating_add(i32::from(c - b'0')));
            (&text[..i], sign * n.min(1 << 24))
        }
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = int.chars().chain(frac.chars()).collect();
    let leading = digits.len() - digits.trim_start_matches('0').len();
    let digits = digits.trim_start_matches('0').trim_end_matches('0');
    if digits.is_empty() {
        return None;
    }
    let int_len = i32::try_from(int.len()).unwrap_or(i32::MAX).min(1 << 24);
    Some((digits.to_string(), exp + int_len - 1 - leading.min(1 << 24) as i32))
}

/// Orders two exact decimals given as (digits, exponent of the first digit).
fn cmp_decimal(a: &(String, i32), b: &(String, i32)) -> std::cmp::Ordering {
    a.1.cmp(&b.1).then_with(|| a.0.trim_end_matches('0').cmp(b.0.trim_end_matches('0')))
}

/// The float nearest to a JSON number's literal (ties to even), as PHP's `json_decode` reads it: infinite
/// past the largest float, zero below half the smallest.
///
/// A first guess from the leading digits (within a few units in the last place) is moved one float at a
/// time while the literal lies beyond the exact midpoint to the neighbour; the comparisons are exact.
fn read_float(text: &str) -> f64 {
    let negative = text.starts_with('-');
    let x = match literal_decimal(text) {
        None => 0.0,
        Some((_, exp)) if exp > 309 => f64::INFINITY,
        Some((_, exp)) if exp < -325 => 0.0,
        Some(lit) => nearest(&lit),
    };
    if negative {
        -x
    } else {
        x
    }
}

fn nearest(lit: &(String, i32)) -> f64 {
    // The guess: at most 19 leading digits, scaled by exact powers of ten (each step rounds once).
    let head = &lit.0[..lit.0.len().min(19)];
    let mut x = head.parse::<u64>().unwrap_or(0) as f64;
    let mut e = lit.1 - (head.len() as i32 - 1);
    // Up to 15 digits times or over an exact power of ten (10^22 at most) is one correctly rounded
    // operation on exact operands: the nearest float already (the usual case, e.g. `1.5`, `0.001`).
    let exact = lit.0.len() <= 15 && (-22..=22).contains(&e);
    while e > 0 {
        let k = e.min(22);
        x *= 10f64.powi(k);
        e -= k;
    }
    while e < 0 {
        let k = (-e).min(22);
        x /= 10f64.powi(k);
        e += k;
    }
    if exact {
        return x;
    }
    // The exact midpoint between x and its neighbour above (`up`) or below; above the largest float the
    // neighbour is 2^1024 (the bits of infinity read as a float), so overflow rounds as IEEE says.
    let mid = |x: f64, up: bool| {
        let y = f64::from_bits(if up { x.to_bits() + 1 } else { x.to_bits() - 1 });
        let ((ma, ea), (mb, eb)) = (parts(x), parts(y));
        let (lo, hi) = if ea <= eb { ((ma, ea), (mb, eb)) } else { ((mb, eb), (ma, ea)) };
        let sum = lo.0 + (hi.0 << (hi.1 - lo.1));
        (y, exact_decimal(sum, lo.1 - 1))
    };
    // Each step moves one way only (a literal above a midpoint is above every lower one), so this ends.
    loop {
        let odd = x.to_bits() & 1 == 1;
        if x.is_finite() {
            let (y, m) = mid(x, true);
            let c = cmp_decimal(lit, &m);
            if c.is_gt() || (c.is_eq() && odd) {
                x = y;
                continue;
            }
        }
        if x > 0.0 {
            let (y, m) = mid(x, false);
            let c = cmp_decimal(lit, &m);
            if c.is_lt() || (c.is_eq() && odd) {
                x = y;
                continue;
            }
        }
        return x;
    }
}

/// A JSON number as PHP reads and `http_build_query` writes it: an integer that fits PHP's (64-bit)
/// integers as it is, any other number as a float (`%.14G`).
fn php_number(text: &str) -> String {
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(v) = text.parse::<i64>() {
            return v.to_string(); // `-0` is 0, as in PHP
        }
    }
    php_float(read_float(text))
}

/// Encodes a JSON object (or list) as PHP's `http_build_query` does.
pub fn encode_form(json: &str) -> Result<String> {
    let mut out = String::with_capacity(json.len() + json.len() / 2);
    let mut key = String::new();
    let mut r = Reader::new(json);
    let top = matches!(r.peek(), Ok(b'{' | b'['));
    let result = if top { node(&mut r, &mut out, &mut key, true).and_then(|_| r.end()) } else { Err(Stop) };
    match result {
        Ok(()) => Ok(out),
        Err(Stop) if !top => Err(Error::new(ErrorCode::InvalidParams, "a form must be an object")),
        Err(Stop) => Err(Error::new(ErrorCode::InvalidParams, "not valid JSON, or nested 128 levels deep or more")),
    }
}

/// One value whose encoded key is `key` (empty at the top): a scalar becomes a pair `key=value`, a
/// container recurses with bracketed keys. The reader bounds the depth (127 levels).
fn node(r: &mut Reader<'_>, out: &mut String, key: &mut String, top: bool) -> std::result::Result<(), Stop> {
    // The key of a member: `name` at the top, `key[name]` (encoded) below.
    let child = |r: &mut Reader<'_>, out: &mut String, key: &mut String, name: &str| {
        let len = key.len();
        if top {
            urlencode_into(key, name);
        } else {
            key.push_str("%5B");
            urlencode_into(key, name);
            key.push_str("%5D");
        }
        node(r, out, key, false)?;
        key.truncate(len);
        Ok(())
    };
    let raw = match r.peek()? {
        b'{' => return r.members(|r, name| child(r, out, key, &name)),
        b'[' => return r.elements(|r, i| child(r, out, key, &i.to_string())),
        _ => r.raw()?,
    };
    let text = raw.get();
    let value: Cow<'_, str> = match text.as_bytes()[0] {
        b'"' => read_string(raw).map_err(|_| Stop)?,
        b't' => Cow::Borrowed("1"),
        b'f' => Cow::Borrowed("0"),
        b'n' => return Ok(()), // null members are left out
        _ => Cow::Owned(php_number(text)),
    };
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(key);
    out.push('=');
    urlencode_into(out, &value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(
            encode_form(r#"{"search":{"date":{"from":"2018-04-09 00:00:00","to":"2018-04-10 23:59:59"},"amount":"50000.00"}}"#).unwrap(),
            "search%5Bdate%5D%5Bfrom%5D=2018-04-09+00%3A00%3A00&search%5Bdate%5D%5Bto%5D=2018-04-10+23%3A59%3A59&search%5Bamount%5D=50000.00"
        );
        assert_eq!(
            encode_form(r#"{"a b":"x*y~z","k":"ä+&=/:'\""}"#).unwrap(),
            "a+b=x%2Ay%7Ez&k=%C3%A4%2B%26%3D%2F%3A%27%22"
        );
        assert_eq!(
            encode_form(r#"{"l":["a","b"],"t":true,"f":false,"n":null,"e":{},"z":[],"s":""}"#).unwrap(),
            "l%5B0%5D=a&l%5B1%5D=b&t=1&f=0&s="
        );
        assert_eq!(encode_form(r#"["x",{"y":-5}]"#).unwrap(), "0=x&1%5By%5D=-5");
        assert_eq!(encode_form("{}").unwrap(), "");
        for bad in ["\"x\"", "5", "null", "{", "{\"a\":1} x"] {
            assert_eq!(encode_form(bad).unwrap_err().code(), ErrorCode::InvalidParams, "{bad}");
        }
    }

    #[test]
    fn php_floats() {
        let cases = [
            (1.5, "1.5"),
            (0.1 + 0.2, "0.3"),
            (-2.25, "-2.25"),
            (1e-5, "1.0E-5"),
            (0.0001, "0.0001"),
            (1.5e20, "1.5E+20"),
            (1e15, "1.0E+15"),
            (1e14, "1.0E+14"),
            (12345678901234.5, "12345678901234"),
            (1.0, "1"),
            (123456789012345.6, "1.2345678901235E+14"),
            (99999999999999.99, "1.0E+14"),
            (0.000123456, "0.000123456"),
            (-0.0, "-0"),
            (12345678901235.5, "12345678901236"),
            (5e-324, "4.9406564584125E-324"),
            (f64::MAX, "1.7976931348623E+308"),
            (1e25, "1.0E+25"),
            (0.000123456789012345, "0.00012345678901234"),
        ];
        for (x, want) in cases {
            assert_eq!(php_float(x), want, "{x}");
        }
    }
}
