//! The one table of the service's endpoints, and the rules it drives.
//!
//! Each row says the path, the verb, the envelope member that carries the payload (`response` or `data`),
//! whether the call only reads (the only calls a client may retry), the parameters with their rules, and the
//! shape of the result. [`build_request`], [`parse_response`], the TypeScript types
//! ([`typescript`]), the client's methods and retry policy and the sandbox all read this table: adding an
//! endpoint is one row.
//!
//! ```
//! use cekmutasi::endpoints::{build_request, Options};
//! let req = build_request("bank/search", r#"{"date":{"from":"2018-04-09 00:00:00"},"type":"credit"}"#,
//!                         &Options { api_key: "k", base_url: None }).unwrap();
//! assert_eq!(req.url, "https://api.cekmutasi.co.id/v1/bank/search");
//! assert_eq!(req.body.as_deref(), Some("search%5Bdate%5D%5Bfrom%5D=2018-04-09+00%3A00%3A00&search%5Btype%5D=credit"));
//! ```

use crate::amount::Amount;
use crate::error::{Error, ErrorCode, Result};
use crate::form::encode_form;
use crate::json::{elements, is_null, members, read_safe_uint, read_string, Raw};
use serde::Serialize;

use std::fmt::Write;

/// The service's documented base URL (version 1.0).
pub const DEFAULT_BASE_URL: &str = "https://api.cekmutasi.co.id/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
        }
    }
}

/// What a call does, which decides whether a client may send it twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Only reads: safe to retry.
    ReadOnly,
    /// Changes state at the service (accounts, messages, a transfer's single-use token): sent at most once.
    Writes,
    /// Moves money: sent at most once, whatever happens.
    MovesMoney,
}

/// The rule for one value.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Any string.
    Str,
    /// One of these strings.
    Code(&'static [&'static str]),
    /// A whole number, 1 to 2^53 - 1.
    Id,
    /// A decimal amount with at most two places (string or number); results carry it as a two-decimal
    /// string.
    Amount {
        signed: bool,
    },
    /// Whole rupiah (a JSON integer), at least `min`; stays a number.
    Rupiah {
        min: u64,
    },
    /// `Y-m-d H:i:s`, a date that exists on the calendar.
    Date,
    /// `{ from?, to? }`, both dates, `from` not after `to`.
    DateRange,
    /// Three letters.
    Currency,
    /// A string of at most this many characters.
    Text {
        max: usize,
    },
    /// An object of strings (WhatsApp template tokens).
    StrMap,
    /// A string or a number, kept as it is (ids whose type the service does not document).
    Scalar,
    Bool,
    Object(&'static [Member]),
    List(&'static Shape),
    /// Any JSON, untyped (the undocumented endpoints' results).
    Any,
    /// Nothing (the payload is ignored and the result is `null`).
    Nothing,
}

/// A member of an object shape.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
}

const fn req(name: &'static str, shape: Shape) -> Member {
    Member { name, shape, required: true }
}

const fn opt(name: &'static str, shape: Shape) -> Member {
    Member { name, shape, required: false }
}

/// One endpoint of the service.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// Without the leading slash: `bank/search`.
    pub path: &'static str,
    pub verb: Verb,
    /// The envelope member with the payload: `response` or `data`.
    pub payload: &'static str,
    pub effect: Effect,
    /// The parameters; for searches, the filters (sent nested under `search`).
    pub params: &'static [Member],
    pub search: bool,
    pub result: Shape,
    /// In the service's own pages (SPEC.md §4), or only called by its PHP package (§5).
    pub documented: bool,
    /// The client's method name (camelCase), where it has one of its own.
    pub method: Option<&'static str>,
}

// ---- codes (SPEC.md §3) ----
const SEARCH_BANKS: &[&str] = &["bri", "bca", "bni", "mandiri", "mandiri_online", "btpn_jenius"];
const ADD_BANKS: &[&str] = &["bni", "bca", "bri", "mandiri_online", "btpn_jenius"];
const PACKAGES: &[&str] = &["basic", "professional", "enterprise"];
const STATUSES: &[&str] = &["ACTIVE", "INACTIVE"];
const TYPES: &[&str] = &["credit", "debit"];

// ---- result shapes (SPEC.md §4, from the seeds' success samples) ----
const ACCOUNT: Shape = Shape::Object(&[
    req("id", Shape::Id),
    opt("service_code", Shape::Str),
    opt("service_name", Shape::Str),
    opt("account_number", Shape::Str),
    opt("account_name", Shape::Str),
    opt("balance", Shape::Amount { signed: true }),
    opt("package", Shape::Str),
    opt("ipn_url", Shape::Str),
    opt("status", Shape::Str),
]);
const MUTATION_ROW: Shape = Shape::Object(&[
    req("id", Shape::Id),
    opt("service_code", Shape::Str),
    opt("account_number", Shape::Str),
    req("unix_timestamp", Shape::Scalar),
    req("type", Shape::Str),
    req("amount", Shape::Amount { signed: false }),
    opt("description", Shape::Str),
    opt("balance", Shape::Amount { signed: true }),
    opt("partner_phone", Shape::Str),
]);
const PAYPAL_ROW: Shape = Shape::Object(&[
    req("id", Shape::Id),
    opt("username", Shape::Str),
    req("unix_timestamp", Shape::Scalar),
    req("type", Shape::Str),
    opt("email", Shape::Str),
    opt("name", Shape::Str),
    opt("transactionid", Shape::Str),
    opt("status", Shape::Str),
    req("amount", Shape::Amount { signed: true }),
    opt("fee", Shape::Amount { signed: true }),
    opt("net", Shape::Amount { signed: true }),
    opt("currency", Shape::Str),
]);
const OVO_TRANSFER: Shape = Shape::Object(&[
    req("uuid", Shape::Str),
    opt("transaction_id", Shape::Scalar),
    opt("source_number", Shape::Str),
    opt("bank_code", Shape::Str),
    opt("bank_name", Shape::Str),
    opt("destination_number", Shape::Str),
    opt("destination_name", Shape::Str),
    opt("amount", Shape::Rupiah { min: 0 }),
    opt("note", Shape::Str),
    opt("status", Shape::Str),
    opt("refference_id", Shape::Scalar), // sic: the service's spelling
    opt("datetime", Shape::Scalar),
    opt("timezone", Shape::Str),
    opt("created_at", Shape::Scalar),
    opt("expired_at", Shape::Scalar),
]);

// ---- parameter sets ----
const ID_PARAM: &[Member] = &[req("id", Shape::Id)];
const OVO_FILTERS: &[Member] = &[
    opt("date", Shape::DateRange),
    opt("amount", Shape::Amount { signed: false }),
    opt("type", Shape::Code(TYPES)),
    opt("description", Shape::Str),
    opt("account_number", Shape::Str),
];

/// Every endpoint: SPEC.md §4 (documented) and §5 (called by the service's own PHP package).
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        path: "myip",
        verb: Verb::Post,
        payload: "response",
        effect: Effect::ReadOnly,
        params: &[],
        search: false,
        result: Shape::Object(&[opt("ip", Shape::Object(&[opt("v4", Shape::Str), opt("v6", Shape::Str)]))]),
        documented: true,
        method: Some("myIp"),
    },
    Endpoint {
        path: "bank/add",
        verb: Verb::Post,
        payload: "data",
        effect: Effect::Writes,
        params: &[
            req("service_code", Shape::Code(ADD_BANKS)),
            req("package_code", Shape::Code(PACKAGES)),
            req("username", Shape::Str),
            req("password", Shape::Str),
            req("account_number", Shape::Str),
            req("account_name", Shape::Str),
            opt("ipn_url", Shape::Str),
            opt("status", Shape::Code(STATUSES)),
        ],
        search: false,
        result: ACCOUNT,
        documented: true,
        method: Some("addBank"),
    },
    Endpoint {
        path: "bank/update",
        verb: Verb::Post,
        payload: "data",
        effect: Effect::Writes,
        params: &[
            req("id", Shape::Id),
            opt("password", Shape::Str),
            opt("account_number", Shape::Str),
            opt("account_name", Shape::Str),
            opt("ipn_url", Shape::Str),
            opt("status", Shape::Code(STATUSES)),
        ],
        search: false,
        result: ACCOUNT,
        documented: true,
        method: Some("updateBank"),
    },
    Endpoint {
        path: "bank/delete",
        verb: Verb::Post,
        payload: "data",
        effect: Effect::Writes,
        params: ID_PARAM,
        search: false,
        result: Shape::Nothing,
        documented: true,
        method: Some("deleteBank"),
    },
    Endpoint {
        path: "bank/list",
        verb: Verb::Get,
        payload: "data",
        effect: Effect::ReadOnly,
        params: &[opt("service_code", Shape::Code(SEARCH_BANKS)), opt("account_number", Shape::Str)],
        search: false,
        result: Shape::List(&ACCOUNT),
        documented: true,
        method: Some("listBanks"),
    },
    Endpoint {
        path: "bank/search",
        verb: Verb::Post,
        payload: "response",
        effect: Effect::ReadOnly,
        params: &[
            opt("date", Shape::DateRange),
            opt("amount", Shape::Amount { signed: false }),
            opt("type", Shape::Code(TYPES)),
            opt("description", Shape::Str),
            opt("service_code", Shape::Code(SEARCH_BANKS)),
            opt("account_number", Shape::Str),
        ],
        search: true,
        result: Shape::List(&MUTATION_ROW),
        documented: true,
        method: Some("searchBank"),
    },
    Endpoint {
        path: "paypal/search",
        verb: Verb::Post,
        payload: "response",
        effect: Effect::ReadOnly,
        params: &[
            opt("date", Shape::DateRange),
            opt("username", Shape::Str),
            opt("amount", Shape::Amount { signed: false }),
            opt("email", Shape::Str),
            opt("transactionid", Shape::Str),
            opt("currency", Shape::Currency),
        ],
        search: true,
        result: Shape::List(&PAYPAL_ROW),
        documented: true,
        method: Some("searchPaypal"),
    },
    Endpoint {
        path: "ovo/search",
        verb: Verb::Post,
        payload: "response",
        effect: Effect::ReadOnly,
        params: OVO_FILTERS,
        search: true,
        result: Shape::List(&MUTATION_ROW),
        documented: true,
        method: Some("searchOvo"),
    },
    Endpoint {
        path: "gopay/search",
        verb: Verb::Post,
        payload: "response",
        effect: Effect::ReadOnly,
        params: &[
            opt("date", Shape::DateRange),
            opt("amount", Shape::Amount { signed: false }),
            opt("type", Shape::Code(TYPES)),
            opt("description", Shape::Str),
            opt("account_number", Shape::Str),
            opt("partner_phone", Shape::Str),
        ],
        search: true,
        result: Shape::List(&MUTATION_ROW),
        documented: true,
        method: Some("searchGopay"),
    },
    Endpoint {
        path: "ovo/transfer/bank-list",
        verb: Verb::Post,
        payload: "data",
        effect: Effect::ReadOnly,
        params: &[req("source_number", Shape::Str)],
        search: false,
        result: Shape::List(&Shape::Object(&[req("code", Shape::Scalar), req("name", Shape::Str)])),
        documented: true,
        method: Some("ovoBankList"),
    },
    Endpoint {
        path: "ovo/transfer/inquiry",
        verb: Verb::Post,
        payload: "data",
        effect: Effect::Writes,
        params: &[
            req("source_number", Shape::Str),
            req("bank_code", Shape::Str),
            req("destination_number", Shape::Str),
        ],
        search: false,
        result: Shape::Object(&[
            req("uuid", Shape::Str),
            opt("bank_code", Shape::Scalar),
            opt("bank_name", Shape::Str),
            opt("destination_number", Shape::Str),
            opt("destination_name", Shape::Str),
            opt("source_number", Shape::Str),
            opt("expired_at", Shape::Scalar),
            req("token", Shape::Str),
        ]),
        documented: true,
        method: Some("ovoTransferInquiry"),
    },
    Endpoint {
        path: "ovo/transfer/send",
        verb: Verb::Post,
        payload: "data",
        effect: Effect::MovesMoney,
        params: &[
            req("uuid", Shape::Str),
            req("token", Shape::Str),
            req("amount", Shape::Rupiah { min: 1 }),
            opt("note", Shape::Text { max: 150 }),
        ],
        search: false,
        result: OVO_TRANSFER,
        documented: true,
        method: Some("ovoTransferSend"),
    },
    Endpoint {
        path: "ovo/transfer/detail",
        verb: Verb::Get,
        payload: "data",
        effect: Effect::ReadOnly,
        params: &[req("uuid", Shape::Str)],
        search: false,
        result: OVO_TRANSFER,
        documented: true,
        method: Some("ovoTransferDetail"),
    },
    Endpoint {
        path: "ovo/transfer-ovo/inquiry",
        verb: Verb::Post,
        payload: "data",
        effect: Effect::Writes,
        params: &[req("source_number", Shape::Str), req("phone", Shape::Str)],
        search: false,
        result: Shape::Object(&[opt("fullname", Shape::Str), opt("phone", Shape::Str)]),
        documented: true,
        method: Some("ovoToOvoInquiry"),
    },
    Endpoint {
        path: "ovo/transfer-ovo/send",
        verb: Verb::Post,
        payload: "data",
        effect: Effect::MovesMoney,
        params: &[
            req("source_number", Shape::Str),
            req("phone", Shape::Str),
            req("amount", Shape::Rupiah { min: 10_000 }),
        ],
        search: false,
        result: Shape::Object(&[opt("code", Shape::Scalar), opt("message", Shape::Str), opt("isOvo", Shape::Any)]),
        documented: true,
        method: Some("ovoToOvoSend"),
    },
    Endpoint {
        path: "whatsapp/send",
        verb: Verb::Post,
        payload: "data",
        effect: Effect::Writes,
        params: &[
            req("mutation_id", Shape::Id),
            req("sender_phone", Shape::Str),
            req("receiver_phone", Shape::Str),
            opt("tokens", Shape::StrMap),
        ],
        search: false,
        result: Shape::Object(&[
            opt("sender", Shape::Str),
            opt("receiver", Shape::Str),
            opt("message", Shape::Str),
            opt("status", Shape::Scalar),
            opt("note", Shape::Str),
        ]),
        documented: true,
        method: Some("sendWhatsapp"),
    },
    // ---- SPEC.md §5: untyped results, POST with form bodies ----
    undocumented("balance", &[]),
    undocumented("bank/balance", &[]),
    undocumented("ovo/balance", &[]),
    undocumented("gopay/balance", &[]),
    undocumented("paypal/balance", &[]),
    undocumented("ovo/list", &[]),
    undocumented("gopay/list", &[]),
    undocumented("paypal/list", &[]),
    undocumented("bank/detail", ID_PARAM),
    undocumented("ovo/detail", ID_PARAM),
    undocumented("gopay/detail", ID_PARAM),
    undocumented("paypal/detail", ID_PARAM),
    undocumented("paypal/transaction/detail", &[req("username", Shape::Str), req("transactionid", Shape::Str)]),
];

/// A §5 row: every one of them only reads (balances, lists, details).
const fn undocumented(path: &'static str, params: &'static [Member]) -> Endpoint {
    Endpoint {
        path,
        verb: Verb::Post,
        payload: "data",
        effect: Effect::ReadOnly,
        params,
        search: false,
        result: Shape::Any,
        documented: false,
        method: None,
    }
}

/// The endpoint with this path (no leading slash); `config` for an unknown one.
pub fn endpoint(path: &str) -> Result<&'static Endpoint> {
    ENDPOINTS
        .iter()
        .find(|e| e.path == path)
        .ok_or_else(|| Error::new(ErrorCode::Config, format!("unknown endpoint `{path}`")))
}

// ---- validation and normalisation of values by shape ----

/// Checks `raw` against `shape`; with `out`, also writes the value in normal form (amounts as two-decimal
/// strings; unknown members of results kept as they are). `code` is the error code of a bad value.
fn check(shape: &Shape, raw: Raw<'_>, path: &str, code: ErrorCode, out: Option<&mut String>) -> Result<()> {
    let bad = |m: &str| Error::new(code, m).at(path);
    let text = raw.get();
    let mut out = out;
    match shape {
        Shape::Str => {
            let s = read_string(raw).map_err(bad)?;
            // A parameter is one line (a URL, an account number, a uuid): CR, LF or NUL there is an
            // injection attempt or a paste error, never data. The form encoding would make it harmless on
            // the wire, but the service would store it. Results are read as the service sends them.
            if code == ErrorCode::InvalidParams && s.bytes().any(|b| b.is_ascii_control()) {
                return Err(bad("must not contain control characters (CR, LF, NUL, …)"));
            }
            emit(&mut out, text);
        }
        Shape::Code(codes) => {
            let s = read_string(raw).map_err(bad)?;
            if !codes.contains(&s.as_ref()) {
                return Err(bad(&format!("must be one of {}", codes.join(", "))));
            }
            emit(&mut out, text);
        }
        Shape::Id => {
            let id = read_safe_uint(raw).map_err(bad)?;
            if id == 0 {
                return Err(bad("must be a positive whole number"));
            }
            emit(&mut out, text);
        }
        Shape::Amount { signed } => {
            let a = Amount::from_json_literal(text, *signed).map_err(|e| bad(e.message()))?;
            emit(&mut out, &format!("\"{a}\""));
        }
        Shape::Rupiah { min } => {
            let n = read_safe_uint(raw).map_err(|_| bad("must be a whole number of rupiah"))?;
            if n < *min {
                return Err(bad(&format!("must be at least {min}")));
            }
            emit(&mut out, text);
        }
        Shape::Date => {
            let s = read_string(raw).map_err(bad)?;
            if !is_date(&s) {
                return Err(bad("must be a date as Y-m-d H:i:s that exists (2018-04-09 00:00:00)"));
            }
            emit(&mut out, text);
        }
        Shape::DateRange => {
            let range = object_members(raw).ok_or_else(|| bad("must be an object { from, to }"))?;
            let mut bounds = [None, None];
            for (key, value) in &range {
                let slot = match key.as_str() {
                    "from" => 0,
                    "to" => 1,
                    _ => return Err(Error::new(code, "unknown member (known: from, to)").at(format!("{path}.{key}"))),
                };
                if !is_null(*value) {
                    check(&Shape::Date, *value, &format!("{path}.{key}"), code, None)?;
                    bounds[slot] = Some(read_string(*value).map_err(bad)?);
                }
            }
            if let [Some(from), Some(to)] = &bounds {
                // Y-m-d H:i:s orders as text.
                if from > to {
                    return Err(Error::new(code, "is after to").at(format!("{path}.from")));
                }
            }
            emit(&mut out, text);
        }
        Shape::Currency => {
            let s = read_string(raw).map_err(bad)?;
            if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(bad("must be three letters (USD)"));
            }
            emit(&mut out, text);
        }
        Shape::Text { max } => {
            let s = read_string(raw).map_err(bad)?;
            if s.chars().count() > *max {
                return Err(bad(&format!("must be at most {max} characters")));
            }
            emit(&mut out, text);
        }
        Shape::StrMap => {
            let map = object_members(raw).ok_or_else(|| bad("must be an object of strings"))?;
            for (key, value) in &map {
                read_string(*value).map_err(|m| Error::new(code, m).at(format!("{path}.{key}")))?;
            }
            emit(&mut out, text);
        }
        Shape::Scalar => {
            if !(text.starts_with('"') || text.starts_with('-') || text.starts_with(|c: char| c.is_ascii_digit())) {
                return Err(bad("must be a string or a number"));
            }
            emit(&mut out, text);
        }
        Shape::Bool => {
            if text != "true" && text != "false" {
                return Err(bad("must be true or false"));
            }
            emit(&mut out, text);
        }
        Shape::Any => emit(&mut out, text),
        Shape::Nothing => emit(&mut out, "null"),
        Shape::List(item) => {
            let items = elements(text).ok_or_else(|| bad("must be a list"))?;
            emit(&mut out, "[");
            for (i, item_raw) in items.iter().enumerate() {
                if i > 0 {
                    emit(&mut out, ",");
                }
                check(item, *item_raw, &format!("{path}[{i}]"), code, out.as_deref_mut())?;
            }
            emit(&mut out, "]");
        }
        Shape::Object(known) => {
            let got = object_members(raw).ok_or_else(|| bad("must be an object"))?;
            check_members(known, &got, path, code, true, out)?;
        }
    }
    Ok(())
}

fn emit(out: &mut Option<&mut String>, s: &str) {
    if let Some(o) = out.as_deref_mut() {
        o.push_str(s);
    }
}

/// Checks the members of an object: required ones present, each by its shape; unknown ones kept (results)
/// or refused (parameters: a typo must not be sent, or dropped, silently).
fn check_members(
    known: &[Member],
    got: &[(String, Raw<'_>)],
    path: &str,
    code: ErrorCode,
    keep_unknown: bool,
    mut out: Option<&mut String>,
) -> Result<()> {
    let at = |name: &str| if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
    for m in known.iter().filter(|m| m.required) {
        if !got.iter().any(|(k, v)| k == m.name && !is_null(*v)) {
            return Err(Error::new(code, "missing required member").at(at(m.name)));
        }
    }
    if let Some(o) = out.as_deref_mut() {
        o.push('{');
    }
    let mut first = true;
    for (key, value) in got {
        let member = known.iter().find(|m| m.name == key);
        if member.is_none() && !keep_unknown {
            let names: Vec<&str> = known.iter().map(|m| m.name).collect();
            let message = if names.is_empty() {
                "unknown parameter (this endpoint takes none)".to_string()
            } else {
                format!("unknown parameter (known: {})", names.join(", "))
            };
            return Err(Error::new(code, message).at(at(key)));
        }
        if is_null(*value) {
            continue; // null means absent, as PHP's http_build_query leaves it out
        }
        if let Some(o) = out.as_deref_mut() {
            if !first {
                o.push(',');
            }
            first = false;
            o.push_str(&serde_json::to_string(key).unwrap_or_else(|_| unreachable!("a string serialises")));
            o.push(':');
        }
        match member {
            Some(m) => check(&m.shape, *value, &at(key), code, out.as_deref_mut())?,
            None => {
                if let Some(o) = out.as_deref_mut() {
                    o.push_str(value.get());
                }
            }
        }
    }
    if let Some(o) = out {
        o.push('}');
    }
    Ok(())
}

fn object_members(raw: Raw<'_>) -> Option<Vec<(String, Raw<'_>)>> {
    if raw.get().starts_with('{') {
        members(raw.get())
    } else {
        None
    }
}

/// `Y-m-d H:i:s` with a real date and time.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) =
        (num(0..4), num(5..7), num(8..10), num(11..13), num(14..16), num(17..19))
    else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d) && h < 24 && mi < 60 && sec < 60
}

// ---- requests ----

/// How to reach the service.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    pub api_key: &'a str,
    /// Default [`DEFAULT_BASE_URL`].
    pub base_url: Option<&'a str>,
}

/// The key never reaches a log through `{:?}`.
impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options").field("api_key", &"[redacted]").field("base_url", &self.base_url).finish()
    }
}

/// An HTTP request, ready for any HTTP client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct HttpRequest {
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"GET\" | \"POST\""))]
    pub method: &'static str,
    pub url: String,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<string, string>"))]
    #[serde(serialize_with = "headers_as_object")]
    pub headers: Vec<(&'static str, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub body: Option<String>,
}

fn headers_as_object<S: serde::Serializer>(
    headers: &[(&'static str, String)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(headers.len()))?;
    for (k, v) in headers {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// A client's options as read from JSON text (`{ apiKey, baseUrl?, timeoutMs?, retries?, maxResponseBytes?,
/// maxRequests? }`, JS spelling).
#[derive(Clone, PartialEq, Eq)]
pub struct ClientOptions {
    pub api_key: String,
    pub base_url: Option<String>,
    /// Default 30000.
    pub timeout_ms: u64,
    /// Default 2: extra attempts of a read-only call.
    pub retries: u32,
    /// Largest answer read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub max_response_bytes: usize,
    /// Most requests one call sends, retries and `searchAll`'s parts included (default
    /// [`DEFAULT_MAX_REQUESTS`]).
    pub max_requests: u32,
}

/// The key never reaches a log through `{:?}`.
impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .field("retries", &self.retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_requests", &self.max_requests)
            .finish()
    }
}

/// The default `maxResponseBytes`: 8 MiB. A full search page (1000 rows) is about 300 KB, so this is far
/// above any real answer, and far below what would hurt a process (wasm memory never shrinks).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 << 20;

/// The default `maxRequests`: 1000. `searchAll` needs about one request per 500–1000 rows (halving a range
/// that holds the cap costs one more), so this reads a few hundred thousand rows, and stops a server that
/// always answers the cap long before it becomes a flood.
pub const DEFAULT_MAX_REQUESTS: u32 = 1000;

/// Reads client options; `known` limits the members (buildRequest takes only `apiKey` and `baseUrl`).
/// Every failure is `config`, naming the option; the key itself is never echoed.
pub fn read_client_options(json: Option<&str>, known: &[&str]) -> Result<ClientOptions> {
    let mut o = ClientOptions {
        api_key: String::new(),
        base_url: None,
        timeout_ms: 30_000,
        retries: 2,
        max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        max_requests: DEFAULT_MAX_REQUESTS,
    };
    for (key, raw) in crate::json::option_members(json, "options", known, ErrorCode::Config)? {
        let at = |m: &str| Error::new(ErrorCode::Config, m).at(format!("options.{key}"));
        let whole = |min: u64, max: u64, m: &str| {
            read_safe_uint(raw).ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| at(m))
        };
        match key.as_str() {
            "apiKey" => o.api_key = read_string(raw).map_err(|_| at("must be a string"))?.into_owned(),
            "baseUrl" => o.base_url = Some(read_string(raw).map_err(|_| at("must be a string"))?.into_owned()),
            "timeoutMs" => {
                o.timeout_ms = whole(1, u64::MAX, "must be a whole number of milliseconds above 0")?;
            }
            "retries" => o.retries = whole(0, 10, "must be a whole number from 0 to 10")? as u32,
            "maxResponseBytes" => {
                o.max_response_bytes =
                    whole(1, u64::from(u32::MAX), "must be a whole number of bytes from 1 to 4294967295")? as usize;
            }
            "maxRequests" => {
                o.max_requests = whole(1, u64::from(u32::MAX), "must be a whole number from 1 to 4294967295")? as u32;
            }
            other => return Err(at(&format!("unknown option `{other}`"))),
        }
    }
    check_options(&Options { api_key: &o.api_key, base_url: o.base_url.as_deref() })?;
    Ok(o)
}

/// Checks the API key and base URL: `config` when the key is empty or could break a header, or the base
/// URL is not http(s).
pub fn check_options(options: &Options<'_>) -> Result<String> {
    if options.api_key.is_empty() {
        return Err(Error::new(ErrorCode::Config, "the API key is empty"));
    }
    // Unicode controls (C0, DEL, C1) and the line and paragraph separators: none belongs in a key, and each
    // could split or end a header line somewhere on its way. Never echo the key: a message must not carry it.
    if options.api_key.chars().any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}') {
        return Err(Error::new(
            ErrorCode::Config,
            "the API key contains control characters or line separators (CR, LF, U+2028, …)",
        ));
    }
    let base = options.base_url.unwrap_or(DEFAULT_BASE_URL).trim_end_matches('/');
    let host = base.strip_prefix("https://").or_else(|| base.strip_prefix("http://")).unwrap_or("");
    if host.is_empty() || base.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(Error::new(ErrorCode::Config, "the base URL must be an http(s) URL").at("baseUrl"));
    }
    Ok(base.to_string())
}

/// Validates `params` (JSON text; `None` for none) for an endpoint; the error names the parameter
/// (`search.date.from`, `amount`) with code `invalid_params`.
pub fn check_params(e: &Endpoint, params: Option<&str>) -> Result<()> {
    let root = if e.search { "search" } else { "" };
    let got = match params {
        None => Vec::new(),
        Some(p) => members(p).filter(|_| p.trim_start().starts_with('{')).ok_or_else(|| {
            let m = Error::new(ErrorCode::InvalidParams, "the parameters must be an object");
            if root.is_empty() {
                m
            } else {
                m.at(root)
            }
        })?,
    };
    check_members(e.params, &got, root, ErrorCode::InvalidParams, false, None)
}

/// Builds the HTTP request for an endpoint: validated parameters, the form body (or query string for GET)
/// exactly as PHP's `http_build_query` writes it, `Api-Key` and `Accept` headers. Pure: no I/O.
pub fn build_request(path: &str, params: &str, options: &Options<'_>) -> Result<HttpRequest> {
    let e = endpoint(path)?;
    let base = check_options(options)?;
    let params = Some(params).filter(|p| !matches!(p.trim(), "" | "null"));
    check_params(e, params)?;
    let form = match params {
        None => String::new(),
        Some(p) if e.search => encode_form(&format!("{{\"search\":{p}}}"))?,
        Some(p) => encode_form(p)?,
    };
    let mut headers = vec![("Api-Key", options.api_key.to_string()), ("Accept", "application/json".to_string())];
    let mut url = format!("{base}/{}", e.path);
    let body = match e.verb {
        Verb::Get => {
            if !form.is_empty() {
                url.push('?');
                url.push_str(&form);
            }
            None
        }
        Verb::Post => {
            headers.push(("Content-Type", "application/x-www-form-urlencoded".to_string()));
            Some(form)
        }
    };
    Ok(HttpRequest { method: e.verb.as_str(), url, headers, body })
}

// ---- responses ----

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

// ---- the other side: what a server of this API (the sandbox) receives ----

/// Endpoints the service also answers with the other verb: the PHP package POSTs `bank/list`, which the
/// pages document as GET.
const BOTH_VERBS: &[&str] = &["bank/list"];

/// A request as a server of the API reads it: the endpoint and its parameters, validated by the same
/// table as the client's (JSON text, typed: ids and rupiah as numbers).
#[derive(Debug, Clone)]
pub struct Incoming {
    pub endpoint: &'static Endpoint,
    pub params: String,
}

/// Reads an incoming request (`path` without the leading slash; the form from the query string for GET,
/// the body for POST). `config` for an unknown endpoint or the wrong verb, `invalid_params` for bad
/// parameters (the same rules and paths as [`build_request`]).
pub fn read_incoming(method: &str, path: &str, query: &str, body: &str) -> Result<Incoming> {
    let e = endpoint(path)?;
    let verb_ok = method == e.verb.as_str() || (BOTH_VERBS.contains(&e.path) && (method == "GET" || method == "POST"));
    if !verb_ok {
        return Err(Error::new(ErrorCode::Config, format!("{} takes {}", e.path, e.verb.as_str())).with_status(405));
    }
    let form = crate::form::decode_form(if method == "GET" { query } else { body });
    let params =
        if e.search { form.get("search").cloned().unwrap_or(crate::form::FormValue::Map(Vec::new())) } else { form };
    let typed = typed_form(&params, e.params);
    check_params(e, Some(&typed))?;
    Ok(Incoming { endpoint: e, params: typed })
}

/// A form's strings as the JSON the table checks: whole numbers where the member is a number.
fn typed_form(v: &crate::form::FormValue, members: &[Member]) -> String {
    use crate::form::FormValue;
    let FormValue::Map(items) = v else { return v.to_json() };
    let body: Vec<String> = items
        .iter()
        .map(|(k, value)| {
            let shape = members.iter().find(|m| m.name == k).map(|m| m.shape);
            let json = match (shape, value) {
                (Some(Shape::Id | Shape::Rupiah { .. }), FormValue::Str(s))
                    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.len() < 16 =>
                {
                    s.clone()
                }
                _ => value.to_json(),
            };
            format!("{}:{json}", FormValue::Str(k.clone()).to_json())
        })
        .collect();
    format!("{{{}}}", body.join(","))
}

// ---- TypeScript, from the same table ----

fn ts_shape(shape: &Shape, out: &mut String, for_params: bool) {
    match shape {
        Shape::Str | Shape::Date | Shape::Currency | Shape::Text { .. } => out.push_str("string"),
        Shape::Code(codes) => {
            let alts: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
            out.push_str(&alts.join(" | "));
        }
        Shape::Id | Shape::Rupiah { .. } => out.push_str("number"),
        // Parameters take a decimal string (or a number, read from its shortest text); results are strings.
        Shape::Amount { .. } => out.push_str(if for_params { "string | number" } else { "string" }),
        Shape::DateRange => out.push_str("{ from?: string; to?: string }"),
        Shape::StrMap => out.push_str("Record<string, string>"),
        Shape::Scalar => out.push_str("string | number"),
        Shape::Bool => out.push_str("boolean"),
        Shape::Any => out.push_str("unknown"),
        Shape::Nothing => out.push_str("null"),
        Shape::List(item) => {
            out.push_str("Array<");
            ts_shape(item, out, for_params);
            out.push('>');
        }
        Shape::Object(members) => ts_members(members, out, for_params),
    }
}

fn ts_members(members: &[Member], out: &mut String, for_params: bool) {
    out.push_str("{ ");
    for m in members {
        let _ = write!(out, "{}{}: ", m.name, if m.required { "" } else { "?" });
        ts_shape(&m.shape, out, for_params);
        out.push_str("; ");
    }
    out.push('}');
}

/// The TypeScript declarations of every endpoint's parameters and result, generated from [`ENDPOINTS`]:
/// `Endpoint` (the union of paths), `EndpointParams[E]`, `EndpointResult[E]`.
pub fn typescript() -> String {
    let mut out =
        String::from("// Generated from the endpoint table (src/endpoints.rs) by `cargo test`: do not edit.\n\n");
    out.push_str("/** Every endpoint of the service, by path (no leading slash). */\nexport type Endpoint =\n");
    for e in ENDPOINTS {
        let _ = writeln!(out, "  | \"{}\"", e.path);
    }
    out.push_str(";\n\n/** The parameters of each endpoint (for searches: the filters, sent under `search`). */\nexport interface EndpointParams {\n");
    for e in ENDPOINTS {
        let _ = write!(out, "  \"{}\": ", e.path);
        ts_members(e.params, &mut out, true);
        out.push_str(";\n");
    }
    out.push_str("}\n\n/** The payload each endpoint resolves to (money as decimal strings, whole rupiah as numbers). */\nexport interface EndpointResult {\n");
    for e in ENDPOINTS {
        let _ = write!(out, "  \"{}\": ", e.path);
        ts_shape(&e.result, &mut out, false);
        out.push_str(";\n");
    }
    out.push_str("}\n\n/** The client's method for each documented endpoint; each calls `request(path, params)`. */\nexport interface CekMutasiMethods {\n");
    for e in ENDPOINTS {
        if let Some(m) = e.method {
            let optional = if e.params.iter().any(|p| p.required) { "" } else { "?" };
            let _ = writeln!(
                out,
                "  {m}(params{optional}: EndpointParams[\"{p}\"]): Promise<EndpointResult[\"{p}\"]>;",
                p = e.path
            );
        }
    }
    out.push_str("}\n");
    out
}

/// The table as JSON, for tools that build forms from it (the demo page): each endpoint with its
/// parameters flattened to dotted names (`date.from`) and a kind (`string`, `code` with `options`, `id`,
/// `amount`, `rupiah`, `date`, `currency`, `text` with `max`, `bool`, `scalar`, `json`). Generated into
/// `pkg-template/endpoints.json` by `cargo test`, like the TypeScript types.
pub fn table_json() -> String {
    fn fields(members: &[Member], prefix: &str, required: bool, out: &mut Vec<String>) {
        for m in members {
            let name = format!("{prefix}{}", m.name);
            let req = required && m.required;
            let field =
                |kind: &str, extra: String| format!(r#"{{"name":"{name}","required":{req},"kind":"{kind}"{extra}}}"#);
            match m.shape {
                Shape::DateRange => {
                    out.push(format!(r#"{{"name":"{name}.from","required":false,"kind":"date"}}"#));
                    out.push(format!(r#"{{"name":"{name}.to","required":false,"kind":"date"}}"#));
                }
                Shape::Object(inner) => fields(inner, &format!("{name}."), req, out),
                Shape::Code(options) => {
                    let list = options.iter().map(|o| format!("\"{o}\"")).collect::<Vec<_>>().join(",");
                    out.push(field("code", format!(r#","options":[{list}]"#)));
                }
                Shape::Text { max } => out.push(field("text", format!(r#","max":{max}"#))),
                Shape::Rupiah { min } => out.push(field("rupiah", format!(r#","min":{min}"#))),
                Shape::Str => out.push(field("string", String::new())),
                Shape::Id => out.push(field("id", String::new())),
                Shape::Amount { .. } => out.push(field("amount", String::new())),
                Shape::Date => out.push(field("date", String::new())),
                Shape::Currency => out.push(field("currency", String::new())),
                Shape::Bool => out.push(field("bool", String::new())),
                Shape::Scalar => out.push(field("scalar", String::new())),
                Shape::StrMap | Shape::List(_) | Shape::Any | Shape::Nothing => out.push(field("json", String::new())),
            }
        }
    }
    let mut rows = Vec::new();
    for e in ENDPOINTS {
        let mut list = Vec::new();
        fields(e.params, "", true, &mut list);
        let effect = match e.effect {
            Effect::ReadOnly => "read_only",
            Effect::Writes => "writes",
            Effect::MovesMoney => "moves_money",
        };
        let method = e.method.map_or("null".to_string(), |m| format!("\"{m}\""));
        rows.push(format!(
            "  {{\"path\":\"{}\",\"verb\":\"{}\",\"effect\":\"{effect}\",\"documented\":{},\"search\":{},\"method\":{method},\n   \"params\":[{}]}}",
            e.path,
            e.verb.as_str(),
            e.documented,
            e.search,
            list.join(",")
        ));
    }
    format!("[\n{}\n]\n", rows.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_every_endpoint_once() {
        assert_eq!(ENDPOINTS.len(), 29);
        assert_eq!(ENDPOINTS.iter().filter(|e| e.documented).count(), 16);
        let mut paths: Vec<&str> = ENDPOINTS.iter().map(|e| e.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), 29);
        // Exactly API.md's read-only list is retried: myIp, listBanks, the searches, ovoBankList,
        // ovoTransferDetail and §5's lists, balances and details. An inquiry makes a single-use token.
        let read_only: Vec<&str> = ENDPOINTS.iter().filter(|e| e.effect == Effect::ReadOnly).map(|e| e.path).collect();
        let mut expected = vec![
            "myip",
            "bank/list",
            "bank/search",
            "paypal/search",
            "ovo/search",
            "gopay/search",
            "ovo/transfer/bank-list",
            "ovo/transfer/detail",
        ];
        expected.extend(ENDPOINTS.iter().filter(|e| !e.documented).map(|e| e.path));
        assert_eq!(read_only, expected);
        let moves: Vec<&str> = ENDPOINTS.iter().filter(|e| e.effect == Effect::MovesMoney).map(|e| e.path).collect();
        assert_eq!(moves, ["ovo/transfer/send", "ovo/transfer-ovo/send"]);
    }

    #[test]
    fn dates() {
        for ok in ["2018-04-09 00:00:00", "2024-02-29 23:59:59", "2000-02-29 12:00:00"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2023-02-29 00:00:00",
            "1900-02-29 00:00:00",
            "2018-04-31 00:00:00",
            "2018-13-01 00:00:00",
            "2018-04-09 24:00:00",
            "2018-04-09T00:00:00",
            "2018-4-9 00:00:00",
            "2018-04-09 00:00",
            "2018-04-09 00:60:00",
            "０018-04-09 00:00:00",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn generated_files_are_current() {
        // The committed declarations and table must be what the table generates; UPDATE_TYPES=1 rewrites them.
        for (file, generated) in [("endpoints.d.ts", typescript()), ("endpoints.json", table_json())] {
            let path = format!("{}/pkg-template/{file}", env!("CARGO_MANIFEST_DIR"));
            if std::env::var_os("UPDATE_TYPES").is_some() {
                std::fs::write(&path, &generated).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(committed == generated, "pkg-template/{file} is stale: run UPDATE_TYPES=1 cargo test --lib");
        }
        let table: serde_json::Value = serde_json::from_str(&table_json()).unwrap();
        assert_eq!(table.as_array().unwrap().len(), 29);
        let search = &table[5];
        assert_eq!(search["path"], "bank/search");
        assert_eq!(search["params"][0], serde_json::json!({"name": "date.from", "required": false, "kind": "date"}));
    }
}
