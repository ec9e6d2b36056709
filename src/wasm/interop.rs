//! Conversions between JavaScript values and the core's inputs and outputs, in one place (as
//! automerge-wasm's `interop.rs`): arguments checked by type and read as the core reads them (UTF-8, JSON
//! text), SDK errors as `CekMutasiError`s, results as plain objects. The exports in `mod.rs` only call
//! these and the core.

use crate::callback;
use crate::client;
use crate::error::{Error, ErrorCode};
use js_sys::{Object, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The package's `CekMutasiError` class (see `__setErrorClass`).
    pub(super) static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// A plain JS object of these members, in this order (`None`: left out).
pub(super) fn object<const N: usize>(members: [(&str, Option<JsValue>); N]) -> Object {
    let out = Object::new();
    for (name, value) in members {
        if let Some(value) = value {
            // Setting a data property on a fresh plain object cannot fail.
            let _ = Reflect::set(&out, &JsValue::from_str(name), &value);
        }
    }
    out
}

/// The JS value of an SDK error: `new CekMutasiError(message, { code, path, status })`.
pub(super) fn js_error(e: Error) -> JsValue {
    let details = object([
        ("code", Some(e.code().as_str().into())),
        ("path", e.path().map(JsValue::from_str)),
        ("status", e.status().map(JsValue::from)),
    ]);
    let message = JsValue::from_str(&e.to_string());
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    match class {
        Some(class) => Reflect::construct(&class, &js_sys::Array::of2(&message, &details)).unwrap_or(message),
        // Used without the package entry (raw glue): still an Error with the same members.
        None => {
            let err = js_sys::Error::new(&e.to_string());
            err.set_name("CekMutasiError");
            let _ = Object::assign(err.as_ref(), &details);
            err.into()
        }
    }
}

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        js_error(e)
    }
}

pub(super) type Res<T> = crate::error::Result<T>;

/// What a wrong argument is, for its message: `typeof`, with null and arrays told apart.
// The argument helpers are not inlined: one copy each, not one per export shim (module size).
#[inline(never)]
pub(super) fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if js_sys::Array::is_array(value) {
        "an array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

#[inline(never)]
pub(super) fn wrong_type(value: &JsValue, name: &str, want: &str, code: ErrorCode) -> Error {
    Error::new(code, format!("must be {want}, not {}", type_name(value))).at(name)
}

/// A string argument, or `code` naming it: a JS value of another type must never reach the module's own
/// string passing (it would trap inside the module).
#[inline(never)]
pub(super) fn string_arg(value: &JsValue, name: &str, code: ErrorCode) -> Res<String> {
    match value.dyn_ref::<js_sys::JsString>() {
        Some(s) => utf8(s, name, code),
        None => Err(wrong_type(value, name, "a string", code)),
    }
}

/// A JS argument as JSON text for the core's readers. `JSON.stringify` writes a number in its shortest
/// form, which is the literal the caller wrote: `50000.5` reads as `50000.50`, never through a float sum.
/// What it cannot write (a function, a symbol, a BigInt, undefined) is `code` naming the argument.
#[inline(never)]
pub(super) fn json_text(value: &JsValue, path: &str, code: ErrorCode) -> Res<String> {
    json_text_at(value, path, path, code)
}

/// [`json_text`] for an argument whose members the core names from `root` (`""` for an endpoint's
/// parameters, `search` for a search's filters): what `JSON.stringify` cannot write faithfully is named there.
#[inline(never)]
pub(super) fn json_text_at(value: &JsValue, path: &str, root: &str, code: ErrorCode) -> Res<String> {
    let text = match js_sys::JSON::stringify(value).ok().and_then(|s| s.dyn_into::<js_sys::JsString>().ok()) {
        Some(text) => utf8(&text, path, code)?,
        None => return Err(wrong_type(value, path, "a JSON value", code)),
    };
    // `JSON.stringify` writes NaN, ±Infinity and an invalid `Date` as `null`, which the core reads as
    // absent: a filter silently dropped, or "missing" where the caller gave something. Looked for only when
    // the text has a `null`, so the common case pays one scan of it.
    if text.as_bytes().windows(4).any(|w| w == b"null") {
        let mut at = String::from(root);
        if let Some(message) = unwritable(value, &mut at, 0) {
            return Err(Error::new(code, message).at(at));
        }
    }
    Ok(text)
}

/// The first value under `value` that JSON would write as `null` although it is not one, with its path
/// appended to `at` in the core's style (`date.from`, `invoices[2].amount`).
fn unwritable(value: &JsValue, at: &mut String, depth: u32) -> Option<String> {
    if let Some(n) = value.as_f64() {
        let name = if n.is_nan() {
            "NaN"
        } else if n > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        return (!n.is_finite()).then(|| format!("must be a finite number, not {name}"));
    }
    // Deeper than any shape the core reads: not looked into (nor is the stack spent on it).
    if !value.is_object() || depth > 16 {
        return None;
    }
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        return date.get_time().is_nan().then(|| "must be a valid date, not an Invalid Date".to_string());
    }
    // Another object that writes itself (`toJSON`) is what it writes, not its members.
    if member(value, "toJSON").is_some() {
        return None;
    }
    let mark = at.len();
    if js_sys::Array::is_array(value) {
        for (i, item) in js_sys::Array::from(value).iter().enumerate() {
            at.push_str(&format!("[{i}]"));
            if let Some(m) = unwritable(&item, at, depth + 1) {
                return Some(m);
            }
            at.truncate(mark);
        }
        return None;
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let Some(name) = key.as_string() else { continue };
        if !at.is_empty() {
            at.push('.');
        }
        at.push_str(&name);
        if let Some(m) = Reflect::get(value, &key).ok().and_then(|v| unwritable(&v, at, depth + 1)) {
            return Some(m);
        }
        at.truncate(mark);
    }
    None
}

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, text: &js_sys::JsString, into: &Uint8Array) -> EncodeResult;

    type EncodeResult;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeResult) -> u32;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// A JS string as UTF-8, written by the runtime's `TextEncoder` straight into wasm memory: wasm-bindgen's
/// own string passing copies ASCII one character at a time in JS, which costs as much as `JSON.stringify`
/// itself on a batch of 1000 rows. Lone surrogates become U+FFFD, as with every JS string passed to wasm.
/// A string too large for the module's memory is `code` naming the argument, never an abort.
#[inline(never)]
pub(super) fn utf8(text: &js_sys::JsString, path: &str, code: ErrorCode) -> Res<String> {
    // At most three bytes per UTF-16 unit.
    let mut bytes = Vec::<u8>::new();
    let units = text.length() as usize;
    if bytes.try_reserve_exact(units.saturating_mul(3)).is_err() {
        return Err(Error::new(code, format!("is too large to read ({units} characters)")).at(path));
    }
    // SAFETY: the view covers the vector's allocation, and nothing allocates (nor grows the memory, which
    // would detach the view) until `encodeInto` has returned.
    let written = unsafe {
        let view = Uint8Array::view_mut_raw(bytes.as_mut_ptr(), bytes.capacity());
        ENCODER.with(|e| e.encode_into(text, &view)).written() as usize
    };
    // SAFETY: `encodeInto` wrote `written` initialised bytes of UTF-8.
    unsafe {
        bytes.set_len(written);
        Ok(String::from_utf8_unchecked(bytes))
    }
}

/// An optional argument (`undefined` and `null` mean absent) as JSON text.
#[inline(never)]
pub(super) fn optional_json(value: Option<JsValue>, path: &str, code: ErrorCode) -> Res<Option<String>> {
    optional_json_at(value, path, path, code)
}

/// [`optional_json`] with the members named from `root`, as [`json_text_at`].
#[inline(never)]
pub(super) fn optional_json_at(value: Option<JsValue>, path: &str, root: &str, code: ErrorCode) -> Res<Option<String>> {
    match value {
        Some(v) if !v.is_undefined() && !v.is_null() => json_text_at(&v, path, root, code).map(Some),
        _ => Ok(None),
    }
}

/// Where the core names an endpoint's parameters from: `search` for a search's filters, else the top.
pub(super) fn params_root(endpoint: &str) -> Res<&'static str> {
    Ok(crate::endpoints::endpoint(endpoint)?.params_root())
}

/// A callback body as bytes, refused before it is copied when it is over `max` (a string's UTF-16 length
/// bounds its UTF-8 size from below); `lossless` is false when the string had a lone surrogate, which the
/// copy replaced by U+FFFD: then what was validated is the copy, not the caller's string.
#[inline(never)]
pub(super) fn body_bytes(body: &JsValue, max: usize) -> Res<(Vec<u8>, bool)> {
    if let Some(s) = body.dyn_ref::<js_sys::JsString>() {
        callback::check_body_size(s.length() as usize, max)?;
        let bytes = utf8(s, "body", ErrorCode::BodyTooLarge)?.into_bytes();
        // U+FFFD in the copy: a lone surrogate replaced, or the caller's own U+FFFD; either way the copy is
        // what is validated, and it is what the report shows.
        let lossless = !has_replacement_character(&bytes);
        Ok((bytes, lossless))
    } else if let Some(array) = body.dyn_ref::<Uint8Array>() {
        // An oversized array is refused before it is copied into wasm memory.
        callback::check_body_size(array.length() as usize, max)?;
        Ok((array.to_vec(), true))
    } else {
        Err(callback::config_error(format!(
            "must be a string or a Uint8Array (the raw body: with Express, express.raw({{ type: \"application/json\" }})), not {}",
            type_name(body)
        ))
        .at("body"))
    }
}

fn has_replacement_character(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(|&b| b == 0xEF) {
        if rest[i..].starts_with("\u{FFFD}".as_bytes()) {
            return true;
        }
        rest = &rest[i + 1..];
    }
    false
}

/// A member of a JS object, or `None` when it is absent or reading it throws.
#[inline(never)]
pub(super) fn member(object: &JsValue, name: &str) -> Option<JsValue> {
    if !object.is_object() && !object.is_function() {
        return None;
    }
    Reflect::get(object, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined())
}

/// The method and `Api-Signature` header of a Fetch API `Request` (structurally: `method`, `headers.get`,
/// and a `body` stream or none); `config` naming `request` for anything else.
#[inline(never)]
pub(super) fn fetch_request(request: &JsValue) -> Res<(String, Option<String>)> {
    let not_a_request = || {
        callback::config_error(format!(
            "must be a Fetch API Request (a method, headers with get(), a body stream), not {}; with Node's http or Express, read the raw body and call verifySignature and parseCallback",
            type_name(request)
        ))
        .at("request")
    };
    let method = member(request, "method").and_then(|m| m.as_string()).ok_or_else(not_a_request)?;
    let headers = member(request, "headers").ok_or_else(not_a_request)?;
    let get = member(&headers, "get").and_then(|g| g.dyn_into::<js_sys::Function>().ok()).ok_or_else(not_a_request)?;
    let body = member(request, "body").filter(|b| !b.is_null());
    if body.is_some_and(|b| member(&b, "getReader").is_none_or(|g| !g.is_function())) {
        return Err(not_a_request());
    }
    let signature = get.call1(&headers, &JsValue::from_str(callback::SIGNATURE_HEADER)).map_err(|_| not_a_request())?;
    let signature = match signature.is_null() || signature.is_undefined() {
        true => None,
        false => Some(signature.as_string().ok_or_else(not_a_request)?),
    };
    Ok((method, signature))
}

/// The symbol under which the package's `PaymentReport` exposes its normal-form JSON text, so a report
/// goes to the matcher without being converted to JS objects and back.
pub(super) const SOURCE_SYMBOL: &str = "cekmutasi.source";

thread_local! {
    /// The symbol itself, looked up once: `Symbol.for` per call (its name copied out of memory each time)
    /// was a tenth of a ledger's `apply`.
    static SOURCE_KEY: JsValue = js_sys::Symbol::for_(SOURCE_SYMBOL).into();
}

/// Mutations as JSON text: a `PaymentReport`'s own source, else the value (rows, or a plain report).
pub(super) fn mutations_text(value: &JsValue) -> Res<String> {
    if value.is_object() {
        let source = SOURCE_KEY.with(|key| Reflect::get(value, key));
        if let Some(source) = source.ok().and_then(|s| s.dyn_into::<js_sys::JsString>().ok()) {
            return utf8(&source, "mutations", ErrorCode::InvalidParams);
        }
    }
    json_text(value, "mutations", ErrorCode::InvalidParams)
}

/// A Rust value as a JS object: serialised once, made by `JSON.parse`.
pub(super) fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    // Neither step can fail (plain data; serde_json writes valid JSON); no error is formatted, which keeps
    // the error types' Debug code out of the module.
    let json = serde_json::to_string(value).unwrap_or_else(|_| unreachable!("results always serialise"));
    parse_json(&json)
}

pub(super) fn action(a: client::Action) -> JsValue {
    match a {
        client::Action::Send { request, timeout_ms } => {
            object([("send", Some(to_js(&request))), ("timeoutMs", Some((timeout_ms as f64).into()))])
        }
        client::Action::Sleep(ms) => object([("sleep", Some((ms as f64).into()))]),
        client::Action::Done(json) => object([("done", Some(parse_json(&json)))]),
    }
    .into()
}

pub(super) fn parse_json(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or_else(|_| unreachable!("the core writes valid JSON"))
}
