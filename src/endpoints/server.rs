//! The other side of the table: what a server of this API (the sandbox) receives. Built only into the
//! sandbox's own module (`--features sandbox`), and for tests.

use super::request::check_params;
use super::table::{endpoint, Endpoint, Member, Shape};
use crate::error::{Error, ErrorCode, Result};

/// Endpoints the service also answers with the other verb: the PHP package POSTs `bank/list`, which the
/// pages document as GET.
const BOTH_VERBS: &[&str] = &["bank/list"];

/// A request as a server of the API reads it: the endpoint and its parameters, validated by the same
/// table as the client's (JSON text, typed: ids and rupiah as numbers).
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The endpoint the request is for.
    pub endpoint: &'static Endpoint,
    /// Its parameters as JSON text, validated and typed.
    pub params: String,
}

/// Reads an incoming request (`path` without the leading slash; the form from the query string for GET,
/// the body for POST). `config` for an unknown endpoint or the wrong verb, `invalid_params` for bad
/// parameters (the same rules and paths as [`build_request`]).
pub fn read_incoming(method: &str, path: &str, query: &str, body: &str) -> Result<Incoming> {
    let e = endpoint(path)?;
    let verb_ok = method == e.verb.as_str() || (BOTH_VERBS.contains(&e.path) && (method == "GET" || method == "POST"));
    if !verb_ok {
        return Err(Error::new(ErrorCode::Config, format!("{} takes {}", e.path, e.verb.as_str())).with_status(405));
    }
    let form = decode_form(if method == "GET" { query } else { body });
    let params = if e.search { form.get("search").cloned().unwrap_or(FormValue::Map(Vec::new())) } else { form };
    let typed = typed_form(&params, e.params);
    check_params(e, Some(&typed))?;
    Ok(Incoming { endpoint: e, params: typed })
}

/// A form's strings as the JSON the table checks: whole numbers where the member is a number.
fn typed_form(v: &FormValue, members: &[Member]) -> String {
    let FormValue::Map(items) = v else { return v.to_json() };
    let body: Vec<String> = items
        .iter()
        .map(|(k, value)| {
            let shape = members.iter().find(|m| m.name == k).map(|m| m.shape);
            let json = match (shape, value) {
                (Some(Shape::Id | Shape::Rupiah { .. }), FormValue::Str(s))
                    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.len() < 16 =>
                {
                    s.clone()
                }
                _ => value.to_json(),
            };
            format!("{}:{json}", FormValue::Str(k.clone()).to_json())
        })
        .collect();
    format!("{{{}}}", body.join(","))
}

// ---- form bodies as PHP reads them (`parse_str`) ----

/// Percent-decodes a form component as PHP's `urldecode` does (`+` is a space); invalid UTF-8 is replaced.
pub fn urldecode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A decoded form: nested members in order, as PHP's `parse_str` builds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormValue {
    /// A value.
    Str(String),
    /// Named members, in order.
    Map(Vec<(String, FormValue)>),
}

impl FormValue {
    fn insert(&mut self, keys: &[String], value: String) {
        let FormValue::Map(members) = self else { return };
        let Some((first, rest)) = keys.split_first() else { return };
        // `k[]` appends: the next index, as PHP numbers it.
        let key = if first.is_empty() { members.len().to_string() } else { first.clone() };
        let pos = match members.iter().position(|(k, _)| *k == key) {
            Some(p) => p,
            None => {
                members.push((key, FormValue::Map(Vec::new())));
                members.len() - 1
            }
        };
        if rest.is_empty() {
            members[pos].1 = FormValue::Str(value); // the last of repeated keys wins, as in PHP
        } else {
            if matches!(members[pos].1, FormValue::Str(_)) {
                members[pos].1 = FormValue::Map(Vec::new());
            }
            members[pos].1.insert(rest, value);
        }
    }

    /// The member `name` of a map.
    pub fn get(&self, name: &str) -> Option<&FormValue> {
        match self {
            FormValue::Map(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            FormValue::Str(_) => None,
        }
    }

    /// As JSON text: strings stay strings (a form has no other type).
    pub fn to_json(&self) -> String {
        match self {
            FormValue::Str(s) => serde_json::to_string(s).unwrap_or_else(|_| unreachable!("a string serialises")),
            FormValue::Map(m) => {
                let body: Vec<String> =
                    m.iter().map(|(k, v)| format!("{}:{}", FormValue::Str(k.clone()).to_json(), v.to_json())).collect();
                format!("{{{}}}", body.join(","))
            }
        }
    }
}

/// Decodes a form body or query string the way PHP's `parse_str` does: `a[b][c]=1` nests, `a[]=x` appends.
pub fn decode_form(text: &str) -> FormValue {
    let mut root = FormValue::Map(Vec::new());
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = urldecode(k);
        let (name, mut rest) = match key.find('[') {
            Some(i) if i > 0 => (key[..i].to_string(), &key[i..]),
            _ => (key.clone(), ""),
        };
        let mut keys = vec![name];
        while let Some(inner) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
            keys.push(inner.0.to_string());
            rest = inner.1;
        }
        root.insert(&keys, urldecode(v));
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::encode_form;

    #[test]
    fn decodes_what_it_encodes() {
        let json = r#"{"search":{"date":{"from":"2018-04-09 00:00:00","to":"x+y%z"},"amount":"50000.00"},"tokens":{"name":"Budi & Ani"},"l":["a","b"],"e":"","u":"é😀"}"#;
        let form = encode_form(json).unwrap();
        assert_eq!(
            decode_form(&form).to_json(),
            r#"{"search":{"date":{"from":"2018-04-09 00:00:00","to":"x+y%z"},"amount":"50000.00"},"tokens":{"name":"Budi & Ani"},"l":{"0":"a","1":"b"},"e":"","u":"é😀"}"#
        );
        assert_eq!(decode_form("a[]=1&a[]=2&b=%zz&c").to_json(), r#"{"a":{"0":"1","1":"2"},"b":"%zz","c":""}"#);
        assert_eq!(decode_form("").to_json(), "{}");
    }
}
