//! Values checked and normalised by their [`Shape`]: the one walk that validates a caller's parameters
//! (`invalid_params`) and the service's payloads (`invalid_response`), naming the member's path. It reads
//! the document with the same path-keeping walk as the callback and invoice readers ([`Reader`] and
//! [`Ctx`]): nothing is collected into lists, and a path is built only for an error.

use super::table::{Member, Shape};
use crate::amount::Amount;
use crate::date::service_date;
use crate::error::ErrorCode;
use crate::json::{is_null, read_safe_int, read_safe_uint, read_string, Ctx, Raw, Reader, Seg, Stop};
use std::borrow::Cow;

/// Where a walk writes the value in normal form (`None`: only check).
pub(super) type Out<'o> = Option<&'o mut String>;

fn emit(out: &mut Out<'_>, s: &str) {
    if let Some(o) = out.as_deref_mut() {
        o.push_str(s);
    }
}

/// Checks the value that comes next against `shape`, at the current path of `ctx`; with `out`, also writes
/// it in normal form (amounts as two-decimal strings; unknown members of results kept as they are).
pub(super) fn check(ctx: &mut Ctx, r: &mut Reader<'_>, shape: &Shape, out: &mut Out<'_>) -> Result<(), Stop> {
    match shape {
        Shape::Object(known) => {
            ctx.expect(r, b'{', "an object")?;
            check_members(ctx, r, known, true, out)
        }
        Shape::List(item) => {
            ctx.expect(r, b'[', "a list")?;
            emit(out, "[");
            let mut first = true;
            ctx.elements(r, "a list", |ctx, r| {
                if !first {
                    emit(out, ",");
                }
                first = false;
                check(ctx, r, item, out)
            })?;
            emit(out, "]");
            Ok(())
        }
        Shape::DateRange => {
            let raw = r.raw()?;
            let mut range = Reader::new(raw.get());
            ctx.expect(&mut range, b'{', "an object { from, to }")?;
            let [from, to] = date_range(ctx, &mut range)?;
            // In the service's form: an instant given (a JS `Date`) is sent as the service's local time.
            emit(out, "{");
            for (name, bound) in [("from", &from), ("to", &to)] {
                if let Some(date) = bound {
                    if from.is_some() && name == "to" {
                        emit(out, ",");
                    }
                    emit(out, &format!("\"{name}\":\"{date}\""));
                }
            }
            emit(out, "}");
            Ok(())
        }
        Shape::StrMap => {
            let raw = r.raw()?;
            let mut map = Reader::new(raw.get());
            ctx.expect(&mut map, b'{', "an object of strings")?;
            map.members(|map, key| {
                let value = map.raw()?;
                read_string(value).map(drop).map_err(|m| ctx.invalid(Some(&key), m))
            })?;
            emit(out, raw.get());
            Ok(())
        }
        leaf => {
            let raw = r.raw()?;
            match check_leaf(leaf, raw, ctx.code() == ErrorCode::InvalidParams) {
                Ok(Cow::Borrowed(text)) => emit(out, text),
                Ok(Cow::Owned(text)) => emit(out, &text),
                Err(message) => return Err(ctx.invalid(None, &message)),
            }
            Ok(())
        }
    }
}

/// A leaf value: its normal form, or what is wrong with it.
fn check_leaf<'a>(shape: &Shape, raw: Raw<'a>, params: bool) -> std::result::Result<Cow<'a, str>, String> {
    let text = raw.get();
    let string = || read_string(raw).map_err(str::to_string);
    match shape {
        Shape::Str => {
            // A parameter is one line (a URL, an account number, a uuid): CR, LF or NUL there is an
            // injection attempt or a paste error, never data. The form encoding would make it harmless on
            // the wire, but the service would store it. Results are read as the service sends them.
            if params && string()?.bytes().any(|b| b.is_ascii_control()) {
                return Err("must not contain control characters (CR, LF, NUL, …)".into());
            }
            string()?;
        }
        // Case-insensitive, sent in the canonical case (`"BCA"` → `bca`, `"active"` → `ACTIVE`), as the
        // service's PHP library does.
        Shape::Code(codes) => {
            let given = string()?;
            return match codes.iter().find(|c| c.eq_ignore_ascii_case(&given)) {
                Some(c) if **c == *given => Ok(Cow::Borrowed(text)),
                Some(c) => Ok(Cow::Owned(format!("\"{c}\""))),
                None => Err(format!("must be one of {}", codes.join(", "))),
            };
        }
        // The pages' codes are examples ("contoh"): a new bank's code (`bsi`) must not need a new release.
        Shape::ServiceCode(_) => {
            let given = string()?;
            if given.is_empty() || given.len() > 64 || !given.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err("must be a service code: letters, digits and _ (bri, bca, bsi, …)".into());
            }
            if given.bytes().any(|b| b.is_ascii_uppercase()) {
                return Ok(Cow::Owned(format!("\"{}\"", given.to_ascii_lowercase())));
            }
        }
        Shape::Id => {
            let (n, quoted) = whole(raw, params)?;
            if n == 0 {
                return Err("must be a positive whole number".into());
            }
            if quoted {
                return Ok(Cow::Owned(n.to_string()));
            }
        }
        Shape::Amount { signed } => {
            let a = Amount::from_json_literal(text, *signed).map_err(|e| e.message().to_string())?;
            // A parameter is sent as the caller wrote it (what PHP would send for the same value); a result
            // is read in normal form, a two-decimal string.
            if !params {
                return Ok(Cow::Owned(format!("\"{a}\"")));
            }
        }
        Shape::Rupiah { min } => {
            let (n, quoted) = whole(raw, params).map_err(|_| "must be a whole number of rupiah".to_string())?;
            if n < *min {
                return Err(format!("must be at least {min}"));
            }
            if quoted {
                return Ok(Cow::Owned(n.to_string()));
            }
        }
        Shape::Date => match service_date(&string()?) {
            Some(date) if text.len() == date.len() + 2 => {}
            Some(date) => return Ok(Cow::Owned(format!("\"{date}\""))),
            None => return Err(DATE_FORMS.into()),
        },
        Shape::Time => {
            let quoted = raw.quoted_number();
            let v =
                read_safe_int(quoted.unwrap_or(raw)).map_err(|_| "must be Unix seconds (an integer)".to_string())?;
            if quoted.is_some() {
                return Ok(Cow::Owned(v.to_string()));
            }
        }
        Shape::Currency => {
            let s = string()?;
            if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err("must be three letters (USD)".into());
            }
        }
        Shape::Text { max } => {
            if string()?.chars().count() > *max {
                return Err(format!("must be at most {max} characters"));
            }
        }
        Shape::Scalar => {
            if !(text.starts_with('"') || text.starts_with('-') || text.starts_with(|c: char| c.is_ascii_digit())) {
                return Err("must be a string or a number".into());
            }
        }
        Shape::Bool => {
            if text != "true" && text != "false" {
                return Err("must be true or false".into());
            }
        }
        Shape::Any => {}
        Shape::Nothing => return Ok(Cow::Borrowed("null")),
        Shape::Object(_) | Shape::List(_) | Shape::DateRange | Shape::StrMap => {
            unreachable!("containers are walked by check")
        }
    }
    Ok(Cow::Borrowed(text))
}

/// A whole number: a JSON integer, or, in parameters, a string of digits (`amount: "15000"`, as the
/// service's OVO-to-OVO sample sends it), read as that integer; `true` when it was such a string. Results
/// stay strict: an id there is the key a payment is processed once by.
fn whole(raw: Raw<'_>, params: bool) -> std::result::Result<(u64, bool), String> {
    match raw.quoted_number().filter(|_| params) {
        Some(digits) => Ok((read_safe_uint(digits)?, true)),
        None => Ok((read_safe_uint(raw)?, false)),
    }
}

/// What a filter date may be.
const DATE_FORMS: &str = "must be a date that exists, as Y-m-d H:i:s in the service's time (Asia/Jakarta, UTC+7: \
     2018-04-09 00:00:00) or an instant with its zone (2018-04-08T17:00:00Z, a JS Date)";

/// `{ from?, to? }`: both dates, `from` not after `to`, in the service's form (the caller has seen `{`).
fn date_range(ctx: &mut Ctx, r: &mut Reader<'_>) -> Result<[Option<String>; 2], Stop> {
    let mut bounds: [Option<String>; 2] = [None, None];
    r.members(|r, key| {
        let (slot, name) = match key.as_ref() {
            "from" => (0, "from"),
            "to" => (1, "to"),
            _ => return Err(ctx.invalid(Some(&key), "unknown member (known: from, to)")),
        };
        ctx.push(Seg::Key(name));
        let raw = r.raw()?;
        if !is_null(raw) {
            let mut date = String::new();
            check(ctx, &mut Reader::new(raw.get()), &Shape::Date, &mut Some(&mut date))?;
            bounds[slot] = Some(date.trim_matches('"').to_string());
        }
        ctx.pop();
        Ok(())
    })?;
    if let [Some(from), Some(to)] = &bounds {
        // Y-m-d H:i:s orders as text.
        if from > to {
            return Err(ctx.invalid(Some("from"), "is after to"));
        }
    }
    Ok(bounds)
}

/// Checks the members of the object that comes next (the caller has seen `{`): required ones present
/// (checked first, so a missing one is the error even after a bad one), each by its shape; unknown ones
/// kept (results, with `keep_unknown`) or refused (parameters: a typo must not be sent, or dropped,
/// silently). `null` means absent, as PHP's `http_build_query` leaves it out.
pub(super) fn check_members(
    ctx: &mut Ctx,
    r: &mut Reader<'_>,
    known: &[Member],
    keep_unknown: bool,
    out: &mut Out<'_>,
) -> Result<(), Stop> {
    // The first pass only notes which known members are there (the tables' objects have fewer than 64).
    let at = r.mark();
    let mut present = 0u64;
    r.members(|r, key| {
        let raw = r.raw()?;
        match known.iter().position(|m| m.name == key) {
            Some(i) if !is_null(raw) => present |= 1 << i,
            _ => {}
        }
        Ok(())
    })?;
    if let Some(m) = known.iter().enumerate().find(|(i, m)| m.required && present & (1 << i) == 0).map(|(_, m)| m) {
        return Err(ctx.invalid(Some(m.name), "missing required member"));
    }
    r.revisit(at, |r| {
        emit(out, "{");
        let mut first = true;
        r.members(|r, key| {
            let member = known.iter().find(|m| m.name == key);
            if member.is_none() && !keep_unknown {
                let names: Vec<&str> = known.iter().map(|m| m.name).collect();
                let message = if names.is_empty() {
                    "unknown parameter (this endpoint takes none)".to_string()
                } else {
                    format!("unknown parameter (known: {})", names.join(", "))
                };
                return Err(ctx.invalid(Some(&key), &message));
            }
            // Only `null` starts with `n`: an absent member, left out.
            if r.peek()? == b'n' {
                return r.skip();
            }
            if let Some(o) = out.as_deref_mut() {
                if !first {
                    o.push(',');
                }
                o.push_str(&serde_json::to_string(&key).unwrap_or_else(|_| unreachable!("a string serialises")));
                o.push(':');
            }
            first = false;
            match member {
                // A required text given empty (`uuid: ""`, `token: ""`) would be sent, and refused by the
                // service or, worse, read as something else: it is not given.
                Some(m)
                    if !keep_unknown && m.required && matches!(m.shape, Shape::Str | Shape::Text { .. }) && {
                        let here = r.mark();
                        r.revisit(here, |r| Ok(r.raw()?.get() == "\"\""))?
                    } =>
                {
                    return Err(ctx.invalid(Some(m.name), "must not be empty"));
                }
                Some(m) => {
                    ctx.push(Seg::Key(m.name));
                    check(ctx, r, &m.shape, out)?;
                    ctx.pop();
                }
                None => emit(out, r.raw()?.get()),
            }
            Ok(())
        })?;
        emit(out, "}");
        Ok(())
    })
}
