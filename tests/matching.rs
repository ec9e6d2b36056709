//! Every matching rule of API.md with exact expected pairs, and property invariants over random input.

use cekmutasi::amount::Amount;
use cekmutasi::error::ErrorCode;
use cekmutasi::matching::{
    match_payments, unique_amount, Ambiguous, Credit, Ignored, Invoice, MatchOptions, MatchResult, Matched, Matcher,
    OnAmbiguous,
};
use proptest::prelude::*;

fn amt(s: &str) -> Amount {
    s.parse().unwrap()
}

fn inv(id: &str, amount: &str) -> Invoice {
    Invoice::new(id, amt(amount))
}

fn credit(id: u64, ts: i64, amount: &str) -> Credit<'static> {
    Credit {
        id,
        unix_timestamp: ts,
        kind: "credit",
        amount: amt(amount),
        description: "TRANSFER",
        service_code: Some("bri"),
        account_number: Some("111"),
    }
}

fn paid(r: &MatchResult) -> Vec<(&str, u64)> {
    r.matched.iter().map(|m| (m.invoice_id.as_str(), m.mutation_id)).collect()
}

fn run(invoices: Vec<Invoice>, credits: &[Credit], options: MatchOptions) -> MatchResult {
    match_payments(invoices, credits, options).unwrap()
}

#[test]
fn exact_amount_pays_exactly_one_invoice() {
    let r =
        run(vec![inv("A", "50000.12"), inv("B", "50000.13")], &[credit(1, 10, "50000.13")], MatchOptions::default());
    assert_eq!(r.matched, vec![Matched { invoice_id: "B".into(), mutation_id: 1, amount: amt("50000.13") }]);
    assert!(r.ambiguous.is_empty() && r.unmatched.is_empty() && r.ignored.is_empty());
    // 50000.1 and 50000.10 are the same amount.
    let r = run(vec![inv("A", "50000.1")], &[credit(1, 10, "50000.10")], MatchOptions::default());
    assert_eq!(paid(&r), vec![("A", 1)]);
    // One cent off is no match.
    let r = run(vec![inv("A", "50000.12")], &[credit(1, 10, "50000.11")], MatchOptions::default());
    assert_eq!((paid(&r), r.unmatched.clone()), (vec![], vec![1]));
}

#[test]
fn only_credits_pay() {
    let mut debit = credit(1, 10, "100.00");
    debit.kind = "debit";
    let mut paypal = credit(2, 10, "100.00");
    paypal.kind = "payment";
    let r = run(vec![inv("A", "100")], &[debit, paypal], MatchOptions::default());
    assert!(r.matched.is_empty());
    assert_eq!(
        r.ignored,
        vec![Ignored { mutation_id: 1, reason: "debit" }, Ignored { mutation_id: 2, reason: "not_credit" }]
    );
}

#[test]
fn a_mutation_id_is_processed_once() {
    let opts = MatchOptions { seen: vec![5], ..Default::default() };
    let r = run(
        vec![inv("A", "100"), inv("B", "200")],
        &[credit(5, 1, "100"), credit(6, 2, "200"), credit(6, 3, "200")],
        opts,
    );
    assert_eq!(paid(&r), vec![("B", 6)]);
    assert_eq!(
        r.ignored,
        vec![Ignored { mutation_id: 5, reason: "seen" }, Ignored { mutation_id: 6, reason: "duplicate" }]
    );

    // The stateful matcher remembers: a re-delivered callback pays nothing, even with a new invoice open.
    let mut m = Matcher::new(MatchOptions::default());
    m.add(inv("A", "100")).unwrap();
    assert_eq!(paid(&m.match_credits(&[credit(1, 1, "100")])), vec![("A", 1)]);
    m.add(inv("A2", "100")).unwrap();
    let again = m.match_credits(&[credit(1, 1, "100")]);
    assert_eq!((again.matched.len(), again.ignored[0].reason), (0, "seen"));
    assert_eq!(m.len(), 1);
    assert_eq!(m.seen_ids(), vec![1]);
    // Restored after a restart.
    let mut restored = Matcher::new(MatchOptions { seen: m.seen_ids(), ..Default::default() });
    restored.add(inv("A2", "100")).unwrap();
    assert_eq!(restored.match_credits(&[credit(1, 1, "100")]).ignored[0].reason, "seen");
}

#[test]
fn an_invoice_is_paid_once() {
    let r = run(vec![inv("A", "100")], &[credit(1, 1, "100"), credit(2, 2, "100")], MatchOptions::default());
    assert_eq!((paid(&r), r.unmatched.clone()), (vec![("A", 1)], vec![2]));
}

#[test]
fn time_window_with_grace() {
    let mut a = inv("A", "100");
    a.created_at = Some(1000);
    a.expires_at = Some(2000);
    let at = |ts, grace| {
        let r =
            run(vec![a.clone()], &[credit(1, ts, "100")], MatchOptions { grace_seconds: grace, ..Default::default() });
        !r.matched.is_empty()
    };
    assert_eq!(
        [at(999, 0), at(1000, 0), at(2000, 0), at(2001, 0), at(2300, 300), at(2301, 300)],
        [false, true, true, false, true, false]
    );
    // Absent bounds do not restrict.
    let mut open = inv("B", "100");
    open.created_at = Some(1000);
    let r = run(vec![open], &[credit(1, i64::MAX, "100")], MatchOptions { grace_seconds: 10, ..Default::default() });
    assert_eq!(paid(&r), vec![("B", 1)]);
}

#[test]
fn account_restrictions() {
    let mut a = inv("A", "100");
    a.service_code = Some("bca".into());
    let mut b = inv("B", "100");
    b.service_code = Some("bri".into());
    b.account_number = Some("222".into());
    let mut c = inv("C", "100");
    c.service_code = Some("bri".into());
    c.account_number = Some("111".into());
    let r = run(vec![a.clone(), b.clone(), c], &[credit(1, 1, "100")], MatchOptions::default());
    assert_eq!(paid(&r), vec![("C", 1)]);
    // A mutation without an account fits only invoices without a restriction.
    let mut bare = credit(2, 1, "100");
    bare.service_code = None;
    bare.account_number = None;
    let r = run(vec![a, b, inv("D", "100")], &[bare], MatchOptions::default());
    assert_eq!(paid(&r), vec![("D", 2)]);
}

#[test]
fn references() {
    let with_ref = |id: &str, reference: &str| {
        let mut i = inv(id, "100");
        i.reference = Some(reference.into());
        i
    };
    let mut c = credit(1, 1, "100");
    c.description = "TRSF E-BANKING CR inv-42 BUDI";
    // The referenced invoice wins over the others before ambiguity is declared.
    let r = run(vec![inv("A", "100"), with_ref("B", "INV-42"), with_ref("C", "INV-43")], &[c], MatchOptions::default());
    assert_eq!(paid(&r), vec![("B", 1)]);
    // require_reference: an invoice whose reference is absent from the description is no candidate.
    let opts = MatchOptions { require_reference: true, ..Default::default() };
    let r = run(vec![inv("A", "100"), with_ref("C", "INV-43")], &[c], opts.clone());
    assert_eq!((paid(&r), r.unmatched.clone()), (vec![], vec![1]));
    let r = run(vec![inv("A", "100"), with_ref("B", "inv-42")], &[c], opts);
    assert_eq!(paid(&r), vec![("B", 1)]);
    // Two referenced candidates: still ambiguous.
    let r = run(vec![with_ref("B", "INV-42"), with_ref("B2", "42")], &[c], MatchOptions::default());
    assert_eq!(r.ambiguous, vec![Ambiguous { mutation_id: 1, invoice_ids: vec!["B".into(), "B2".into()] }]);
    // ASCII letters match in any case; other letters must match exactly (so the reference does not pick
    // "E" here and the two candidates stay ambiguous: withheld, not guessed).
    let mut u = credit(2, 1, "100");
    u.description = "BAYAR PESANAN ÉCLAIR inv-9";
    let r = run(vec![with_ref("E", "éclair"), inv("F", "100")], &[u], MatchOptions::default());
    assert_eq!((paid(&r), r.ambiguous.len()), (vec![], 1));
    let r = run(vec![with_ref("E", "ÉCLAIR"), inv("F", "100")], &[u], MatchOptions::default());
    assert_eq!(paid(&r), vec![("E", 2)]);
    let r = run(vec![with_ref("G", "INV-9"), inv("F", "100")], &[u], MatchOptions::default());
    assert_eq!(paid(&r), vec![("G", 2)]);
}

#[test]
fn ambiguity_is_reported_never_guessed() {
    let mut a = inv("A", "100");
    a.created_at = Some(50);
    let mut b = inv("B", "100");
    b.created_at = Some(10);
    let c = inv("C", "100"); // no created_at: counts as oldest
    let r = run(vec![a.clone(), b.clone()], &[credit(1, 100, "100")], MatchOptions::default());
    assert_eq!(
        (paid(&r), r.ambiguous.clone()),
        (vec![], vec![Ambiguous { mutation_id: 1, invoice_ids: vec!["B".into(), "A".into()] }])
    );
    let oldest = MatchOptions { on_ambiguous: OnAmbiguous::Oldest, ..Default::default() };
    assert_eq!(paid(&run(vec![a.clone(), b.clone()], &[credit(1, 100, "100")], oldest.clone())), vec![("B", 1)]);
    assert_eq!(paid(&run(vec![a, b, c], &[credit(1, 100, "100")], oldest.clone())), vec![("C", 1)]);
    // Same created_at: the smallest id.
    assert_eq!(paid(&run(vec![inv("Z", "100"), inv("Y", "100")], &[credit(1, 1, "100")], oldest)), vec![("Y", 1)]);
    // Ambiguous invoices stay open in a matcher.
    let mut m = Matcher::new(MatchOptions::default());
    m.add_all(vec![inv("A", "100"), inv("B", "100")]).unwrap();
    assert_eq!(m.match_credits(&[credit(1, 1, "100")]).ambiguous.len(), 1);
    assert_eq!(m.len(), 2);
    assert!(m.remove("A"));
    assert!(!m.remove("A"));
    assert_eq!(paid(&m.match_credits(&[credit(2, 2, "100")])), vec![("B", 2)]);
    assert!(m.is_empty());
}

#[test]
fn processing_follows_time_not_input_order() {
    let credits = [credit(2, 20, "100"), credit(1, 10, "100")];
    let r = run(vec![inv("A", "100")], &credits, MatchOptions::default());
    assert_eq!((paid(&r), r.unmatched.clone()), (vec![("A", 1)], vec![2]));
}

#[test]
fn invalid_invoices_name_the_field_and_add_nothing() {
    let cases: Vec<(Vec<Invoice>, &str)> = vec![
        (vec![inv("A", "1"), inv("", "1")], "invoices[1].id"),
        (vec![inv("A", "1"), inv("A", "2")], "invoices[1].id"),
        (vec![inv("A", "0")], "invoices[0].amount"),
        (vec![Invoice { expires_at: Some(1), created_at: Some(2), ..inv("A", "1") }], "invoices[0].expires_at"),
        (vec![Invoice { reference: Some(String::new()), ..inv("A", "1") }], "invoices[0].reference"),
    ];
    for (invoices, path) in cases {
        let mut m = Matcher::new(MatchOptions::default());
        let e = m.add_all(invoices).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidParams, Some(path)));
        assert!(m.is_empty());
    }
    let mut m = Matcher::new(MatchOptions::default());
    m.add(inv("A", "1")).unwrap();
    assert_eq!(m.add(inv("A", "2")).unwrap_err().path(), Some("id"));
}

#[test]
fn unique_amounts() {
    let base = amt("150000");
    assert_eq!(unique_amount(base, &[], 1, 999, false).unwrap().to_string(), "150001.00");
    let taken = [amt("150001"), amt("150002"), amt("149999")];
    assert_eq!(unique_amount(base, &taken, 1, 999, false).unwrap().to_string(), "150003.00");
    assert_eq!(unique_amount(base, &taken, 1, 999, true).unwrap().to_string(), "149998.00");
    assert_eq!(unique_amount(amt("10.50"), &[], 5, 9, false).unwrap().to_string(), "15.50");
    let e = unique_amount(base, &taken, 1, 2, false).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UniqueAmountExhausted);
    // Subtracting never goes to zero or below, and a huge range ends at once.
    assert_eq!(unique_amount(amt("3"), &[amt("2")], 1, u32::MAX, true).unwrap().to_string(), "1.00");
    let e = unique_amount(amt("3"), &[amt("2"), amt("1")], 1, u32::MAX, true).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UniqueAmountExhausted);
    assert_eq!(unique_amount(base, &[], 5, 1, false).unwrap_err().code(), ErrorCode::InvalidParams);
}

// ---- properties ----

#[derive(Debug, Clone)]
struct Case {
    invoices: Vec<Invoice>,
    credits: Vec<(u64, i64, bool, u8, bool)>, // id, ts, is_credit, amount index, with reference text
}

fn arb_case() -> impl Strategy<Value = Case> {
    let amounts = 4u8;
    let invoice =
        (0..amounts, proptest::option::of(0i64..50), proptest::option::of(0i64..50), proptest::option::of(0u8..3));
    (
        proptest::collection::vec(invoice, 0..12),
        proptest::collection::vec((0u64..10, 0i64..60, any::<bool>(), 0..amounts, any::<bool>()), 0..14),
    )
        .prop_map(|(invs, credits)| Case {
            invoices: invs
                .into_iter()
                .enumerate()
                .map(|(i, (a, c, e, r))| Invoice {
                    id: format!("I{i}"),
                    amount: Amount::parse_text(&format!("{}.00", 100 + u32::from(a)), false).unwrap(),
                    created_at: c,
                    expires_at: e.map(|e| e + c.unwrap_or(0)),
                    reference: r.map(|r| format!("REF{r}")),
                    service_code: None,
                    account_number: None,
                })
                .collect(),
            credits,
        })
}

const DESCRIPTIONS: [&str; 2] = ["TRANSFER", "TRANSFER REF1"];

fn credits_of(case: &Case) -> Vec<Credit<'static>> {
    case.credits
        .iter()
        .map(|&(id, ts, is_credit, a, r)| Credit {
            id,
            unix_timestamp: ts,
            kind: if is_credit { "credit" } else { "debit" },
            amount: Amount::parse_text(&format!("{}.00", 100 + u32::from(a)), false).unwrap(),
            description: DESCRIPTIONS[usize::from(r)],
            service_code: None,
            account_number: None,
        })
        .collect()
}

fn invariants(
    case: &Case,
    credits: &[Credit],
    seen: &[u64],
    opts: &MatchOptions,
    r: &MatchResult,
) -> Result<(), TestCaseError> {
    let mut paid_invoices = std::collections::HashSet::new();
    let mut paying = std::collections::HashSet::new();
    for m in &r.matched {
        prop_assert!(paid_invoices.insert(m.invoice_id.clone()), "invoice paid twice");
        prop_assert!(paying.insert(m.mutation_id), "mutation paid twice");
        prop_assert!(!seen.contains(&m.mutation_id), "seen id paid");
        let i = case.invoices.iter().find(|i| i.id == m.invoice_id).unwrap();
        prop_assert_eq!(m.amount, i.amount);
        // Rows may share an id (hostile input): one of them is a credit of exactly this amount.
        prop_assert!(
            credits.iter().any(|c| c.id == m.mutation_id && c.kind == "credit" && c.amount == i.amount),
            "no credit of that amount"
        );
    }
    if opts.on_ambiguous == OnAmbiguous::Report {
        for a in &r.ambiguous {
            prop_assert!(!paying.contains(&a.mutation_id), "ambiguous mutation paid");
            prop_assert!(a.invoice_ids.len() >= 2);
        }
    }
    // Every mutation is accounted for exactly once.
    let accounted = r.matched.len() + r.ambiguous.len() + r.unmatched.len() + r.ignored.len();
    prop_assert_eq!(accounted, credits.len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn matching_invariants(case in arb_case(), seen in proptest::collection::vec(0u64..10, 0..3), oldest in any::<bool>(), require in any::<bool>(), grace in 0i64..20) {
        let credits = credits_of(&case);
        let opts = MatchOptions {
            seen: seen.clone(),
            grace_seconds: grace,
            require_reference: require,
            on_ambiguous: if oldest { OnAmbiguous::Oldest } else { OnAmbiguous::Report },
        };
        let r = run(case.invoices.clone(), &credits, opts.clone());
        invariants(&case, &credits, &seen, &opts, &r)?;
    }

    #[test]
    fn report_results_do_not_depend_on_input_order(case in arb_case(), seed in any::<u64>()) {
        let credits = credits_of(&case);
        let mut shuffled = credits.clone();
        let mut invoices = case.invoices.clone();
        // A deterministic shuffle from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() { x ^= x << 13; x ^= x >> 7; x ^= x << 17; shuffled.swap(i, (x % (i as u64 + 1)) as usize); }
        for i in (1..invoices.len()).rev() { x ^= x << 13; x ^= x >> 7; x ^= x << 17; invoices.swap(i, (x % (i as u64 + 1)) as usize); }
        let a = run(case.invoices.clone(), &credits, MatchOptions::default());
        let b = run(invoices, &shuffled, MatchOptions::default());
        prop_assert_eq!(a, b);
    }

    #[test]
    fn a_matcher_in_batches_never_pays_twice(case in arb_case(), split in 0usize..14) {
        let credits = credits_of(&case);
        let split = split.min(credits.len());
        let mut m = Matcher::new(MatchOptions::default());
        m.add_all(case.invoices.clone()).unwrap();
        let first = m.match_credits(&credits[..split]);
        let second = m.match_credits(&credits[split..]);
        let replay = m.match_credits(&credits);
        prop_assert!(replay.matched.is_empty(), "a replayed batch paid");
        let mut paid: Vec<_> = first.matched.iter().chain(&second.matched).map(|p| p.invoice_id.clone()).collect();
        let n = paid.len();
        paid.sort();
        paid.dedup();
        prop_assert_eq!(paid.len(), n);
        prop_assert_eq!(m.len(), case.invoices.len() - n);
    }
}

// ---- the readers of a caller's arguments (what JS hands over as JSON text) ----

use cekmutasi::matching::{read_invoice, read_invoices, read_mutations, read_options};

#[test]
fn invoices_from_json_with_paths() {
    let invs = read_invoices(r#"[{"id":"A","amount":"50000.5","customer":{"name":"x"}},{"id":"B","amount":150000,"created_at":10,"expires_at":null,"reference":"INV-B","service_code":"bri"}]"#).unwrap();
    assert_eq!(invs[0].amount.to_string(), "50000.50");
    assert_eq!(invs[1].amount.to_string(), "150000.00");
    assert_eq!((invs[1].created_at, invs[1].expires_at, invs[1].reference.as_deref()), (Some(10), None, Some("INV-B")));
    let cases = [
        (r#"[{"id":"A","amount":"1"},{"id":"B","amount":"1.001"}]"#, "invoices[1].amount"),
        (r#"[{"id":"A","amount":1e3}]"#, "invoices[0].amount"),
        (r#"[{"id":7,"amount":"1"}]"#, "invoices[0].id"),
        (r#"[{"amount":"1"}]"#, "invoices[0].id"),
        (r#"[{"id":"A"}]"#, "invoices[0].amount"),
        (r#"[{"id":"A","amount":"1","created_at":1.5}]"#, "invoices[0].created_at"),
        (r#"[{"id":"A","amount":"1","reference":5}]"#, "invoices[0].reference"),
        (r#"[5]"#, "invoices[0]"),
        (r#"{}"#, "invoices"),
    ];
    for (json, path) in cases {
        let e = read_invoices(json).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidParams, Some(path)), "{json}");
    }
    assert_eq!(read_invoice(r#"{"id":"A","amount":"x"}"#).unwrap_err().path(), Some("invoice.amount"));
}

#[test]
fn mutations_from_rows_or_a_report() {
    let rows = read_mutations(
        r#"[{"id":1,"unix_timestamp":5,"type":"credit","amount":"100.00","description":"x","service_code":"bca"}]"#,
    )
    .unwrap();
    assert_eq!(rows.credits()[0].service_code, Some("bca"));
    let e = read_mutations(r#"[{"id":1,"unix_timestamp":5,"type":"credit","amount":"1,00","description":"x"}]"#)
        .unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::InvalidParams, Some("mutations[0].amount")));
    let report = read_mutations(include_str!("fixtures/seed_report.json")).unwrap();
    let credits = report.credits();
    assert_eq!(
        (credits.len(), credits[0].service_code, credits[0].account_number),
        (2, Some("bri"), Some("1234567890"))
    );
    // A report keeps its callback semantics (invalid_payload, 422).
    let e = read_mutations(r#"{"action":"payment_report"}"#).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidPayload);
}

#[test]
fn options_from_json() {
    let o = read_options(Some(r#"{"seen":[1,2],"grace_seconds":60,"require_reference":true,"on_ambiguous":"oldest"}"#))
        .unwrap();
    assert_eq!(
        o,
        MatchOptions {
            seen: vec![1, 2],
            grace_seconds: 60,
            require_reference: true,
            on_ambiguous: OnAmbiguous::Oldest
        }
    );
    assert_eq!(read_options(None).unwrap(), MatchOptions::default());
    for (json, path) in [
        (r#"{"sen":[1]}"#, "options.sen"),
        (r#"{"seen":[1.5]}"#, "options.seen[0]"),
        (r#"{"seen":5}"#, "options.seen"),
        (r#"{"grace_seconds":-1}"#, "options.grace_seconds"),
        (r#"{"on_ambiguous":"first"}"#, "options.on_ambiguous"),
        (r#"[]"#, "options"),
    ] {
        let e = read_options(Some(json)).unwrap_err();
        assert_eq!((e.code(), e.path()), (ErrorCode::InvalidParams, Some(path)), "{json}");
    }
}

// ---- model check: the Matcher against an obviously-correct scan over a Vec ----

#[derive(Default)]
struct Model {
    open: Vec<Invoice>,
    seen: std::collections::HashSet<u64>,
}

impl Model {
    fn matches(&mut self, credits: &[Credit]) -> MatchResult {
        let mut order: Vec<&Credit> = credits.iter().collect();
        order.sort_by_key(|c| (c.unix_timestamp, c.id, c.amount, c.kind, c.description));
        let mut r = MatchResult::default();
        let mut batch = std::collections::HashSet::new();
        for c in order {
            if self.seen.contains(&c.id) {
                r.ignored.push(Ignored { mutation_id: c.id, reason: "seen" });
            } else if !batch.insert(c.id) {
                r.ignored.push(Ignored { mutation_id: c.id, reason: "duplicate" });
            } else if c.kind != "credit" {
                r.ignored.push(Ignored { mutation_id: c.id, reason: "debit" });
            } else {
                let d = c.description.to_ascii_lowercase();
                let fits: Vec<usize> = (0..self.open.len())
                    .filter(|&k| {
                        let i = &self.open[k];
                        i.amount == c.amount
                            && i.created_at.is_none_or(|t| c.unix_timestamp >= t)
                            && i.expires_at.is_none_or(|t| c.unix_timestamp <= t)
                    })
                    .collect();
                let refd: Vec<usize> = fits
                    .iter()
                    .copied()
                    .filter(|&k| self.open[k].reference.as_ref().is_some_and(|r| d.contains(&r.to_ascii_lowercase())))
                    .collect();
                let mut pool = if refd.is_empty() { fits } else { refd };
                pool.sort_by_key(|&k| (self.open[k].created_at, self.open[k].id.clone()));
                match pool.len() {
                    0 => r.unmatched.push(c.id),
                    1 => {
                        let inv = self.open.remove(pool[0]);
                        r.matched.push(Matched { invoice_id: inv.id, mutation_id: c.id, amount: c.amount });
                    }
                    _ => r.ambiguous.push(Ambiguous {
                        mutation_id: c.id,
                        invoice_ids: pool.iter().map(|&k| self.open[k].id.clone()).collect(),
                    }),
                }
            }
        }
        self.seen.extend(batch);
        r
    }
}

#[derive(Debug, Clone)]
enum Op {
    Add(Vec<Invoice>),
    Remove(usize),
    Match(Vec<(u64, i64, bool, u8, bool)>),
}

fn arb_ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        arb_case().prop_map(|c| Op::Add(c.invoices)),
        (0usize..40).prop_map(Op::Remove),
        arb_case().prop_map(|c| Op::Match(c.credits)),
    ];
    proptest::collection::vec(op, 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn matcher_agrees_with_the_model(ops in arb_ops()) {
        let mut m = Matcher::new(MatchOptions::default());
        let mut model = Model::default();
        let mut next_id = 0;
        for op in ops {
            match op {
                Op::Add(mut invs) => {
                    for inv in &mut invs {
                        inv.id = format!("I{next_id}");
                        next_id += 1;
                    }
                    m.add_all(invs.clone()).unwrap();
                    model.open.extend(invs);
                }
                Op::Remove(k) => {
                    let id = format!("I{k}");
                    let present = model.open.iter().position(|i| i.id == id);
                    if let Some(p) = present {
                        model.open.remove(p);
                    }
                    prop_assert_eq!(m.remove(&id), present.is_some());
                }
                Op::Match(credits) => {
                    let credits = credits_of(&Case { invoices: vec![], credits });
                    prop_assert_eq!(m.match_credits(&credits), model.matches(&credits));
                }
            }
            prop_assert_eq!(m.len(), model.open.len());
        }
    }
}
