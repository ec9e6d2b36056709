//! The amount reader on any text, against an obviously-correct reference: the grammar
//! `-?[0-9]+(\.[0-9]{1,2})?` checked character by character, the value by rust_decimal's own parser.
#![no_main]
use cekmutasi::amount::Amount;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The reference: Some(decimal) when `text` is an amount, None when it is not.
fn reference(text: &str, allow_negative: bool) -> Option<Decimal> {
    let unsigned = match text.strip_prefix('-') {
        Some(rest) if allow_negative => rest,
        Some(_) => return None,
        None => text,
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, "00"));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(int) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    // Beyond 96 bits of cents a Decimal cannot hold it: the reader refuses it as out of range.
    let value = Decimal::from_str(unsigned).ok()?;
    let cents = value.checked_mul(Decimal::ONE_HUNDRED)?;
    let signed = if unsigned.len() < text.len() { -value } else { value };
    (cents.trunc() == cents).then_some(signed)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for allow_negative in [false, true] {
        let got = Amount::parse_text(text, allow_negative).ok();
        let want = reference(text, allow_negative);
        match (got, want) {
            (Some(a), Some(d)) => {
                assert_eq!(a.decimal(), d, "{text:?}");
                assert_eq!(a.decimal().scale(), 2);
                // Written out and read again: the same amount.
                assert_eq!(Amount::parse_text(&a.to_string(), true).ok(), Some(a));
            }
            (None, None) => {}
            // A 30-digit amount fits the reference's Decimal check differently only at the 96-bit edge.
            (got, want) => panic!("{text:?} (negative allowed: {allow_negative}): reader {got:?}, reference {want:?}"),
        }
        // As a JSON literal: a string or a number with the same text means the same, anything else is refused.
        let quoted = serde_json::to_string(text).unwrap();
        assert_eq!(Amount::from_json_literal(&quoted, allow_negative).ok(), got, "{quoted}");
        let _ = Amount::from_json_literal(text, allow_negative);
    }
});
