//! The boundary in a real JS engine: run under Node (`wasm-bindgen-test-runner`) and, with
//! `WASM_BINDGEN_USE_BROWSER=1`, in headless Chromium. Same tests, both engines.
#![cfg(target_arch = "wasm32")]

use cekmutasi::wasm::{answer, callback_body, memory, tape_place, verify_signature, ANSWER_ERROR, ANSWER_TEXT};
use js_sys::{Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

const SEED: &str = include_str!("fixtures/seed_report.json");

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |acc, key| match key.parse::<u32>() {
        Ok(i) => Array::from(&acc).get(i),
        Err(_) => Reflect::get(&acc, &key.into()).unwrap(),
    })
}

fn s(v: &JsValue, path: &str) -> String {
    get(v, path).as_string().unwrap_or_else(|| panic!("{path} is not a string"))
}

/// (code, path, status) of a thrown SDK error.
fn err_parts(e: &JsValue) -> (String, String, f64) {
    (s(e, "code"), get(e, "path").as_string().unwrap_or_default(), get(e, "status").as_f64().unwrap_or(0.0))
}

fn request(method: &str, headers: &[(&str, &str)], body: Option<&str>) -> JsValue {
    let init = Object::new();
    Reflect::set(&init, &"method".into(), &method.into()).unwrap();
    let h = Object::new();
    for (k, v) in headers {
        Reflect::set(&h, &(*k).into(), &(*v).into()).unwrap();
    }
    Reflect::set(&init, &"headers".into(), &h).unwrap();
    if let Some(b) = body {
        Reflect::set(&init, &"body".into(), &b.into()).unwrap();
    }
    let ctor = Reflect::get(&js_sys::global(), &"Request".into()).unwrap();
    Reflect::construct(&ctor.into(), &Array::of2(&"http://127.0.0.1/callback".into(), &init)).unwrap()
}

/// `__parseCallback`'s number, as the package reads it: the count, or the text or error taken after it.
fn answered(n: f64) -> Result<JsValue, JsValue> {
    match n {
        ANSWER_ERROR => Err(answer()),
        ANSWER_TEXT => Ok(answer()),
        n => Ok(n.into()),
    }
}

fn parse_callback(body: JsValue, options: Option<JsValue>) -> Result<JsValue, JsValue> {
    answered(cekmutasi::wasm::parse_callback(body, options))
}

fn parse_callback_bytes(body: Vec<u8>, options: Option<JsValue>) -> Result<JsValue, JsValue> {
    answered(cekmutasi::wasm::parse_callback_bytes(body, options))
}

/// The tape the last body left in memory, as the package copies it (`[count, ...tape]`).
fn tape() -> Vec<u32> {
    let buffer = memory().dyn_into::<js_sys::WebAssembly::Memory>().unwrap().buffer();
    let words = Uint32Array::new(&buffer);
    let place = tape_place() / 4;
    let (at, length) = (words.get_index(place) / 4, words.get_index(place + 1));
    words.subarray(at, at + length).to_vec()
}

/// `__parseCallback` answers, for a body in normal form (the package keeps the body), the mutation count
/// and, when the body is ASCII without escapes, leaves where its values are in memory (`[count, ...tape]`);
/// else the normalised report as JSON text.
#[wasm_bindgen_test]
fn normal_bodies_are_kept_others_rewritten() {
    for body in [JsValue::from(SEED), Uint8Array::from(SEED.as_bytes()).into()] {
        assert_eq!(parse_callback(body, None).unwrap().as_f64(), Some(2.0));
        // The count, then the content's first member: service_name, its value's place in the text.
        let at = SEED.find("Bank BRI").unwrap() as u32;
        assert_eq!(tape()[..4], [2, cekmutasi::callback::Tape::CONTENT, at, at + 8]);
    }
    let accented = SEED.replacen("Berita transfer", "Berita transfer é", 1);
    assert_eq!(parse_callback(accented.into(), None).unwrap().as_f64(), Some(2.0));
    assert_eq!(tape(), [0u32; 0], "no tape for a body beyond ASCII");
    let numeric = SEED.replacen("\"amount\": \"50000.00\"", "\"amount\": 50000", 1);
    let json = parse_callback(numeric.into(), None).unwrap().as_string().unwrap();
    let report = js_sys::JSON::parse(&json).unwrap();
    assert_eq!(s(&report, "content.data.1.amount"), "50000.00");
    assert_eq!(s(&report, "content.data.0.amount"), "1400026.00");
    assert_eq!(get(&report, "content.data.1.id").as_f64(), Some(2.0));
}

/// A string with a lone surrogate is validated with U+FFFD in its place: the report then shows that text,
/// never the caller's original.
#[wasm_bindgen_test]
fn a_lone_surrogate_body_is_reported_as_validated() {
    let (before, after) = SEED.split_once("Berita transfer").unwrap();
    let lone = js_sys::JsString::from(before).concat(&js_sys::JsString::from_char_code1(0xD800)).concat(&after.into());
    let got = parse_callback(lone.into(), None).unwrap();
    let text = got.as_string().expect("the validated text, not a count");
    assert_eq!(text, format!("{before}\u{FFFD}{after}"));
}

#[wasm_bindgen_test]
fn errors_carry_code_path_and_status() {
    let bad = SEED.replacen("\"amount\": \"50000.00\"", "\"amount\": \"50.000,00\"", 1);
    // By default the row is left out, and listed with its error in the report's `rejected`.
    let text = parse_callback(bad.clone().into(), None).unwrap().as_string().unwrap();
    assert!(
        text.contains(r#""rejected":[{"index":1,"code":"invalid_payload","path":"content.data[1].amount","#),
        "{text}"
    );
    let strict = Object::new();
    Reflect::set(&strict, &"strict".into(), &true.into()).unwrap();
    let e = parse_callback(bad.into(), Some(strict.into())).err().unwrap();
    assert_eq!(err_parts(&e), ("invalid_payload".into(), "content.data[1].amount".into(), 422.0));
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&e, "message"), "content.data[1].amount: not a decimal amount (digits, optionally '.' and one or two decimals; no separators or exponent)");

    let e = parse_callback("{".into(), None).err().unwrap();
    assert_eq!(err_parts(&e), ("invalid_json".into(), "".into(), 400.0));

    let opts = Object::new();
    Reflect::set(&opts, &"maxBodyBytes".into(), &10.into()).unwrap();
    let e = parse_callback(Uint8Array::from(SEED.as_bytes()).into(), Some(opts.into())).err().unwrap();
    assert_eq!(err_parts(&e), ("body_too_large".into(), "".into(), 413.0));

    let e = parse_callback(JsValue::from(5), None).err().unwrap();
    assert_eq!(err_parts(&e), ("config".into(), "body".into(), 500.0));
    // A string over the limit is refused by its length, before it is copied.
    let opts = Object::new();
    Reflect::set(&opts, &"maxBodyBytes".into(), &10.into()).unwrap();
    let e = parse_callback("x".repeat(11).into(), Some(opts.into())).err().unwrap();
    assert_eq!(err_parts(&e), ("body_too_large".into(), "".into(), 413.0));
}

/// The entry for small arrays copied in by the glue answers as `__parseCallback` does: the count and the
/// tape, the rewritten text, each error with its code, path and status (the limit applies after the copy).
#[wasm_bindgen_test]
fn bytes_copied_in_answer_as_the_array_does() {
    assert_eq!(parse_callback_bytes(SEED.as_bytes().to_vec(), None).unwrap().as_f64(), Some(2.0));
    let at = SEED.find("Bank BRI").unwrap() as u32;
    assert_eq!(tape()[..4], [2, cekmutasi::callback::Tape::CONTENT, at, at + 8]);
    let numeric = SEED.replacen("\"amount\": \"50000.00\"", "\"amount\": 50000", 1);
    let as_array = parse_callback(Uint8Array::from(numeric.as_bytes()).into(), None).unwrap().as_string();
    let copied = parse_callback_bytes(numeric.into_bytes(), None).unwrap().as_string();
    assert!(copied.as_deref().is_some_and(|t| t.contains(r#""amount":"50000.00""#)), "{copied:?}");
    assert_eq!(copied, as_array);
    let opts = Object::new();
    Reflect::set(&opts, &"maxBodyBytes".into(), &10.into()).unwrap();
    let e = parse_callback_bytes(SEED.as_bytes().to_vec(), Some(opts.into())).err().unwrap();
    assert_eq!(err_parts(&e), ("body_too_large".into(), "".into(), 413.0));
    let e = parse_callback_bytes(b"{".to_vec(), None).err().unwrap();
    assert_eq!(err_parts(&e), ("invalid_json".into(), "".into(), 400.0));
    let e = parse_callback_bytes(b"\"\xff\"".to_vec(), None).err().unwrap();
    assert_eq!(err_parts(&e).0, "invalid_json");
}

#[wasm_bindgen_test]
fn signature() {
    assert!(verify_signature("abc".into(), "abc".into()).unwrap());
    assert!(!verify_signature("abc".into(), "abd".into()).unwrap());
    assert!(!verify_signature("abc".into(), JsValue::UNDEFINED).unwrap());
    assert!(!verify_signature("abc".into(), JsValue::NULL).unwrap());
    let e = verify_signature("".into(), "".into()).err().unwrap();
    assert_eq!(err_parts(&e), ("config".into(), "".into(), 500.0));
    // Wrong types name the argument (an unset environment variable, a number), and answer 500.
    let e = verify_signature(JsValue::UNDEFINED, "abc".into()).err().unwrap();
    assert_eq!(err_parts(&e), ("config".into(), "expected".into(), 500.0));
    assert_eq!(s(&e, "message"), "expected: must be a string, not undefined");
    let e = verify_signature("abc".into(), JsValue::from(123)).err().unwrap();
    assert_eq!(err_parts(&e), ("config".into(), "received".into(), 500.0));
}

fn receive_opts(signature: &str) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &"signature".into(), &signature.into()).unwrap();
    o.into()
}

/// What receiveCallback does with a Fetch `Request` (the package entry reads its body): checks before the
/// body, then the body in 64 KiB chunks, then the report as JSON text in normal form.
fn receive(method: &str, headers: &[(&str, &str)], body: Option<&str>, signature: &str) -> Result<String, JsValue> {
    let req = request(method, headers, body);
    let mut received = callback_body(req, receive_opts(signature))?;
    for chunk in body.unwrap_or("").as_bytes().chunks(64 << 10) {
        received.push(Uint8Array::from(chunk).into())?;
    }
    received.finish()
}

#[wasm_bindgen_test]
fn receives_a_fetch_request() {
    // Header names are case-insensitive in the Fetch API; the sender's spelling does not matter.
    let json = receive("POST", &[("api-SIGNATURE", "s3cret")], Some(SEED), "s3cret").unwrap();
    let report = js_sys::JSON::parse(&json).unwrap();
    assert_eq!(s(&report, "content.data.0.amount"), "1400026.00");
    assert_eq!(s(&report, "content.account_name"), "Nama Pemilik Rekening");
}

#[wasm_bindgen_test]
fn refuses_bad_requests_with_status() {
    let cases = [
        (("GET", &[("Api-Signature", "s3cret")][..], None), "method_not_allowed", 405.0),
        (("POST", &[][..], Some(SEED)), "missing_signature", 401.0),
        (("POST", &[("Api-Signature", "s3cret2")][..], Some(SEED)), "invalid_signature", 401.0),
        (("POST", &[("Api-Signature", "s3cret")][..], Some("[]")), "invalid_payload", 422.0),
        (("POST", &[("Api-Signature", "s3cret")][..], Some("nope")), "invalid_json", 400.0),
    ];
    for ((method, headers, body), code, status) in cases {
        let e = receive(method, headers, body, "s3cret").err().unwrap();
        let (c, _, st) = err_parts(&e);
        assert_eq!((c.as_str(), st), (code, status));
        assert!(!s(&e, "message").contains("s3cret"));
    }
    let big = "x".repeat(2 << 20);
    let e = receive("POST", &[("Api-Signature", "s3cret")], Some(&big), "s3cret").err().unwrap();
    assert_eq!(err_parts(&e), ("body_too_large".into(), "".into(), 413.0));
    let e = receive("POST", &[("Api-Signature", "")], Some(SEED), "").err().unwrap();
    assert_eq!(err_parts(&e), ("config".into(), "".into(), 500.0));
    // Not a Fetch Request (undefined, Node's IncomingMessage-like object): config naming it, status 500.
    for not_a_request in [JsValue::UNDEFINED, Object::new().into(), JsValue::from("POST")] {
        let e = callback_body(not_a_request, receive_opts("s3cret")).err().unwrap();
        assert_eq!(err_parts(&e), ("config".into(), "request".into(), 500.0));
    }
}
