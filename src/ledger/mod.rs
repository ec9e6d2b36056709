//! The ledger: the matcher's decisions kept in the user's own database, so that each invoice is paid once
//! and each mutation decided once, across restarts, instances, crashes and callbacks that arrive twice or
//! never (API.md, "Ledger: payments that stick").
//!
//! Sans-IO, as the client's [`crate::client::Task`]: a [`Task`] says which statements to run ([`Action::Run`],
//! always a batch that commits whole or not at all) and reads their results; the package's store adapters
//! only run them. Every decision is made here, with the matcher's own rules ([`crate::matching`]); the
//! database makes each happen once: a primary key per decided mutation and per taken amount, and writes
//! that only happen when the state they were decided on still holds ([`sql`]).

pub mod sql;

use crate::amount::Amount;
use crate::error::{Error, ErrorCode, Result};
use crate::json::{each_element, names, option_members, read_safe_uint, read_string, Raw, Reader, Stop};
use crate::matching::{self, Credit, Invoice, MatchOption, MatchOptions, UniqueAmountOption, UniqueCodes};
use serde::Serialize;
pub use sql::{Dialect, Sql, Statement, Value, SCHEMA_VERSION};

names! {
    /// The ledger's options, as spelt in JS.
    pub enum LedgerOption {
        GraceSeconds = "grace_seconds",
        RequireReference = "require_reference",
        OnAmbiguous = "on_ambiguous",
        Prefix = "prefix",
        Unique = "unique",
    }
}

names! {
    /// `unique`'s members.
    pub enum UniqueOption {
        Min = "min",
        Max = "max",
        Mode = "mode",
        HoldSeconds = "hold_seconds",
    }
}

/// A ledger's options: the matching rules, the tables' prefix, and how unique amounts are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerOptions {
    /// The matching rules (`seen` is the ledger's own table).
    pub matching: MatchOptions,
    /// Table names start with this (default `cekmutasi_`).
    pub prefix: String,
    /// The unique codes' range and direction (`uniqueAmount`'s).
    pub codes: UniqueCodes,
    /// How long an amount stays taken after its invoice can no longer be paid (default 86 400 s).
    pub hold_seconds: i64,
}

impl Default for LedgerOptions {
    fn default() -> Self {
        LedgerOptions {
            matching: MatchOptions::default(),
            prefix: "cekmutasi_".into(),
            codes: UniqueCodes::default(),
            hold_seconds: 86_400,
        }
    }
}

fn invalid(path: impl Into<String>, message: &str) -> Error {
    Error::new(ErrorCode::InvalidParams, message).at(path)
}

/// Text the ledger stores or looks up: no NUL, which Postgres cannot hold (SQLite could: a store would then
/// keep what another refuses).
fn storable(text: &str, path: &str) -> Result<()> {
    if text.contains('\0') {
        return Err(invalid(path, "must not contain a NUL character"));
    }
    Ok(())
}

/// Reads the ledger's options (JSON text; `None` for the defaults). Unknown members are an error.
pub fn read_options(json: Option<&str>) -> Result<LedgerOptions> {
    let mut o = LedgerOptions::default();
    let whole = |raw: Raw<'_>, path: String, max: u64| {
        read_safe_uint(raw)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| invalid(path, &format!("must be a whole number from 0 to {max}")))
    };
    for (key, raw) in option_members(json, "options", LedgerOption::ALL, ErrorCode::InvalidParams)? {
        let path = format!("options.{}", key.name());
        match key {
            LedgerOption::GraceSeconds => o.matching.grace_seconds = whole(raw, path, 1 << 40)? as i64,
            LedgerOption::RequireReference => {
                matching::read_option(&mut o.matching, MatchOption::RequireReference, raw, &path)?;
            }
            LedgerOption::OnAmbiguous => matching::read_option(&mut o.matching, MatchOption::OnAmbiguous, raw, &path)?,
            LedgerOption::Prefix => {
                o.prefix = read_string(raw).map_err(|_| invalid(&path, "must be a string"))?.into_owned();
            }
            LedgerOption::Unique => {
                for (key, raw) in option_members(Some(raw.get()), &path, UniqueOption::ALL, ErrorCode::InvalidParams)? {
                    let path = format!("{path}.{}", key.name());
                    let code = match key {
                        UniqueOption::Min => UniqueAmountOption::Min,
                        UniqueOption::Max => UniqueAmountOption::Max,
                        UniqueOption::Mode => UniqueAmountOption::Mode,
                        UniqueOption::HoldSeconds => {
                            o.hold_seconds = whole(raw, path, 1 << 40)? as i64;
                            continue;
                        }
                    };
                    matching::read_unique_option(&mut o.codes, code, raw, &path)?;
                }
            }
        }
    }
    if o.codes.min > o.codes.max {
        return Err(invalid("options.unique.min", "must not be above max"));
    }
    Ok(o)
}

/// A ledger over one store: its statements and options.
#[derive(Debug, Clone)]
pub struct Ledger {
    sql: Sql,
    options: LedgerOptions,
}

/// What a task asks next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run these statements (atomically: all or nothing) and report each one's rows and changed-row count.
    Run {
        /// The statements, in order.
        statements: Vec<Statement>,
    },
    /// The task is done: its result, as JSON text.
    Done(String),
}

/// An invoice as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerInvoice {
    /// Your invoice id.
    pub id: String,
    /// The amount to pay (unique, when made from a price).
    pub amount: String,
    /// The price the unique amount was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    /// `open`, `paid` or `cancelled`.
    pub status: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// The text a transfer's description carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Only this service's credits pay it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// Only this account's credits pay it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    /// The mutation that paid it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_by: Option<i64>,
    /// When it was paid (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<i64>,
}

/// A mutation's decision, new or recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerOutcome {
    /// The mutation.
    pub mutation_id: i64,
    /// `matched`, `ambiguous`, `unmatched` or `debit`.
    pub outcome: String,
    /// The mutation's amount.
    pub amount: String,
    /// The invoice it paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// The invoices it fits (ambiguous).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_ids: Option<Vec<String>>,
    /// Decided before (by any instance, at any time): this is the recorded outcome.
    pub replayed: bool,
    /// Decided by a person (`settle`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settled: Option<bool>,
    /// When it was decided (Unix seconds).
    pub decided_at: i64,
}

/// A value of a result row: integers may come as JSON numbers or, from Postgres' BIGINT, as strings.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    Int(i64),
    Text(String),
    Null,
}

impl Cell {
    fn int(&self) -> Option<i64> {
        match self {
            Cell::Int(v) => Some(*v),
            Cell::Text(t) => t.parse().ok(),
            Cell::Null => None,
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Cell::Text(t) => Some(t.clone()),
            Cell::Int(v) => Some(v.to_string()),
            Cell::Null => None,
        }
    }
}

/// What one statement did: its rows and the rows it changed.
#[derive(Debug, Default)]
struct Done {
    rows: Vec<Vec<Cell>>,
    changes: u64,
}

fn bad_results() -> Error {
    Error::new(ErrorCode::Config, "the store answered something else than statement results (a bug of its adapter)")
}

/// Reads the adapter's results: `[{ "changes": n, "rows": [[cell, …], …] }, …]`, one per statement. One
/// pass over the text: each cell is read where it is (taking each level whole first read the text again
/// at every level, the most of a call's time in the core).
fn read_results(json: &str, expected: usize) -> Result<Vec<Done>> {
    let mut r = Reader::new(json);
    let mut out = Vec::with_capacity(expected);
    let read = r.elements(|r, _| {
        let mut done = Done::default();
        r.members(|r, key| match &*key {
            "changes" => {
                done.changes = read_safe_uint(r.raw()?).map_err(|_| Stop)?;
                Ok(())
            }
            "rows" => r.elements(|r, _| {
                let mut cells = Vec::new();
                r.elements(|r, _| {
                    cells.push(read_cell(r.raw()?));
                    Ok(())
                })?;
                done.rows.push(cells);
                Ok(())
            }),
            _ => r.skip(),
        })?;
        out.push(done);
        Ok(())
    });
    if read.and_then(|_| r.end()).is_err() || out.len() != expected {
        return Err(bad_results());
    }
    Ok(out)
}

fn read_cell(raw: Raw<'_>) -> Cell {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => read_string(raw).map_or(Cell::Null, |s| Cell::Text(s.into_owned())),
        Some(b'n') => Cell::Null,
        // Every number the ledger stores is an integer (cents, ids, seconds).
        _ => text.parse::<i64>().map_or(Cell::Null, Cell::Int),
    }
}

fn cents_text(cents: i64) -> String {
    Amount::from_cents(i128::from(cents)).map(|a| a.to_string()).unwrap_or_default()
}

fn invoice_of(row: &[Cell]) -> Result<LedgerInvoice> {
    let get = |i: usize| row.get(i).ok_or_else(bad_results);
    let status = get(3)?.text().ok_or_else(bad_results)?;
    Ok(LedgerInvoice {
        id: get(0)?.text().ok_or_else(bad_results)?,
        amount: cents_text(get(1)?.int().ok_or_else(bad_results)?),
        price: get(2)?.int().map(cents_text),
        status,
        created_at: get(4)?.int().ok_or_else(bad_results)?,
        expires_at: get(5)?.int(),
        reference: get(6)?.text(),
        service_code: get(7)?.text(),
        account_number: get(8)?.text(),
        paid_by: get(9)?.int(),
        paid_at: get(10)?.int(),
    })
}

fn outcome_of(row: &[Cell], replayed: bool) -> Result<LedgerOutcome> {
    let get = |i: usize| row.get(i).ok_or_else(bad_results);
    let ids = get(4)?.text().map(|json| {
        let mut ids = Vec::new();
        each_element(&json, |raw| ids.extend(read_string(raw).ok().map(|s| s.into_owned())));
        ids
    });
    Ok(LedgerOutcome {
        mutation_id: get(0)?.int().ok_or_else(bad_results)?,
        outcome: get(1)?.text().ok_or_else(bad_results)?,
        amount: cents_text(get(2)?.int().ok_or_else(bad_results)?),
        invoice_id: get(3)?.text(),
        invoice_ids: ids,
        replayed,
        settled: (get(5)?.int() == Some(1)).then_some(true),
        decided_at: get(6)?.int().ok_or_else(bad_results)?,
    })
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| unreachable!("plain data serialises"))
}

/// A mutation to apply, owned (the task lives across the store's round trips).
#[derive(Debug, Clone)]
struct Row {
    id: i64,
    unix_timestamp: i64,
    credit: bool,
    cents: i64,
    description: String,
    service_code: Option<String>,
    account_number: Option<String>,
}

/// How often a write that lost a race is decided again before the task gives up: each retry means another
/// instance changed the same invoices meanwhile, which settles in a few rounds.
const MAX_ROUNDS: u32 = 16;

/// The most rows one round of `apply` reads and writes together: a round is two batches (read, write)
/// whatever its size, and a write batch at most four statements a row.
const ROWS_PER_ROUND: usize = 100;

/// One ledger call in progress.
#[derive(Debug)]
pub struct Task {
    ledger: Ledger,
    now: i64,
    token: String,
    round: u32,
    /// How many writes lost a race to another instance (and were decided again).
    lost: u32,
    /// How many statements the action in flight has: its results must be as many.
    pending: usize,
    state: State,
}

#[derive(Debug)]
enum State {
    Schema,
    Invoice(String),
    Cancel(String),
    Unsettled,
    /// `taken`: amounts known taken; `cents`: the amount being written, once chosen.
    Open {
        invoice: Invoice,
        price: Option<Amount>,
        taken: Vec<Amount>,
        cents: Option<i64>,
    },
    /// `outcomes[i]`: row `i`'s, once known; `round`: the rows being read (their decisions and candidates),
    /// or, with `write`, the decisions being written (row, decision).
    Apply {
        rows: Vec<Row>,
        outcomes: Vec<Option<LedgerOutcome>>,
        round: Vec<usize>,
        write: Option<Vec<(usize, LedgerOutcome)>>,
    },
    Settle {
        mutation_id: i64,
        invoice_id: String,
        write: Option<i64>,
    },
    Finished,
}

impl Ledger {
    /// A ledger over a store speaking `dialect`, with options (JSON text).
    pub fn new(dialect: Dialect, options: Option<&str>) -> Result<Ledger> {
        let options = read_options(options)?;
        Ok(Ledger { sql: Sql::new(dialect, &options.prefix)?, options })
    }

    /// The SQL text numbered `key` ([`Statement::key`]).
    pub fn text(&self, key: u32) -> Option<std::rc::Rc<str>> {
        self.sql.text(key)
    }

    fn task(&self, now: i64, token: &str, state: State) -> Task {
        Task { ledger: self.clone(), now, token: token.to_string(), round: 0, lost: 0, pending: 0, state }
    }

    /// Creates the tables when absent; done with the schema version. `config` when they were made by a
    /// newer release.
    pub fn open(&self) -> Task {
        self.task(0, "", State::Schema)
    }

    /// Opens an invoice (JSON text: `{ id, price? | amount?, created_at?, … }`) at `now`; done with the
    /// invoice. `token`: random per call, to tell this call's writes from others'.
    pub fn open_invoice(&self, invoice: &str, now: i64, token: &str) -> Result<Task> {
        let (mut invoice, price) = matching::read_priced_invoice(invoice)?;
        invoice.created_at.get_or_insert(now);
        // The matcher's own checks of an invoice (id, amount above zero, expiry after creation, reference).
        matching::check_invoice(&invoice, false)?;
        storable(&invoice.id, "id")?;
        for (text, path) in [
            (&invoice.reference, "reference"),
            (&invoice.service_code, "service_code"),
            (&invoice.account_number, "account_number"),
        ] {
            storable(text.as_deref().unwrap_or(""), path)?;
        }
        Ok(self.task(now, token, State::Open { invoice, price, taken: Vec::new(), cents: None }))
    }

    /// Applies mutations (JSON text: rows, or a payment report) at `now`; done with one outcome per row.
    pub fn apply(&self, mutations: &str, now: i64, token: &str) -> Result<Task> {
        let batch = matching::read_mutations(mutations)?;
        let mut rows = Vec::new();
        for (i, c) in batch.credits().iter().enumerate() {
            let cents = c.amount.cents().ok_or_else(|| invalid(format!("mutations[{i}].amount"), "is too large"))?;
            rows.push(Row {
                id: c.id as i64,
                unix_timestamp: c.unix_timestamp,
                credit: c.kind == "credit",
                cents,
                description: c.description.to_string(),
                service_code: c.service_code.map(str::to_string),
                account_number: c.account_number.map(str::to_string),
            });
        }
        let outcomes = vec![None; rows.len()];
        Ok(self.task(now, token, State::Apply { rows, outcomes, round: Vec::new(), write: None }))
    }

    /// The invoice with this id, or `null`.
    pub fn invoice(&self, id: &str) -> Result<Task> {
        storable(id, "id")?;
        Ok(self.task(0, "", State::Invoice(id.to_string())))
    }

    /// Cancels an open invoice at `now`; done with `true`, or `false` when it was not open.
    pub fn cancel(&self, id: &str, now: i64, token: &str) -> Result<Task> {
        storable(id, "id")?;
        Ok(self.task(now, token, State::Cancel(id.to_string())))
    }

    /// The credits that paid nothing, oldest first.
    pub fn unsettled(&self) -> Task {
        self.task(0, "", State::Unsettled)
    }

    /// A person's decision: the unsettled credit `mutation_id` pays the open invoice `invoice_id`.
    pub fn settle(&self, mutation_id: i64, invoice_id: &str, now: i64, token: &str) -> Result<Task> {
        storable(invoice_id, "invoiceId")?;
        Ok(self.task(now, token, State::Settle { mutation_id, invoice_id: invoice_id.to_string(), write: None }))
    }
}

impl Task {
    /// This attempt's token: each write batch has its own.
    fn attempt(&mut self) -> String {
        self.round += 1;
        format!("{}.{}", self.token, self.round)
    }

    fn run(&mut self, statements: Vec<Statement>) -> Result<Action> {
        self.pending = statements.len();
        Ok(Action::Run { statements })
    }

    fn done(&mut self, json: String) -> Result<Action> {
        self.state = State::Finished;
        Ok(Action::Done(json))
    }

    /// A write lost a race: decided again, unless that keeps happening.
    fn lost_race(&mut self) -> Result<()> {
        self.lost += 1;
        if self.lost > MAX_ROUNDS {
            return Err(Error::new(
                ErrorCode::Config,
                "other instances kept changing the same invoices: what was not decided yet was left, apply again \
                 (what was decided comes back replayed)",
            ));
        }
        Ok(())
    }

    /// The first action.
    pub fn start(&mut self) -> Result<Action> {
        let sql = &self.ledger.sql;
        let statements = match &self.state {
            State::Schema => sql.schema(),
            State::Invoice(id) => vec![sql.invoice(id)],
            State::Unsettled => vec![sql.unsettled()],
            State::Settle { mutation_id, invoice_id, .. } => vec![sql.decision(*mutation_id), sql.invoice(invoice_id)],
            State::Cancel(_) => return self.cancel_write(),
            State::Open { .. } => return self.open_next(),
            State::Apply { .. } => return self.apply_next(),
            State::Finished => return Err(Error::new(ErrorCode::Config, "this ledger call is over")),
        };
        self.run(statements)
    }

    /// The results of the last action's statements (JSON text): the next action.
    pub fn resume(&mut self, results: &str) -> Result<Action> {
        if matches!(self.state, State::Finished) {
            return Err(Error::new(ErrorCode::Config, "this ledger call is over"));
        }
        let results = read_results(results, self.pending)?;
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Schema => {
                let version = results.last().and_then(|d| d.rows.first()).and_then(|r| r.first()).and_then(Cell::int);
                match version {
                    Some(v) if v <= SCHEMA_VERSION => self.done(v.to_string()),
                    Some(v) => Err(Error::new(
                        ErrorCode::Config,
                        format!("the ledger's tables were made by a newer release (schema {v}; this one reads {SCHEMA_VERSION})"),
                    )),
                    None => Err(bad_results()),
                }
            }
            State::Invoice(_) => match results[0].rows.first() {
                Some(row) => {
                    let invoice = invoice_of(row)?;
                    self.done(json(&invoice))
                }
                None => self.done("null".into()),
            },
            State::Unsettled => {
                let list = results[0].rows.iter().map(|r| outcome_of(r, true)).collect::<Result<Vec<_>>>()?;
                self.done(json(&list))
            }
            State::Cancel(_) => self.done((results[0].changes == 1).to_string()),
            State::Open { invoice, price, taken, cents } => self.open_resume(invoice, price, taken, cents, results),
            State::Apply { rows, outcomes, round, write } => self.apply_resume(rows, outcomes, round, write, results),
            State::Settle { mutation_id, invoice_id, write } => {
                self.settle_resume(mutation_id, invoice_id, write, results)
            }
            State::Finished => unreachable!("refused above"),
        }
    }

    fn cancel_write(&mut self) -> Result<Action> {
        let token = self.attempt();
        let State::Cancel(id) = &self.state else { unreachable!("a cancel task") };
        let sql = &self.ledger.sql;
        let free_at = self.now + self.ledger.options.hold_seconds;
        self.run(vec![sql.cancel(id, self.now, &token), sql.release_amount(id, &token, free_at)])
    }

    // ---- openInvoice ----

    /// When the invoice's amount frees itself, while it is open: after its expiry, the grace and the hold.
    fn free_at(&self, invoice: &Invoice) -> Option<i64> {
        let o = &self.ledger.options;
        invoice.expires_at.map(|e| e.saturating_add(o.matching.grace_seconds).saturating_add(o.hold_seconds))
    }

    /// The first step: an exact amount is written at once; a price first reads which amounts of its range
    /// are taken (and whether the id is).
    fn open_next(&mut self) -> Result<Action> {
        let free_at = self.free_at_open();
        let token = self.attempt();
        let State::Open { invoice, price, .. } = &self.state else { unreachable!("an open task") };
        let sql = &self.ledger.sql;
        let o = &self.ledger.options;
        let Some(price) = *price else {
            // The invoice, then its amount marked taken (an exact amount may be shared with another invoice).
            let c = invoice.amount.cents().ok_or_else(|| invalid("amount", "is too large"))?;
            let statements = vec![
                insert(sql, invoice, c, None, &token, false),
                sql.share_amount(c, free_at, &token, &invoice.id, self.now),
            ];
            return self.run(statements);
        };
        let base = price.mantissa();
        let (min, max) = (i128::from(o.codes.min), i128::from(o.codes.max));
        let (lo, hi) =
            if o.codes.subtract { (base - max * 100, base - min * 100) } else { (base + min * 100, base + max * 100) };
        let clamp = |v: i128| v.clamp(0, i128::from(i64::MAX)) as i64;
        self.run(vec![sql.taken(clamp(lo), clamp(hi), self.now), sql.invoice(&invoice.id)])
    }

    fn open_resume(
        &mut self,
        invoice: Invoice,
        price: Option<Amount>,
        mut taken: Vec<Amount>,
        cents: Option<i64>,
        results: Vec<Done>,
    ) -> Result<Action> {
        let exists = || invalid("id", "an invoice with this id exists");
        match (price, cents) {
            (None, _) => {
                if results[0].changes != 1 {
                    return Err(exists());
                }
                let out = ledger_invoice(&invoice, None);
                self.done(json(&out))
            }
            (Some(_), None) => {
                if !results[1].rows.is_empty() {
                    return Err(exists());
                }
                taken.extend(
                    results[0]
                        .rows
                        .iter()
                        .filter_map(|r| r.first()?.int())
                        .filter_map(|c| Amount::from_cents(i128::from(c))),
                );
                self.state = State::Open { invoice, price, taken, cents: None };
                self.open_choose()
            }
            (Some(_), Some(c)) => match (results[0].changes, results[1].changes) {
                (1, 1) => {
                    let out = ledger_invoice(&invoice, price);
                    self.done(json(&out))
                }
                (1, _) => Err(exists()),
                _ => {
                    // Another instance took this amount a moment ago: the next free one (each round takes one
                    // more code out; unique_amount says when none is left).
                    taken.extend(Amount::from_cents(i128::from(c)));
                    self.state = State::Open { invoice, price, taken, cents: None };
                    self.open_choose()
                }
            },
        }
    }

    /// Chooses the smallest free amount and writes it (after the range was read).
    fn open_choose(&mut self) -> Result<Action> {
        let State::Open { invoice, price: Some(price), taken, cents } = &mut self.state else {
            unreachable!("a priced open task")
        };
        let o = &self.ledger.options;
        let amount = matching::unique_amount(*price, taken, o.codes.min, o.codes.max, o.codes.subtract)?;
        let c = amount.cents().ok_or_else(|| invalid("price", "is too large"))?;
        *cents = Some(c);
        invoice.amount = amount;
        let price_cents = price.cents();
        let free_at = self.free_at_open();
        let token = self.attempt();
        let State::Open { invoice, .. } = &self.state else { unreachable!("an open task") };
        let sql = &self.ledger.sql;
        self.run(vec![
            sql.take_amount(c, free_at, &token, self.now),
            insert(sql, invoice, c, price_cents, &token, true),
            sql.untake_amount(c, &token, &invoice.id, self.now),
        ])
    }

    fn free_at_open(&self) -> Option<i64> {
        match &self.state {
            State::Open { invoice, .. } => self.free_at(invoice),
            _ => None,
        }
    }

    // ---- apply ----

    /// The next round: up to [`ROWS_PER_ROUND`] undecided rows, their decisions and candidates read at once.
    /// A row sharing its mutation id, or (a credit) its amount, with an earlier undecided row waits for a later
    /// round: it is then decided against what the earlier one wrote, as if the rows were applied one by one.
    fn apply_next(&mut self) -> Result<Action> {
        let State::Apply { rows, outcomes, round, .. } = &mut self.state else { unreachable!("an apply task") };
        round.clear();
        // Every undecided row's id and amount so far, taken into this round or waiting.
        let mut ids = Vec::new();
        let mut cents = Vec::new();
        let mut read_cents = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if round.len() == ROWS_PER_ROUND {
                break;
            }
            if outcomes[i].is_some() {
                continue;
            }
            let waits = ids.contains(&row.id) || (row.credit && cents.contains(&row.cents));
            ids.push(row.id);
            if row.credit {
                cents.push(row.cents);
            }
            if !waits {
                round.push(i);
                if row.credit {
                    read_cents.push(row.cents);
                }
            }
        }
        if round.is_empty() {
            let list = json(&outcomes.iter().flatten().collect::<Vec<_>>());
            return self.done(list);
        }
        let sql = &self.ledger.sql;
        let statements = vec![sql.decisions(round.iter().map(|&i| rows[i].id)), sql.open_at(read_cents.into_iter())];
        self.run(statements)
    }

    fn apply_resume(
        &mut self,
        rows: Vec<Row>,
        mut outcomes: Vec<Option<LedgerOutcome>>,
        round: Vec<usize>,
        write: Option<Vec<(usize, LedgerOutcome)>>,
        results: Vec<Done>,
    ) -> Result<Action> {
        let Some(written) = write else {
            // Read: each row's decision, if any (a replay), else its candidates, and decide.
            let mut recorded = Vec::new();
            for r in &results[0].rows {
                recorded.push(outcome_of(r, true)?);
            }
            let mut candidates: Vec<(i64, &Vec<Cell>)> = Vec::new();
            for r in &results[1].rows {
                candidates.push((r.get(1).and_then(Cell::int).ok_or_else(bad_results)?, r));
            }
            let mut decided = Vec::new();
            for &i in &round {
                let row = &rows[i];
                if let Some(at) = recorded.iter().position(|o| o.mutation_id == row.id) {
                    outcomes[i] = Some(recorded.swap_remove(at));
                    continue;
                }
                let fit: Vec<&Vec<Cell>> =
                    candidates.iter().filter(|(c, _)| *c == row.cents).map(|(_, r)| *r).collect();
                decided.push((i, self.decide(row, &fit)?));
            }
            if decided.is_empty() {
                self.state = State::Apply { rows, outcomes, round, write: None };
                return self.apply_next();
            }
            let token = self.attempt();
            let sql = &self.ledger.sql;
            let mut statements = Vec::new();
            for (i, d) in &decided {
                let row = &rows[*i];
                let ids = d.invoice_ids.as_ref().map(json);
                statements.push(sql.decide(
                    row.id,
                    &d.outcome,
                    row.cents,
                    d.invoice_id.as_deref(),
                    ids,
                    self.now,
                    &token,
                ));
                if let Some(id) = &d.invoice_id {
                    let free_at = self.now + self.ledger.options.hold_seconds;
                    statements.push(sql.pay(id, row.cents, row.id, self.now, &token));
                    statements.push(sql.undecide(row.id, &token, id));
                    statements.push(sql.release_amount(id, &token, free_at));
                }
            }
            self.state = State::Apply { rows, outcomes, round, write: Some(decided) };
            return self.run(statements);
        };
        // Written: each row's statements in order (decide, then pay, undecide and release when it pays).
        let mut at = 0;
        let mut lost = false;
        for (i, d) in written {
            let decided_here = results[at].changes == 1;
            let paid = d.invoice_id.is_none() || results[at + 1].changes == 1;
            at += if d.invoice_id.is_some() { 4 } else { 1 };
            if decided_here && paid {
                outcomes[i] = Some(d);
            } else {
                // Another instance decided it meanwhile (it is replayed next round), or the invoice it was to pay
                // was paid or cancelled meanwhile (this attempt's record was taken back): read and decide again.
                lost = true;
            }
        }
        if lost {
            self.lost_race()?;
        }
        self.state = State::Apply { rows, outcomes, round, write: None };
        self.apply_next()
    }

    /// The matcher's decision for one row among the open invoices of its amount.
    fn decide(&self, row: &Row, candidates: &[&Vec<Cell>]) -> Result<LedgerOutcome> {
        let amount = cents_text(row.cents);
        let outcome = |outcome: &str, invoice_id: Option<String>, invoice_ids: Option<Vec<String>>| LedgerOutcome {
            mutation_id: row.id,
            outcome: outcome.into(),
            amount: amount.clone(),
            invoice_id,
            invoice_ids,
            replayed: false,
            settled: None,
            decided_at: self.now,
        };
        if !row.credit {
            return Ok(outcome("debit", None, None));
        }
        let mut invoices = Vec::new();
        for c in candidates {
            let inv = invoice_of(c)?;
            let mut i = Invoice::new(inv.id, Amount::from_cents(i128::from(row.cents)).ok_or_else(bad_results)?);
            i.created_at = Some(inv.created_at);
            i.expires_at = inv.expires_at;
            i.reference = inv.reference;
            i.service_code = inv.service_code;
            i.account_number = inv.account_number;
            invoices.push(i);
        }
        let credit = Credit {
            id: row.id as u64,
            unix_timestamp: row.unix_timestamp,
            kind: "credit",
            amount: Amount::from_cents(i128::from(row.cents)).ok_or_else(bad_results)?,
            description: &row.description,
            service_code: row.service_code.as_deref(),
            account_number: row.account_number.as_deref(),
        };
        let mut options = self.ledger.options.matching.clone();
        options.seen.clear();
        let result = matching::match_payments(invoices, &[credit], options)?;
        Ok(if let Some(m) = result.matched.first() {
            outcome("matched", Some(m.invoice_id.clone()), None)
        } else if let Some(a) = result.ambiguous.first() {
            outcome("ambiguous", None, Some(a.invoice_ids.clone()))
        } else {
            outcome("unmatched", None, None)
        })
    }

    // ---- settle ----

    fn settle_resume(
        &mut self,
        mutation_id: i64,
        invoice_id: String,
        write: Option<i64>,
        results: Vec<Done>,
    ) -> Result<Action> {
        let Some(cents) = write else {
            let decision = results[0].rows.first().map(|r| outcome_of(r, true)).transpose()?;
            let invoice = results[1].rows.first().map(|r| invoice_of(r)).transpose()?;
            let decision =
                decision.ok_or_else(|| invalid("mutationId", "no decision is recorded for this mutation"))?;
            if !matches!(decision.outcome.as_str(), "ambiguous" | "unmatched") {
                return Err(invalid("mutationId", &format!("is not unsettled: it was decided {}", decision.outcome)));
            }
            let invoice = invoice.ok_or_else(|| invalid("invoiceId", "no invoice has this id"))?;
            if invoice.status != "open" {
                return Err(invalid("invoiceId", &format!("is not open: it is {}", invoice.status)));
            }
            if invoice.amount != decision.amount {
                return Err(invalid(
                    "invoiceId",
                    &format!("its amount {} is not the credit's {}", invoice.amount, decision.amount),
                ));
            }
            let cents =
                Amount::parse_text(&decision.amount, false).ok().and_then(Amount::cents).ok_or_else(bad_results)?;
            let token = self.attempt();
            let sql = &self.ledger.sql;
            let free_at = self.now + self.ledger.options.hold_seconds;
            let statements = vec![
                sql.settle(mutation_id, &invoice_id, &token),
                sql.pay(&invoice_id, cents, mutation_id, self.now, &token),
                sql.unsettle(mutation_id, &decision.outcome, &token, &invoice_id),
                sql.release_amount(&invoice_id, &token, free_at),
            ];
            self.state = State::Settle { mutation_id, invoice_id, write: Some(cents) };
            return self.run(statements);
        };
        if results[0].changes == 1 && results[1].changes == 1 {
            let out = LedgerOutcome {
                mutation_id,
                outcome: "matched".into(),
                amount: cents_text(cents),
                invoice_id: Some(invoice_id),
                invoice_ids: None,
                replayed: false,
                settled: Some(true),
                decided_at: self.now,
            };
            return self.done(json(&out));
        }
        // Changed meanwhile (settled by another person, or the invoice paid): read and check again.
        self.lost_race()?;
        let sql = &self.ledger.sql;
        let statements = vec![sql.decision(mutation_id), sql.invoice(&invoice_id)];
        self.state = State::Settle { mutation_id, invoice_id, write: None };
        self.run(statements)
    }
}

fn insert(sql: &Sql, invoice: &Invoice, cents: i64, price_cents: Option<i64>, token: &str, guarded: bool) -> Statement {
    sql.insert_invoice(
        &invoice.id,
        cents,
        price_cents,
        invoice.created_at.unwrap_or(0),
        invoice.expires_at,
        invoice.reference.as_deref(),
        invoice.service_code.as_deref(),
        invoice.account_number.as_deref(),
        token,
        guarded,
    )
}

fn ledger_invoice(invoice: &Invoice, price: Option<Amount>) -> LedgerInvoice {
    LedgerInvoice {
        id: invoice.id.clone(),
        amount: invoice.amount.to_string(),
        price: price.map(|p| p.to_string()),
        status: "open".into(),
        created_at: invoice.created_at.unwrap_or(0),
        expires_at: invoice.expires_at,
        reference: invoice.reference.clone(),
        service_code: invoice.service_code.clone(),
        account_number: invoice.account_number.clone(),
        paid_by: None,
        paid_at: None,
    }
}
