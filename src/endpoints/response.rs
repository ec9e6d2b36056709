//! Responses: the envelope read, the payload checked against the endpoint's result shape.

use super::check::check;
use super::table::{endpoint, Shape};
use crate::error::{Error, ErrorCode, Result};
use crate::json::{is_null, members, read_string};

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
    let envelope = body
        .trim_start()
        .starts_with('{')
        .then(|| members(body))
        .flatten()
        .ok_or_else(|| not_envelope("not a JSON object"))?;
    let find = |name: &str| envelope.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    let success = match find("success").map(|v| v.get()) {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(not_envelope("no boolean `success`")),
    };
    if !success {
        let message = find("error_message")
            .and_then(|m| read_string(m).ok())
            .map(|m| m.into_owned())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "the service answered success: false without a message".to_string());
        return Err(Error::new(ErrorCode::ApiError, message).with_status(status));
    }
    // The undocumented endpoints' payload member is not known: whichever of the two is present.
    let payload = find(e.payload).or_else(|| find("response").filter(|_| !e.documented)).filter(|v| !is_null(*v));
    let mut out = String::with_capacity(body.len());
    match (payload, &e.result) {
        (_, Shape::Nothing) => out.push_str("null"),
        (None, Shape::Any) => out.push_str("null"),
        (None, _) => {
            return Err(Error::new(ErrorCode::InvalidResponse, "missing required member")
                .at(e.payload)
                .with_status(status))
        }
        (Some(raw), shape) => check(shape, raw, e.payload, ErrorCode::InvalidResponse, Some(&mut out))
            .map_err(|err| err.with_status(status))?,
    }
    // Members kept as the service sent them could be named `__proto__` (see `without_proto`).
    Ok(match crate::json::without_proto(&out) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(clean) => clean,
    })
}
