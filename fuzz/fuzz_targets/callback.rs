//! The callback parser on any bytes, both ways of taking rows: never a panic; the allocation-free check
//! and the full parse agree (error for error, rows kept and left out); a parsed report's normal form parses
//! again to the same content.
#![no_main]
use cekmutasi::callback::{check_report, parse_report, Rows, DEFAULT_MAX_BODY_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for rows in [Rows::EachOnItsOwn, Rows::Strict] {
        let parsed = parse_report(data, DEFAULT_MAX_BODY_BYTES, rows);
        let checked = check_report(data, DEFAULT_MAX_BODY_BYTES, rows);
        match (&parsed, &checked) {
            (Ok(report), Ok(c)) => {
                assert_eq!((c.mutations, c.rejected), (report.content.data.len(), report.rejected.len()));
                let again = parse_report(report.to_json().as_bytes(), DEFAULT_MAX_BODY_BYTES, Rows::Strict)
                    .expect("normal form parses");
                assert_eq!(again.content, report.content);
                for m in &report.content.data {
                    assert!(m.id <= (1 << 53) - 1, "ids stay in the safe-integer range");
                }
            }
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("check and parse disagree: {parsed:?} vs {checked:?}"),
        }
    }
});
