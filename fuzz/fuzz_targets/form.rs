//! The form encoder against a second, obviously-correct encoder of PHP's `http_build_query`, on documents
//! built from the fuzzer's bytes (nested objects and lists, strings with any characters, integers,
//! decimals, booleans, null). Also: any text at all never panics the encoder.
#![no_main]
use cekmutasi::form::encode_form;
use libfuzzer_sys::fuzz_target;

enum Doc {
    Object(Vec<(String, Doc)>),
    List(Vec<Doc>),
    Str(String),
    Int(i64),
    /// A decimal with at most 14 significant digits, written as PHP's %.14G writes it.
    Dec(String),
    Bool(bool),
    Null,
}

/// Reads a document from bytes (a tiny, total decoder: every byte string is some document).
struct Bytes<'a>(&'a [u8]);
impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    fn text(&mut self) -> String {
        let n = usize::from(self.byte() % 12);
        (0..n)
            .map(|_| match self.byte() {
                b @ 0..=127 => char::from(b),
                b @ 128..=191 => ['é', '漢', '😀', '\u{7f}', '\u{a0}', '[', ']', '&', '=', '+', '%', '~'][usize::from(b % 12)],
                b => char::from(b'a' + b % 26),
            })
            .collect()
    }
    fn doc(&mut self, depth: u32) -> Doc {
        match self.byte() % if depth >= 4 { 5 } else { 7 } {
            0 => Doc::Str(self.text()),
            1 => Doc::Int(i64::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte(), self.byte(), 0, 0, 0]) - (1 << 39)),
            2 => {
                let int = u64::from(self.byte()) * 1000 + u64::from(self.byte());
                let frac = self.byte() % 100;
                Doc::Dec(if frac % 10 == 0 { format!("{int}.{}", frac / 10) } else { format!("{int}.{frac:02}") })
            }
            3 => Doc::Bool(self.byte() % 2 == 0),
            4 => Doc::Null,
            5 => {
                let n = self.byte() % 4;
                let mut members: Vec<(String, Doc)> = Vec::new();
                for _ in 0..n {
                    let key = self.text();
                    let value = self.doc(depth + 1);
                    if !members.iter().any(|(k, _)| *k == key) {
                        members.push((key, value));
                    }
                }
                Doc::Object(members)
            }
            _ => Doc::List((0..self.byte() % 4).map(|_| self.doc(depth + 1)).collect()),
        }
    }
}

fn json(d: &Doc) -> String {
    match d {
        Doc::Object(m) => format!("{{{}}}", m.iter().map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), json(v))).collect::<Vec<_>>().join(",")),
        Doc::List(l) => format!("[{}]", l.iter().map(json).collect::<Vec<_>>().join(",")),
        Doc::Str(s) => serde_json::to_string(s).unwrap(),
        Doc::Int(i) => i.to_string(),
        Doc::Dec(s) => s.clone(),
        Doc::Bool(b) => b.to_string(),
        Doc::Null => "null".into(),
    }
}

/// PHP's urlencode, byte by byte, as its manual states it.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// http_build_query: a pair per scalar leaf, keys bracketed below the top, null and empty containers absent.
/// `key` is None at the top (where a member's name is its key as it is, even an empty one).
fn reference(d: &Doc, key: Option<&str>, pairs: &mut Vec<String>) {
    let child = |name: &str| match key {
        None => urlencode(name),
        Some(key) => format!("{key}%5B{}%5D", urlencode(name)),
    };
    let key = key.unwrap_or("");
    match d {
        Doc::Object(m) => m.iter().for_each(|(k, v)| reference(v, Some(&child(k)), pairs)),
        Doc::List(l) => l.iter().enumerate().for_each(|(i, v)| reference(v, Some(&child(&i.to_string())), pairs)),
        Doc::Str(s) => pairs.push(format!("{key}={}", urlencode(s))),
        Doc::Int(i) => pairs.push(format!("{key}={}", urlencode(&i.to_string()))),
        // %.14G of a decimal of at most 14 significant digits is the decimal without trailing zeros.
        Doc::Dec(s) => pairs.push(format!("{key}={}", s.trim_end_matches('0').trim_end_matches('.'))),
        Doc::Bool(b) => pairs.push(format!("{key}={}", if *b { 1 } else { 0 })),
        Doc::Null => {}
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = encode_form(text);
    }
    let mut bytes = Bytes(data);
    let doc = Doc::Object(match bytes.doc(0) {
        Doc::Object(m) => m,
        other => vec![("k".into(), other)],
    });
    let mut pairs = Vec::new();
    reference(&doc, None, &mut pairs);
    let text = json(&doc);
    assert_eq!(encode_form(&text).unwrap(), pairs.join("&"), "{text}");
});
