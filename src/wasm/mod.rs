//! The JavaScript boundary: the exports, each converting its arguments (with `interop`) and delegating
//! to the core. Every rule lives in the core modules.
//!
//! Errors cross as instances of the package's `CekMutasiError` class (registered by the package entry
//! through `__setErrorClass`), carrying `code`, `path` and `status`.

mod interop;

use crate::body::BodyLimit;
use crate::callback::{self, NormalJson};
use crate::client::ClientOption;
use crate::error::{Error, ErrorCode};
use crate::{client, endpoints, matching};
use interop::{
    action, body_bytes, fetch_request, js_error, json_text, json_text_at, mutations_text, optional_json,
    optional_json_at, params_root, string_arg, to_js, type_name, wrong_type, ERROR_CLASS,
};
#[cfg(feature = "sandbox")]
use interop::{object, parse_json};
use js_sys::Uint8Array;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

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

/// Options of `parseCallback`.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ParseCallbackOptions {
    /// Largest body accepted, in bytes (default 1 MiB).
    #[tsify(optional)]
    pub max_body_bytes: Option<u32>,
    /// Refuse the whole report at the first bad row (`invalid_payload`, 422), instead of leaving the row out
    /// and listing it in `rejected` (the default).
    #[tsify(optional)]
    pub strict: Option<bool>,
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
    /// Refuse the whole report at the first bad row (`invalid_payload`, 422), instead of leaving the row out
    /// and listing it in `rejected` (the default).
    #[tsify(optional)]
    pub strict: Option<bool>,
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

/// `parseCallback(body, options?)` (wrapped by the package entry, which makes the `PaymentReport`).
///
/// Answers a number, which wasm-bindgen passes back as it is (a `Result` or a `JsValue` costs the glue a
/// shadow-stack frame, three checked reads of memory and a table slot: about a tenth of a one-row call in
/// Node 20): the number of mutations (>= 0) when the body is already in normal form (the entry keeps the
/// body as the report's source; for a body without escapes in ASCII, the tape left in memory says where its
/// values are: [`tape_place`]); else [`ANSWER_TEXT`], the normalised report as JSON text, or
/// [`ANSWER_ERROR`], the error to throw (`body_too_large`, `invalid_json`, `unsupported_action` or
/// `invalid_payload`, with `path`), either one taken with [`answer`].
#[wasm_bindgen(js_name = "__parseCallback", skip_typescript)]
pub fn parse_callback(body: JsValue, options: Option<JsValue>) -> f64 {
    numbered((|| {
        let options = callback_options(options)?;
        let (bytes, lossless) = body_bytes(&body, options.max_body_bytes)?;
        normal_json_answer(&bytes, lossless, &options)
    })())
}

/// [`parse_callback`] for a `Uint8Array` body the package passes as it is copied into this module's memory
/// by wasm-bindgen (one allocation and one `set`; taking the bytes of a `JsValue` calls into JS four times).
/// The package passes only small arrays this way: a larger one goes through [`parse_callback`], which
/// refuses it before copying it when it is over the limit.
#[wasm_bindgen(js_name = "__parseCallbackBytes", skip_typescript)]
pub fn parse_callback_bytes(body: Vec<u8>, options: Option<JsValue>) -> f64 {
    numbered((|| {
        let options = callback_options(options)?;
        normal_json_answer(&body, true, &options)
    })())
}

/// [`parse_callback`]'s answer when it is the report as JSON text: take it with [`answer`].
pub const ANSWER_TEXT: f64 = -1.0;
/// [`parse_callback`]'s answer when it is an error to throw: take it with [`answer`].
pub const ANSWER_ERROR: f64 = -2.0;

/// What a body's bytes come to: its count of mutations, or the normalised report as JSON text.
enum Answer {
    Count(usize),
    Text(JsValue),
}

thread_local! {
    /// The text or error the last call answered with [`ANSWER_TEXT`] or [`ANSWER_ERROR`].
    static ANSWER: std::cell::RefCell<JsValue> = const { std::cell::RefCell::new(JsValue::UNDEFINED) };
}

fn numbered(result: crate::error::Result<Answer>) -> f64 {
    let (number, value) = match result {
        Ok(Answer::Count(n)) => return n as f64,
        Ok(Answer::Text(text)) => (ANSWER_TEXT, text),
        Err(e) => (ANSWER_ERROR, js_error(callback::receiver_error(e))),
    };
    ANSWER.with(|a| *a.borrow_mut() = value);
    number
}

/// The text or error of the last [`parse_callback`] that answered [`ANSWER_TEXT`] or [`ANSWER_ERROR`]
/// (`undefined` once taken).
#[wasm_bindgen(js_name = "__answer", skip_typescript)]
pub fn answer() -> JsValue {
    ANSWER.with(|a| a.replace(JsValue::UNDEFINED))
}

fn callback_options(options: Option<JsValue>) -> crate::error::Result<callback::CallbackOptions> {
    let options = optional_json(options, "options", ErrorCode::Config)?;
    callback::read_options(options.as_deref(), false)
}

/// What [`parse_callback`] answers for a body's bytes (`lossless`: they are the caller's body exactly).
fn normal_json_answer(
    bytes: &[u8],
    lossless: bool,
    options: &callback::CallbackOptions,
) -> crate::error::Result<Answer> {
    let (answer, tape) = match callback::normal_json(bytes, options.max_body_bytes, options.rows)? {
        NormalJson::AsIs { mutations, tape, .. } if lossless => (Answer::Count(mutations), tape),
        NormalJson::AsIs { text, .. } => (Answer::Text(JsValue::from_str(text)), None),
        NormalJson::Rewritten(json) => (Answer::Text(JsValue::from_str(&json)), None),
    };
    keep_tape(tape);
    Ok(answer)
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
        Ok(JsCallbackBody(BodyLimit::new(options.max_body_bytes, callback::too_large), options.rows))
    };
    Ok(checked().map_err(callback::receiver_error)?)
}

/// A callback body being received. Each error carries the HTTP `status` to answer with.
#[wasm_bindgen(js_name = "__CallbackBody", skip_typescript)]
pub struct JsCallbackBody(BodyLimit, callback::Rows);

thread_local! {
    /// The tape of the body read last (`[count, ...tape]`; empty when it had none), which the package copies
    /// straight out of this module's memory right after the call: a typed array made per call cost about
    /// 1 µs, more than the rest of a one-row call's crossing. It is replaced (and freed) by the next body.
    static TAPE: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Where that tape is (in bytes) and its length (in numbers), at a place in memory that stays put: the
/// package reads both there, with no call (three calls per body, one of them for the memory itself, were
/// a twentieth of a one-row call). Atomics only to be a `static` that changes; wasm32 has one thread.
static TAPE_PLACE: [std::sync::atomic::AtomicU32; 2] =
    [std::sync::atomic::AtomicU32::new(0), std::sync::atomic::AtomicU32::new(0)];

/// Keeps a body's tape, or none, for the package to copy.
fn keep_tape(tape: Option<Vec<u32>>) {
    use std::sync::atomic::Ordering::Relaxed;
    TAPE.with(|t| {
        let mut t = t.borrow_mut();
        *t = tape.unwrap_or_default();
        TAPE_PLACE[0].store(t.as_ptr() as u32, Relaxed);
        TAPE_PLACE[1].store(t.len() as u32, Relaxed);
    });
}

/// Where [`TAPE_PLACE`] is in [`memory`], in bytes: two numbers, where the last body's tape is (in bytes)
/// and its length (in numbers; 0: it had none).
#[wasm_bindgen(js_name = "__tapePlace", skip_typescript)]
pub fn tape_place() -> u32 {
    TAPE_PLACE.as_ptr() as u32
}

/// This module's memory (a fresh instance has a fresh one).
#[wasm_bindgen(js_name = "__memory", skip_typescript)]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
}

/// The names a tape's member indexes stand for: `{ content, row }` ([`callback::Tape`]).
#[wasm_bindgen(js_name = "__tapeNames", skip_typescript)]
pub fn tape_names() -> JsValue {
    let list = |names: &[&str]| js_sys::Array::from_iter(names.iter().map(|n| JsValue::from_str(n)));
    let names = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&names, &"content".into(), &list(callback::content_names()));
    let _ = js_sys::Reflect::set(&names, &"row".into(), &list(callback::row_names()));
    names.into()
}

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

    /// The whole body, validated: the report as JSON text in normal form (its tape, when it has one, left
    /// for the package to copy: [`tape_place`]).
    pub fn finish(&mut self) -> Result<String, JsValue> {
        let bytes = self.0.take();
        let (text, tape) = match callback::normal_json(&bytes, usize::MAX, self.1)? {
            NormalJson::AsIs { text, tape, .. } => (text.to_string(), tape),
            NormalJson::Rewritten(json) => (json, None),
        };
        keep_tape(tape);
        Ok(text)
    }
}

// ---- matching ----

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
    #[wasm_bindgen(unchecked_param_type = "MutationInput[] | PaymentReportLike")] mutations: JsValue,
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
/**
 * A mutation as matching and `confirmMutation` take it: a report's row, a search's row (which may come
 * without `description`), or your own record of one; `amount` a decimal string or a number.
 */
export type MutationInput = Omit<Mutation, "description" | "amount"> & { description?: string; amount: string | number };
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
    /// A matcher with no open invoices; `options.seen` are mutation ids already processed (restored after a
    /// restart).
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
        #[wasm_bindgen(unchecked_param_type = "MutationInput[] | PaymentReportLike")] mutations: JsValue,
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
    let options = client::read_client_options(
        options.as_deref(),
        &[ClientOption::ApiKey, ClientOption::BaseUrl, ClientOption::UserAgent],
    )?;
    let params = optional_json_at(Some(params), "params", params_root(&endpoint)?, ErrorCode::InvalidParams)?;
    let request = endpoints::build_request(&endpoint, params.as_deref().unwrap_or("{}"), &options.request_options())?;
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
    fetch: Option<js_sys::Function>,
}

#[wasm_bindgen(js_class = CekMutasi)]
impl JsClient {
    /// The client, with its options checked (`config` naming a bad one).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsValue> {
        let fetch = interop::member(&options, "fetch").and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let options = optional_json(Some(options), "options", ErrorCode::Config)?;
        let options = client::read_client_options(options.as_deref(), ClientOption::ALL)?;
        Ok(JsClient { options, fetch })
    }

    /// The `fetch` option (`undefined`: the global `fetch`), for the package's driver.
    #[wasm_bindgen(getter, js_name = "__fetch")]
    pub fn fetch(&self) -> Option<js_sys::Function> {
        self.fetch.clone()
    }

    /// The task of `request(endpoint, params)`.
    #[wasm_bindgen(js_name = "__request")]
    pub fn request(&self, endpoint: JsValue, params: JsValue) -> Result<JsTask, JsValue> {
        let endpoint = string_arg(&endpoint, "endpoint", ErrorCode::Config)?;
        let params = optional_json_at(Some(params), "params", params_root(&endpoint)?, ErrorCode::InvalidParams)?;
        task(client::Task::request(&self.options, &endpoint, params.as_deref()))
    }

    /// The task of `searchAll(service, filters)`.
    #[wasm_bindgen(js_name = "__searchAll")]
    pub fn search_all(&self, service: JsValue, filters: JsValue) -> Result<JsTask, JsValue> {
        let service = string_arg(&service, "service", ErrorCode::Config)?;
        let filters = json_text(&filters, "search", ErrorCode::InvalidParams)?;
        task(client::Task::search_all(&self.options, &service, &filters))
    }

    /// The task of `confirmMutation(mutation, account)`.
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
    /// The first action.
    pub fn start(&mut self) -> JsValue {
        action(self.0.start())
    }

    /// After a sleep: the next action.
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

    /// The request got no answer (it timed out, or the connection failed; `cause` is the runtime's error
    /// code, if any): the next action, or the call's error.
    pub fn failed(&mut self, timed_out: bool, cause: Option<String>) -> Result<JsValue, JsValue> {
        Ok(self.0.failed(timed_out, cause.as_deref(), js_sys::Math::random()).map(action)?)
    }
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

/// The service's facts the sandbox plays by, from the core: `{ searchCap, serviceUtcOffsetSeconds }`.
#[cfg(feature = "sandbox")]
#[wasm_bindgen(js_name = "__serviceFacts", skip_typescript)]
pub fn service_facts() -> JsValue {
    object([
        ("searchCap", Some((client::SEARCH_CAP as f64).into())),
        ("serviceUtcOffsetSeconds", Some((crate::date::SERVICE_UTC_OFFSET as f64).into())),
    ])
    .into()
}

/// A signed callback as the service sends it: `{ headers, body }` for a payment report (validated first).
#[cfg(feature = "sandbox")]
#[wasm_bindgen(js_name = "__signedCallback", skip_typescript)]
pub fn signed_callback(report: JsValue, signature: &str) -> Result<JsValue, JsValue> {
    let json = json_text(&report, "report", ErrorCode::InvalidPayload)?;
    let report = callback::parse_report(json.as_bytes(), usize::MAX, callback::Rows::Strict)?;
    let (headers, body) = callback::signed_request(&report, signature)?;
    let headers = object(headers.map(|(name, value)| (name, Some(value.into()))));
    Ok(object([("headers", Some(headers.into())), ("body", Some(body.into()))]).into())
}

// ---- the ledger: its calls are tasks (crate::ledger::Task); the package's store adapters run their SQL ----

/// The ledger's core over one store (`Ledger.open` in the package entry, which recognises the store), and
/// its calls in progress (tasks, [`crate::ledger::Task`]), each known to the package by its number while it
/// waits for the store: a call costs the package one crossing per action and no object of its own.
#[wasm_bindgen(js_name = "__Ledger", skip_typescript)]
pub struct JsLedger {
    core: crate::ledger::Ledger,
    tasks: Vec<Option<crate::ledger::Task>>,
}

fn seconds(now: f64) -> i64 {
    now.floor() as i64
}

/// A statement as the package's Ledger reads it: its text's number, or (a text with its values in it) the
/// text itself; the Ledger asks for a number's text once (`sql(key)`), so a text crosses once per ledger.
#[derive(serde::Serialize)]
struct LedgerStatement<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<&'a str>,
    params: &'a [crate::ledger::Value],
}

#[wasm_bindgen(js_class = "__Ledger")]
impl JsLedger {
    /// The core for a store speaking `dialect` (`sqlite`, `postgres`), with the ledger's options.
    #[wasm_bindgen(constructor)]
    pub fn new(dialect: &str, options: JsValue) -> Result<JsLedger, JsValue> {
        let options = optional_json(Some(options), "options", ErrorCode::InvalidParams)?;
        let dialect = crate::ledger::Dialect::parse(dialect)?;
        Ok(JsLedger { core: crate::ledger::Ledger::new(dialect, options.as_deref())?, tasks: Vec::new() })
    }

    /// The SQL text numbered `key` in this ledger's statements.
    pub fn sql(&self, key: u32) -> Result<String, JsValue> {
        match self.core.text(key) {
            Some(text) => Ok(text.to_string()),
            None => Err(Error::new(ErrorCode::Config, format!("no statement numbered {key}")).into()),
        }
    }

    /// Creating the tables when absent. Each call answers with its first action (JSON text):
    /// `{ task, run: [{ key | sql, params }] }`, or `{ done: result }`.
    pub fn open(&mut self) -> Result<String, JsValue> {
        let task = self.core.open();
        self.begin(task)
    }

    /// `openInvoice(invoice)` at `now` (Unix seconds), `token` random per call.
    #[wasm_bindgen(js_name = openInvoice)]
    pub fn open_invoice(&mut self, invoice: JsValue, now: f64, token: &str) -> Result<String, JsValue> {
        let json = json_text_at(&invoice, "invoice", "", ErrorCode::InvalidParams)?;
        let task = self.core.open_invoice(&json, seconds(now), token)?;
        self.begin(task)
    }

    /// `apply(report | mutations)`.
    pub fn apply(&mut self, mutations: JsValue, now: f64, token: &str) -> Result<String, JsValue> {
        let text = mutations_text(&mutations)?;
        let task = self.core.apply(&text, seconds(now), token)?;
        self.begin(task)
    }

    /// `invoice(id)`.
    pub fn invoice(&mut self, id: JsValue) -> Result<String, JsValue> {
        let id = string_arg(&id, "id", ErrorCode::InvalidParams)?;
        let task = self.core.invoice(&id)?;
        self.begin(task)
    }

    /// `cancelInvoice(id)`.
    pub fn cancel(&mut self, id: JsValue, now: f64, token: &str) -> Result<String, JsValue> {
        let id = string_arg(&id, "id", ErrorCode::InvalidParams)?;
        let task = self.core.cancel(&id, seconds(now), token)?;
        self.begin(task)
    }

    /// `unsettled()`.
    pub fn unsettled(&mut self) -> Result<String, JsValue> {
        let task = self.core.unsettled();
        self.begin(task)
    }

    /// `settle(mutationId, invoiceId)`.
    pub fn settle(
        &mut self,
        mutation_id: JsValue,
        invoice_id: JsValue,
        now: f64,
        token: &str,
    ) -> Result<String, JsValue> {
        let id = mutation_id
            .as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= 9_007_199_254_740_991.0)
            .ok_or_else(|| {
                wrong_type(&mutation_id, "mutationId", "a mutation id (a whole number)", ErrorCode::InvalidParams)
            })?;
        let invoice_id = string_arg(&invoice_id, "invoiceId", ErrorCode::InvalidParams)?;
        let task = self.core.settle(id as i64, &invoice_id, seconds(now), token)?;
        self.begin(task)
    }

    /// The results of task `task`'s last `run` (JSON text: `[{ changes, rows }]`): its next action. A task
    /// that is done, or failed, is over.
    pub fn resume(&mut self, task: u32, results: JsValue) -> Result<String, JsValue> {
        let Some(mut t) = self.tasks.get_mut(task as usize).and_then(Option::take) else {
            return Err(Error::new(ErrorCode::Config, "this ledger call is over").into());
        };
        let results = string_arg(&results, "results", ErrorCode::Config)?;
        let action = t.resume(&results)?;
        Ok(self.keep(t, action))
    }

    /// Ends task `task` before it is done (its store failed).
    pub fn end(&mut self, task: u32) {
        if let Some(slot) = self.tasks.get_mut(task as usize) {
            *slot = None;
        }
    }
}

impl JsLedger {
    fn begin(&mut self, mut task: crate::ledger::Task) -> Result<String, JsValue> {
        let action = task.start()?;
        Ok(self.keep(task, action))
    }

    /// The action as JSON text (one string across, one `JSON.parse`); a task that waits for the store is
    /// kept under a number.
    fn keep(&mut self, task: crate::ledger::Task, action: crate::ledger::Action) -> String {
        match action {
            crate::ledger::Action::Run { statements } => {
                let list: Vec<LedgerStatement> = statements
                    .iter()
                    .map(|s| LedgerStatement { key: s.key, sql: s.key.is_none().then_some(&*s.sql), params: &s.params })
                    .collect();
                let list = serde_json::to_string(&list).unwrap_or_else(|_| unreachable!("statements always serialise"));
                let at = match self.tasks.iter().position(Option::is_none) {
                    Some(at) => at,
                    None => {
                        self.tasks.push(None);
                        self.tasks.len() - 1
                    }
                };
                self.tasks[at] = Some(task);
                format!("{{\"task\":{at},\"run\":{list}}}")
            }
            crate::ledger::Action::Done(json) => format!("{{\"done\":{json}}}"),
        }
    }
}
