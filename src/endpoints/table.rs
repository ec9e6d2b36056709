//! The table itself: each endpoint's path, verb, payload member, effect, parameters and result shape, and
//! the codes and shapes they are made of (SPEC.md §3–§5).

use crate::error::{Error, ErrorCode, Result};

/// The service's documented base URL (version 1.0).
pub const DEFAULT_BASE_URL: &str = "https://api.cekmutasi.co.id/v1";

/// An endpoint's HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `GET`: parameters in the query string.
    Get,
    /// `POST`: parameters in a form body.
    Post,
}

impl Verb {
    /// `GET` or `POST`.
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
    /// One of these strings, in any case; sent in the case given here.
    Code(&'static [&'static str]),
    /// A service code of letters, digits and `_`, sent in lowercase; these are the pages' examples, not a
    /// closed list (a filter's `service_code`: Bank Syariah Indonesia's `bsi` must work without a release).
    ServiceCode(&'static [&'static str]),
    /// A whole number, 1 to 2^53 - 1.
    Id,
    /// A decimal amount with at most two places (string or number); results carry it as a two-decimal
    /// string.
    Amount {
        /// A negative amount is allowed.
        signed: bool,
    },
    /// Whole rupiah (a JSON integer), at least `min`; stays a number.
    Rupiah {
        /// The smallest allowed.
        min: u64,
    },
    /// `Y-m-d H:i:s`, a date that exists on the calendar, in the service's time zone; or an instant with its
    /// zone, sent as the service's local time (`crate::date`).
    Date,
    /// Unix seconds: an integer, or a string of digits (read as that integer); a number in results, so a
    /// search row is a mutation as callbacks have it.
    Time,
    /// `{ from?, to? }`, both dates, `from` not after `to`.
    DateRange,
    /// Three letters.
    Currency,
    /// A string of at most this many characters.
    Text {
        /// The most characters allowed.
        max: usize,
    },
    /// An object of strings (WhatsApp template tokens).
    StrMap,
    /// A string or a number, kept as it is (ids whose type the service does not document).
    Scalar,
    /// `true` or `false`.
    Bool,
    /// An object of these members (unknown ones: refused in parameters, kept in results).
    Object(&'static [Member]),
    /// An array of this shape.
    List(&'static Shape),
    /// Any JSON, untyped (the undocumented endpoints' results).
    Any,
    /// Nothing (the payload is ignored and the result is `null`).
    Nothing,
}

/// A member of an object shape.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    /// The member's name, as the API spells it.
    pub name: &'static str,
    /// Its rule.
    pub shape: Shape,
    /// It must be present (and not null).
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
    /// `GET` or `POST`.
    pub verb: Verb,
    /// The envelope member with the payload: `response` or `data`.
    pub payload: &'static str,
    /// Whether the call only reads (and may be retried).
    pub effect: Effect,
    /// The parameters; for searches, the filters (sent nested under `search`).
    pub params: &'static [Member],
    /// One of the four searches (`*/search`): the filters go under `search`.
    pub search: bool,
    /// The payload's shape.
    pub result: Shape,
    /// In the service's own pages (SPEC.md §4), or only called by its PHP package (§5).
    pub documented: bool,
    /// The client's method name (camelCase).
    pub method: &'static str,
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
    req("unix_timestamp", Shape::Time),
    req("type", Shape::Str),
    req("amount", Shape::Amount { signed: false }),
    opt("description", Shape::Str),
    opt("balance", Shape::Amount { signed: true }),
    opt("partner_phone", Shape::Str),
]);
const PAYPAL_ROW: Shape = Shape::Object(&[
    req("id", Shape::Id),
    opt("username", Shape::Str),
    req("unix_timestamp", Shape::Time),
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
        method: "myIp",
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
        method: "addBank",
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
        method: "updateBank",
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
        method: "deleteBank",
    },
    Endpoint {
        path: "bank/list",
        verb: Verb::Get,
        payload: "data",
        effect: Effect::ReadOnly,
        params: &[opt("service_code", Shape::ServiceCode(SEARCH_BANKS)), opt("account_number", Shape::Str)],
        search: false,
        result: Shape::List(&ACCOUNT),
        documented: true,
        method: "listBanks",
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
            opt("service_code", Shape::ServiceCode(SEARCH_BANKS)),
            opt("account_number", Shape::Str),
        ],
        search: true,
        result: Shape::List(&MUTATION_ROW),
        documented: true,
        method: "searchBank",
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
        method: "searchPaypal",
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
        method: "searchOvo",
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
        method: "searchGopay",
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
        method: "ovoBankList",
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
        method: "ovoTransferInquiry",
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
        method: "ovoTransferSend",
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
        method: "ovoTransferDetail",
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
        method: "ovoToOvoInquiry",
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
        method: "ovoToOvoSend",
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
        method: "sendWhatsapp",
    },
    // ---- SPEC.md §5: untyped results, POST with form bodies ----
    undocumented("balance", "balance", &[]),
    undocumented("bank/balance", "bankBalance", &[]),
    undocumented("ovo/balance", "ovoBalance", &[]),
    undocumented("gopay/balance", "gopayBalance", &[]),
    undocumented("paypal/balance", "paypalBalance", &[]),
    undocumented("ovo/list", "listOvo", &[]),
    undocumented("gopay/list", "listGopay", &[]),
    undocumented("paypal/list", "listPaypal", &[]),
    undocumented("bank/detail", "bankDetail", ID_PARAM),
    undocumented("ovo/detail", "ovoDetail", ID_PARAM),
    undocumented("gopay/detail", "gopayDetail", ID_PARAM),
    undocumented("paypal/detail", "paypalDetail", ID_PARAM),
    undocumented(
        "paypal/transaction/detail",
        "paypalTransactionDetail",
        &[req("username", Shape::Str), req("transactionid", Shape::Str)],
    ),
];

/// A §5 row: every one of them only reads (balances, lists, details); the payload's shape is not documented.
const fn undocumented(path: &'static str, method: &'static str, params: &'static [Member]) -> Endpoint {
    Endpoint {
        path,
        verb: Verb::Post,
        payload: "data",
        effect: Effect::ReadOnly,
        params,
        search: false,
        result: Shape::Any,
        documented: false,
        method,
    }
}

impl Endpoint {
    /// Where its parameters are named from in errors: `search` for a search's filters (sent under it),
    /// else the top (`""`).
    pub fn params_root(&self) -> &'static str {
        if self.search {
            "search"
        } else {
            ""
        }
    }
}

/// The endpoint with this path (no leading slash); `config` for an unknown one.
pub fn endpoint(path: &str) -> Result<&'static Endpoint> {
    ENDPOINTS
        .iter()
        .find(|e| e.path == path)
        .ok_or_else(|| Error::new(ErrorCode::Config, format!("unknown endpoint `{path}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Path segments below a shape's root (a member, an index): what a walk pushes on its path.
    fn depth(shape: &Shape) -> usize {
        match shape {
            Shape::Object(members) => members.iter().map(|m| 1 + depth(&m.shape)).max().unwrap_or(0),
            Shape::List(item) => 1 + depth(item),
            Shape::DateRange | Shape::StrMap => 1,
            _ => 0,
        }
    }

    #[test]
    fn every_path_fits_the_readers_path() {
        // The root, then the deepest member of params or result; Ctx::push refuses more than MAX_SEGS.
        let deepest = ENDPOINTS.iter().map(|e| 1 + depth(&e.result).max(depth(&Shape::Object(e.params)))).max();
        assert!(deepest.unwrap() <= crate::json::MAX_SEGS, "{deepest:?}");
        // And an object shape has fewer than 64 members (check_members notes them in a u64).
        fn widest(shape: &Shape) -> usize {
            match shape {
                Shape::Object(m) => m.len().max(m.iter().map(|m| widest(&m.shape)).max().unwrap_or(0)),
                Shape::List(item) => widest(item),
                _ => 0,
            }
        }
        assert!(ENDPOINTS.iter().all(|e| widest(&e.result) < 64 && e.params.len() < 64));
    }

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
}
