//! The JavaScript boundary: conversions and delegation only. Every rule lives in the core modules.
//!
//! Errors cross as instances of the package's `CekMutasiError` class (registered by the package entry
//! through `__setErrorClass`), carrying `code`, `path` and `status`.

use crate::callback::{self, BodyLimit, NormalJson, DEFAULT_MAX_BODY_BYTES};
use crate::error::{Error, ErrorCode};
use js_sys::{Object, Reflect, Uint8Array};
use serde::Deserialize;
use std::cell::RefCell;
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Called once by the package entry with the `CekMutasiError` class, so every error thrown from Rust is
/// an instance of the very class users import.
#[wasm_bindgen(js_name = "__setErrorClass", skip_typescript)]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
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
#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ParseCallbackOptions {
    /// Largest body accepted, in bytes (default 1 MiB).
    #[tsify(optional)]
    pub max_body_bytes: Option<f64>,
}

/// Options of `receiveCallback`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveCallbackOptions {
    /// The account's API signature, as configured at CekMutasi.
    pub signature: String,
    /// Largest body accepted, in bytes (default 1 MiB).
    #[tsify(optional)]
    pub max_body_bytes: Option<f64>,
}

/// Reads an options object; a member not in `known` is a `config` error (a typo must not fall back to a
/// default silently).
fn read_options<T: for<'de> Deserialize<'de>>(value: JsValue, what: &str, known: &[&str]) -> Result<Option<T>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() {
        return Err(config(&format!("{what} must be an object")));
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(config(&format!("{what}: unknown option `{key}` (known: {})", known.join(", "))));
        }
    }
    serde_wasm_bindgen::from_value(value).map(Some).map_err(|e| config(&format!("{what}: {e}")))
}

/// `maxBodyBytes`: a whole number of bytes, 0 to 2^32 - 1; absent means 1 MiB.
fn limit(max: Option<f64>) -> Result<usize, JsValue> {
    match max {
        None => Ok(DEFAULT_MAX_BODY_BYTES),
        Some(m) if m.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&m) => Ok(m as usize),
        Some(_) => Err(config("maxBodyBytes must be a whole number of bytes from 0 to 4294967295")),
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
    if let Some(s) = body.as_string() {
        Ok(s.into_bytes())
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
    let opts: ParseCallbackOptions =
        read_options(options.unwrap_or(JsValue::UNDEFINED), "parseCallback options", &["maxBodyBytes"])?
            .unwrap_or_default();
    let max = limit(opts.max_body_bytes)?;
    let bytes = body_bytes(&body, max)?;
    match callback::normal_json(&bytes, max).map_err(js_error)? {
        NormalJson::AsIs { mutations, .. } => Ok(JsValue::from(mutations as f64)),
        NormalJson::Rewritten(json) => Ok(JsValue::from_str(&json)),
    }
}

#[wasm_bindgen]
extern "C" {
    /// The parts of a Fetch API `Request` we use (structural: any object with these members works).
    pub type FetchRequest;
    #[wasm_bindgen(method, getter)]
    fn method(this: &FetchRequest) -> String;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &FetchRequest) -> FetchHeaders;
    #[wasm_bindgen(method, getter)]
    fn body(this: &FetchRequest) -> Option<BodyStream>;

    type FetchHeaders;
    #[wasm_bindgen(method)]
    fn get(this: &FetchHeaders, name: &str) -> Option<String>;

    type BodyStream;
    #[wasm_bindgen(method, js_name = getReader)]
    fn get_reader(this: &BodyStream) -> BodyReader;

    type BodyReader;
    #[wasm_bindgen(method)]
    fn read(this: &BodyReader) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn cancel(this: &BodyReader) -> js_sys::Promise;
}

/// `receiveCallback(request, { signature, maxBodyBytes? })` (wrapped by the package entry): checks the
/// method and the signature before reading the body, reads at most `maxBodyBytes`, validates, and resolves
/// to the report as JSON text in normal form. Each error carries the HTTP `status` to answer with.
#[wasm_bindgen(js_name = "__receiveCallback", skip_typescript)]
pub async fn receive_callback(request: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let opts: ReceiveCallbackOptions =
        read_options(options, "receiveCallback options", &["signature", "maxBodyBytes"])?.ok_or_else(|| config("receiveCallback needs { signature }"))?;
    let request: FetchRequest = request.unchecked_into();
    let signature = request.headers().get(callback::SIGNATURE_HEADER);
    callback::check_request(&request.method(), signature.as_deref(), &opts.signature).map_err(js_error)?;

    let mut body = BodyLimit::new(limit(opts.max_body_bytes)?);
    if let Some(stream) = request.body() {
        let reader = stream.get_reader();
        loop {
            let chunk = JsFuture::from(reader.read()).await.map_err(|_| {
                js_error(Error::new(ErrorCode::NetworkError, "the callback body could not be read").with_status(400))
            })?;
            if Reflect::get(&chunk, &"done".into()).map(|d| d.is_truthy()).unwrap_or(true) {
                break;
            }
            let value = Reflect::get(&chunk, &"value".into()).unwrap_or(JsValue::UNDEFINED);
            if let Err(e) = body.push(&Uint8Array::new(&value).to_vec()) {
                // Stop the sender: nothing past the limit is read.
                let _ = reader.cancel();
                return Err(js_error(e));
            }
        }
    }
    let bytes = body.into_bytes();
    Ok(match callback::normal_json(&bytes, usize::MAX).map_err(js_error)? {
        NormalJson::AsIs { text, .. } => JsValue::from_str(text),
        NormalJson::Rewritten(json) => JsValue::from_str(&json),
    })
}

