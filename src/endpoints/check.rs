//! Values checked and normalised by their [`Shape`]: the one walk that validates a caller's parameters
//! (`invalid_params`) and the service's payloads (`invalid_response`), naming the member's path.

use super::table::{Member, Shape};
use crate::amount::Amount;
use crate::error::{Error, ErrorCode, Result};
use crate::json::{elements, is_null, members, read_safe_uint, read_string, Raw};

/// Checks `raw` against `shape`; with `out`, also writes the value in normal form (amounts as two-decimal
/// strings; unknown members of results kept as they are). `code` is the error code of a bad value.
pub(super) fn check(shape: &Shape, raw: Raw<'_>, path: &str, code: ErrorCode, out: Option<&mut String>) -> Result<()> {
    let bad = |m: &str| Error::new(code, m).at(path);
    let text = raw.get();
    let mut out = out;
    match shape {
        Shape::Str => {
            let s = read_string(raw).map_err(bad)?;
            // A parameter is one line (a URL, an account number, a uuid): CR, LF or NUL there is an
            // injection attempt or a paste error, never data. The form encoding would make it harmless on
            // the wire, but the service would store it. Results are read as the service sends them.
            if code == ErrorCode::InvalidParams && s.bytes().any(|b| b.is_ascii_control()) {
                return Err(bad("must not contain control characters (CR, LF, NUL, …)"));
            }
            emit(&mut out, text);
        }
        Shape::Code(codes) => {
            let s = read_string(raw).map_err(bad)?;
            if !codes.contains(&s.as_ref()) {
                return Err(bad(&format!("must be one of {}", codes.join(", "))));
            }
            emit(&mut out, text);
        }
        Shape::Id => {
            let id = read_safe_uint(raw).map_err(bad)?;
            if id == 0 {
                return Err(bad("must be a positive whole number"));
            }
            emit(&mut out, text);
        }
        Shape::Amount { signed } => {
            let a = Amount::from_json_literal(text, *signed).map_err(|e| bad(e.message()))?;
            emit(&mut out, &format!("\"{a}\""));
        }
        Shape::Rupiah { min } => {
            let n = read_safe_uint(raw).map_err(|_| bad("must be a whole number of rupiah"))?;
            if n < *min {
                return Err(bad(&format!("must be at least {min}")));
            }
            emit(&mut out, text);
        }
        Shape::Date => {
            let s = read_string(raw).map_err(bad)?;
            if !is_date(&s) {
                return Err(bad("must be a date as Y-m-d H:i:s that exists (2018-04-09 00:00:00)"));
            }
            emit(&mut out, text);
        }
        Shape::DateRange => {
            let range = object_members(raw).ok_or_else(|| bad("must be an object { from, to }"))?;
            let mut bounds = [None, None];
            for (key, value) in &range {
                let slot = match key.as_str() {
                    "from" => 0,
                    "to" => 1,
                    _ => return Err(Error::new(code, "unknown member (known: from, to)").at(format!("{path}.{key}"))),
                };
                if !is_null(*value) {
                    check(&Shape::Date, *value, &format!("{path}.{key}"), code, None)?;
                    bounds[slot] = Some(read_string(*value).map_err(bad)?);
                }
            }
            if let [Some(from), Some(to)] = &bounds {
                // Y-m-d H:i:s orders as text.
                if from > to {
                    return Err(Error::new(code, "is after to").at(format!("{path}.from")));
                }
            }
            emit(&mut out, text);
        }
        Shape::Currency => {
            let s = read_string(raw).map_err(bad)?;
            if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(bad("must be three letters (USD)"));
            }
            emit(&mut out, text);
        }
        Shape::Text { max } => {
            let s = read_string(raw).map_err(bad)?;
            if s.chars().count() > *max {
                return Err(bad(&format!("must be at most {max} characters")));
            }
            emit(&mut out, text);
        }
        Shape::StrMap => {
            let map = object_members(raw).ok_or_else(|| bad("must be an object of strings"))?;
            for (key, value) in &map {
                read_string(*value).map_err(|m| Error::new(code, m).at(format!("{path}.{key}")))?;
            }
            emit(&mut out, text);
        }
        Shape::Scalar => {
            if !(text.starts_with('"') || text.starts_with('-') || text.starts_with(|c: char| c.is_ascii_digit())) {
                return Err(bad("must be a string or a number"));
            }
            emit(&mut out, text);
        }
        Shape::Bool => {
            if text != "true" && text != "false" {
                return Err(bad("must be true or false"));
            }
            emit(&mut out, text);
        }
        Shape::Any => emit(&mut out, text),
        Shape::Nothing => emit(&mut out, "null"),
        Shape::List(item) => {
            let items = elements(text).ok_or_else(|| bad("must be a list"))?;
            emit(&mut out, "[");
            for (i, item_raw) in items.iter().enumerate() {
                if i > 0 {
                    emit(&mut out, ",");
                }
                check(item, *item_raw, &format!("{path}[{i}]"), code, out.as_deref_mut())?;
            }
            emit(&mut out, "]");
        }
        Shape::Object(known) => {
            let got = object_members(raw).ok_or_else(|| bad("must be an object"))?;
            check_members(known, &got, path, code, true, out)?;
        }
    }
    Ok(())
}

fn emit(out: &mut Option<&mut String>, s: &str) {
    if let Some(o) = out.as_deref_mut() {
        o.push_str(s);
    }
}

/// Checks the members of an object: required ones present, each by its shape; unknown ones kept (results)
/// or refused (parameters: a typo must not be sent, or dropped, silently).
pub(super) fn check_members(
    known: &[Member],
    got: &[(String, Raw<'_>)],
    path: &str,
    code: ErrorCode,
    keep_unknown: bool,
    mut out: Option<&mut String>,
) -> Result<()> {
    let at = |name: &str| if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
    for m in known.iter().filter(|m| m.required) {
        if !got.iter().any(|(k, v)| k == m.name && !is_null(*v)) {
            return Err(Error::new(code, "missing required member").at(at(m.name)));
        }
    }
    if let Some(o) = out.as_deref_mut() {
        o.push('{');
    }
    let mut first = true;
    for (key, value) in got {
        let member = known.iter().find(|m| m.name == key);
        if member.is_none() && !keep_unknown {
            let names: Vec<&str> = known.iter().map(|m| m.name).collect();
            let message = if names.is_empty() {
                "unknown parameter (this endpoint takes none)".to_string()
            } else {
                format!("unknown parameter (known: {})", names.join(", "))
            };
            return Err(Error::new(code, message).at(at(key)));
        }
        if is_null(*value) {
            continue; // null means absent, as PHP's http_build_query leaves it out
        }
        if let Some(o) = out.as_deref_mut() {
            if !first {
                o.push(',');
            }
            first = false;
            o.push_str(&serde_json::to_string(key).unwrap_or_else(|_| unreachable!("a string serialises")));
            o.push(':');
        }
        match member {
            Some(m) => check(&m.shape, *value, &at(key), code, out.as_deref_mut())?,
            None => {
                if let Some(o) = out.as_deref_mut() {
                    o.push_str(value.get());
                }
            }
        }
    }
    if let Some(o) = out {
        o.push('}');
    }
    Ok(())
}

fn object_members(raw: Raw<'_>) -> Option<Vec<(String, Raw<'_>)>> {
    if raw.get().starts_with('{') {
        members(raw.get())
    } else {
        None
    }
}

/// `Y-m-d H:i:s` with a real date and time.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) =
        (num(0..4), num(5..7), num(8..10), num(11..13), num(14..16), num(17..19))
    else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d) && h < 24 && mi < 60 && sec < 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["2018-04-09 00:00:00", "2024-02-29 23:59:59", "2000-02-29 12:00:00"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2023-02-29 00:00:00",
            "1900-02-29 00:00:00",
            "2018-04-31 00:00:00",
            "2018-13-01 00:00:00",
            "2018-04-09 24:00:00",
            "2018-04-09T00:00:00",
            "2018-4-9 00:00:00",
            "2018-04-09 00:00",
            "2018-04-09 00:60:00",
            "０018-04-09 00:00:00",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }
}
