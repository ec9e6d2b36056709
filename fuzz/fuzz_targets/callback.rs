//! The callback parser on any bytes: never a panic; the allocation-free check and the full parse agree
//! (error for error); a parsed report's normal form parses again to the same report.
#![no_main]
use cekmutasi::callback::{check_report, parse_report, DEFAULT_MAX_BODY_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = parse_report(data, DEFAULT_MAX_BODY_BYTES);
    let checked = check_report(data, DEFAULT_MAX_BODY_BYTES);
    match (&parsed, &checked) {
        (Ok(report), Ok(c)) => {
            assert_eq!(c.mutations, report.content.data.len());
            let again = parse_report(report.to_json().as_bytes(), DEFAULT_MAX_BODY_BYTES).expect("normal form parses");
            assert_eq!(&again, report);
            for m in &report.content.data {
                assert!(m.id <= (1 << 53) - 1, "ids stay in the safe-integer range");
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("check and parse disagree: {parsed:?} vs {checked:?}"),
    }
});
