//! The JSON reader on any text, against serde_json: the same texts are JSON, the same can be walked into a
//! tree (nesting limit, Unicode strings and names), and every string decodes to the same text.
#![no_main]
use cekmutasi::json_probe::{is_json, string, walks};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    assert_eq!(is_json(text), serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(), "{text:?}");
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(_) => assert!(walks(text), "{text:?}"),
        // serde_json builds numbers as floats and refuses those past f64's range; the reader reads none.
        Err(e) if e.to_string().starts_with("number out of range") => {}
        Err(_) => assert!(!walks(text), "{text:?}"),
    }
    // The text as one string's inside.
    let quoted = format!("\"{text}\"");
    assert_eq!(string(&quoted), serde_json::from_str::<String>(&quoted).ok(), "{quoted:?}");
});
