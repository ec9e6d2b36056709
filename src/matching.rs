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
//!   (case-insensitive);
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
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// An open invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: String,
    pub amount: Amount,
    pub created_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub reference: Option<String>,
    pub service_code: Option<String>,
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
pub enum OnAmbiguous {
    /// List it in `ambiguous` and pay nothing (the default: a guess can pay the wrong customer).
    #[default]
    Report,
    /// Pay the oldest candidate.
    Oldest,
}

/// Matching options; `seen` are mutation ids already processed (e.g. restored after a restart).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchOptions {
    pub seen: Vec<u64>,
    pub grace_seconds: i64,
    pub require_reference: bool,
    pub on_ambiguous: OnAmbiguous,
}

/// The view of a mutation that matching needs (borrowed: nothing is copied to match).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit<'a> {
    pub id: u64,
    pub unix_timestamp: i64,
    pub kind: &'a str,
    pub amount: Amount,
    pub description: &'a str,
    pub service_code: Option<&'a str>,
    pub account_number: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matched {
    pub invoice_id: String,
    pub mutation_id: u64,
    pub amount: Amount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ambiguous {
    pub mutation_id: u64,
    pub invoice_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    pub mutation_id: u64,
    /// `debit`, `not_credit` (another service's type, e.g. PayPal's `payment`), `seen` or `duplicate`.
    pub reason: &'static str,
}

/// The outcome of one matching run, each list in processing order (time, then id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MatchResult {
    pub matched: Vec<Matched>,
    pub ambiguous: Vec<Ambiguous>,
    /// Credits that fit no invoice.
    pub unmatched: Vec<u64>,
    pub ignored: Vec<Ignored>,
}

/// Sentinel for "no next invoice with this amount".
const NONE: u32 = u32::MAX;

/// One resident invoice, kept compact: strings that repeat across invoices (service code, account) are
/// interned, bounds use sentinels, and invoices of equal amount form a chain through `next`.
#[derive(Debug)]
struct Slot {
    id: Box<str>,
    amount: Amount,
    created_at: i64,
    expires_at: i64,
    /// Lower-cased, for the case-insensitive search in descriptions.
    reference: Option<Box<str>>,
    service_code: u32,
    account_number: u32,
    next: u32,
    prev: u32,
}

/// Interned strings; 0 means "not set".
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
}

impl Interner {
    fn intern(&mut self, s: Option<&str>) -> u32 {
        match s {
            None => 0,
            Some(s) => {
                if let Some(&id) = self.ids.get(s) {
                    return id;
                }
                let id = self.ids.len() as u32 + 1;
                self.ids.insert(s.into(), id);
                id
            }
        }
    }

    /// The id of `s` if it was ever interned; `None` means no invoice names it.
    fn find(&self, s: Option<&str>) -> Option<u32> {
        s.map_or(Some(0), |s| self.ids.get(s).copied())
    }
}

/// The stateful matcher: invoices stay resident until paid or removed, and every mutation id it has
/// processed is remembered.
#[derive(Debug, Default)]
pub struct Matcher {
    options: MatchOptions,
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    by_id: HashMap<Box<str>, u32>,
    /// Head of the chain of invoices with this amount.
    by_amount: HashMap<Amount, u32>,
    strings: Interner,
    seen: HashSet<u64>,
}

fn invalid(path: impl Into<String>, message: &str) -> Error {
    Error::new(ErrorCode::InvalidParams, message).at(path)
}

impl Matcher {
    pub fn new(mut options: MatchOptions) -> Self {
        let seen = std::mem::take(&mut options.seen).into_iter().collect();
        Matcher { options, seen, ..Default::default() }
    }

    /// Open invoices resident.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Every mutation id processed so far (and those given as `seen`), ascending: persist them and pass them
    /// back as `seen` after a restart, so a re-delivered callback pays nothing.
    pub fn seen_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.seen.iter().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Adds an open invoice. Errors (`invalid_params`, with the member as path): an empty or already
    /// resident id, an amount not above zero, `expires_at` before `created_at`, an empty reference.
    pub fn add(&mut self, invoice: Invoice) -> Result<()> {
        self.check(&invoice)?;
        self.insert(invoice);
        Ok(())
    }

    /// Adds several invoices, all or none: the first invalid one is reported with its index
    /// (`invoices[3].amount`) and nothing is added.
    pub fn add_all(&mut self, invoices: Vec<Invoice>) -> Result<()> {
        let mut fresh = HashSet::with_capacity(invoices.len());
        for (i, inv) in invoices.iter().enumerate() {
            let at = |e: Error| match e.path() {
                Some(p) => Error::new(e.code(), e.message()).at(format!("invoices[{i}].{p}")),
                None => e,
            };
            self.check(inv).map_err(at)?;
            if !fresh.insert(inv.id.as_str()) {
                return Err(invalid(format!("invoices[{i}].id"), "the same invoice id appears twice"));
            }
        }
        self.slots.reserve(invoices.len().saturating_sub(self.free.len()));
        for inv in invoices {
            self.insert(inv);
        }
        Ok(())
    }

    fn check(&self, inv: &Invoice) -> Result<()> {
        if inv.id.is_empty() {
            return Err(invalid("id", "must not be empty"));
        }
        if self.by_id.contains_key(inv.id.as_str()) {
            return Err(invalid("id", "an open invoice with this id is already resident"));
        }
        if inv.amount <= Amount::ZERO {
            return Err(invalid("amount", "must be above zero"));
        }
        if let (Some(c), Some(e)) = (inv.created_at, inv.expires_at) {
            if e < c {
                return Err(invalid("expires_at", "is before created_at"));
            }
        }
        if inv.reference.as_deref() == Some("") {
            return Err(invalid("reference", "must not be empty (an empty reference occurs in every description)"));
        }
        Ok(())
    }

    fn insert(&mut self, inv: Invoice) {
        let slot_index = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        let head = self.by_amount.insert(inv.amount, slot_index).unwrap_or(NONE);
        if head != NONE {
            self.slot_mut(head).prev = slot_index;
        }
        let id: Box<str> = inv.id.into();
        self.by_id.insert(id.clone(), slot_index);
        let slot = Slot {
            id,
            amount: inv.amount,
            created_at: inv.created_at.unwrap_or(i64::MIN),
            expires_at: inv.expires_at.unwrap_or(i64::MAX),
            reference: inv.reference.map(|r| r.to_lowercase().into()),
            service_code: self.strings.intern(inv.service_code.as_deref()),
            account_number: self.strings.intern(inv.account_number.as_deref()),
            next: head,
            prev: NONE,
        };
        self.slots[slot_index as usize] = Some(slot);
    }

    fn slot(&self, i: u32) -> &Slot {
        self.slots[i as usize].as_ref().expect("chained slots are live")
    }

    fn slot_mut(&mut self, i: u32) -> &mut Slot {
        self.slots[i as usize].as_mut().expect("chained slots are live")
    }

    /// Removes an open invoice; `false` when no invoice has that id.
    pub fn remove(&mut self, id: &str) -> bool {
        match self.by_id.remove(id) {
            Some(i) => {
                self.unlink(i);
                true
            }
            None => false,
        }
    }

    fn unlink(&mut self, i: u32) {
        let slot = self.slots[i as usize].take().expect("live slot");
        if slot.prev == NONE {
            if slot.next == NONE {
                self.by_amount.remove(&slot.amount);
            } else {
                self.by_amount.insert(slot.amount, slot.next);
            }
        } else {
            self.slot_mut(slot.prev).next = slot.next;
        }
        if slot.next != NONE {
            self.slot_mut(slot.next).prev = slot.prev;
        }
        self.free.push(i);
    }

    /// Matches a batch of mutations: paid invoices leave the set, every id is remembered.
    pub fn match_credits(&mut self, credits: &[Credit<'_>]) -> MatchResult {
        let mut order: Vec<usize> = (0..credits.len()).collect();
        // Time order, then id; the remaining keys only make rows that share an id (hostile input) come
        // out the same whatever the input order.
        order.sort_by(|&a, &b| {
            let (x, y) = (&credits[a], &credits[b]);
            (x.unix_timestamp, x.id, x.amount, x.kind, x.description, x.service_code, x.account_number).cmp(&(
                y.unix_timestamp,
                y.id,
                y.amount,
                y.kind,
                y.description,
                y.service_code,
                y.account_number,
            ))
        });
        let mut result = MatchResult::default();
        let mut batch: HashSet<u64> = HashSet::with_capacity(credits.len());
        for i in order {
            let c = &credits[i];
            if self.seen.contains(&c.id) {
                result.ignored.push(Ignored { mutation_id: c.id, reason: "seen" });
                continue;
            }
            if !batch.insert(c.id) {
                result.ignored.push(Ignored { mutation_id: c.id, reason: "duplicate" });
                continue;
            }
            if c.kind != "credit" {
                let reason = if c.kind == "debit" { "debit" } else { "not_credit" };
                result.ignored.push(Ignored { mutation_id: c.id, reason });
                continue;
            }
            self.match_one(c, &mut result);
        }
        self.seen.extend(batch);
        result
    }

    fn match_one(&mut self, c: &Credit<'_>, result: &mut MatchResult) {
        // `None`: the mutation names a service or account no invoice is restricted to.
        let service = self.strings.find(c.service_code);
        let account = self.strings.find(c.account_number);
        let mut description_lower: Option<String> = None;
        let mut occurs = |reference: &str| {
            description_lower.get_or_insert_with(|| c.description.to_lowercase()).contains(reference)
        };
        let grace = self.options.grace_seconds;
        let mut candidates: Vec<u32> = Vec::new();
        let mut with_reference: Vec<u32> = Vec::new();
        let mut i = self.by_amount.get(&c.amount).copied().unwrap_or(NONE);
        while i != NONE {
            let s = self.slot(i);
            let next = s.next;
            let in_time = c.unix_timestamp >= s.created_at && c.unix_timestamp <= s.expires_at.saturating_add(grace);
            // An invoice restricted to an account matches only a mutation of that account.
            let same_service = s.service_code == 0 || Some(s.service_code) == service;
            let same_account = s.account_number == 0 || Some(s.account_number) == account;
            let referenced = s.reference.as_deref().is_some_and(&mut occurs);
            if in_time && same_service && same_account && (referenced || !self.options.require_reference) {
                candidates.push(i);
                if referenced {
                    with_reference.push(i);
                }
            }
            i = next;
        }
        let pool = if with_reference.is_empty() { candidates } else { with_reference };
        match pool.len() {
            0 => result.unmatched.push(c.id),
            1 => self.pay(pool[0], c, result),
            _ => {
                let mut pool = pool;
                pool.sort_by(|&a, &b| {
                    let (x, y) = (self.slot(a), self.slot(b));
                    (x.created_at, &x.id).cmp(&(y.created_at, &y.id))
                });
                match self.options.on_ambiguous {
                    OnAmbiguous::Oldest => self.pay(pool[0], c, result),
                    OnAmbiguous::Report => result.ambiguous.push(Ambiguous {
                        mutation_id: c.id,
                        invoice_ids: pool.iter().map(|&i| self.slot(i).id.to_string()).collect(),
                    }),
                }
            }
        }
    }

    fn pay(&mut self, i: u32, c: &Credit<'_>, result: &mut MatchResult) {
        let id = self.slot(i).id.to_string();
        self.by_id.remove(id.as_str());
        self.unlink(i);
        result.matched.push(Matched { invoice_id: id, mutation_id: c.id, amount: c.amount });
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
    let base = base.decimal();
    for code in min..=max {
        let code = rust_decimal::Decimal::from(code);
        let value = if subtract { base - code } else { base + code };
        let Ok(amount) = Amount::parse_text(&format!("{value:.2}"), false) else {
            break; // below zero (subtract) or out of range: every larger code is too
        };
        if amount > Amount::ZERO && !taken.contains(&amount) {
            return Ok(amount);
        }
    }
    Err(Error::new(ErrorCode::UniqueAmountExhausted, format!("every code from {min} to {max} is taken")))
}
