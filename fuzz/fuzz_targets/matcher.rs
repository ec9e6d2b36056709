//! The matcher under any sequence of add / remove / match operations, checked against the rules of
//! API.md: only credits pay; a mutation pays at most one invoice and only once ever; an invoice is paid at
//! most once and only while it is open; amounts are equal exactly; the time window holds; ambiguity never
//! pays under "report"; every mutation of a batch is accounted for exactly once.
#![no_main]
use cekmutasi::amount::Amount;
use cekmutasi::matching::{Credit, Invoice, MatchOptions, Matcher, OnAmbiguous};
use libfuzzer_sys::fuzz_target;
use std::collections::{HashMap, HashSet};

struct Bytes<'a>(&'a [u8]);
impl Bytes<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*b)
    }
}

const KINDS: [&str; 3] = ["credit", "debit", "payment"];
const CODES: [Option<&str>; 3] = [None, Some("bri"), Some("bca")];

fn amount(b: u8) -> Amount {
    // Few distinct amounts, so credits collide with several invoices.
    Amount::from_cents(i128::from(b % 6) * 100 + 15_000_000).unwrap()
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    let Some(flags) = bytes.byte() else { return };
    let options = MatchOptions {
        seen: vec![1, 2],
        grace_seconds: i64::from(flags % 4) * 10,
        require_reference: flags & 4 != 0,
        on_ambiguous: if flags & 8 != 0 { OnAmbiguous::Oldest } else { OnAmbiguous::Report },
    };
    let report = options.on_ambiguous == OnAmbiguous::Report;
    let grace = options.grace_seconds;
    let mut matcher = Matcher::new(options);
    let mut open: HashMap<String, Invoice> = HashMap::new();
    let mut paid_invoices: HashSet<String> = HashSet::new();
    let mut processed: HashSet<u64> = [1, 2].into();
    let mut next_invoice = 0u32;
    while let Some(op) = bytes.byte() {
        match op % 4 {
            0 | 1 => {
                let (Some(a), Some(t)) = (bytes.byte(), bytes.byte()) else { return };
                next_invoice += 1;
                let mut invoice = Invoice::new(format!("INV-{next_invoice}"), amount(a));
                invoice.created_at = (t & 1 != 0).then_some(i64::from(t >> 4) * 10);
                invoice.expires_at = (t & 2 != 0).then_some(i64::from(t >> 4) * 10 + 50);
                invoice.reference = (t & 4 != 0).then(|| format!("REF{}", a % 3));
                invoice.service_code = CODES[usize::from(t >> 3 & 1)].map(str::to_string);
                matcher.add(invoice.clone()).unwrap();
                open.insert(invoice.id.clone(), invoice);
            }
            2 => {
                let Some(i) = bytes.byte() else { return };
                let id = format!("INV-{}", u32::from(i) % (next_invoice + 1));
                assert_eq!(matcher.remove(&id), open.remove(&id).is_some(), "remove {id}");
            }
            _ => {
                let Some(n) = bytes.byte() else { return };
                let mut descriptions = Vec::new();
                let mut raw = Vec::new();
                for _ in 0..n % 6 {
                    let (Some(id), Some(a), Some(t), Some(k)) = (bytes.byte(), bytes.byte(), bytes.byte(), bytes.byte()) else { return };
                    descriptions.push(format!("TRSF ref{} x", k % 4));
                    raw.push((u64::from(id % 24), amount(a), i64::from(t) * 2, k));
                }
                let credits: Vec<Credit> = raw
                    .iter()
                    .zip(&descriptions)
                    .map(|(&(id, amount, ts, k), d)| Credit {
                        id,
                        unix_timestamp: ts,
                        kind: KINDS[usize::from(k % 3)],
                        amount,
                        description: d,
                        service_code: CODES[usize::from(k >> 2) % 3],
                        account_number: None,
                    })
                    .collect();
                let open_before: HashSet<String> = open.keys().cloned().collect();
                let result = matcher.match_credits(&credits);
                // Every mutation accounted for once.
                let mut accounted: Vec<u64> = result.matched.iter().map(|m| m.mutation_id).collect();
                accounted.extend(result.ambiguous.iter().map(|a| a.mutation_id));
                accounted.extend(&result.unmatched);
                accounted.extend(result.ignored.iter().map(|i| i.mutation_id));
                let mut want: Vec<u64> = credits.iter().map(|c| c.id).collect();
                accounted.sort_unstable();
                want.sort_unstable();
                assert_eq!(accounted, want, "each mutation once");
                // Processing order is time, then id, then every other member (so that the outcome never
                // depends on the input order); of a repeated id the first so processed counts.
                let mut in_order: Vec<&Credit> = credits.iter().collect();
                in_order.sort_by_key(|c| (c.unix_timestamp, c.id, c.amount, c.kind, c.description, c.service_code, c.account_number));
                for m in &result.matched {
                    let credit = in_order.iter().find(|c| c.id == m.mutation_id).unwrap();
                    assert_eq!(credit.kind, "credit");
                    assert!(processed.insert(m.mutation_id), "mutation {} paid again", m.mutation_id);
                    let invoice = open.remove(&m.invoice_id).unwrap_or_else(|| panic!("{} was not open", m.invoice_id));
                    assert!(paid_invoices.insert(m.invoice_id.clone()));
                    assert_eq!(invoice.amount, credit.amount, "{invoice:?} {m:?} {credits:?}");
                    assert_eq!(m.amount, credit.amount);
                    assert!(invoice.created_at.is_none_or(|c| c <= credit.unix_timestamp));
                    assert!(invoice.expires_at.is_none_or(|e| credit.unix_timestamp <= e + grace));
                    assert!(invoice.service_code.as_deref().is_none_or(|s| Some(s) == credit.service_code));
                }
                for a in &result.ambiguous {
                    assert!(report, "ambiguity is reported only under report");
                    assert!(a.invoice_ids.len() >= 2);
                    assert!(a.invoice_ids.iter().all(|i| open_before.contains(i)), "ambiguity names only open invoices");
                    assert!(!result.matched.iter().any(|m| m.mutation_id == a.mutation_id), "an ambiguous credit pays nothing");
                }
                for c in &credits {
                    processed.insert(c.id);
                }
                assert_eq!(matcher.len(), open.len(), "resident invoices");
            }
        }
    }
});
