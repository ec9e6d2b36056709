//! Exact decimal matching of incoming credits to open invoices.
//!
//! The service's own sample pays "the oldest unpaid invoice whose total equals the amount": two open
//! invoices with the same total make that a guess, and a repeated callback pays a second invoice. Here a
//! mutation pays at most one invoice, an invoice is paid at most once, a mutation id is processed once, and
//! ambiguity is reported, never guessed (unless the caller asks for `oldest`).
//!
//! Rules (the contract of `../shared/API.md`, Matching):
//! - only `credit` mutations pay; amounts compare as exact decimals;
//! - a mutation id already seen, or repeated within the input, is ignored;
//! - an invoice is a candidate when the mutation time is within `[created_at, expires_at + grace_seconds]`
//!   (absent bounds do not restrict), its `service_code` / `account_number` (when set) equal the
//!   mutation's, and, with `require_reference`, its `reference` occurs in the description
//!   (ignoring the case of ASCII letters: bank notes and invoice codes are ASCII, and Unicode case tables
//!   would cost the wasm module 8 KB gzip; other letters must match exactly, which can only withhold a
//!   payment, never make a wrong one);
//! - among several candidates, those whose reference occurs in the description win; if more than one is
//!   left, `report` lists the mutation as ambiguous and pays nothing, `oldest` pays the smallest
//!   `created_at` (an absent one counts as oldest), then the smallest id.
//!
//! Mutations are processed in time order (then by id), so the result does not depend on the order of the
//! input.
//!
//! ```
//! use cekmutasi::matching::{Invoice, Matcher, MatchOptions, Credit};
//! let mut m = Matcher::new(MatchOptions::default());
//! m.add(Invoice::new("INV-1", "50000.12".parse().unwrap())).unwrap();
//! let credit = Credit { id: 7, unix_timestamp: 1, kind: "credit", amount: "50000.12".parse().unwrap(),
//!                       description: "TRF INV-1", service_code: Some("bri"), account_number: None };
//! let r = m.match_credits(&[credit]);
//! assert_eq!(r.matched[0].invoice_id, "INV-1");
//! assert_eq!(m.match_credits(&[credit]).ignored[0].reason, "seen");
//! ```

use crate::amount::Amount;
use crate::callback::read_content;
use crate::error::{Error, ErrorCode, Result};
use crate::invoices::{Invoices, NewInvoice, MAX_TEXT};
use crate::json::{
    each_element, is_null, names, option_members, read_document_as, read_safe_int, read_safe_uint, read_string, Ctx,
    Raw, Reader, Seg, Stop,
};
use crate::mutation::{read_rows, Normal, RowRef};
use crate::sort::{insertion_sort, sort_by_key};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

/// An open invoice. `amount` is a decimal string (a JS number is read from its shortest text);
/// `created_at` / `expires_at` are Unix seconds; `reference` is searched in the transfer description;
/// `service_code` / `account_number` restrict which account may pay it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Invoice {
    /// Your invoice id.
    pub id: String,
    /// The exact amount to pay (a unique-code amount, say): a decimal string, or a number read from its
    /// shortest text (`150003` is `"150003.00"`).
    #[cfg_attr(feature = "js", tsify(type = "string | number"))]
    pub amount: Amount,
    /// When the invoice was opened (Unix seconds): earlier mutations cannot pay it.
    #[cfg_attr(feature = "js", tsify(optional))]
    pub created_at: Option<i64>,
    /// When it stops being payable (Unix seconds).
    #[cfg_attr(feature = "js", tsify(optional))]
    pub expires_at: Option<i64>,
    /// A text the transfer's description must contain (case-insensitive), when required.
    #[cfg_attr(feature = "js", tsify(optional))]
    pub reference: Option<String>,
    /// Only a mutation on this service pays it.
    #[cfg_attr(feature = "js", tsify(optional))]
    pub service_code: Option<String>,
    /// Only a mutation on this account pays it.
    #[cfg_attr(feature = "js", tsify(optional))]
    pub account_number: Option<String>,
}

impl Invoice {
    /// An invoice with no time window, reference or account restriction.
    pub fn new(id: impl Into<String>, amount: Amount) -> Self {
        Invoice {
            id: id.into(),
            amount,
            created_at: None,
            expires_at: None,
            reference: None,
            service_code: None,
            account_number: None,
        }
    }
}

/// What to do with a credit that fits several invoices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[cfg_attr(feature = "js", serde(rename_all = "lowercase"))]
pub enum OnAmbiguous {
    /// List it in `ambiguous` and pay nothing (the default: a guess can pay the wrong customer).
    #[default]
    Report,
    /// Pay the oldest candidate.
    Oldest,
}

names! {
    /// The matching options, as spelt in JS (the same as [`MatchOptions`]' members).
    pub enum MatchOption {
        Seen = "seen",
        GraceSeconds = "grace_seconds",
        RequireReference = "require_reference",
        OnAmbiguous = "on_ambiguous",
    }
}

names! {
    /// `uniqueAmount`'s options, as spelt in JS.
    pub enum UniqueAmountOption {
        Min = "min",
        Max = "max",
        Mode = "mode",
    }
}

/// Matching options; `seen` are mutation ids already processed (e.g. restored after a restart).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct MatchOptions {
    /// Mutation ids already processed (restored after a restart): they pay nothing again.
    #[cfg_attr(feature = "js", tsify(optional))]
    pub seen: Vec<u64>,
    /// Seconds after `expires_at` during which a payment still counts (default 0).
    #[cfg_attr(feature = "js", tsify(optional))]
    pub grace_seconds: i64,
    /// Pay only when the description contains the invoice's `reference`.
    #[cfg_attr(feature = "js", tsify(optional))]
    pub require_reference: bool,
    /// What to do when several invoices fit one credit (default: report them).
    #[cfg_attr(feature = "js", tsify(optional))]
    pub on_ambiguous: OnAmbiguous,
}

/// The view of a mutation that matching needs (borrowed: nothing is copied to match).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit<'a> {
    /// The mutation's id.
    pub id: u64,
    /// Its time, Unix seconds.
    pub unix_timestamp: i64,
    /// `credit`, `debit`, …
    pub kind: &'a str,
    /// Its amount.
    pub amount: Amount,
    /// Its description.
    pub description: &'a str,
    /// Its service, when known.
    pub service_code: Option<&'a str>,
    /// Its account, when known.
    pub account_number: Option<&'a str>,
}

/// An invoice paid by a mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Matched {
    /// The invoice paid.
    pub invoice_id: String,
    /// The mutation that paid it.
    pub mutation_id: u64,
    /// The amount paid.
    #[cfg_attr(feature = "js", tsify(type = "string"))]
    pub amount: Amount,
}

/// A credit that fits several invoices: reported, never guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Ambiguous {
    /// The credit.
    pub mutation_id: u64,
    /// Every invoice it fits.
    pub invoice_ids: Vec<String>,
}

/// A mutation that pays nothing, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Ignored {
    /// The mutation.
    pub mutation_id: u64,
    /// `debit`, `not_credit` (another service's type, e.g. PayPal's `payment`), `seen` or `duplicate`.
    #[cfg_attr(feature = "js", tsify(type = "\"debit\" | \"not_credit\" | \"seen\" | \"duplicate\""))]
    pub reason: &'static str,
}

/// The outcome of one matching run, each list in processing order (time, then id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct MatchResult {
    /// Invoices paid.
    pub matched: Vec<Matched>,
    /// Credits that fit more than one invoice.
    pub ambiguous: Vec<Ambiguous>,
    /// Credits that fit no invoice.
    pub unmatched: Vec<u64>,
    /// Mutations that pay nothing.
    pub ignored: Vec<Ignored>,
}

/// The stateful matcher: invoices stay resident until paid or removed, and every mutation id it has
/// processed is remembered.
#[derive(Debug, Default)]
pub struct Matcher {
    options: MatchOptions,
    invoices: Invoices,
    /// Mutation id -> the batch that processed it (0: given as `seen`).
    seen: HashMap<u64, u32, IdHasher>,
    batch: u32,
}

fn invalid(path: impl Into<String>, message: &str) -> Error {
    Error::new(ErrorCode::InvalidParams, message).at(path)
}

impl Matcher {
    /// A matcher with no open invoices, remembering `options.seen`.
    pub fn new(mut options: MatchOptions) -> Self {
        let seen = std::mem::take(&mut options.seen).into_iter().map(|id| (id, 0)).collect();
        Matcher { options, seen, ..Default::default() }
    }

    /// Open invoices resident.
    pub fn len(&self) -> usize {
        self.invoices.len()
    }

    /// No open invoice is resident.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every mutation id processed so far (and those given as `seen`), ascending: persist them and pass them
    /// back as `seen` after a restart, so a re-delivered callback pays nothing.
    pub fn seen_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.seen.keys().copied().collect();
        sort_by_key(&mut ids, |&id| id);
        ids
    }

    /// Adds an open invoice. Errors (`invalid_params`, with the member as path): an empty, overlong or
    /// already resident id, an amount not above zero, `expires_at` before `created_at`, an empty or
    /// overlong reference.
    pub fn add(&mut self, invoice: Invoice) -> Result<()> {
        self.check(&invoice)?;
        self.insert(&invoice);
        Ok(())
    }

    /// Adds several invoices, all or none: the first invalid one is reported with its index
    /// (`invoices[3].amount`) and nothing is added.
    pub fn add_all(&mut self, invoices: Vec<Invoice>) -> Result<()> {
        let mut fresh = HashSet::with_capacity(invoices.len());
        for (i, inv) in invoices.iter().enumerate() {
            self.check(inv).map_err(|e| e.within(&format!("invoices[{i}]")))?;
            if !fresh.insert(inv.id.as_str()) {
                return Err(invalid(format!("invoices[{i}].id"), "the same invoice id appears twice"));
            }
        }
        self.invoices.reserve(invoices.len());
        for inv in &invoices {
            self.insert(inv);
        }
        Ok(())
    }

    fn check(&self, inv: &Invoice) -> Result<()> {
        check_invoice(inv, self.invoices.contains_id(&inv.id))
    }

    fn insert(&mut self, inv: &Invoice) {
        let reference = inv.reference.as_ref().map(|r| r.to_ascii_lowercase());
        self.invoices.insert(NewInvoice {
            id: &inv.id,
            cents: inv.amount.cents().expect("checked"),
            created_at: inv.created_at.unwrap_or(i64::MIN),
            expires_at: inv.expires_at.unwrap_or(i64::MAX),
            reference: reference.as_deref(),
            service_code: inv.service_code.as_deref(),
            account_number: inv.account_number.as_deref(),
        });
    }

    /// Removes an open invoice; `false` when no invoice has that id.
    pub fn remove(&mut self, id: &str) -> bool {
        self.invoices.remove_id(id)
    }

    /// Matches a batch of mutations: paid invoices leave the set, every id is remembered.
    pub fn match_credits(&mut self, credits: &[Credit<'_>]) -> MatchResult {
        let mut order: Vec<usize> = (0..credits.len()).collect();
        // Time order, then id, sorted on plain integers; rows that share both (only hostile input repeats an
        // id) are then ordered by all their members, so the outcome never depends on the input order.
        sort_by_key(&mut order, |&i| (credits[i].unix_timestamp, credits[i].id));
        let full = |i: usize| {
            let c = &credits[i];
            (c.unix_timestamp, c.id, c.amount, c.kind, c.description, c.service_code, c.account_number)
        };
        insertion_sort(&mut order, |a, b| full(*a) < full(*b));
        let mut result = MatchResult::default();
        // Each id is remembered with the batch that brought it: one hash lookup tells "seen before" from
        // "repeated in this batch".
        self.batch += 1;
        let batch = self.batch;
        self.seen.reserve(credits.len());
        for i in order {
            let c = &credits[i];
            match self.seen.entry(c.id) {
                Entry::Occupied(e) => {
                    let reason = if *e.get() == batch { "duplicate" } else { "seen" };
                    result.ignored.push(Ignored { mutation_id: c.id, reason });
                    continue;
                }
                Entry::Vacant(e) => {
                    e.insert(batch);
                }
            }
            if c.kind != "credit" {
                let reason = if c.kind == "debit" { "debit" } else { "not_credit" };
                result.ignored.push(Ignored { mutation_id: c.id, reason });
                continue;
            }
            self.match_one(c, &mut result);
        }
        result
    }

    fn match_one(&mut self, c: &Credit<'_>, result: &mut MatchResult) {
        let Some(cents) = c.amount.cents() else {
            return result.unmatched.push(c.id); // larger than any invoice can be
        };
        // `None`: the mutation names a service or account no invoice is restricted to.
        let service = self.invoices.find_string(c.service_code);
        let account = self.invoices.find_string(c.account_number);
        let mut description_lower: Option<String> = None;
        let mut occurs = |reference: &str| {
            description_lower.get_or_insert_with(|| c.description.to_ascii_lowercase()).contains(reference)
        };
        let grace = self.options.grace_seconds;
        let mut candidates: Vec<u32> = Vec::new();
        let mut with_reference: Vec<u32> = Vec::new();
        for i in self.invoices.with_amount(cents) {
            let s = self.invoices.slot(i);
            let in_time = c.unix_timestamp >= s.created_at && c.unix_timestamp <= s.expires_at.saturating_add(grace);
            // An invoice restricted to an account matches only a mutation of that account.
            let same_service = s.service_code == 0 || Some(s.service_code) == service;
            let same_account = s.account_number == 0 || Some(s.account_number) == account;
            let referenced = self.invoices.reference(i).is_some_and(&mut occurs);
            if in_time && same_service && same_account && (referenced || !self.options.require_reference) {
                candidates.push(i);
                if referenced {
                    with_reference.push(i);
                }
            }
        }
        let mut pool = if with_reference.is_empty() { candidates } else { with_reference };
        if pool.len() > 1 {
            // Oldest first, then by id. Pools are a handful of invoices.
            let key = |i: u32| (self.invoices.slot(i).created_at, self.invoices.id(i));
            insertion_sort(&mut pool, |a, b| key(*a) < key(*b));
            if self.options.on_ambiguous == OnAmbiguous::Report {
                let invoice_ids = pool.iter().map(|&i| self.invoices.id(i).to_string()).collect();
                return result.ambiguous.push(Ambiguous { mutation_id: c.id, invoice_ids });
            }
        }
        match pool.first() {
            None => result.unmatched.push(c.id),
            Some(&i) => {
                let invoice_id = self.invoices.id(i).to_string();
                self.invoices.remove_slot(i);
                result.matched.push(Matched { invoice_id, mutation_id: c.id, amount: c.amount });
            }
        }
    }
}

/// Hashes mutation ids for the seen-set: one multiply and rotate instead of SipHash, about a tenth of the
/// seen-set's cost. Ids are the service's own (from signed callbacks and authenticated searches), so nobody
/// can pick colliding ids to slow the set down; the std hasher stays wherever callers choose the keys.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHasher;

impl std::hash::BuildHasher for IdHasher {
    type Hasher = IdHash;
    fn build_hasher(&self) -> IdHash {
        IdHash(0)
    }
}

/// A hasher for mutation ids (already well spread: no hashing needed).
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHash(u64);

impl std::hash::Hasher for IdHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing; the rotation feeds the high bits hashbrown uses for its control bytes.
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(26);
    }
}

/// The checks of one invoice (the Matcher's, and the ledger's for a new invoice): an id of 1 to 1024 bytes
/// and not `resident` already, an amount above zero and within range, an expiry not before its creation, a
/// reference neither empty nor too long.
pub(crate) fn check_invoice(inv: &Invoice, resident: bool) -> Result<()> {
    if inv.id.is_empty() || inv.id.len() > MAX_TEXT {
        return Err(invalid("id", "must be 1 to 1024 bytes long"));
    }
    if resident {
        return Err(invalid("id", "an open invoice with this id is already resident"));
    }
    if inv.amount <= Amount::ZERO {
        return Err(invalid("amount", "must be above zero"));
    }
    if inv.amount.cents().is_none() {
        return Err(invalid("amount", "is too large to match (over 92233720368547758.07)"));
    }
    if let (Some(c), Some(e)) = (inv.created_at, inv.expires_at) {
        if e < c {
            return Err(invalid("expires_at", "is before created_at"));
        }
    }
    match inv.reference.as_deref() {
        Some("") => Err(invalid("reference", "must not be empty (an empty reference occurs in every description)")),
        Some(r) if r.len() > MAX_TEXT => Err(invalid("reference", "must be at most 1024 bytes long")),
        _ => Ok(()),
    }
}

/// One-shot matching: `invoices` against `credits` with the same rules as [`Matcher`].
pub fn match_payments(invoices: Vec<Invoice>, credits: &[Credit<'_>], options: MatchOptions) -> Result<MatchResult> {
    let mut m = Matcher::new(options);
    m.add_all(invoices)?;
    Ok(m.match_credits(credits))
}

/// `base` plus (or minus) the smallest whole-rupiah code in `[min, max]` whose result is not in `taken`.
///
/// ```
/// use cekmutasi::matching::unique_amount;
/// let taken = ["50001.00".parse().unwrap(), "50002.00".parse().unwrap()];
/// assert_eq!(unique_amount("50000.00".parse().unwrap(), &taken, 1, 999, false).unwrap().to_string(), "50003.00");
/// ```
pub fn unique_amount(base: Amount, taken: &[Amount], min: u32, max: u32, subtract: bool) -> Result<Amount> {
    if min > max {
        return Err(invalid("min", "must not be above max"));
    }
    let taken: HashSet<Amount> = taken.iter().copied().collect();
    let mut tried = 0u32;
    for code in min..=max {
        // Whole rupiah: a code is 100 cents.
        let cents = i128::from(code) * 100;
        let value = if subtract { base.mantissa() - cents } else { base.mantissa() + cents };
        let Some(amount) = Amount::from_cents(value).filter(|a| *a > Amount::ZERO) else {
            break; // zero or below (subtract), or out of range: every larger code is too
        };
        tried += 1;
        if !taken.contains(&amount) {
            return Ok(amount);
        }
    }
    if tried == 0 {
        // Not a busy range: no code of it makes a payable amount from this price.
        let why = if subtract { "is too small to subtract a code from" } else { "is too large to add a code to" };
        return Err(invalid("base", &format!("{why} (codes {min} to {max})")));
    }
    Err(Error::new(ErrorCode::UniqueAmountExhausted, format!("every code from {min} to {max} is taken")))
}

// ---- reading a caller's arguments from JSON text (what the JS boundary hands over) ----

names! {
    /// An invoice's members; any other is ignored.
    enum InvoiceField {
        Id = "id",
        Amount = "amount",
        CreatedAt = "created_at",
        ExpiresAt = "expires_at",
        Reference = "reference",
        ServiceCode = "service_code",
        AccountNumber = "account_number",
        Price = "price",
    } else Other
}

/// Seconds past this are milliseconds in all likelihood (it is the year 5138): `Date.now()` given where Unix
/// seconds are read would make an invoice that no mutation can ever pay.
const MAX_UNIX_SECONDS: i64 = 100_000_000_000;

/// A time in Unix seconds; a millisecond time (`Date.now()`) is refused, saying so.
fn unix_seconds(raw: Raw<'_>) -> std::result::Result<i64, &'static str> {
    let t = read_safe_int(raw)?;
    if t.abs() >= MAX_UNIX_SECONDS {
        return Err("must be Unix seconds, not milliseconds (Math.floor(Date.now() / 1000), not Date.now())");
    }
    Ok(t)
}

/// One invoice object at the current path of `ctx`.
fn read_invoice_object(ctx: &mut Ctx, r: &mut Reader<'_>) -> std::result::Result<Invoice, Stop> {
    read_invoice_or_price(ctx, r, false).map(|(inv, _)| inv)
}

/// An invoice object; with `priced`, it gives either `amount` or a `price` to make a unique amount from
/// (the ledger's `openInvoice`): then the price is returned, and the invoice's amount is the price until
/// the unique amount is known. Without, `price` is one of the caller's own members, ignored.
fn read_invoice_or_price(
    ctx: &mut Ctx,
    r: &mut Reader<'_>,
    priced: bool,
) -> std::result::Result<(Invoice, Option<Amount>), Stop> {
    ctx.expect(r, b'{', "an invoice object")?;
    let mut id = None;
    let mut amount = None;
    let mut price = None;
    let mut inv = Invoice::new(String::new(), Amount::ZERO);
    // The caller's own invoice objects often carry more members (customer, items): those are ignored.
    r.members(|r, key| {
        let field = InvoiceField::of(&key);
        if field == InvoiceField::Other || (field == InvoiceField::Price && !priced) {
            return r.skip();
        }
        let raw = r.raw()?;
        let name = field.name();
        let bad = |ctx: &mut Ctx, m: &str| -> Stop { ctx.invalid(Some(name), m) };
        if is_null(raw) && !matches!(field, InvoiceField::Id | InvoiceField::Amount | InvoiceField::Price) {
            return Ok(()); // null means absent for the optional members
        }
        match field {
            InvoiceField::Id => id = Some(read_string(raw).map_err(|e| bad(ctx, e))?.into_owned()),
            InvoiceField::Amount => {
                amount = Some(Amount::from_json_literal(raw.get(), false).map_err(|e| bad(ctx, e.message()))?)
            }
            InvoiceField::CreatedAt => inv.created_at = Some(unix_seconds(raw).map_err(|e| bad(ctx, e))?),
            InvoiceField::ExpiresAt => inv.expires_at = Some(unix_seconds(raw).map_err(|e| bad(ctx, e))?),
            InvoiceField::Reference => inv.reference = Some(read_string(raw).map_err(|e| bad(ctx, e))?.into_owned()),
            InvoiceField::ServiceCode => {
                inv.service_code = Some(read_string(raw).map_err(|e| bad(ctx, e))?.into_owned())
            }
            InvoiceField::AccountNumber => {
                inv.account_number = Some(read_string(raw).map_err(|e| bad(ctx, e))?.into_owned())
            }
            InvoiceField::Price => {
                price = Some(Amount::from_json_literal(raw.get(), false).map_err(|e| bad(ctx, e.message()))?)
            }
            InvoiceField::Other => {} // skipped above
        }
        Ok(())
    })?;
    inv.id = id.ok_or_else(|| ctx.invalid(Some("id"), "missing required member"))?;
    inv.amount = match (amount, price) {
        (Some(_), Some(_)) => return Err(ctx.invalid(Some("price"), "give price or amount, not both")),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) if priced => {
            return Err(ctx.invalid(Some("amount"), "missing: give price (made unique) or amount (exactly)"))
        }
        (None, None) => return Err(ctx.invalid(Some("amount"), "missing required member")),
    };
    Ok((inv, price))
}

/// The ledger's new invoice (JSON text): the invoice, and its `price` when the amount is to be made
/// unique; a bad member is `invalid_params` at its name (`id`, `price`, …).
pub(crate) fn read_priced_invoice(json: &str) -> Result<(Invoice, Option<Amount>)> {
    read_document_as(json, ErrorCode::InvalidParams, Seg::Root, |ctx, r| read_invoice_or_price(ctx, r, true))
}

/// Reads an array of invoices (JSON text); a bad member is `invalid_params` at `invoices[i].member`.
pub fn read_invoices(json: &str) -> Result<Vec<Invoice>> {
    read_document_as(json, ErrorCode::InvalidParams, Seg::Key("invoices"), |ctx, r| {
        let mut out = Vec::new();
        ctx.elements(r, "an array of invoices", |ctx, r| {
            out.push(read_invoice_object(ctx, r)?);
            Ok(())
        })?;
        Ok(out)
    })
}

/// Reads one invoice (JSON text); a bad member is `invalid_params` at `invoice.member`.
pub fn read_invoice(json: &str) -> Result<Invoice> {
    read_document_as(json, ErrorCode::InvalidParams, Seg::Key("invoice"), read_invoice_object)
}

/// Mutations to match: rows (from a search, or a report's `content.data`), or a whole payment report,
/// whose `service_code` / `account_number` then apply to every row. Borrows from the JSON text it was
/// read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MutationBatch<'a> {
    rows: Vec<RowRef<'a>>,
    service_code: Option<Cow<'a, str>>,
    account_number: Option<Cow<'a, str>>,
}

impl MutationBatch<'_> {
    /// The rows as owned mutations.
    pub fn mutations(&self) -> Vec<crate::mutation::Mutation> {
        self.rows.iter().cloned().map(Into::into).collect()
    }

    /// The view matching works on.
    pub fn credits(&self) -> Vec<Credit<'_>> {
        self.rows
            .iter()
            .map(|m| Credit {
                id: m.id,
                unix_timestamp: m.unix_timestamp,
                kind: &m.kind,
                amount: m.amount,
                description: &m.description,
                service_code: self.service_code.as_deref().or(m.service_code.as_deref()),
                account_number: self.account_number.as_deref().or(m.account_number.as_deref()),
            })
            .collect()
    }
}

/// Reads mutations from JSON text: an array of mutation rows (`invalid_params` at `mutations[i].member`)
/// or a payment report (validated as a callback is).
pub fn read_mutations(json: &str) -> Result<MutationBatch<'_>> {
    if json.trim_start().starts_with('{') {
        // A report given to match is the caller's argument: every row must be valid.
        let c = read_content(json.as_bytes(), usize::MAX, crate::callback::Rows::Strict)?;
        return Ok(MutationBatch {
            rows: c.data,
            service_code: Some(c.service_code),
            account_number: Some(c.account_number),
        });
    }
    let rows = read_document_as(json, ErrorCode::InvalidParams, Seg::Key("mutations"), |ctx, r| {
        read_rows(ctx, &mut Normal::new(), r, true, None)
    })?;
    Ok(MutationBatch { rows, service_code: None, account_number: None })
}

/// Reads matching options (JSON text, or nothing for the defaults). Unknown members are an error: a typo
/// must not fall back to a default silently.
pub fn read_options(json: Option<&str>) -> Result<MatchOptions> {
    let mut o = MatchOptions::default();
    for (key, raw) in option_members(json, "options", MatchOption::ALL, ErrorCode::InvalidParams)? {
        read_option(&mut o, key, raw, &format!("options.{}", key.name()))?;
    }
    Ok(o)
}

/// Reads one matching option into `o`, its errors at `path` (the Matcher's options, and the Ledger's).
pub(crate) fn read_option(o: &mut MatchOptions, key: MatchOption, raw: Raw<'_>, path: &str) -> Result<()> {
    let at = |m: &str| invalid(path, m);
    match key {
        MatchOption::Seen => o.seen = list(raw.get(), path, "must be an array of mutation ids", read_safe_uint)?,
        MatchOption::GraceSeconds => {
            o.grace_seconds =
                read_safe_uint(raw).map_err(|_| at("must be a whole number of seconds, 0 or more"))? as i64;
        }
        MatchOption::RequireReference => {
            o.require_reference = match raw.get() {
                "true" => true,
                "false" => false,
                _ => return Err(at("must be true or false")),
            }
        }
        MatchOption::OnAmbiguous => {
            o.on_ambiguous = match read_string(raw).as_deref() {
                Ok("report") => OnAmbiguous::Report,
                Ok("oldest") => OnAmbiguous::Oldest,
                _ => return Err(at("must be \"report\" or \"oldest\"")),
            }
        }
    }
    Ok(())
}

/// How unique amounts are made: the range of whole-rupiah codes, added to the price or subtracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UniqueCodes {
    /// The smallest code (default 1).
    pub min: u32,
    /// The largest (default 999).
    pub max: u32,
    /// Codes are subtracted from the price instead of added.
    pub subtract: bool,
}

impl Default for UniqueCodes {
    fn default() -> Self {
        UniqueCodes { min: 1, max: 999, subtract: false }
    }
}

/// Reads one of `uniqueAmount`'s options into `codes`, its errors at `path` (`uniqueAmount`'s options, and
/// the Ledger's `unique`).
pub(crate) fn read_unique_option(
    codes: &mut UniqueCodes,
    key: UniqueAmountOption,
    raw: Raw<'_>,
    path: &str,
) -> Result<()> {
    let whole = || {
        read_safe_uint(raw)
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| invalid(path, "must be a whole number from 0 to 4294967295"))
    };
    match key {
        UniqueAmountOption::Min => codes.min = whole()?,
        UniqueAmountOption::Max => codes.max = whole()?,
        UniqueAmountOption::Mode => {
            codes.subtract = match read_string(raw).as_deref() {
                Ok("add") => false,
                Ok("subtract") => true,
                _ => return Err(invalid(path, "must be \"add\" or \"subtract\"")),
            }
        }
    }
    Ok(())
}

/// A caller's JSON array at `path`, each element read by `item` (its error at `path[i]`).
fn list<T>(
    text: &str,
    path: &str,
    what: &str,
    mut item: impl FnMut(Raw<'_>) -> std::result::Result<T, &'static str>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    let mut bad = None;
    let array = each_element(text, |raw| match item(raw) {
        Ok(v) if bad.is_none() => out.push(v),
        Ok(_) => {}
        Err(m) => {
            bad.get_or_insert((out.len(), m));
        }
    });
    match (array, bad) {
        (false, _) => Err(invalid(path, what)),
        (true, Some((i, m))) => Err(invalid(format!("{path}[{i}]"), m)),
        (true, None) => Ok(out),
    }
}

/// `unique_amount` with a caller's arguments as JSON text: `base` an amount, `taken` an array of amounts,
/// `options` `{ min?, max?, mode?: "add" | "subtract" }` (default 1 to 999, add).
pub fn unique_amount_json(base: &str, taken: &str, options: Option<&str>) -> Result<Amount> {
    let amount = |raw: &str, path: &str| Amount::from_json_literal(raw, false).map_err(|e| invalid(path, e.message()));
    let base = amount(base.trim(), "base")?;
    let taken = list(taken, "taken", "must be an array of amounts", |raw| {
        Amount::from_json_literal(raw.get(), false).map_err(|e| e.message())
    })?;
    let mut codes = UniqueCodes::default();
    for (key, raw) in option_members(options, "options", UniqueAmountOption::ALL, ErrorCode::InvalidParams)? {
        read_unique_option(&mut codes, key, raw, &format!("options.{}", key.name()))?;
    }
    unique_amount(base, &taken, codes.min, codes.max, codes.subtract)
}
