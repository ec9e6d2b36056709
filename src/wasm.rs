//! The JavaScript boundary: conversions and delegation only. Every rule lives in the core modules.
//!
//! Errors cross as instances of the package's `CekMutasiError` class (registered by the package entry
//! through `__setErrorClass`), carrying `code`, `path` and `status`.

use crate::callback::{self, BodyLimit, NormalJson};
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

/// The JS value of an SDK error: `new CekMutasiError(message, { code, path, status })`.
pub(crate) fn js_error(e: Error) -> JsValue {
    let details = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&details, &JsValue::from_str(k), &v);
    };
    set("code", JsValue::from_str(e.code().as_str()));
    if let Some(p) = e.path() {
        set("path", JsValue::from_str(p));
    }
    if let Some(s) = e.status() {
        set("status", JsValue::from(s));
    }
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

fn config(message: &str) -> JsValue {
    js_error(Error::new(ErrorCode::Config, message))
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
fn json_text(value: &JsValue, path: &str, code: ErrorCode) -> Result<String, JsValue> {
    let text = js_sys::JSON::stringify(value).ok().filter(|s| s.is_string());
    text.map(|s| utf8(&s)).ok_or_else(|| js_error(Error::new(code, "must be a JSON value").at(path)))
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
fn utf8(text: &js_sys::JsString) -> String {
    // At most three bytes per UTF-16 unit.
    let mut bytes = Vec::<u8>::with_capacity(text.length() as usize * 3);
    // SAFETY: the view covers the vector's allocation, and nothing allocates (nor grows the memory, which
    // would detach the view) until `encodeInto` has returned.
    let written = unsafe {
        let view = Uint8Array::view_mut_raw(bytes.as_mut_ptr(), bytes.capacity());
        ENCODER.with(|e| e.encode_into(text, &view)).written() as usize
    };
    // SAFETY: `encodeInto` wrote `written` initialised bytes of UTF-8.
    unsafe {
        bytes.set_len(written);
        String::from_utf8_unchecked(bytes)
    }
}

/// An optional argument (`undefined` and `null` mean absent) as JSON text.
fn optional_json(value: Option<JsValue>, path: &str, code: ErrorCode) -> Result<Option<String>, JsValue> {
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
pub fn verify_signature(expected: &str, received: Option<String>) -> Result<bool, JsValue> {
    callback::verify_signature(expected, received.as_deref()).map_err(js_error)
}

fn body_bytes(body: &JsValue, max: usize) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = body.dyn_ref::<js_sys::JsString>() {
        Ok(utf8(s).into_bytes())
    } else if let Some(array) = body.dyn_ref::<Uint8Array>() {
        // An oversized array is refused before it is copied into wasm memory.
        callback::check_body_size(array.length() as usize, max).map_err(js_error)?;
        Ok(array.to_vec())
    } else {
        Err(config("body must be a string or a Uint8Array"))
    }
}

/// `parseCallback(body, options?)` (wrapped by the package entry, which makes the `PaymentReport`).
///
/// Returns the number of mutations when the body is already in normal form (the entry keeps the body as
/// the report's source), else the normalised report as JSON text. Throws `body_too_large`,
/// `invalid_json`, `unsupported_action` or `invalid_payload` (with `path`).
#[wasm_bindgen(js_name = "__parseCallback", skip_typescript)]
pub fn parse_callback(body: JsValue, options: Option<JsValue>) -> Result<JsValue, JsValue> {
    let options = optional_json(options, "options", ErrorCode::Config)?;
    let max = callback::read_options(options.as_deref(), false).map_err(js_error)?.max_body_bytes;
    let bytes = body_bytes(&body, max)?;
    match callback::normal_json(&bytes, max).map_err(js_error)? {
        NormalJson::AsIs { mutations, .. } => Ok(JsValue::from(mutations as f64)),
        NormalJson::Rewritten(json) => Ok(JsValue::from_str(&json)),
    }
}

#[wasm_bindgen]
extern "C" {
    /// A Fetch API `Headers` (structural: any object with `get` works).
    pub type FetchHeaders;
    #[wasm_bindgen(method)]
    fn get(this: &FetchHeaders, name: &str) -> Option<String>;
}

/// `receiveCallback(request, { signature, maxBodyBytes? })` starts here (the package entry reads the body):
/// the options, the method and the `Api-Signature` header are checked before any byte of the body is read;
/// then the body arrives chunk by chunk, refused as soon as it passes `maxBodyBytes`.
#[wasm_bindgen(js_name = "__callbackBody", skip_typescript)]
pub fn callback_body(method: &str, headers: &FetchHeaders, options: JsValue) -> Result<JsCallbackBody, JsValue> {
    let options = optional_json(Some(options), "options", ErrorCode::Config)?;
    let options = callback::read_options(options.as_deref(), true).map_err(js_error)?;
    let expected = options.signature.ok_or_else(|| config("receiveCallback needs { signature }"))?;
    let signature = headers.get(callback::SIGNATURE_HEADER);
    callback::check_request(method, signature.as_deref(), &expected).map_err(js_error)?;
    Ok(JsCallbackBody(BodyLimit::new(options.max_body_bytes)))
}

/// A callback body being received. Each error carries the HTTP `status` to answer with.
#[wasm_bindgen(js_name = "__CallbackBody", skip_typescript)]
pub struct JsCallbackBody(BodyLimit);

#[wasm_bindgen(js_class = "__CallbackBody")]
impl JsCallbackBody {
    /// One chunk; `body_too_large` as soon as the total passes the limit (the reader then stops the sender).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.0.push(chunk).map_err(js_error)
    }

    /// The error when the body stream fails.
    pub fn unreadable(&self) -> JsValue {
        js_error(Error::new(ErrorCode::NetworkError, "the callback body could not be read").with_status(400))
    }

    /// The whole body, validated: the report as JSON text in normal form.
    pub fn finish(&mut self) -> Result<String, JsValue> {
        let bytes = std::mem::replace(&mut self.0, BodyLimit::new(0)).into_bytes();
        Ok(match callback::normal_json(&bytes, usize::MAX).map_err(js_error)? {
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
fn mutations_text(value: &JsValue) -> Result<String, JsValue> {
    if value.is_object() {
        let key = js_sys::Symbol::for_(SOURCE_SYMBOL);
        if let Some(source) = Reflect::get(value, &key).ok().and_then(|s| s.dyn_into::<js_sys::JsString>().ok()) {
            return Ok(utf8(&source));
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
    base: &str,
    #[wasm_bindgen(unchecked_param_type = "string[]")] taken: JsValue,
    options: Option<Ts<UniqueAmountOptions>>,
) -> Result<String, JsValue> {
    let options = options.map(JsValue::from);
    let base = serde_json::to_string(base).unwrap_or_else(|_| unreachable!("a string serialises"));
    let taken = json_text(&taken, "taken", ErrorCode::InvalidParams)?;
    let options = optional_json(options, "options", ErrorCode::InvalidParams)?;
    matching::unique_amount_json(&base, &taken, options.as_deref()).map(|a| a.to_string()).map_err(js_error)
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
    let options = matching::read_options(optional_json(options, "options", ErrorCode::InvalidParams)?.as_deref())
        .map_err(js_error)?;
    let invoices =
        matching::read_invoices(&json_text(&invoices, "invoices", ErrorCode::InvalidParams)?).map_err(js_error)?;
    let text = mutations_text(&mutations)?;
    let batch = matching::read_mutations(&text).map_err(js_error)?;
    let result = matching::match_payments(invoices, &batch.credits(), options).map_err(js_error)?;
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
        let options = matching::read_options(optional_json(options, "options", ErrorCode::InvalidParams)?.as_deref())
            .map_err(js_error)?;
        Ok(JsMatcher { inner: matching::Matcher::new(options) })
    }

    /// Adds an open invoice; `invalid_params` (path `invoice.amount`, …) when it is invalid or its id is
    /// already resident.
    pub fn add(&mut self, #[wasm_bindgen(unchecked_param_type = "Invoice")] invoice: JsValue) -> Result<(), JsValue> {
        let invoice =
            matching::read_invoice(&json_text(&invoice, "invoice", ErrorCode::InvalidParams)?).map_err(js_error)?;
        self.inner.add(invoice).map_err(|e| js_error(e.within("invoice")))
    }

    /// Adds many invoices at once, all or none (`invoices[3].amount` names the first bad one).
    #[wasm_bindgen(js_name = addAll)]
    pub fn add_all(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Invoice[]")] invoices: JsValue,
    ) -> Result<(), JsValue> {
        let invoices =
            matching::read_invoices(&json_text(&invoices, "invoices", ErrorCode::InvalidParams)?).map_err(js_error)?;
        self.inner.add_all(invoices).map_err(js_error)
    }

    /// Removes an open invoice; `false` when none has that id.
    pub fn remove(&mut self, invoice_id: &str) -> bool {
        self.inner.remove(invoice_id)
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
        let batch = matching::read_mutations(&text).map_err(js_error)?;
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
pub fn build_request(endpoint: &str, params: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let options = optional_json(Some(options), "options", ErrorCode::Config)?;
    let options = endpoints::read_client_options(options.as_deref(), &["apiKey", "baseUrl"]).map_err(js_error)?;
    let params = optional_json(Some(params), "params", ErrorCode::InvalidParams)?;
    let opts = endpoints::Options { api_key: &options.api_key, base_url: options.base_url.as_deref() };
    let request = endpoints::build_request(endpoint, params.as_deref().unwrap_or("{}"), &opts).map_err(js_error)?;
    Ok(to_js(&request))
}

/// `parseResponse(endpoint, status, body)`: the endpoint's payload from the service's answer, or a
/// `CekMutasiError` (`api_error`, `http_error`, `invalid_response`); declared in index.d.ts.
#[wasm_bindgen(js_name = parseResponse, skip_typescript)]
pub fn parse_response(endpoint: &str, status: u16, body: &str) -> Result<JsValue, JsValue> {
    let json = endpoints::parse_response(endpoint, status, body).map_err(js_error)?;
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
    crate::form::encode_form(&json).map_err(js_error)
}

// ---- the client: its calls are tasks (crate::client::Task); the package entry performs their I/O ----

/// The client (`new CekMutasi({ apiKey, baseUrl?, timeoutMs?, retries? })`). `request`, `searchAll`,
/// `confirmMutation` and the per-endpoint methods (`searchBank`, `ovoTransferSend`, …) are attached by the
/// package entry: each makes a task here and drives it. Declared in index.d.ts.
#[wasm_bindgen(js_name = CekMutasi, skip_typescript)]
pub struct JsClient {
    options: endpoints::ClientOptions,
}

#[wasm_bindgen(js_class = CekMutasi)]
impl JsClient {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsValue> {
        let options = optional_json(Some(options), "options", ErrorCode::Config)?;
        let options =
            endpoints::read_client_options(options.as_deref(), &["apiKey", "baseUrl", "timeoutMs", "retries"])
                .map_err(js_error)?;
        Ok(JsClient { options })
    }

    #[wasm_bindgen(js_name = "__request")]
    pub fn request(&self, endpoint: &str, params: JsValue) -> Result<JsTask, JsValue> {
        let params = optional_json(Some(params), "params", ErrorCode::InvalidParams)?;
        task(client::Task::request(&self.options, endpoint, params.as_deref()))
    }

    #[wasm_bindgen(js_name = "__searchAll")]
    pub fn search_all(&self, service: &str, filters: JsValue) -> Result<JsTask, JsValue> {
        let filters = json_text(&filters, "search", ErrorCode::InvalidParams)?;
        task(client::Task::search_all(&self.options, service, &filters))
    }

    #[wasm_bindgen(js_name = "__confirmMutation")]
    pub fn confirm_mutation(&self, mutation: JsValue, account: JsValue) -> Result<JsTask, JsValue> {
        let mutation = json_text(&mutation, "mutation", ErrorCode::InvalidParams)?;
        let account = json_text(&account, "account", ErrorCode::InvalidParams)?;
        task(client::Task::confirm(&self.options, &mutation, &account))
    }
}

fn task(t: crate::error::Result<client::Task>) -> Result<JsTask, JsValue> {
    t.map(JsTask).map_err(js_error)
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

    pub fn answered(&mut self, status: u16, retry_after: Option<String>, body: &str) -> Result<JsValue, JsValue> {
        self.0.answered(status, retry_after.as_deref(), body, js_sys::Math::random()).map(action).map_err(js_error)
    }

    pub fn failed(&mut self, timed_out: bool) -> Result<JsValue, JsValue> {
        self.0.failed(timed_out, js_sys::Math::random()).map(action).map_err(js_error)
    }
}

fn action(a: client::Action) -> JsValue {
    let out = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&out, &JsValue::from_str(k), v);
    };
    match a {
        client::Action::Send { request, timeout_ms } => {
            set("send", &to_js(&request));
            set("timeoutMs", &JsValue::from_f64(timeout_ms as f64));
        }
        client::Action::Sleep(ms) => set("sleep", &JsValue::from_f64(ms as f64)),
        client::Action::Done(json) => set("done", &parse_json(&json)),
    }
    out.into()
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
    let incoming = endpoints::read_incoming(method, path, query, body).map_err(js_error)?;
    let e = incoming.endpoint;
    let out = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&out, &JsValue::from_str(k), &v);
    };
    set("path", e.path.into());
    set("payload", e.payload.into());
    set("readOnly", JsValue::from_bool(e.effect == endpoints::Effect::ReadOnly));
    set("search", JsValue::from_bool(e.search));
    set("params", parse_json(&incoming.params));
    Ok(out.into())
}

/// A signed callback as the service sends it: `{ headers, body }` for a payment report (validated first).
#[cfg(feature = "sandbox")]
#[wasm_bindgen(js_name = "__signedCallback", skip_typescript)]
pub fn signed_callback(report: JsValue, signature: &str) -> Result<JsValue, JsValue> {
    let json = json_text(&report, "report", ErrorCode::InvalidPayload)?;
    let report = callback::parse_report(json.as_bytes(), usize::MAX).map_err(js_error)?;
    let (headers, body) = callback::signed_request(&report, signature).map_err(js_error)?;
    let h = Object::new();
    for (k, v) in headers {
        let _ = Reflect::set(&h, &JsValue::from_str(k), &JsValue::from_str(&v));
    }
    let out = Object::new();
    let _ = Reflect::set(&out, &"headers".into(), &h);
    let _ = Reflect::set(&out, &"body".into(), &JsValue::from_str(&body));
    Ok(out.into())
}
