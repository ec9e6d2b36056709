//! Responses: the envelope read, the payload checked against the endpoint's result shape.

use super::check::check;
use super::table::{endpoint, Shape};
use crate::error::{Error, ErrorCode, Result};
use crate::json::{is_null, read_string, read_value_as, Mark, Raw, Reader, Seg, Stop};

/// Reads the service's answer for an endpoint: the payload (the envelope's `response` or `data`) checked
/// against the endpoint's result shape and written as JSON in normal form (amounts as two-decimal strings,
/// whole rupiah as numbers). `api_error` carries the service's `error_message`; a non-2xx answer without
/// an envelope is `http_error`; anything else that is not the envelope is `invalid_response`.
pub fn parse_response(path: &str, status: u16, body: &str) -> Result<String> {
    let e = endpoint(path)?;
    let ok_status = (200..300).contains(&status);
    let not_envelope = |what: &str| {
        if ok_status {
            Error::new(ErrorCode::InvalidResponse, format!("the answer is not the service's JSON envelope: {what}"))
                .with_status(status)
        } else {
            Error::new(ErrorCode::HttpError, format!("HTTP {status} without the service's JSON envelope"))
                .with_status(status)
        }
    };
    // The envelope's members, the first of each name (as PHP's json_decode would not: it keeps the last,
    // but a repeated member is no envelope the service sends), with where each value starts.
    let mut r = Reader::new(body);
    let (mut success, mut message, mut payload, mut response) = (None, None, None, None);
    let read = (|| -> std::result::Result<(), Stop> {
        if r.peek()? != b'{' {
            return Err(Stop);
        }
        r.members(|r, key| {
            let at = r.mark();
            let raw = r.raw()?;
            let slot = match key.as_ref() {
                "success" => &mut success,
                "error_message" => &mut message,
                k if k == e.payload => &mut payload,
                "response" => &mut response,
                _ => return Ok(()),
            };
            slot.get_or_insert((at, raw));
            Ok(())
        })?;
        r.end()
    })();
    read.map_err(|Stop| not_envelope("not a JSON object"))?;
    let success = match success.map(|(_, v): (Mark, Raw<'_>)| v.get()) {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(not_envelope("no boolean `success`")),
    };
    if !success {
        let message = message
            .and_then(|(_, m)| read_string(m).ok())
            .map(|m| m.into_owned())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "the service answered success: false without a message".to_string());
        return Err(Error::new(ErrorCode::ApiError, message).with_status(status));
    }
    // The undocumented endpoints' payload member is not known: whichever of the two is present.
    let payload = payload.or(response.filter(|_| !e.documented)).filter(|(_, v)| !is_null(*v));
    let mut out = String::with_capacity(body.len());
    match (payload, &e.result) {
        (_, Shape::Nothing) => out.push_str("null"),
        (None, Shape::Any) => out.push_str("null"),
        (None, _) => {
            return Err(Error::new(ErrorCode::InvalidResponse, "missing required member")
                .at(e.payload)
                .with_status(status))
        }
        (Some((at, _)), shape) => {
            let mut written = Some(&mut out);
            read_value_as(&mut r, ErrorCode::InvalidResponse, Seg::Key(e.payload), |ctx, r| {
                r.revisit(at, |r| check(ctx, r, shape, &mut written))
            })
            .map_err(|err| err.with_status(status))?
        }
    }
    // Members kept as the service sent them could be named `__proto__` (see `without_proto`).
    Ok(match crate::json::without_proto(&out) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(clean) => clean,
    })
}
