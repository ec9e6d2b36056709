//! The ledger's statements, written once for every store: each decision is a few statements run
//! atomically (a transaction on SQLite and Postgres, a `batch` on D1, which has no interactive ones), every
//! write conditional, so that what a statement finds at the moment it runs, not what was read before, decides
//! whether it happens. A random token per attempt lets a later statement of the batch know whether an
//! earlier one did. Placeholders are written `?` and numbered (`$1`) for Postgres.

use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;

/// The schema version this release writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Which SQL the store speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (`node:sqlite`, `better-sqlite3`, `bun:sqlite`, Cloudflare D1).
    Sqlite,
    /// PostgreSQL with numbered parameters (postgres.js, which pipelines a batch's statements).
    Postgres,
    /// PostgreSQL with every value written into the SQL as an escaped literal (`pg`): a batch then goes to
    /// the server as one simple query, one round trip, run as one transaction; a driver that cannot
    /// pipeline would otherwise wait for each statement (and for BEGIN and COMMIT).
    PostgresInline,
}

impl Dialect {
    /// `sqlite`, `postgres` or `postgres-inline` (the package's store adapters name theirs so).
    pub fn parse(name: &str) -> Result<Dialect> {
        match name {
            "sqlite" => Ok(Dialect::Sqlite),
            "postgres" => Ok(Dialect::Postgres),
            "postgres-inline" => Ok(Dialect::PostgresInline),
            _ => Err(Error::new(ErrorCode::Config, format!("unknown SQL dialect `{name}`"))),
        }
    }
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// An integer (money in cents, ids, Unix seconds): all within 2^53, so a JS number carries it.
    Int(i64),
    /// Text.
    Text(String),
    /// SQL `NULL`.
    Null,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One statement and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The SQL text, placeholders in the store's style.
    pub sql: Rc<str>,
    /// The text's number among this ledger's texts ([`Sql::text`]), the same for every statement of the same
    /// text: a store passing statements across a boundary can send the number and prepare each text once.
    /// `None` for a text with its values in it ([`Dialect::PostgresInline`]), which is each time another.
    pub key: Option<u32>,
    /// One value per placeholder, in order.
    pub params: Vec<Value>,
}

/// Builds statements for one store: its dialect and table prefix. Clones share the texts built so far.
#[derive(Debug, Clone)]
pub struct Sql {
    dialect: Dialect,
    prefix: Rc<str>,
    /// Each template's text for this store, built on first use: (the template's address and length, the
    /// text). A template is a `&'static str`, so where it lies names it; the list is short (one per template).
    texts: Rc<RefCell<Texts>>,
}

/// Each template's text: (where the template lies: its address and length, the text).
type Texts = Vec<((usize, usize), Rc<str>)>;

// The columns, as macros so that templates stay `&'static str` (`concat!` takes literals only), in the order
// the ledger reads them (`invoice_of`, `outcome_of`).
/// The columns of an invoice, as [`Sql::invoice`] and [`Sql::open_at`] select them.
macro_rules! invoice_columns {
    () => {
        "id, cents, price_cents, status, created_at, expires_at, reference, service_code, account_number, paid_by, paid_at"
    };
}
/// The columns of a decision, as [`Sql::decision`], [`Sql::decisions`] and [`Sql::unsettled`] select them.
macro_rules! decision_columns {
    () => {
        "mutation_id, outcome, cents, invoice_id, invoice_ids, settled, decided_at"
    };
}

impl Sql {
    /// Statements for `dialect`, with tables named `{prefix}invoices`, … (`prefix`: letters, digits, `_`).
    pub fn new(dialect: Dialect, prefix: &str) -> Result<Sql> {
        let ok = prefix.len() <= 32
            && prefix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !prefix.starts_with(|c: char| c.is_ascii_digit());
        if !ok {
            return Err(Error::new(
                ErrorCode::Config,
                "must be at most 32 lowercase letters, digits and _, not starting with a digit",
            )
            .at("options.prefix"));
        }
        Ok(Sql { dialect, prefix: prefix.into(), texts: Rc::default() })
    }

    /// The text numbered `key` (see [`Statement::key`]).
    pub fn text(&self, key: u32) -> Option<Rc<str>> {
        self.texts.borrow().get(key as usize).map(|(_, text)| text.clone())
    }

    /// A statement from SQL written with `{p}` for the prefix and `?` for each parameter. The text is built
    /// once per template (for [`Dialect::PostgresInline`], whose texts hold the values, each time).
    fn stmt(&self, sql: &'static str, params: Vec<Value>) -> Statement {
        if self.dialect == Dialect::PostgresInline {
            return Statement { sql: self.build(sql, &params).into(), key: None, params: Vec::new() };
        }
        let address = (sql.as_ptr() as usize, sql.len());
        let mut texts = self.texts.borrow_mut();
        let key = match texts.iter().position(|(a, _)| *a == address) {
            Some(key) => key,
            None => {
                texts.push((address, self.build(sql, &params).into()));
                texts.len() - 1
            }
        };
        Statement { sql: texts[key].1.clone(), key: Some(key as u32), params }
    }

    /// A template's text in this store's words.
    fn build(&self, sql: &str, params: &[Value]) -> String {
        // One pass over the bytes (a `str` pattern would bring a substring searcher into the module).
        let mut out = String::with_capacity(sql.len() + 64);
        let mut n = 0;
        let mut start = 0;
        let bytes = sql.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'{' => {
                    debug_assert!(sql[i..].starts_with("{p}"), "{sql}");
                    out.push_str(&sql[start..i]);
                    out.push_str(&self.prefix);
                    i += 3;
                    start = i;
                }
                b'?' => {
                    out.push_str(&sql[start..i]);
                    n += 1;
                    match self.dialect {
                        Dialect::Sqlite => out.push('?'),
                        Dialect::Postgres => {
                            out.push('$');
                            out.push_str(&n.to_string());
                        }
                        Dialect::PostgresInline => literal(&mut out, &params[n - 1]),
                    }
                    i += 1;
                    start = i;
                }
                _ => i += 1,
            }
        }
        out.push_str(&sql[start..]);
        debug_assert_eq!(n, params.len(), "{sql}");
        out
    }

    /// The tables (created when absent) and the schema version, in one atomic batch; the last statement
    /// reads the version.
    pub fn schema(&self) -> Vec<Statement> {
        let mut out = Vec::new();
        if self.dialect != Dialect::Sqlite {
            // Two processes creating the same table at once can fail in Postgres (a race on its catalog):
            // the first to take this lock creates, the others then find the tables there.
            out.push(self.stmt("SELECT pg_advisory_xact_lock(4021950707)", vec![]));
        }
        for sql in [
            "CREATE TABLE IF NOT EXISTS {p}meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS {p}invoices (id TEXT PRIMARY KEY, cents BIGINT NOT NULL, price_cents BIGINT, \
             status TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT, reference TEXT, service_code TEXT, \
             account_number TEXT, paid_by BIGINT, paid_at BIGINT, closed_at BIGINT, token TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS {p}invoices_cents ON {p}invoices (cents, status)",
            // The amounts taken by invoices that can still be paid, or were lately (until `free_at`; NULL:
            // while an invoice without an expiry is open). One row per amount: the primary key is what
            // makes a unique amount unique when instances open invoices at the same moment.
            "CREATE TABLE IF NOT EXISTS {p}amounts (cents BIGINT PRIMARY KEY, free_at BIGINT, token TEXT NOT NULL)",
            // One row per mutation ever decided: the primary key is what makes a decision happen once.
            "CREATE TABLE IF NOT EXISTS {p}decisions (mutation_id BIGINT PRIMARY KEY, outcome TEXT NOT NULL, \
             cents BIGINT NOT NULL, invoice_id TEXT, invoice_ids TEXT, settled INTEGER NOT NULL, \
             decided_at BIGINT NOT NULL, token TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS {p}decisions_outcome ON {p}decisions (outcome, decided_at)",
        ] {
            out.push(self.stmt(sql, vec![]));
        }
        out.push(self.stmt(
            "INSERT INTO {p}meta (key, value) VALUES ('schema', ?) ON CONFLICT (key) DO NOTHING",
            vec![Value::Text(SCHEMA_VERSION.to_string())],
        ));
        out.push(self.stmt("SELECT value FROM {p}meta WHERE key = 'schema'", vec![]));
        out
    }

    /// The amounts in `[low, high]` (cents) not free at `now`.
    pub fn taken(&self, low: i64, high: i64, now: i64) -> Statement {
        self.stmt(
            "SELECT cents FROM {p}amounts WHERE cents >= ? AND cents <= ? AND (free_at IS NULL OR free_at > ?)",
            vec![low.into(), high.into(), now.into()],
        )
    }

    /// Takes `cents` for a new invoice when it is free (absent, or free since `now`): one row changed when
    /// taken. `free_at` is when it frees itself (NULL: not while the invoice is open).
    pub fn take_amount(&self, cents: i64, free_at: Option<i64>, token: &str, now: i64) -> Statement {
        self.stmt(
            "INSERT INTO {p}amounts (cents, free_at, token) VALUES (?, ?, ?) ON CONFLICT (cents) DO UPDATE \
             SET free_at = excluded.free_at, token = excluded.token \
             WHERE {p}amounts.free_at IS NOT NULL AND {p}amounts.free_at <= ?",
            vec![cents.into(), free_at.into(), token.into(), now.into()],
        )
    }

    /// Marks `cents` taken by an invoice of an exact amount, which may share it: the later of the two
    /// frees (NULL, never while open, wins), or its own when the amount was free.
    pub fn share_amount(&self, cents: i64, free_at: Option<i64>, token: &str, id: &str, now: i64) -> Statement {
        self.stmt(
            "INSERT INTO {p}amounts (cents, free_at, token) SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT) \
             WHERE EXISTS (SELECT 1 FROM {p}invoices WHERE id = ? AND token = ?) \
             ON CONFLICT (cents) DO UPDATE SET free_at = CASE \
             WHEN {p}amounts.free_at IS NOT NULL AND {p}amounts.free_at <= ? THEN excluded.free_at \
             WHEN {p}amounts.free_at IS NULL OR excluded.free_at IS NULL THEN NULL \
             WHEN excluded.free_at > {p}amounts.free_at THEN excluded.free_at ELSE {p}amounts.free_at END",
            vec![cents.into(), free_at.into(), token.into(), id.into(), token.into(), now.into()],
        )
    }

    /// Inserts an open invoice; with `amount_token`, only when this attempt took its amount. No row when
    /// the id exists.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_invoice(
        &self,
        id: &str,
        cents: i64,
        price_cents: Option<i64>,
        created_at: i64,
        expires_at: Option<i64>,
        reference: Option<&str>,
        service_code: Option<&str>,
        account_number: Option<&str>,
        token: &str,
        amount_token: bool,
    ) -> Statement {
        let mut params: Vec<Value> = vec![
            id.into(),
            cents.into(),
            price_cents.into(),
            created_at.into(),
            expires_at.into(),
            reference.into(),
            service_code.into(),
            account_number.into(),
            token.into(),
        ];
        macro_rules! insert {
            ($guard:literal) => {
                concat!(
                    "INSERT INTO {p}invoices (id, cents, price_cents, status, created_at, expires_at, reference, \
                     service_code, account_number, token) SELECT CAST(? AS TEXT), CAST(? AS BIGINT), \
                     CAST(? AS BIGINT), 'open', CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), \
                     CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT) ",
                    $guard,
                    " ON CONFLICT (id) DO NOTHING"
                )
            };
        }
        let sql = if amount_token {
            params.extend([cents.into(), token.into()]);
            insert!("WHERE EXISTS (SELECT 1 FROM {p}amounts WHERE cents = ? AND token = ?)")
        } else {
            insert!("WHERE 1 = 1")
        };
        self.stmt(sql, params)
    }

    /// Frees `cents` again (an amount taken for an invoice whose id turned out to exist).
    pub fn untake_amount(&self, cents: i64, token: &str, id: &str, now: i64) -> Statement {
        self.stmt(
            "UPDATE {p}amounts SET free_at = ? WHERE cents = ? AND token = ? \
             AND NOT EXISTS (SELECT 1 FROM {p}invoices WHERE id = ? AND token = ?)",
            vec![now.into(), cents.into(), token.into(), id.into(), token.into()],
        )
    }

    /// When an invoice stops being payable (paid or cancelled by this attempt, known by `token`): its
    /// amount frees itself at `free_at` (or later, if it was to anyway), unless another open invoice
    /// still has it.
    pub fn release_amount(&self, id: &str, token: &str, free_at: i64) -> Statement {
        self.stmt(
            "UPDATE {p}amounts SET free_at = CASE WHEN free_at IS NULL OR free_at < ? THEN CAST(? AS BIGINT) \
             ELSE free_at END \
             WHERE cents = (SELECT cents FROM {p}invoices WHERE id = ? AND token = ?) \
             AND NOT EXISTS (SELECT 1 FROM {p}invoices o WHERE o.cents = {p}amounts.cents AND o.status = 'open')",
            vec![free_at.into(), free_at.into(), id.into(), token.into()],
        )
    }

    /// One invoice by id.
    pub fn invoice(&self, id: &str) -> Statement {
        self.stmt(concat!("SELECT ", invoice_columns!(), " FROM {p}invoices WHERE id = ?"), vec![id.into()])
    }

    /// A list of integers as one parameter, matched by `column IN …`: one statement shape (so one prepared
    /// statement) whatever the list's length, and one parameter (D1 limits how many a statement binds). The
    /// template for one value (a callback of one row, the common case: a plain comparison, which SQLite runs
    /// without building a table of the list), and for a list in SQLite and in Postgres.
    fn in_list(&self, [one, sqlite, postgres]: [&'static str; 3], values: impl Iterator<Item = i64>) -> Statement {
        let mut values = values.peekable();
        let first = values.next();
        if let (Some(v), None) = (first, values.peek()) {
            return self.stmt(one, vec![Value::Int(v)]);
        }
        let values = first.into_iter().chain(values);
        let (open, close, sql) = match self.dialect {
            Dialect::Sqlite => ('[', ']', sqlite),
            // An array parameter: Postgres looks each element up in the index.
            Dialect::Postgres | Dialect::PostgresInline => ('{', '}', postgres),
        };
        let mut list = String::from(open);
        for (i, v) in values.enumerate() {
            if i > 0 {
                list.push(',');
            }
            list.push_str(&v.to_string());
        }
        list.push(close);
        self.stmt(sql, vec![Value::Text(list)])
    }

    /// The open invoices of these amounts: the candidates of credits.
    pub fn open_at(&self, cents: impl Iterator<Item = i64>) -> Statement {
        macro_rules! open_at {
            ($test:literal) => {
                concat!(
                    "SELECT ",
                    invoice_columns!(),
                    " FROM {p}invoices WHERE ",
                    $test,
                    " AND status = 'open' ORDER BY id"
                )
            };
        }
        let templates = [
            open_at!("cents = ?"),
            open_at!("cents IN (SELECT value FROM json_each(?))"),
            open_at!("cents = ANY(CAST(? AS BIGINT[]))"),
        ];
        self.in_list(templates, cents)
    }

    /// The decisions of these mutations, where made.
    pub fn decisions(&self, mutation_ids: impl Iterator<Item = i64>) -> Statement {
        macro_rules! decisions {
            ($test:literal) => {
                concat!("SELECT ", decision_columns!(), " FROM {p}decisions WHERE ", $test)
            };
        }
        let templates = [
            decisions!("mutation_id = ?"),
            decisions!("mutation_id IN (SELECT value FROM json_each(?))"),
            decisions!("mutation_id = ANY(CAST(? AS BIGINT[]))"),
        ];
        self.in_list(templates, mutation_ids)
    }

    /// A mutation's decision, if any.
    pub fn decision(&self, mutation_id: i64) -> Statement {
        self.stmt(
            concat!("SELECT ", decision_columns!(), " FROM {p}decisions WHERE mutation_id = ?"),
            vec![mutation_id.into()],
        )
    }

    /// Records a decision unless the mutation has one: one row changed when this attempt decided it.
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &self,
        mutation_id: i64,
        outcome: &str,
        cents: i64,
        invoice_id: Option<&str>,
        invoice_ids: Option<String>,
        now: i64,
        token: &str,
    ) -> Statement {
        self.stmt(
            "INSERT INTO {p}decisions (mutation_id, outcome, cents, invoice_id, invoice_ids, settled, decided_at, token) \
             VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (mutation_id) DO NOTHING",
            vec![
                mutation_id.into(),
                outcome.into(),
                cents.into(),
                invoice_id.into(),
                invoice_ids.into(),
                now.into(),
                token.into(),
            ],
        )
    }

    /// Pays an open invoice of `cents` with a mutation, when this attempt's decision (or settlement) of
    /// that mutation is the recorded one.
    pub fn pay(&self, id: &str, cents: i64, mutation_id: i64, now: i64, token: &str) -> Statement {
        self.stmt(
            "UPDATE {p}invoices SET status = 'paid', paid_by = ?, paid_at = ?, closed_at = ?, token = ? \
             WHERE id = ? AND cents = ? AND status = 'open' \
             AND EXISTS (SELECT 1 FROM {p}decisions WHERE mutation_id = ? AND token = ?)",
            vec![
                mutation_id.into(),
                now.into(),
                now.into(),
                token.into(),
                id.into(),
                cents.into(),
                mutation_id.into(),
                token.into(),
            ],
        )
    }

    /// Takes back this attempt's decision when the invoice it paid was no longer open.
    pub fn undecide(&self, mutation_id: i64, token: &str, id: &str) -> Statement {
        self.stmt(
            "DELETE FROM {p}decisions WHERE mutation_id = ? AND token = ? \
             AND NOT EXISTS (SELECT 1 FROM {p}invoices WHERE id = ? AND paid_by = ?)",
            vec![mutation_id.into(), token.into(), id.into(), mutation_id.into()],
        )
    }

    /// A person's decision: an unsettled credit pays `id`.
    pub fn settle(&self, mutation_id: i64, id: &str, token: &str) -> Statement {
        self.stmt(
            "UPDATE {p}decisions SET outcome = 'matched', invoice_id = ?, settled = 1, token = ? \
             WHERE mutation_id = ? AND outcome IN ('ambiguous', 'unmatched')",
            vec![id.into(), token.into(), mutation_id.into()],
        )
    }

    /// Takes back this attempt's settlement when the invoice was no longer open.
    pub fn unsettle(&self, mutation_id: i64, outcome: &str, token: &str, id: &str) -> Statement {
        self.stmt(
            "UPDATE {p}decisions SET outcome = ?, invoice_id = NULL, settled = 0 WHERE mutation_id = ? AND token = ? \
             AND NOT EXISTS (SELECT 1 FROM {p}invoices WHERE id = ? AND paid_by = ?)",
            vec![outcome.into(), mutation_id.into(), token.into(), id.into(), mutation_id.into()],
        )
    }

    /// Cancels an open invoice: one row changed when it was open.
    pub fn cancel(&self, id: &str, now: i64, token: &str) -> Statement {
        self.stmt(
            "UPDATE {p}invoices SET status = 'cancelled', closed_at = ?, token = ? WHERE id = ? AND status = 'open'",
            vec![now.into(), token.into(), id.into()],
        )
    }

    /// The credits that paid nothing, oldest first.
    pub fn unsettled(&self) -> Statement {
        self.stmt(
            concat!(
                "SELECT ",
                decision_columns!(),
                " FROM {p}decisions WHERE outcome IN ('ambiguous', 'unmatched') ORDER BY decided_at, mutation_id"
            ),
            vec![],
        )
    }
}

/// A value as a Postgres literal. Text is an escape string (`E'…'`), whose escapes mean the same whatever
/// `standard_conforming_strings` says: a backslash and a quote are doubled, and a NUL (which no Postgres
/// text may hold) is written `\x00`, which the server refuses (an error, never a shorter string).
fn literal(out: &mut String, value: &Value) {
    match value {
        Value::Int(v) => out.push_str(&v.to_string()),
        Value::Null => out.push_str("NULL"),
        Value::Text(t) => {
            out.push_str("E'");
            for c in t.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\'' => out.push_str("''"),
                    '\0' => out.push_str("\\x00"),
                    c => out.push(c),
                }
            }
            out.push('\'');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_per_dialect() {
        let lite = Sql::new(Dialect::Sqlite, "shop_").unwrap();
        let pg = Sql::new(Dialect::Postgres, "shop_").unwrap();
        assert_eq!(
            &*lite.cancel("A", 5, "t").sql,
            "UPDATE shop_invoices SET status = 'cancelled', closed_at = ?, token = ? WHERE id = ? AND status = 'open'"
        );
        assert_eq!(&*pg.cancel("A", 5, "t").sql, "UPDATE shop_invoices SET status = 'cancelled', closed_at = $1, token = $2 WHERE id = $3 AND status = 'open'");
        // Inline: the values in the text (escaped), no parameters.
        let inline = Sql::new(Dialect::PostgresInline, "shop_").unwrap();
        let st = inline.cancel("A'; DROP TABLE x; --\\'\0", -5, "t");
        assert_eq!(
            &*st.sql,
            r"UPDATE shop_invoices SET status = 'cancelled', closed_at = -5, token = E't' WHERE id = E'A''; DROP TABLE x; --\\''\x00' AND status = 'open'"
        );
        assert!(st.params.is_empty());
        assert_eq!(
            inline.open_at([100, 250].into_iter()).sql.split(" WHERE ").nth(1),
            Some("cents = ANY(CAST(E'{100,250}' AS BIGINT[])) AND status = 'open' ORDER BY id")
        );
        assert_eq!(st.key, None, "a text with its values in it is each time another");
        for bad in ["Shop", "a-b", "1x", "x;drop", &"x".repeat(33)] {
            assert_eq!(Sql::new(Dialect::Sqlite, bad).unwrap_err().path(), Some("options.prefix"), "{bad}");
        }
        assert!(Sql::new(Dialect::Sqlite, "").is_ok());
    }

    #[test]
    fn each_text_is_built_once_and_numbered() {
        let lite = Sql::new(Dialect::Sqlite, "").unwrap();
        let copy = lite.clone();
        let a = lite.cancel("A", 1, "t");
        let b = copy.cancel("B", 2, "u");
        let one = lite.decisions([7].into_iter());
        let many = lite.decisions([7, 8].into_iter());
        // The same template: the same text, shared, and the same number (clones share the texts).
        assert_eq!((a.key, b.key), (Some(0), Some(0)));
        assert!(Rc::ptr_eq(&a.sql, &b.sql));
        assert_eq!((a.params.len(), b.params[2].clone()), (3, Value::Text("B".into())));
        // Another template, or another shape of one (one value, a list): another number.
        assert_eq!((one.key, many.key), (Some(1), Some(2)));
        assert_eq!(one.params, vec![Value::Int(7)]);
        assert_eq!(many.params, vec![Value::Text("[7,8]".into())]);
        assert_eq!(lite.text(2).as_deref(), Some(&*many.sql));
        assert_eq!(lite.text(3), None);
        assert!(many.sql.ends_with("WHERE mutation_id IN (SELECT value FROM json_each(?))"), "{}", many.sql);
    }
}
