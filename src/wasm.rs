//! The JavaScript boundary: conversions and delegation only. Every rule lives in the core modules.
//!
//! Errors cross as instances of the package's `CekMutasiError` class (registered by the package entry
//! through `__setErrorClass`), carrying `code`, `path` and `status`.

use crate::body::BodyLimit;
use crate::callback::{self, NormalJson};
use crate::client::ClientOption;
use crate::error::{Error, ErrorCode};
use crate::{client, endpoints, matching};
use js_sys::{Object, Reflect, Uint8Array};
use std::cell::RefCell;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

thread_local! {
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Called once by the package entry with the `CekMutasiError` class, so every error thrown from Rust is
/// an instance of the very class users import.
#[wasm_bindgen(js_name = "__setErrorClass", skip_typescript)]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Runs when an instance starts (also after a reset): a panic is a bug, and with `panic=abort` it traps the
/// instance, which may then be inconsistent (no destructor ran, the shadow stack is not unwound). The hook
/// asks wasm-bindgen's glue for a fresh instance on the next call, and leaves the message where a
/// developer looks. The package entry turns the trap into a `CekMutasiError` with code `internal`.
#[wasm_bindgen(start, js_name = "__start")]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        wasm_bindgen::handler::schedule_reinit();
        console_error(&format!("cekmutasi: internal error, please report it: {info}"));
    }));
}

/// A deliberate panic, for the package's tests of the above (not part of the API).
#[wasm_bindgen(js_name = "__panicForTests", skip_typescript)]
pub fn panic_for_tests(message: &str) {
    panic!("{message}");
}

/// A trap that is not a panic (a failed allocation, an out-of-bounds access) schedules no fresh instance
/// by itself: the package entry calls this after any trap, so the next call runs on a fresh instance (as
/// its error message says). It touches no memory, so it runs on a trapped instance.
#[wasm_bindgen(js_name = "__scheduleReinit", skip_typescript)]
pub fn schedule_reinit() {
    wasm_bindgen::handler::schedule_reinit();
}

/// A deliberate trap without a panic, for the package's tests of the above (not part of the API).
#[wasm_bindgen(js_name = "__trapForTests", skip_typescript)]
pub fn trap_for_tests() {
    core::arch::wasm32::unreachable()
}

/// A plain JS object of these members, in this order (`None`: left out).
fn object<const N: usize>(members: [(&str, Option<JsValue>); N]) -> Object {
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
pub(crate) fn js_error(e: Error) -> JsValue {
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

type Res<T> = crate::error::Result<T>;

/// What a wrong argument is, for its message: `typeof`, with null and arrays told apart.
// The argument helpers are not inlined: one copy each, not one per export shim (module size).
#[inline(never)]
fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if js_sys::Array::is_array(value) {
        "an array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

#[inline(never)]
fn wrong_type(value: &JsValue, name: &str, want: &str, code: ErrorCode) -> Error {
    Error::new(code, format!("must be {want}, not {}", type_name(value))).at(name)
}

/// A string argument, or `code` naming it: a JS value of another type must never reach the module's own
/// string passing (it would trap inside the module).
#[inline(never)]
fn string_arg(value: &JsValue, name: &str, code: ErrorCode) -> Res<String> {
    match value.dyn_ref::<js_sys::JsString>() {
        Some(s) => utf8(s, name, code),
        None => Err(wrong_type(value, name, "a string", code)),
    }
}

/// Options of `parseCallback`.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ParseCallbackOptions {
    /// Largest body accepted, in bytes (default 1 MiB).
    #[tsify(optional)]
    pub max_body_bytes: Option<u32>,
}

/// Options of `receiveCallback`.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveCallbackOptions {
    /// The account's API signature, as configured at CekMutasi.
    pub signature: String,
    /// Largest body accepted, in bytes (default 1 MiB).
    #[tsify(optional)]
    pub max_body_bytes: Option<u32>,
}

/// A JS argument as JSON text for the core's readers. `JSON.stringify` writes a number in its shortest
/// form, which is the literal the caller wrote: `50000.5` reads as `50000.50`, never through a float sum.
/// What it cannot write (a function, a symbol, a BigInt, undefined) is `code` naming the argument.
#[inline(never)]
fn json_text(value: &JsValue, path: &str, code: ErrorCode) -> Res<String> {
    match js_sys::JSON::stringify(value).ok().and_then(|s| s.dyn_into::<js_sys::JsString>().ok()) {
        Some(text) => utf8(&text, path, code),
        None => Err(wrong_type(value, path, "a JSON value", code)),
    }
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
fn utf8(text: &js_sys::JsString, path: &str, code: ErrorCode) -> Res<String> {
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
fn optional_json(value: Option<JsValue>, path: &str, code: ErrorCode) -> Res<Option<String>> {
    match value {
        Some(v) if !v.is_undefined() && !v.is_null() => json_text(&v, path, code).map(Some),
        _ => Ok(None),
    }
}

/// `verifySignature(expected, received)`: constant-time comparison of the `Api-Signature` header with the
/// configured signature. Throws `config` when `expected` is empty; `false` when `received` is missing.
///
/// ```js
/// if (!verifySignature(process.env.CEKMUTASI_SIGNATURE, req.headers["api-signature"])) res.status(401);
/// ```
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(
    #[wasm_bindgen(unchecked_param_type = "string")] expected: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] received: JsValue,
) -> Result<bool, JsValue> {
    let checked = || {
        let expected = string_arg(&expected, "expected", ErrorCode::Config)?;
        let received = match received.is_undefined() || received.is_null() {
            true => None,
            false => Some(string_arg(&received, "received", ErrorCode::Config)?),
        };
        callback::verify_signature(&expected, received.as_deref())
    };
    Ok(checked().map_err(callback::receiver_error)?)
}

/// A callback body as bytes, refused before it is copied when it is over `max` (a string's UTF-16 length
/// bounds its UTF-8 size from below); `lossless` is false when the string had a lone surrogate, which the
/// copy replaced by U+FFFD: then what was validated is the copy, not the caller's string.
#[inline(never)]
fn body_bytes(body: &JsValue, max: usize) -> Res<(Vec<u8>, bool)> {
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

/// `parseCallback(body, options?)` (wrapped by the package entry, which makes the `PaymentReport`).
///
/// Returns the number of mutations when the body is already in normal form (the entry keeps the body as
/// the report's source), else the normalised report as JSON text. Throws `body_too_large`,
/// `invalid_json`, `unsupported_action` or `invalid_payload` (with `path`).
#[wasm_bindgen(js_name = "__parseCallback", skip_typescript)]
pub fn parse_callback(body: JsValue, options: Option<JsValue>) -> Result<JsValue, JsValue> {
    let checked = || {
        let options = optional_json(options, "options", ErrorCode::Config)?;
        let max = callback::read_options(options.as_deref(), false)?.max_body_bytes;
        let (bytes, lossless) = body_bytes(&body, max)?;
        Ok(match callback::normal_json(&bytes, max)? {
            NormalJson::AsIs { mutations, .. } if lossless => JsValue::from(mutations as f64),
            NormalJson::AsIs { text, .. } => JsValue::from_str(text),
            NormalJson::Rewritten(json) => JsValue::from_str(&json),
        })
    };
    Ok(checked().map_err(callback::receiver_error)?)
}

/// A member of a JS object, or `None` when it is absent or reading it throws.
#[inline(never)]
fn member(object: &JsValue, name: &str) -> Option<JsValue> {
    if !object.is_object() && !object.is_function() {
        return None;
    }
    Reflect::get(object, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined())
}

/// The method and `Api-Signature` header of a Fetch API `Request` (structurally: `method`, `headers.get`,
/// and a `body` stream or none); `config` naming `request` for anything else.
#[inline(never)]
fn fetch_request(request: &JsValue) -> Res<(String, Option<String>)> {
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

/// `receiveCallback(request, { signature, maxBodyBytes? })` starts here (the package entry reads the body):
/// the request, the options, the method and the `Api-Signature` header are checked before any byte of the
/// body is read; then the body arrives chunk by chunk, refused as soon as it passes `maxBodyBytes`.
#[wasm_bindgen(js_name = "__callbackBody", skip_typescript)]
pub fn callback_body(request: JsValue, options: JsValue) -> Result<JsCallbackBody, JsValue> {
    let checked = || {
        let options = optional_json(Some(options), "options", ErrorCode::Config)?;
        let options = callback::read_options(options.as_deref(), true)?;
        let expected =
            options.signature.ok_or_else(|| callback::config_error("receiveCallback needs { signature }"))?;
        let (method, signature) = fetch_request(&request)?;
        callback::check_request(&method, signature.as_deref(), &expected)?;
        Ok(JsCallbackBody(BodyLimit::new(options.max_body_bytes, callback::too_large)))
    };
    Ok(checked().map_err(callback::receiver_error)?)
}

/// A callback body being received. Each error carries the HTTP `status` to answer with.
#[wasm_bindgen(js_name = "__CallbackBody", skip_typescript)]
pub struct JsCallbackBody(BodyLimit);

#[wasm_bindgen(js_class = "__CallbackBody")]
impl JsCallbackBody {
    /// One chunk; `body_too_large` as soon as the total would pass the limit, before the chunk is copied
    /// (the reader then stops the sender).
    pub fn push(&mut self, chunk: JsValue) -> Result<(), JsValue> {
        let Some(chunk) = chunk.dyn_ref::<Uint8Array>() else {
            let e = callback::config_error(format!("the request body gave {}, not bytes", type_name(&chunk)));
            return Err(e.at("request.body").into());
        };
        chunk.copy_to(self.0.room(chunk.length() as usize)?);
        Ok(())
    }

    /// The error when the body stream fails.
    pub fn unreadable(&self) -> JsValue {
        js_error(Error::new(ErrorCode::NetworkError, "the callback body could not be read").with_status(400))
    }

    /// The whole body, validated: the report as JSON text in normal form.
    pub fn finish(&mut self) -> Result<String, JsValue> {
        let bytes = self.0.take();
        Ok(match callback::normal_json(&bytes, usize::MAX)? {
            NormalJson::AsIs { text, .. } => text.to_string(),
            NormalJson::Rewritten(json) => json,
        })
    }
}

// ---- matching ----

/// The symbol under which the package's `PaymentReport` exposes its normal-form JSON text, so a report
/// goes to the matcher without being converted to JS objects and back.
const SOURCE_SYMBOL: &str = "cekmutasi.source";

/// Mutations as JSON text: a `PaymentReport`'s own source, else the value (rows, or a plain report).
fn mutations_text(value: &JsValue) -> Res<String> {
    if value.is_object() {
        let key = js_sys::Symbol::for_(SOURCE_SYMBOL);
        if let Some(source) = Reflect::get(value, &key).ok().and_then(|s| s.dyn_into::<js_sys::JsString>().ok()) {
            return utf8(&source, "mutations", ErrorCode::InvalidParams);
        }
    }
    json_text(value, "mutations", ErrorCode::InvalidParams)
}

/// A Rust value as a JS object: serialised once, made by `JSON.parse`.
fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    // Neither step can fail (plain data; serde_json writes valid JSON); no error is formatted, which keeps
    // the error types' Debug code out of the module.
    let json = serde_json::to_string(value).unwrap_or_else(|_| unreachable!("results always serialise"));
    parse_json(&json)
}

/// `uniqueAmount(base, taken, options?)`: `base` plus (or minus, with `mode: "subtract"`) the smallest
/// whole-rupiah code in `[min, max]` (default 1 to 999) whose result is not in `taken`.
///
/// ```js
/// uniqueAmount("150000", ["150001.00"]) // "150002.00"
/// ```
#[wasm_bindgen(js_name = uniqueAmount)]
pub fn unique_amount(
    #[wasm_bindgen(unchecked_param_type = "string | number")] base: JsValue,
    #[wasm_bindgen(unchecked_param_type = "(string | number)[]")] taken: JsValue,
    options: Option<Ts<UniqueAmountOptions>>,
) -> Result<String, JsValue> {
    let options = options.map(JsValue::from);
    // An amount is a decimal string, or a number (read from its shortest literal, as everywhere).
    let base = if base.as_f64().is_some() {
        json_text(&base, "base", ErrorCode::InvalidParams)?
    } else {
        let text = string_arg(&base, "base", ErrorCode::InvalidParams)
            .map_err(|_| wrong_type(&base, "base", "a decimal string or a number", ErrorCode::InvalidParams))?;
        serde_json::to_string(&text).unwrap_or_else(|_| unreachable!("a string serialises"))
    };
    let taken = json_text(&taken, "taken", ErrorCode::InvalidParams)?;
    let options = optional_json(options, "options", ErrorCode::InvalidParams)?;
    Ok(matching::unique_amount_json(&base, &taken, options.as_deref()).map(|a| a.to_string())?)
}

/// Options of `uniqueAmount`.
#[derive(Tsify)]
pub struct UniqueAmountOptions {
    /// Smallest code (default 1).
    #[tsify(optional)]
    pub min: Option<u32>,
    /// Largest code (default 999).
    #[tsify(optional)]
    pub max: Option<u32>,
    /// Add the code to the base (default) or subtract it.
    #[tsify(optional, type = "\"add\" | \"subtract\"")]
    pub mode: Option<String>,
}

/// `matchPayments(invoices, mutations, options?)`: one-shot matching of credits to open invoices, with the
/// rules of `Matcher`. `mutations` are rows (a search result, `report.content.data`) or a whole
/// `PaymentReport`, whose account applies to every row.
#[wasm_bindgen(js_name = matchPayments, unchecked_return_type = "MatchResult")]
pub fn match_payments(
    #[wasm_bindgen(unchecked_param_type = "Invoice[]")] invoices: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Mutation[] | PaymentReportLike")] mutations: JsValue,
    options: Option<Ts<matching::MatchOptions>>,
) -> Result<JsValue, JsValue> {
    let options = options.map(JsValue::from);
    let options = matching::read_options(optional_json(options, "options", ErrorCode::InvalidParams)?.as_deref())?;
    let invoices = matching::read_invoices(&json_text(&invoices, "invoices", ErrorCode::InvalidParams)?)?;
    let text = mutations_text(&mutations)?;
    let batch = matching::read_mutations(&text)?;
    let result = matching::match_payments(invoices, &batch.credits(), options)?;
    Ok(to_js(&result))
}

#[wasm_bindgen(typescript_custom_section)]
const PAYMENT_REPORT_LIKE: &str = r#"
/** A payment report: the package's `PaymentReport`, or the same shape as a plain object. */
export interface PaymentReportLike { readonly action: "payment_report"; readonly content: PaymentReportContent }
"#;

/// The matching rules of `matchPayments`, stateful, for long-running processes (a Node server, a Durable
/// Object): matched invoices leave the set, and every mutation id it has processed is remembered, so a
/// re-delivered callback pays nothing. Persist `seenIds()` and pass them back as `seen` after a restart.
#[wasm_bindgen(js_name = Matcher)]
pub struct JsMatcher {
    inner: matching::Matcher,
}

#[wasm_bindgen(js_class = Matcher)]
impl JsMatcher {
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<Ts<matching::MatchOptions>>) -> Result<JsMatcher, JsValue> {
        let options = options.map(JsValue::from);
        let options = matching::read_options(optional_json(options, "options", ErrorCode::InvalidParams)?.as_deref())?;
        Ok(JsMatcher { inner: matching::Matcher::new(options) })
    }

    /// Adds an open invoice; `invalid_params` (path `invoice.amount`, …) when it is invalid or its id is
    /// already resident.
    pub fn add(&mut self, #[wasm_bindgen(unchecked_param_type = "Invoice")] invoice: JsValue) -> Result<(), JsValue> {
        let invoice = matching::read_invoice(&json_text(&invoice, "invoice", ErrorCode::InvalidParams)?)?;
        Ok(self.inner.add(invoice).map_err(|e| e.within("invoice"))?)
    }

    /// Adds many invoices at once, all or none (`invoices[3].amount` names the first bad one).
    #[wasm_bindgen(js_name = addAll)]
    pub fn add_all(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Invoice[]")] invoices: JsValue,
    ) -> Result<(), JsValue> {
        let invoices = matching::read_invoices(&json_text(&invoices, "invoices", ErrorCode::InvalidParams)?)?;
        Ok(self.inner.add_all(invoices)?)
    }

    /// Removes an open invoice; `false` when none has that id.
    pub fn remove(
        &mut self,
        #[wasm_bindgen(js_name = invoiceId, unchecked_param_type = "string")] invoice_id: JsValue,
    ) -> Result<bool, JsValue> {
        Ok(self.inner.remove(&string_arg(&invoice_id, "invoiceId", ErrorCode::InvalidParams)?))
    }

    /// Open invoices resident.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// Matches mutations (rows or a `PaymentReport`): paid invoices leave the set.
    #[wasm_bindgen(js_name = match, unchecked_return_type = "MatchResult")]
    pub fn match_mutations(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Mutation[] | PaymentReportLike")] mutations: JsValue,
    ) -> Result<JsValue, JsValue> {
        let text = mutations_text(&mutations)?;
        let batch = matching::read_mutations(&text)?;
        Ok(to_js(&self.inner.match_credits(&batch.credits())))
    }

    /// Every mutation id processed so far, ascending.
    #[wasm_bindgen(js_name = seenIds, unchecked_return_type = "number[]")]
    pub fn seen_ids(&self) -> JsValue {
        // Ids are within 2^53 (checked when read), so each is exact as a JS number.
        self.inner.seen_ids().into_iter().map(|id| JsValue::from(id as f64)).collect::<js_sys::Array>().into()
    }
}

/// Bytes of wasm linear memory (it only grows): for benchmarks of resident memory.
#[wasm_bindgen(js_name = "__memoryBytes", skip_typescript)]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

// ---- requests ----

/// `buildRequest(endpoint, params, { apiKey, baseUrl? })`: the HTTP request for an endpoint, pure (declared
/// with its generic types in the package's index.d.ts).
#[wasm_bindgen(js_name = buildRequest, skip_typescript)]
pub fn build_request(endpoint: JsValue, params: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let endpoint = string_arg(&endpoint, "endpoint", ErrorCode::Config)?;
    let options = optional_json(Some(options), "options", ErrorCode::Config)?;
    let options = client::read_client_options(options.as_deref(), &[ClientOption::ApiKey, ClientOption::BaseUrl])?;
    let params = optional_json(Some(params), "params", ErrorCode::InvalidParams)?;
    let opts = endpoints::Options { api_key: &options.api_key, base_url: options.base_url.as_deref() };
    let request = endpoints::build_request(&endpoint, params.as_deref().unwrap_or("{}"), &opts)?;
    Ok(to_js(&request))
}

/// `parseResponse(endpoint, status, body)`: the endpoint's payload from the service's answer, or a
/// `CekMutasiError` (`api_error`, `http_error`, `invalid_response`); declared in index.d.ts.
#[wasm_bindgen(js_name = parseResponse, skip_typescript)]
pub fn parse_response(endpoint: JsValue, status: JsValue, body: JsValue) -> Result<JsValue, JsValue> {
    let endpoint = string_arg(&endpoint, "endpoint", ErrorCode::Config)?;
    let status = status
        .as_f64()
        .filter(|s| s.fract() == 0.0 && (0.0..=999.0).contains(s))
        .ok_or_else(|| wrong_type(&status, "status", "an HTTP status (a whole number)", ErrorCode::InvalidParams))?;
    let body = string_arg(&body, "body", ErrorCode::InvalidParams)?;
    let json = endpoints::parse_response(&endpoint, status as u16, &body)?;
    js_sys::JSON::parse(&json).map_err(|_| js_error(Error::new(ErrorCode::InvalidResponse, "unreadable payload")))
}

/// `encodeForm(value)`: a form body byte-identical to PHP's `http_build_query` for the same data.
///
/// ```js
/// encodeForm({ search: { date: { from: "2018-04-09 00:00:00" } } }) // "search%5Bdate%5D%5Bfrom%5D=2018-04-09+00%3A00%3A00"
/// ```
#[wasm_bindgen(js_name = encodeForm)]
pub fn encode_form(#[wasm_bindgen(unchecked_param_type = "object")] value: JsValue) -> Result<String, JsValue> {
    let json = json_text(&value, "value", ErrorCode::InvalidParams)?;
    Ok(crate::form::encode_form(&json)?)
}

// ---- the client: its calls are tasks (crate::client::Task); the package entry performs their I/O ----

/// The client (`new CekMutasi({ apiKey, baseUrl?, timeoutMs?, retries? })`). `request`, `searchAll`,
/// `confirmMutation` and the per-endpoint methods (`searchBank`, `ovoTransferSend`, …) are attached by the
/// package entry: each makes a task here and drives it. Declared in index.d.ts.
#[wasm_bindgen(js_name = CekMutasi, skip_typescript)]
pub struct JsClient {
    options: client::ClientOptions,
}

#[wasm_bindgen(js_class = CekMutasi)]
impl JsClient {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsValue> {
        let options = optional_json(Some(options), "options", ErrorCode::Config)?;
        let options = client::read_client_options(options.as_deref(), ClientOption::ALL)?;
        Ok(JsClient { options })
    }

    #[wasm_bindgen(js_name = "__request")]
    pub fn request(&self, endpoint: JsValue, params: JsValue) -> Result<JsTask, JsValue> {
        let endpoint = string_arg(&endpoint, "endpoint", ErrorCode::Config)?;
        let params = optional_json(Some(params), "params", ErrorCode::InvalidParams)?;
        task(client::Task::request(&self.options, &endpoint, params.as_deref()))
    }

    #[wasm_bindgen(js_name = "__searchAll")]
    pub fn search_all(&self, service: JsValue, filters: JsValue) -> Result<JsTask, JsValue> {
        let service = string_arg(&service, "service", ErrorCode::Config)?;
        let filters = json_text(&filters, "search", ErrorCode::InvalidParams)?;
        task(client::Task::search_all(&self.options, &service, &filters))
    }

    #[wasm_bindgen(js_name = "__confirmMutation")]
    pub fn confirm_mutation(&self, mutation: JsValue, account: JsValue) -> Result<JsTask, JsValue> {
        let mutation = json_text(&mutation, "mutation", ErrorCode::InvalidParams)?;
        let account = json_text(&account, "account", ErrorCode::InvalidParams)?;
        task(client::Task::confirm(&self.options, &mutation, &account))
    }
}

fn task(t: crate::error::Result<client::Task>) -> Result<JsTask, JsValue> {
    Ok(t.map(JsTask)?)
}

/// A client call in progress, as the package entry drives it: each method returns the next action,
/// `{ send: HttpRequest, timeoutMs }`, `{ sleep: ms }` or `{ done: result }`, or throws the call's error.
#[wasm_bindgen(js_name = "__ClientTask", skip_typescript)]
pub struct JsTask(client::Task);

#[wasm_bindgen(js_class = "__ClientTask")]
impl JsTask {
    pub fn start(&mut self) -> JsValue {
        action(self.0.start())
    }

    pub fn resumed(&mut self) -> JsValue {
        action(self.0.resumed())
    }

    /// The answer's status and `Retry-After`; throws the call's error when the body is not to be read (a
    /// redirect).
    pub fn head(&mut self, status: u16, retry_after: Option<String>) -> Result<(), JsValue> {
        Ok(self.0.head(status, retry_after.as_deref())?)
    }

    /// One chunk of the answer, refused (the call's error) before it is copied when it would pass
    /// `maxResponseBytes`.
    pub fn chunk(&mut self, chunk: &Uint8Array) -> Result<(), JsValue> {
        chunk.copy_to(self.0.body_room(chunk.length() as usize)?);
        Ok(())
    }

    /// The answer's body has been read whole: the next action.
    pub fn answered(&mut self) -> Result<JsValue, JsValue> {
        Ok(self.0.body_done(js_sys::Math::random()).map(action)?)
    }

    pub fn failed(&mut self, timed_out: bool) -> Result<JsValue, JsValue> {
        Ok(self.0.failed(timed_out, js_sys::Math::random()).map(action)?)
    }
}

fn action(a: client::Action) -> JsValue {
    match a {
        client::Action::Send { request, timeout_ms } => {
            object([("send", Some(to_js(&request))), ("timeoutMs", Some((timeout_ms as f64).into()))])
        }
        client::Action::Sleep(ms) => object([("sleep", Some((ms as f64).into()))]),
        client::Action::Done(json) => object([("done", Some(parse_json(&json)))]),
    }
    .into()
}

fn parse_json(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or_else(|_| unreachable!("the core writes valid JSON"))
}

// ---- for the sandbox (a server of this API, shipped in the package) ----
// Only in the sandbox's own module (`--features sandbox`): users' bundles never carry the server side.

/// Reads a request to the API with the endpoint table: `{ path, payload, readOnly, params }`, or a
/// `CekMutasiError` (`config` for an unknown endpoint or verb, `invalid_params` naming the parameter).
#[cfg(feature = "sandbox")]
#[wasm_bindgen(js_name = "__readIncoming", skip_typescript)]
pub fn read_incoming(method: &str, path: &str, query: &str, body: &str) -> Result<JsValue, JsValue> {
    let incoming = endpoints::read_incoming(method, path, query, body)?;
    let e = incoming.endpoint;
    Ok(object([
        ("path", Some(e.path.into())),
        ("payload", Some(e.payload.into())),
        ("readOnly", Some((e.effect == endpoints::Effect::ReadOnly).into())),
        ("search", Some(e.search.into())),
        ("params", Some(parse_json(&incoming.params))),
    ])
    .into())
}

/// A signed callback as the service sends it: `{ headers, body }` for a payment report (validated first).
#[cfg(feature = "sandbox")]
#[wasm_bindgen(js_name = "__signedCallback", skip_typescript)]
pub fn signed_callback(report: JsValue, signature: &str) -> Result<JsValue, JsValue> {
    let json = json_text(&report, "report", ErrorCode::InvalidPayload)?;
    let report = callback::parse_report(json.as_bytes(), usize::MAX)?;
    let (headers, body) = callback::signed_request(&report, signature)?;
    let headers = object(headers.map(|(name, value)| (name, Some(value.into()))));
    Ok(object([("headers", Some(headers.into())), ("body", Some(body.into()))]).into())
}
