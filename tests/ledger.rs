//! The ledger's core against a real SQLite (rusqlite, bundled): its statements run as the package's store
//! adapters run them (each action's batch in one immediate transaction), and tasks of several "instances"
//! are interleaved action by action, as concurrent processes would interleave their transactions. The
//! invariants of API.md are checked after every step.

use cekmutasi::error::Error;
use cekmutasi::ledger::{Action, Dialect, Ledger, Statement, Task, Value};
use proptest::prelude::*;
use rusqlite::{params_from_iter, Connection};
use serde_json::{json, Value as Json};

fn db() -> Connection {
    Connection::open_in_memory().unwrap()
}

/// Runs one action's statements in one immediate transaction; the results as the adapters give them.
fn exec(conn: &Connection, statements: &[Statement]) -> String {
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut out = Vec::new();
    for s in statements {
        let params: Vec<rusqlite::types::Value> = s
            .params
            .iter()
            .map(|v| match v {
                Value::Int(i) => rusqlite::types::Value::Integer(*i),
                Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
                Value::Null => rusqlite::types::Value::Null,
            })
            .collect();
        let mut stmt = conn.prepare(&s.sql).unwrap_or_else(|e| panic!("{e}: {}", s.sql));
        if stmt.column_count() > 0 {
            let n = stmt.column_count();
            let rows: Vec<Json> = stmt
                .query_map(params_from_iter(params), |row| {
                    Ok((0..n)
                        .map(|i| match row.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Integer(v) => json!(v),
                            rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                            rusqlite::types::ValueRef::Null => Json::Null,
                            other => panic!("unexpected {other:?}"),
                        })
                        .collect::<Vec<_>>())
                })
                .unwrap()
                .map(|r| json!(r.unwrap()))
                .collect();
            out.push(json!({ "changes": 0, "rows": rows }));
        } else {
            let changes = stmt.execute(params_from_iter(params)).unwrap_or_else(|e| panic!("{e}: {}", s.sql));
            out.push(json!({ "changes": changes, "rows": [] }));
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    Json::Array(out).to_string()
}

/// Runs a task to its end.
fn run(conn: &Connection, task: Result<Task, Error>) -> Result<Json, Error> {
    let mut task = task?;
    let mut action = task.start()?;
    loop {
        match action {
            Action::Done(json) => return Ok(serde_json::from_str(&json).unwrap()),
            Action::Run { statements } => action = task.resume(&exec(conn, &statements))?,
        }
    }
}

fn ledger(conn: &Connection, options: &str) -> Ledger {
    let l = Ledger::new(Dialect::Sqlite, Some(options)).unwrap();
    assert_eq!(run(conn, Ok(l.open())).unwrap(), json!(1));
    l
}

fn credit(id: u64, amount: &str, ts: i64) -> String {
    format!(r#"[{{"id":{id},"unix_timestamp":{ts},"type":"credit","amount":"{amount}","description":"TRF"}}]"#)
}

#[test]
fn one_invoice_paid_once_and_a_replay_says_so() {
    let conn = db();
    let l = ledger(&conn, "{}");
    let a = run(&conn, l.open_invoice(r#"{"id":"INV-1","price":150000}"#, 1000, "a")).unwrap();
    let b = run(&conn, l.open_invoice(r#"{"id":"INV-2","price":"150000"}"#, 1000, "b")).unwrap();
    assert_eq!(
        (a["amount"].as_str(), a["price"].as_str(), a["status"].as_str()),
        (Some("150001.00"), Some("150000.00"), Some("open"))
    );
    assert_eq!(b["amount"], "150002.00");
    // The same id again is refused, and changes nothing.
    let e = run(&conn, l.open_invoice(r#"{"id":"INV-1","price":150000}"#, 1000, "c")).unwrap_err();
    assert_eq!((e.code().as_str(), e.path()), ("invalid_params", Some("id")));
    let paid = run(&conn, l.apply(&credit(7, "150002.00", 1001), 1002, "d")).unwrap();
    assert_eq!(
        paid,
        json!([{ "mutation_id": 7, "outcome": "matched", "amount": "150002.00", "invoice_id": "INV-2", "replayed": false, "decided_at": 1002 }])
    );
    let again = run(&conn, l.apply(&credit(7, "150002.00", 1001), 2000, "e")).unwrap();
    assert_eq!(again[0]["replayed"], true);
    assert_eq!(again[0]["decided_at"], 1002);
    assert_eq!(run(&conn, l.invoice("INV-2")).unwrap()["paid_by"], 7);
    // Another credit of that amount pays nothing: the invoice is paid.
    let second = run(&conn, l.apply(&credit(8, "150002.00", 1003), 1004, "f")).unwrap();
    assert_eq!(second[0]["outcome"], "unmatched");
    assert_eq!(run(&conn, Ok(l.unsettled())).unwrap().as_array().unwrap().len(), 1);
    // A person settles it against an open invoice of the same amount.
    run(&conn, l.open_invoice(r#"{"id":"INV-3","amount":"150002.00"}"#, 1005, "g")).unwrap();
    let settled = run(&conn, l.settle(8, "INV-3", 1006, "h")).unwrap();
    assert_eq!((settled["outcome"].as_str(), settled["settled"].as_bool()), (Some("matched"), Some(true)));
    assert_eq!(run(&conn, Ok(l.unsettled())).unwrap(), json!([]));
    let e = run(&conn, l.settle(8, "INV-3", 1007, "i")).unwrap_err();
    assert_eq!(e.path(), Some("mutationId"));
    // Cancelling: true once, for an open invoice.
    assert_eq!(run(&conn, l.cancel("INV-1", 1008, "j")).unwrap(), json!(true));
    assert_eq!(run(&conn, l.cancel("INV-1", 1009, "k")).unwrap(), json!(false));
    assert_eq!(run(&conn, l.invoice("nope")).unwrap(), Json::Null);
}

#[test]
fn a_freed_amount_is_held_before_it_is_given_again() {
    let conn = db();
    let l = ledger(&conn, r#"{"unique":{"hold_seconds":100}}"#);
    let a = run(&conn, l.open_invoice(r#"{"id":"A","price":50000}"#, 1000, "a")).unwrap();
    assert_eq!(a["amount"], "50001.00");
    assert_eq!(run(&conn, l.cancel("A", 1010, "b")).unwrap(), json!(true));
    // Within the hold: the next code.
    assert_eq!(run(&conn, l.open_invoice(r#"{"id":"B","price":50000}"#, 1050, "c")).unwrap()["amount"], "50002.00");
    // After it: the amount is free again.
    assert_eq!(run(&conn, l.open_invoice(r#"{"id":"C","price":50000}"#, 1111, "d")).unwrap()["amount"], "50001.00");
    // An exact amount takes its amount from the unique ones too.
    run(&conn, l.open_invoice(r#"{"id":"D","amount":"50003.00"}"#, 1112, "e")).unwrap();
    assert_eq!(run(&conn, l.open_invoice(r#"{"id":"E","price":50000}"#, 1113, "f")).unwrap()["amount"], "50004.00");
}

#[test]
fn bad_input_names_the_field_and_changes_nothing() {
    let conn = db();
    let l = ledger(&conn, "{}");
    for (invoice, path) in [
        (r#"{"price":1000}"#, "id"),
        (r#"{"id":"A"}"#, "amount"),
        (r#"{"id":"A","price":1000,"amount":1001}"#, "price"),
        (r#"{"id":"A","price":"1.001"}"#, "price"),
        (r#"{"id":"A","amount":0}"#, "amount"),
        (r#"{"id":"A","amount":10,"created_at":1764400000000}"#, "created_at"),
        // No NUL in stored text: Postgres cannot hold it, and every store must keep the same.
        (r#"{"id":"A\u0000","amount":10}"#, "id"),
        (r#"{"id":"A","amount":10,"reference":"R\u0000"}"#, "reference"),
    ] {
        let e = run(&conn, l.open_invoice(invoice, 1000, "x")).unwrap_err();
        assert_eq!((e.code().as_str(), e.path()), ("invalid_params", Some(path)), "{invoice}");
    }
    let count: i64 = conn.query_row("SELECT count(*) FROM cekmutasi_invoices", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 0);
    assert_eq!(run(&conn, l.invoice("A\0")).unwrap_err().path(), Some("id"));
    assert_eq!(run(&conn, l.cancel("A\0", 1000, "x")).unwrap_err().path(), Some("id"));
    assert_eq!(run(&conn, l.settle(1, "A\0", 1000, "x")).unwrap_err().path(), Some("invoiceId"));
    for (options, path) in [
        (r#"{"prefix":"Bad-Prefix"}"#, "options.prefix"),
        (r#"{"unique":{"min":5,"max":1}}"#, "options.unique.min"),
        (r#"{"unique":{"mode":"up"}}"#, "options.unique.mode"),
        (r#"{"seen":[1]}"#, "options.seen"),
    ] {
        assert_eq!(Ledger::new(Dialect::Sqlite, Some(options)).unwrap_err().path(), Some(path), "{options}");
    }
}

#[test]
fn a_newer_schema_is_refused() {
    let conn = db();
    let l = ledger(&conn, "{}");
    conn.execute("UPDATE cekmutasi_meta SET value = '2' WHERE key = 'schema'", []).unwrap();
    let e = run(&conn, Ok(l.open())).unwrap_err();
    assert_eq!(e.code().as_str(), "config");
    assert!(e.message().contains("schema 2"), "{e}");
}

// ---- interleaved instances ----

/// One operation of one instance.
#[derive(Debug, Clone)]
enum Op {
    Open {
        id: u8,
        price: bool,
        amount: u8,
    },
    Cancel {
        id: u8,
    },
    /// A report of one or more rows (mutation, amount, credit): ids and amounts may repeat within it.
    Apply {
        rows: Vec<(u8, u8, bool)>,
    },
    Settle {
        mutation: u8,
        id: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..12, any::<bool>(), 0u8..4).prop_map(|(id, price, amount)| Op::Open { id, price, amount }),
        1 => (0u8..12).prop_map(|id| Op::Cancel { id }),
        5 => prop::collection::vec(row(), 1..5).prop_map(|rows| Op::Apply { rows }),
        1 => (0u8..16, 0u8..12).prop_map(|(mutation, id)| Op::Settle { mutation, id }),
    ]
}

fn row() -> impl Strategy<Value = (u8, u8, bool)> {
    (0u8..16, 0u8..6, prop::bool::weighted(0.9))
}

/// Rows as the service sends them, at `now`.
fn rows_json(rows: &[(u8, u8, bool)], now: i64) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|(mutation, amount, credit)| {
            format!(
                r#"{{"id":{},"unix_timestamp":{now},"type":"{}","amount":"{}","description":"x"}}"#,
                u32::from(*mutation) + 1,
                if *credit { "credit" } else { "debit" },
                amount_text(*amount)
            )
        })
        .collect();
    format!("[{}]", rows.join(","))
}

/// The amount of a small code: a price of 1000 (codes 1..3 make 1001..1003) or an exact amount.
fn amount_text(a: u8) -> String {
    format!("{}.00", 1000 + u32::from(a))
}

fn task_of(l: &Ledger, op: &Op, now: i64, token: &str) -> Result<Task, Error> {
    match op {
        Op::Open { id, price: true, .. } => l.open_invoice(&format!(r#"{{"id":"I{id}","price":1000}}"#), now, token),
        Op::Open { id, price: false, amount } => {
            l.open_invoice(&format!(r#"{{"id":"I{id}","amount":"{}"}}"#, amount_text(*amount)), now, token)
        }
        Op::Cancel { id } => l.cancel(&format!("I{id}"), now, token),
        Op::Apply { rows } => l.apply(&rows_json(rows, now), now, token),
        Op::Settle { mutation, id } => l.settle(i64::from(*mutation) + 1, &format!("I{id}"), now, token),
    }
}

/// The invariants, read from the tables.
fn check(conn: &Connection, first: &mut std::collections::HashMap<i64, Json>) {
    let q = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    // A mutation pays at most one invoice; an invoice is paid by one mutation (one column).
    assert_eq!(q("SELECT count(*) FROM (SELECT paid_by FROM cekmutasi_invoices WHERE paid_by IS NOT NULL GROUP BY paid_by HAVING count(*) > 1) AS t"), 0);
    // Every paid invoice has the matched decision of its mutation, and every matched decision its paid invoice.
    assert_eq!(q("SELECT count(*) FROM cekmutasi_invoices i WHERE i.status = 'paid' AND NOT EXISTS (SELECT 1 FROM cekmutasi_decisions d WHERE d.mutation_id = i.paid_by AND d.outcome = 'matched' AND d.invoice_id = i.id)"), 0);
    assert_eq!(q("SELECT count(*) FROM cekmutasi_decisions d WHERE d.outcome = 'matched' AND NOT EXISTS (SELECT 1 FROM cekmutasi_invoices i WHERE i.id = d.invoice_id AND i.paid_by = d.mutation_id AND i.status = 'paid')"), 0);
    // A paid invoice's amount is its mutation's.
    assert_eq!(q("SELECT count(*) FROM cekmutasi_invoices i JOIN cekmutasi_decisions d ON d.mutation_id = i.paid_by WHERE d.cents <> i.cents"), 0);
    // A unique amount is unique among the open invoices made from a price (an exact amount is what its caller
    // asked for: it may coincide with one, and a credit of it is then ambiguous, paying nothing).
    assert_eq!(q("SELECT count(*) FROM cekmutasi_invoices u WHERE u.status = 'open' AND u.price_cents IS NOT NULL AND EXISTS (SELECT 1 FROM cekmutasi_invoices o WHERE o.status = 'open' AND o.price_cents IS NOT NULL AND o.cents = u.cents AND o.id <> u.id)"), 0);
    // A decision, once made, changes only by a person's settlement.
    let mut stmt = conn.prepare("SELECT mutation_id, outcome, invoice_id, settled FROM cekmutasi_decisions").unwrap();
    for row in stmt
        .query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, i64>(3)?))
        })
        .unwrap()
    {
        let (m, outcome, invoice, settled) = row.unwrap();
        let now = json!([outcome, invoice]);
        let was = first.entry(m).or_insert_with(|| now.clone());
        if settled == 1 {
            assert_eq!(now[0], "matched");
        } else {
            assert_eq!(*was, now, "mutation {m} was decided again");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Three instances, each running its own operations, their actions interleaved in a random order: after
    /// every step the invariants hold, and applying a mutation twice gives its recorded outcome.
    #[test]
    fn interleaved_instances_keep_every_invariant(
        ops in prop::collection::vec((0usize..3, op()), 1..40),
        order in prop::collection::vec(0usize..3, 200),
    ) {
        let conn = db();
        let l = ledger(&conn, r#"{"unique":{"min":1,"max":3,"hold_seconds":50}}"#);
        let mut queues: Vec<Vec<Op>> = vec![Vec::new(); 3];
        for (i, op) in ops { queues[i].push(op); }
        let mut running: Vec<Option<(Task, Action)>> = vec![None, None, None];
        let mut outcomes: std::collections::HashMap<i64, Json> = std::collections::HashMap::new();
        let mut first = std::collections::HashMap::new();
        let mut fresh: std::collections::HashMap<i64, u32> = std::collections::HashMap::new();
        let mut now = 1000;
        let mut steps = order.into_iter().cycle();
        let mut n = 0;
        while queues.iter().any(|q| !q.is_empty()) || running.iter().any(Option::is_some) {
            let i = steps.next().unwrap();
            n += 1;
            now += 1;
            if running[i].is_none() {
                if queues[i].is_empty() { continue; }
                let op = queues[i].remove(0);
                match task_of(&l, &op, now, &format!("t{n}")) {
                    Ok(mut t) => { let a = t.start().unwrap(); running[i] = Some((t, a)); }
                    Err(e) => prop_assert_eq!(e.code().as_str(), "invalid_params"),
                }
                continue;
            }
            let (mut task, action) = running[i].take().unwrap();
            match action {
                Action::Run { statements } => match task.resume(&exec(&conn, &statements)) {
                    Ok(next) => running[i] = Some((task, next)),
                    Err(e) => prop_assert!(matches!(e.code().as_str(), "invalid_params" | "unique_amount_exhausted"), "{e}"),
                },
                Action::Done(text) => {
                    let v: Json = serde_json::from_str(&text).unwrap();
                    if let Some(list) = v.as_array() {
                        for o in list {
                            let m = o["mutation_id"].as_i64().unwrap();
                            let mut key = o.clone();
                            key.as_object_mut().unwrap().remove("replayed");
                            // Decided once: one fresh outcome per mutation, every other the same, replayed
                            // (unless a person settled it since).
                            if o["replayed"] == false {
                                *fresh.entry(m).or_insert(0) += 1;
                                prop_assert_eq!(fresh[&m], 1, "mutation {} decided twice", m);
                            }
                            if let Some(before) = outcomes.get(&m) {
                                if o["settled"] != true && before.get("settled").is_none() {
                                    let (mut a, mut b) = (before.clone(), key.clone());
                                    a.as_object_mut().unwrap().remove("decided_at");
                                    b.as_object_mut().unwrap().remove("decided_at");
                                    prop_assert_eq!(a, b);
                                }
                            } else {
                                outcomes.insert(m, key);
                            }
                        }
                    }
                }
            }
            check(&conn, &mut first);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A report applied at once (its rows read and written in rounds) decides exactly as its rows applied one
    /// by one: the same outcomes and the same tables, whatever the ids and amounts repeated in it.
    #[test]
    fn a_report_at_once_is_its_rows_one_by_one(
        invoices in prop::collection::vec((any::<bool>(), 0u8..4), 0..8),
        reports in prop::collection::vec(prop::collection::vec(row(), 1..12), 1..4),
    ) {
        let (whole, single) = (db(), db());
        let options = r#"{"unique":{"min":1,"max":3,"hold_seconds":50}}"#;
        let (lw, ls) = (ledger(&whole, options), ledger(&single, options));
        for (i, (price, amount)) in invoices.iter().enumerate() {
            let op = Op::Open { id: i as u8, price: *price, amount: *amount };
            let a = run(&whole, task_of(&lw, &op, 1000, "o"));
            let b = run(&single, task_of(&ls, &op, 1000, "o"));
            prop_assert_eq!(a.map_err(|e| e.to_string()), b.map_err(|e| e.to_string()));
        }
        for (n, rows) in reports.iter().enumerate() {
            let now = 2000 + n as i64;
            let at_once = run(&whole, lw.apply(&rows_json(rows, now), now, "w")).unwrap();
            let mut one_by_one = Vec::new();
            for r in rows {
                let out = run(&single, ls.apply(&rows_json(std::slice::from_ref(r), now), now, "s")).unwrap();
                one_by_one.extend(out.as_array().unwrap().iter().cloned());
            }
            prop_assert_eq!(at_once, Json::Array(one_by_one));
        }
        let dump = |conn: &Connection, sql: &str| -> Vec<String> {
            let mut stmt = conn.prepare(sql).unwrap();
            let n = stmt.column_count();
            stmt.query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|")))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        for sql in [
            "SELECT id, cents, status, paid_by, paid_at FROM cekmutasi_invoices ORDER BY id",
            "SELECT mutation_id, outcome, cents, invoice_id, invoice_ids, settled FROM cekmutasi_decisions ORDER BY mutation_id",
            "SELECT cents, free_at FROM cekmutasi_amounts ORDER BY cents",
        ] {
            prop_assert_eq!(dump(&whole, sql), dump(&single, sql));
        }
    }
}

#[test]
fn one_report_with_repeated_ids_and_amounts() {
    let conn = db();
    let l = ledger(&conn, "{}");
    run(&conn, l.open_invoice(r#"{"id":"INV-1","amount":"5000.00"}"#, 1000, "a")).unwrap();
    let rows = r#"[
        {"id":1,"unix_timestamp":1001,"type":"credit","amount":"5000.00","description":"x"},
        {"id":2,"unix_timestamp":1001,"type":"credit","amount":"5000.00","description":"x"},
        {"id":1,"unix_timestamp":1001,"type":"credit","amount":"5000.00","description":"x"},
        {"id":3,"unix_timestamp":1001,"type":"debit","amount":"5000.00","description":"x"}
    ]"#;
    let out = run(&conn, l.apply(rows, 1002, "b")).unwrap();
    let got: Vec<_> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["mutation_id"].as_i64().unwrap(),
                o["outcome"].as_str().unwrap().to_string(),
                o["replayed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "matched".into(), false),
            (2, "unmatched".into(), false),
            (1, "matched".into(), true),
            (3, "debit".into(), false)
        ]
    );
    // 250 rows: three rounds (100 rows each at most), every row decided, each in its place.
    let many: Vec<String> = (0..250)
        .map(|i| {
            format!(
                r#"{{"id":{},"unix_timestamp":1003,"type":"credit","amount":"{}.00","description":"x"}}"#,
                100 + i,
                7000 + i
            )
        })
        .collect();
    let out = run(&conn, l.apply(&format!("[{}]", many.join(",")), 1004, "c")).unwrap();
    let ids: Vec<i64> = out.as_array().unwrap().iter().map(|o| o["mutation_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, (100..350).collect::<Vec<i64>>());
}
