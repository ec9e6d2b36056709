//! Callbacks (IPN): the service POSTs new mutations to the merchant's URL with the header
//! `Api-Signature: <the account's API signature>`.
//!
//! The whole check lives here, in the order a receiver must apply it: the method, then the signature (in
//! constant time, before the body is read), then the body size, then the payload. [`check_request`],
//! [`crate::body::BodyLimit`] and [`parse_report`] are the three steps; [`signed_request`] builds what the service
//! sends, so the sandbox and the tests produce callbacks with the very code that checks them.
//!
//! ```
//! use cekmutasi::callback::{check_request, parse_report, Rows, DEFAULT_MAX_BODY_BYTES};
//! let body = br#"{"action":"payment_report","content":{"service_name":"Bank BRI","service_code":"bri",
//!   "account_number":"1234567890","account_name":"Toko","data":[{"id":1,"unix_timestamp":123456789,
//!   "type":"credit","amount":"1400026.00","description":"INV-7","balance":"1500000.00"}]}}"#;
//! check_request("POST", Some("s3cret"), "s3cret").unwrap();
//! let report = parse_report(body, DEFAULT_MAX_BODY_BYTES, Rows::EachOnItsOwn).unwrap();
//! assert_eq!(report.content.data[0].amount.to_string(), "1400026.00");
//! ```

use crate::error::{Error, ErrorCode, Result};
use crate::json::{names, option_members, read_document, read_safe_uint, read_string, Ctx, Reader, Seg, Stop};
use crate::mutation::{read_rows, Mutation, Normal, RejectedRow, RowRef};
use serde::Serialize;
use std::borrow::Cow;

/// The header that carries the signature (HTTP header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "Api-Signature";
/// The only documented action.
pub const PAYMENT_REPORT: &str = "payment_report";
/// Default limit of a callback body: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// How a report's rows are taken. The envelope (JSON, `action`, `content` and its account members, `data`
/// as an array) is strict either way: without it nothing can be attributed to an account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Rows {
    /// Each row on its own (the default): a row that fails validation is left out of `content.data` and
    /// listed in `rejected`, so the good payments of a report are never lost with a bad one.
    #[default]
    EachOnItsOwn,
    /// The whole report refused at the first bad row (`invalid_payload`, 422): `{ strict: true }`.
    Strict,
}

/// Compares the configured signature with a received one in constant time (for equal lengths).
///
/// An empty configured signature is a configuration error, never a match (`hash_equals('', '')` is true in
/// the service's PHP sample: that hole stays closed here). A missing or empty received value is `false`.
pub fn verify_signature(expected: &str, received: Option<&str>) -> Result<bool> {
    if expected.is_empty() {
        return Err(config_error("the configured callback signature is empty"));
    }
    let Some(received) = received.filter(|r| !r.is_empty()) else {
        return Ok(false);
    };
    Ok(constant_time_eq(expected.as_bytes(), received.as_bytes()))
}

/// Byte equality whose time depends on the length only, not on where the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Checks a callback request before its body is read: POST only, then the signature header.
pub fn check_request(method: &str, signature: Option<&str>, expected: &str) -> Result<()> {
    if expected.is_empty() {
        return Err(config_error("the configured callback signature is empty"));
    }
    if method != "POST" {
        return Err(Error::new(ErrorCode::MethodNotAllowed, "callbacks are POST requests"));
    }
    match signature {
        None => Err(Error::new(ErrorCode::MissingSignature, "the Api-Signature header is missing")),
        Some(s) if verify_signature(expected, Some(s))? => Ok(()),
        // Never echo either value: the message must not help anyone guess the secret.
        Some(_) => Err(Error::new(ErrorCode::InvalidSignature, "the Api-Signature header does not match")),
    }
}

/// `body_too_large` for a body over `max` bytes.
pub fn too_large(max: usize) -> Error {
    Error::new(ErrorCode::BodyTooLarge, format!("the body is larger than {max} bytes"))
}

/// Every error of a callback function carries the status a receiver answers with: a `config` error
/// (the receiver's own mistake) is 500.
pub fn receiver_error(e: Error) -> Error {
    match (e.code(), e.status()) {
        (ErrorCode::Config, None) => e.with_status(500),
        _ => e,
    }
}

/// A receiver's own mistake (an empty signature, a wrong option or argument): `config`, with status 500 so
/// that a receiver answering `e.status` never answers 200 to a callback it did not take.
pub fn config_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Config, message).with_status(500)
}

/// `body_too_large` when a body of `len` bytes passes the limit.
pub fn check_body_size(len: usize, max: usize) -> Result<()> {
    if len > max {
        Err(too_large(max))
    } else {
        Ok(())
    }
}

names! {
    /// The callback functions' options, as spelt in JS (`signature` for `receiveCallback` only).
    pub enum CallbackOption {
        Signature = "signature",
        MaxBodyBytes = "maxBodyBytes",
        Strict = "strict",
    }
}

/// The options of a callback receiver: `{ signature?, maxBodyBytes? }` (JS spelling).
#[derive(Clone, PartialEq, Eq)]
pub struct CallbackOptions {
    /// The configured `Api-Signature` (`receiveCallback` only).
    pub signature: Option<String>,
    /// The largest body read, in bytes (default 1 MiB).
    pub max_body_bytes: usize,
    /// How rows are taken (`strict: true` is [`Rows::Strict`]).
    pub rows: Rows,
}

/// The signature never reaches a log through `{:?}`.
impl std::fmt::Debug for CallbackOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let signature = self.signature.as_ref().map(|_| "[redacted]");
        f.debug_struct("CallbackOptions")
            .field("signature", &signature)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("rows", &self.rows)
            .finish()
    }
}

/// Reads callback options from JSON text (`None`: the defaults). `signature` is known only when
/// `with_signature`. Every failure is `config` (status 500), naming the option.
pub fn read_options(json: Option<&str>, with_signature: bool) -> Result<CallbackOptions> {
    let mut out = CallbackOptions { signature: None, max_body_bytes: DEFAULT_MAX_BODY_BYTES, rows: Rows::EachOnItsOwn };
    if json.is_none() {
        return Ok(out); // the usual case, kept short: a cold start compiles what a first call runs
    }
    let known: &[CallbackOption] =
        if with_signature { CallbackOption::ALL } else { &[CallbackOption::MaxBodyBytes, CallbackOption::Strict] };
    let members = option_members(json, "options", known, ErrorCode::Config).map_err(|e| e.with_status(500))?;
    for (key, raw) in members {
        let at = |m: &str| config_error(m).at(format!("options.{}", key.name()));
        match key {
            CallbackOption::Signature => {
                out.signature = Some(read_string(raw).map_err(|_| at("must be a string"))?.into_owned());
            }
            CallbackOption::Strict => {
                out.rows = match raw.get() {
                    "true" => Rows::Strict,
                    "false" => Rows::EachOnItsOwn,
                    _ => return Err(at("must be true or false")),
                }
            }
            CallbackOption::MaxBodyBytes => {
                out.max_body_bytes = read_safe_uint(raw)
                    .ok()
                    .filter(|n| *n <= u64::from(u32::MAX))
                    .ok_or_else(|| at("must be a whole number of bytes from 0 to 4294967295"))?
                    as usize;
            }
        }
    }
    Ok(out)
}

/// A validated payment report. `action` is always `payment_report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReport {
    /// The account and its new mutations (the valid ones).
    pub content: PaymentReportContent,
    /// The rows left out, each with its index, error and text (always empty with [`Rows::Strict`]).
    pub rejected: Vec<RejectedRow>,
}

/// What a payment report is about: the watched account and its new mutations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct PaymentReportContent {
    /// The service's display name (`Bank BRI`).
    pub service_name: String,
    /// The service's code (`bri`, `ovo`, …).
    pub service_code: String,
    /// The watched account's number.
    pub account_number: String,
    /// The watched account's holder.
    pub account_name: String,
    /// The new mutations, in the order sent.
    pub data: Vec<Mutation>,
}

impl Serialize for PaymentReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("PaymentReport", 3)?;
        st.serialize_field("action", PAYMENT_REPORT)?;
        st.serialize_field("content", &self.content)?;
        // Only when there is one: a report without is what the service sent, in normal form.
        if !self.rejected.is_empty() {
            st.serialize_field("rejected", &self.rejected)?;
        }
        st.end()
    }
}

impl PaymentReport {
    /// The report as the service sends it (amounts as two-decimal strings).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| unreachable!("a report always serialises"))
    }
}

/// What the service sends: headers and body of a signed callback. The sandbox posts exactly this.
pub fn signed_request(report: &PaymentReport, signature: &str) -> Result<([(&'static str, String); 2], String)> {
    if signature.is_empty() {
        return Err(config_error("the callback signature is empty"));
    }
    let headers = [("Content-Type", "application/json".to_string()), (SIGNATURE_HEADER, signature.to_string())];
    Ok((headers, report.to_json()))
}

/// Parses and validates a callback body (UTF-8 JSON, at most `max_body_bytes`).
///
/// Errors: `body_too_large`, `invalid_json` (not UTF-8 JSON, or nested 128 levels deep or more),
/// `unsupported_action`, `invalid_payload` with the path of the first offending member.
pub fn parse_report(body: &[u8], max_body_bytes: usize, rows: Rows) -> Result<PaymentReport> {
    let content = read_content(body, max_body_bytes, rows)?;
    let rejected = content.rejected.clone();
    Ok(PaymentReport { content: content.into(), rejected })
}

/// [`parse_report`] without copying: the content borrows from `body`.
pub(crate) fn read_content(body: &[u8], max_body_bytes: usize, rows: Rows) -> Result<ContentRef<'_>> {
    let content = read_report(body, max_body_bytes, true, rows, false)?.content;
    Ok(content.unwrap_or_else(|| unreachable!("built when asked to")))
}

/// What [`check_report`] learnt of a valid report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// How many mutations it holds (the valid ones).
    pub mutations: usize,
    /// How many rows were left out ([`Rows::EachOnItsOwn`]).
    pub rejected: usize,
    /// The body is already in normal form: parsing it as plain JSON gives exactly the validated report
    /// (no unknown members, no nulls, every amount a two-decimal string). Lets a caller that holds the body
    /// as text skip re-serialising it.
    pub normal: bool,
}

/// The same checks as [`parse_report`], with the same errors, without building the report (no allocation).
pub fn check_report(body: &[u8], max_body_bytes: usize, rows: Rows) -> Result<Checked> {
    let checked = read_report(body, max_body_bytes, false, rows, false)?.checked;
    Ok(checked)
}

/// Where a report's values are in its text, so that JS can make its objects from slices of the text, which
/// is many times faster than `JSON.parse` (rows are what every receiver reads). Made for a body in normal
/// form with no escape and no byte beyond ASCII (what the service sends), whose values are then exactly
/// slices of it, with the same offsets in bytes as in UTF-16 code units.
///
/// The count of rows, then events of three numbers, `[tag, start, end]`, in the order of
/// the text: a member of the content
/// ([`Tape::CONTENT`] `|` its index in [`content_names`]) with its text's span; where `data` is
/// ([`Tape::DATA`]); each row ([`Tape::ROW`]), then each member of it ([`Tape::TEXT`] or [`Tape::NUMBER`] `|`
/// its index in [`row_names`]): a string with its span without its quotes, an integer with its value
/// instead (`[tag, low, high]`: its low 32 bits, then its high ones in two's complement).
#[derive(Debug)]
pub struct Tape;

impl Tape {
    /// A string member of the content.
    pub const CONTENT: u32 = 1 << 8;
    /// The content's `data` (its rows follow).
    pub const DATA: u32 = 2 << 8;
    /// A row of `data` (its members follow).
    pub const ROW: u32 = 3 << 8;
    /// A string member of a row.
    pub const TEXT: u32 = 4 << 8;
    /// An integer member of a row (`id`, `unix_timestamp`), by its value.
    pub const NUMBER: u32 = 5 << 8;
}

/// The content's members, indexed as in a [`Tape`].
pub fn content_names() -> &'static [&'static str] {
    ContentField::NAMES
}

/// A row's members, indexed as in a [`Tape`].
pub fn row_names() -> &'static [&'static str] {
    crate::mutation::Field::NAMES
}

/// A valid report as JSON text in normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NormalJson<'a> {
    /// The body itself is in normal form (see [`Checked::normal`]).
    AsIs {
        /// The body, as text.
        text: &'a str,
        /// How many mutations it holds.
        mutations: usize,
        /// Where its values are, when it has no escape and no byte beyond ASCII ([`Tape`]).
        tape: Option<Vec<u32>>,
    },
    /// The body had to be rewritten (amounts as numbers, unknown members, nulls, rows left out): the
    /// normalised report, with `rejected` when rows were left out.
    Rewritten(String),
}

/// Validates a body and gives the report as JSON in normal form, copying nothing when the body already is.
/// This is what JS receives: V8's `JSON.parse` makes the objects faster than any member-by-member
/// conversion, and only when they are first read.
pub fn normal_json(body: &[u8], max_body_bytes: usize, rows: Rows) -> Result<NormalJson<'_>> {
    let read = read_report(body, max_body_bytes, false, rows, ascii_without_escapes(body))?;
    if read.checked.normal {
        Ok(NormalJson::AsIs { text: read.text, mutations: read.checked.mutations, tape: read.tape })
    } else {
        rewritten(body, max_body_bytes, rows).map(NormalJson::Rewritten)
    }
}

/// A valid body that is not in normal form, parsed and written out again. Not inlined: the usual body
/// needs none of it, and a cold start compiles only what a first call runs.
#[inline(never)]
fn rewritten(body: &[u8], max_body_bytes: usize, rows: Rows) -> Result<String> {
    Ok(parse_report(body, max_body_bytes, rows)?.to_json())
}

/// Whether `body` is ASCII without a backslash: a slice of its text is then a string's value (no escape
/// in it), and its offsets in bytes are JS's offsets (UTF-16 code units). Eight bytes at a time: a body is
/// kilobytes, and this runs before each one is read.
fn ascii_without_escapes(body: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut eights = body.chunks_exact(8);
    for eight in &mut eights {
        let w = u64::from_le_bytes(eight.try_into().unwrap_or([0x80; 8]));
        // No high bit (ASCII); then no zero byte in `w ^ '\\'…`, which has no high bit either.
        let x = w ^ (ONES * u64::from(b'\\'));
        if w & HIGH != 0 || x.wrapping_sub(ONES) & !x & HIGH != 0 {
            return false;
        }
    }
    eights.remainder().iter().all(|&b| b.is_ascii() && b != b'\\')
}

/// What [`read_report`] found.
struct ReadReport<'a> {
    /// The body as text (checked as UTF-8 once).
    text: &'a str,
    content: Option<ContentRef<'a>>,
    checked: Checked,
    tape: Option<Vec<u32>>,
}

/// Reads a report, building it with `build`; with `taped`, notes where its values are ([`Tape`], while it
/// is in normal form).
fn read_report(body: &[u8], max_body_bytes: usize, build: bool, rows: Rows, taped: bool) -> Result<ReadReport<'_>> {
    check_body_size(body.len(), max_body_bytes)?;
    let text = std::str::from_utf8(body).map_err(not_utf8)?;
    read_document(text, |ctx, r| {
        let mut norm = if taped { Normal::taped(body.len()) } else { Normal::new() };
        let mut rejected = (rows == Rows::EachOnItsOwn).then(Vec::new);
        let report = read_root(ctx, &mut norm, r, build, &mut rejected)?;
        let count = rejected.as_ref().map_or(0, Vec::len);
        let report = report.map(|mut c| {
            c.rejected = rejected.unwrap_or_default();
            c
        });
        let checked = Checked { mutations: norm.rows, rejected: count, normal: norm.normal };
        let tape = norm.tape.map(|mut tape| {
            tape[0] = norm.rows as u32;
            tape
        });
        Ok((report, checked, tape))
    })
    .map(|(content, checked, tape)| ReadReport { text, content, checked, tape })
}

#[cold]
fn not_utf8(e: std::str::Utf8Error) -> Error {
    Error::new(ErrorCode::InvalidJson, format!("body is not UTF-8 (byte {})", e.valid_up_to()))
}

names! {
    /// The content's members; the four strings first (their order indexes the slots they are read into).
    enum ContentField {
        ServiceName = "service_name",
        ServiceCode = "service_code",
        AccountNumber = "account_number",
        AccountName = "account_name",
        Data = "data",
    } else Other
}

/// The report object: `action`, then `content` (built only when `build`).
fn read_root<'de>(
    ctx: &mut Ctx,
    norm: &mut Normal,
    r: &mut Reader<'de>,
    build: bool,
    rejected: &mut Option<Vec<RejectedRow>>,
) -> std::result::Result<Option<ContentRef<'de>>, Stop> {
    ctx.expect(r, b'{', "a payment report object")?;
    let mut action_ok = false;
    let mut content = None;
    // Content met before `action` is read once the action is known (from where it was), so an unknown
    // action is reported as such rather than as a malformed payment report.
    let mut pending_content = None;
    r.members(|r, key| {
        match &*key {
            "action" => {
                if action_ok {
                    return Err(ctx.invalid(Some("action"), "duplicate member"));
                }
                let action = read_string(r.raw()?).map_err(|m| ctx.invalid(Some("action"), m))?;
                if action != PAYMENT_REPORT {
                    return Err(ctx.fail(
                        ErrorCode::UnsupportedAction,
                        Some("action"),
                        "only the payment_report action is supported",
                    ));
                }
                action_ok = true;
            }
            "content" => {
                if content.is_some() || pending_content.is_some() {
                    return Err(ctx.invalid(Some("content"), "duplicate member"));
                }
                if action_ok {
                    ctx.push(Seg::Key("content"));
                    content = Some(read_content_object(ctx, norm, r, build, rejected)?);
                    ctx.pop();
                } else {
                    pending_content = Some(r.mark());
                    r.raw()?;
                }
            }
            _ => {
                norm.not_normal();
                r.skip()?;
            }
        }
        Ok(())
    })?;
    if !action_ok {
        return Err(ctx.invalid(Some("action"), "missing required member"));
    }
    if let Some(at) = pending_content {
        ctx.push(Seg::Key("content"));
        content = Some(r.revisit(at, |r| read_content_object(ctx, norm, r, build, rejected))?);
        ctx.pop();
    }
    content.ok_or_else(|| ctx.invalid(Some("content"), "missing required member"))
}

/// A report's content as read, borrowing from the document; [`PaymentReportContent`] is its owned form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentRef<'a> {
    pub service_name: Cow<'a, str>,
    pub service_code: Cow<'a, str>,
    pub account_number: Cow<'a, str>,
    pub account_name: Cow<'a, str>,
    pub data: Vec<RowRef<'a>>,
    pub rejected: Vec<RejectedRow>,
}

impl From<ContentRef<'_>> for PaymentReportContent {
    fn from(c: ContentRef<'_>) -> Self {
        PaymentReportContent {
            service_name: c.service_name.into_owned(),
            service_code: c.service_code.into_owned(),
            account_number: c.account_number.into_owned(),
            account_name: c.account_name.into_owned(),
            data: c.data.into_iter().map(Mutation::from).collect(),
        }
    }
}

/// The content object at the current path: the account, then the rows.
fn read_content_object<'de>(
    ctx: &mut Ctx,
    norm: &mut Normal,
    r: &mut Reader<'de>,
    build: bool,
    rejected: &mut Option<Vec<RejectedRow>>,
) -> std::result::Result<Option<ContentRef<'de>>, Stop> {
    ctx.expect(r, b'{', "a payment report content object")?;
    let mut strings: [Option<Cow<'de, str>>; 4] = Default::default();
    let mut data = None;
    r.members(|r, key| {
        let field = ContentField::of(&key);
        let name = field.name();
        match field {
            ContentField::Other => {
                norm.not_normal();
                r.skip()?;
            }
            ContentField::Data => {
                if data.is_some() {
                    return Err(ctx.invalid(Some(name), "duplicate member"));
                }
                norm.record(Tape::DATA, (0, 0));
                ctx.push(Seg::Key("data"));
                data = Some(read_rows(ctx, norm, r, build, rejected.as_mut())?);
                ctx.pop();
            }
            ContentField::ServiceName
            | ContentField::ServiceCode
            | ContentField::AccountNumber
            | ContentField::AccountName => {
                let slot = &mut strings[field as usize];
                if slot.is_some() {
                    return Err(ctx.invalid(Some(name), "duplicate member"));
                }
                // Borrowed text stays borrowed: nothing is copied unless the report is built.
                let raw = r.raw()?;
                norm.record_string(Tape::CONTENT | field as u32, r.span(raw));
                *slot = Some(read_string(raw).map_err(|m| ctx.invalid(Some(name), m))?);
            }
        }
        Ok(())
    })?;
    let mut take = |f: ContentField| {
        strings[f as usize].take().ok_or_else(|| ctx.invalid(Some(f.name()), "missing required member"))
    };
    let service_name = take(ContentField::ServiceName)?;
    let service_code = take(ContentField::ServiceCode)?;
    let account_number = take(ContentField::AccountNumber)?;
    let account_name = take(ContentField::AccountName)?;
    let data = data.ok_or_else(|| ctx.invalid(Some("data"), "missing required member"))?;
    if !build {
        return Ok(None);
    }
    Ok(Some(ContentRef { service_name, service_code, account_number, account_name, data, rejected: Vec::new() }))
}
