//! A mutation: one line of a watched account's statement, as a callback or a search reports it.

use crate::amount::Amount;
use crate::json::{is_null, names, read_safe_int, read_safe_uint, read_string, Ctx, Raw, Reader, Stop};
use serde::Serialize;
use std::borrow::Cow;

/// One mutation. `type` is `credit` (money in) or `debit` (money out) for banks and e-wallets; PayPal rows
/// use their own types. Service-specific members are present only when the service sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Mutation {
    /// The mutation's id at CekMutasi: unique per mutation, the idempotency key.
    pub id: u64,
    /// Time of the mutation, Unix seconds.
    pub unix_timestamp: i64,
    /// `credit` or `debit` for banks and e-wallets; PayPal rows carry their own types.
    #[serde(rename = "type")]
    pub kind: String,
    /// The amount, exact (a two-decimal string in JS).
    #[cfg_attr(feature = "js", tsify(type = "string"))]
    pub amount: Amount,
    /// The bank's description of the transfer (`""` when the service sends none).
    pub description: String,
    /// The account's balance after the mutation, when the service sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional, type = "string"))]
    pub balance: Option<Amount>,
    /// The account's service (`bri`, `ovo`, …): present in search results.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub service_code: Option<String>,
    /// The account's number (or PayPal username): present in search results.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub account_number: Option<String>,
    /// Members only some services send (GoPay's `partner_phone`, PayPal's `email`, `fee`, …); boxed, so a
    /// bank row stays small.
    // Declared as `& ServiceFields` (every member optional), not tsify's `& (ServiceFields | {})`, through
    // which `m.partner_phone` does not type-check.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional, type = "ServiceFields"))]
    pub extra: Option<Box<ServiceFields>>,
}

/// The members of a mutation that only some services send.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct ServiceFields {
    /// GoPay: the other party's phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub partner_phone: Option<String>,
    /// PayPal: the account's username.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub username: Option<String>,
    /// PayPal: the payer's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub email: Option<String>,
    /// PayPal: the payer's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub name: Option<String>,
    /// PayPal: the transaction id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub transactionid: Option<String>,
    /// PayPal: the transaction's status (`Completed`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub status: Option<String>,
    /// PayPal: the fee.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional, type = "string"))]
    pub fee: Option<Amount>,
    /// PayPal: the amount less the fee.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional, type = "string"))]
    pub net: Option<Amount>,
    /// PayPal: the currency (`USD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub currency: Option<String>,
}

/// A mutation as read: text borrowed from the document (escaped strings are decoded into owned ones), so
/// matching reads rows without copying them. [`Mutation`] is its owned form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RowRef<'a> {
    pub id: u64,
    pub unix_timestamp: i64,
    pub kind: Cow<'a, str>,
    pub amount: Amount,
    pub description: Cow<'a, str>,
    pub balance: Option<Amount>,
    pub service_code: Option<Cow<'a, str>>,
    pub account_number: Option<Cow<'a, str>>,
    pub extra: Option<Box<ServiceFields>>,
}

impl From<RowRef<'_>> for Mutation {
    fn from(r: RowRef<'_>) -> Mutation {
        Mutation {
            id: r.id,
            unix_timestamp: r.unix_timestamp,
            kind: r.kind.into_owned(),
            amount: r.amount,
            description: r.description.into_owned(),
            balance: r.balance,
            service_code: r.service_code.map(Cow::into_owned),
            account_number: r.account_number.map(Cow::into_owned),
            extra: r.extra,
        }
    }
}

impl Mutation {
    /// True for money in on a bank or e-wallet account: the only kind that can pay an invoice.
    pub fn is_credit(&self) -> bool {
        self.kind == "credit"
    }
}

names! {
    /// A mutation row's members (the bit of each in a row's `seen` set is its position); any other is
    /// left out.
    pub(crate) enum Field {
        Id = "id",
        UnixTimestamp = "unix_timestamp",
        Type = "type",
        Amount = "amount",
        Description = "description",
        Balance = "balance",
        ServiceCode = "service_code",
        AccountNumber = "account_number",
        PartnerPhone = "partner_phone",
        Username = "username",
        Email = "email",
        Name = "name",
        TransactionId = "transactionid",
        Status = "status",
        Fee = "fee",
        Net = "net",
        Currency = "currency",
    } else Other
}

/// What reading a report learns besides its values: whether its text is in normal form (a plain
/// `JSON.parse` of it gives exactly the validated value: no unknown members, no nulls, every amount a
/// two-decimal string), which lets a receiver keep the body as the report, and how many rows it holds.
#[derive(Debug)]
pub(crate) struct Normal {
    pub(crate) normal: bool,
    pub(crate) rows: usize,
    /// Where the values are in the text, while it is in normal form, when asked for
    /// ([`crate::callback::Tape`]).
    pub(crate) tape: Option<Vec<u32>>,
}

impl Normal {
    pub(crate) fn new() -> Self {
        Normal { normal: true, rows: 0, tape: None }
    }

    /// Also notes where each value is (for a text without escapes, whose values are then its slices).
    /// The tape starts with a place for the count of rows (filled when the report has been read).
    pub(crate) fn taped(text_len: usize) -> Self {
        // About one event (three numbers) per 24 bytes of a usual report: one allocation, most of the time.
        let mut tape = Vec::with_capacity(1 + text_len / 8);
        tape.push(0);
        Normal { normal: true, rows: 0, tape: Some(tape) }
    }

    /// The text departs from normal form here.
    pub(crate) fn not_normal(&mut self) {
        self.normal = false;
        self.tape = None;
    }

    /// Notes an event of the tape: its tag and where its value is (`(0, 0)` for none).
    pub(crate) fn record(&mut self, tag: u32, (start, end): (usize, usize)) {
        if let Some(tape) = &mut self.tape {
            tape.extend([tag, start as u32, end as u32]);
        }
    }

    /// Notes a string of the tape: its tag and where its text is (its span without the quotes).
    pub(crate) fn record_string(&mut self, tag: u32, (start, end): (usize, usize)) {
        self.record(tag, (start + 1, end - 1));
    }

    /// Notes an integer of the tape by its value (within 2^53, checked when read): its low 32 bits, then
    /// its high ones (two's complement), which JS puts together faster than it reads the digits.
    pub(crate) fn record_integer(&mut self, tag: u32, value: i64) {
        if let Some(tape) = &mut self.tape {
            tape.extend([tag, value as u32, (value >> 32) as u32]);
        }
    }
}

// `description` is not among them: PayPal rows come without one, and it reads as `""`.
const REQUIRED: [Field; 4] = [Field::Id, Field::UnixTimestamp, Field::Type, Field::Amount];

/// Reads one mutation object at the current path of `ctx`. With `build` false it only validates (no
/// allocation) and yields `None`.
pub(crate) fn read_row<'de>(
    ctx: &mut Ctx,
    norm: &mut Normal,
    r: &mut Reader<'de>,
    build: bool,
) -> Result<Option<RowRef<'de>>, Stop> {
    ctx.expect(r, b'{', "a mutation object")?;
    norm.record(crate::callback::Tape::ROW, (0, 0));
    let mut m = RowRef::default();
    let mut seen: u32 = 0;
    let mut kind_raw: Option<Raw<'de>> = None;
    let mut amount_raw: Option<Raw<'de>> = None;

    r.members(|r, key| {
        let field = Field::of(&key);
        if field == Field::Other {
            norm.not_normal();
            return r.skip();
        }
        let bit = 1u32 << field as u32;
        if seen & bit != 0 {
            // Two values for one member: which one the sender meant is a guess, and money depends on it.
            return Err(ctx.invalid(Some(field.name()), "duplicate member"));
        }
        seen |= bit;
        let raw = r.raw()?;
        // Every member of a row in normal form is a string but these two integers (their values are noted
        // when they are read, below).
        if !matches!(field, Field::Id | Field::UnixTimestamp) {
            norm.record_string(crate::callback::Tape::TEXT | field as u32, r.span(raw));
        }
        let member = field.name();
        let bad = |ctx: &mut Ctx, msg: &str| -> Stop { ctx.invalid(Some(member), msg) };
        // An optional amount (balance, fee, net); `null` means absent.
        let optional_amount = |ctx: &mut Ctx, norm: &mut Normal| -> Result<Option<Amount>, Stop> {
            if is_null(raw) {
                norm.not_normal();
                return Ok(None);
            }
            read_amount(norm, raw, true).map(Some).map_err(|e| bad(ctx, e))
        };
        // An optional text of the service, kept only when the row is built; `null` means absent.
        let optional_text = |ctx: &mut Ctx, norm: &mut Normal| -> Result<Option<Cow<'de, str>>, Stop> {
            if is_null(raw) {
                norm.not_normal();
                return Ok(None);
            }
            let v = read_string(raw).map_err(|e| bad(ctx, e))?;
            Ok(build.then_some(v))
        };
        fn extra<'m>(m: &'m mut RowRef<'_>) -> &'m mut ServiceFields {
            m.extra.get_or_insert_with(Default::default)
        }
        match field {
            Field::Id => {
                m.id = read_safe_uint(raw).map_err(|e| bad(ctx, e))?;
                norm.record_integer(crate::callback::Tape::NUMBER | field as u32, m.id as i64);
            }
            Field::UnixTimestamp => {
                m.unix_timestamp = read_safe_int(raw).map_err(|e| bad(ctx, e))?;
                norm.record_integer(crate::callback::Tape::NUMBER | field as u32, m.unix_timestamp);
                if raw.get().starts_with("-0") {
                    norm.not_normal(); // JS reads -0 as negative zero
                }
            }
            // `type` decides whether the amount may be signed; both are read once the row is complete.
            Field::Type => kind_raw = Some(raw),
            Field::Amount => amount_raw = Some(raw),
            Field::Description => {
                if is_null(raw) {
                    norm.not_normal();
                } else {
                    m.description = read_string(raw).map_err(|e| bad(ctx, e))?;
                }
            }
            Field::Balance => m.balance = optional_amount(ctx, norm)?,
            Field::Fee => {
                if let Some(v) = optional_amount(ctx, norm)? {
                    extra(&mut m).fee = Some(v);
                }
            }
            Field::Net => {
                if let Some(v) = optional_amount(ctx, norm)? {
                    extra(&mut m).net = Some(v);
                }
            }
            Field::ServiceCode => {
                if let Some(v) = optional_text(ctx, norm)? {
                    m.service_code = Some(v);
                }
            }
            Field::AccountNumber => {
                if let Some(v) = optional_text(ctx, norm)? {
                    m.account_number = Some(v);
                }
            }
            // The texts only some services send, kept in the boxed extras.
            Field::PartnerPhone
            | Field::Username
            | Field::Email
            | Field::Name
            | Field::TransactionId
            | Field::Status
            | Field::Currency => {
                if let Some(v) = optional_text(ctx, norm)? {
                    let e = extra(&mut m);
                    let slot = match field {
                        Field::PartnerPhone => &mut e.partner_phone,
                        Field::Username => &mut e.username,
                        Field::Email => &mut e.email,
                        Field::Name => &mut e.name,
                        Field::TransactionId => &mut e.transactionid,
                        Field::Status => &mut e.status,
                        _ => &mut e.currency,
                    };
                    *slot = Some(v.into_owned());
                }
            }
            Field::Other => {} // skipped above
        }
        Ok(())
    })?;

    if let Some(f) = REQUIRED.into_iter().find(|f| seen & (1 << *f as u32) == 0) {
        return Err(ctx.invalid(Some(f.name()), "missing required member"));
    }
    if seen & (1 << Field::Description as u32) == 0 {
        norm.not_normal(); // the normal form has `description: ""`
    }
    let (Some(kind_raw), Some(amount_raw)) = (kind_raw, amount_raw) else { unreachable!("checked as required") };
    let kind = read_string(kind_raw).map_err(|e| ctx.invalid(Some("type"), e))?;
    // Bank and e-wallet amounts are unsigned (`type` says the direction); other services' rows may be signed.
    let signed = !(kind == "credit" || kind == "debit");
    m.amount = read_amount(norm, amount_raw, signed).map_err(|e| ctx.invalid(Some("amount"), e))?;
    if build {
        m.kind = kind;
        Ok(Some(m))
    } else {
        Ok(None)
    }
}

/// An amount member; notes when its text is not already the normalised form.
fn read_amount(norm: &mut Normal, raw: Raw<'_>, signed: bool) -> Result<Amount, &'static str> {
    let (v, normal) = Amount::from_json_literal_normal(raw.get(), signed).map_err(|e| e.message())?;
    if !normal {
        norm.not_normal();
    }
    Ok(v)
}

/// Reads one mutation (JSON text) given as an argument named `name` (`invalid_params` at `name.member`).
pub(crate) fn read_mutation(json: &str, name: &'static str) -> crate::error::Result<Mutation> {
    crate::json::read_document_as(
        json,
        crate::error::ErrorCode::InvalidParams,
        crate::json::Seg::Key(name),
        |ctx, r| read_row(ctx, &mut Normal::new(), r, true),
    )
    .map(|row| Mutation::from(row.unwrap_or_else(|| unreachable!("a built row"))))
}

/// A row left out of a report (API.md: "One bad row never sinks the others"): where it was, why, and its
/// text as received, for a person to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct RejectedRow {
    /// Its index in `content.data` as sent.
    pub index: usize,
    /// The error's code (`invalid_payload`).
    pub code: String,
    /// Where: `content.data[1].amount`.
    pub path: String,
    /// What is wrong, for people (the message the error would have had).
    pub message: String,
    /// The row's JSON text as received.
    pub raw: String,
}

/// A row that failed validation, left out: its error and text listed in `rejected`, the walk free to go on
/// after it. What is not JSON, or too deep, still stops the walk. Out of line: a valid report never runs it.
#[cold]
#[inline(never)]
fn leave_out(
    ctx: &mut Ctx,
    norm: &mut Normal,
    r: &mut Reader<'_>,
    (at, level, index): (crate::json::Mark, usize, usize),
    rejected: &mut Vec<RejectedRow>,
) -> Result<(), Stop> {
    let Some(err) = ctx.recover(level, r) else { return Err(Stop) };
    r.rewind(at);
    let raw = r.raw_checked()?;
    norm.not_normal(); // the text has a row the report leaves out
    rejected.push(RejectedRow {
        index,
        code: err.code().as_str().to_string(),
        path: err.path().unwrap_or_default().to_string(),
        message: err.to_string(),
        raw: raw.get().to_string(),
    });
    Ok(())
}

/// Reads an array of mutations at the current path of `ctx`, pushing `[i]` for each row. With `build`
/// false only counts them (in `norm.rows`). With `rejected`, a row that fails validation is left out and
/// listed there instead of stopping the walk; what is not JSON, or too deep, still stops it.
pub(crate) fn read_rows<'de>(
    ctx: &mut Ctx,
    norm: &mut Normal,
    r: &mut Reader<'de>,
    build: bool,
    mut rejected: Option<&mut Vec<RejectedRow>>,
) -> Result<Vec<RowRef<'de>>, Stop> {
    let mut rows = Vec::new();
    let mut count = 0;
    let mut index = 0;
    ctx.elements(r, "an array of mutations", |ctx, r| {
        // Where the row starts: only read again when it is left out.
        let (at, level) = (r.mark(), ctx.level());
        match read_row(ctx, norm, r, build) {
            Ok(Some(row)) => rows.push(row),
            Ok(None) => count += 1,
            Err(Stop) => match rejected.as_deref_mut() {
                Some(rejected) => leave_out(ctx, norm, r, (at, level, index), rejected)?,
                None => return Err(Stop),
            },
        }
        index += 1;
        Ok(())
    })?;
    norm.rows += rows.len() + count;
    Ok(rows)
}
