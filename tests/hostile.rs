//! The hostile-input corpus (tests/hostile/corpus.json) through the Rust core: every case of the calls the
//! core answers alone (callback bodies, request building, responses, form encoding, signatures) must give
//! exactly its documented code, path and status, without a panic, and no message may contain a secret.
//! tests/js/hostile.test.mjs runs the whole corpus through the package as users call it.

use cekmutasi::callback::{parse_report, verify_signature, Rows, DEFAULT_MAX_BODY_BYTES};
use cekmutasi::endpoints::{build_request, parse_response, Options};
use cekmutasi::error::Error;
use cekmutasi::form::encode_form;
use serde_json::{json, Value};

const SEED: &str = include_str!("fixtures/seed_report.json");
const API_KEY: &str = "ak-SECRET-9f2c";
const SIGNATURE: &str = "sig-SECRET-71d0";

/// The corpus's placeholders, as tests/js/hostile.test.mjs expands them.
fn expand(text: &str, case: &Value) -> String {
    let mut out = text.replace("DIGITS400", &"1234567890".repeat(40)).replace("NOTE151", &"n".repeat(151));
    if let Some(nest) = case["nest"].as_array() {
        let times = nest[1].as_u64().unwrap() as usize;
        let deep = nest[0].as_str().unwrap().repeat(times)
            + nest[2].as_str().unwrap()
            + &nest[3].as_str().unwrap().repeat(times);
        out = out.replacen("NEST", &deep, 1);
    }
    out
}

fn body(case: &Value) -> Vec<u8> {
    let b = &case["body"];
    if let Some(hex) = b["hex"].as_str() {
        return (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    }
    let text = if let Some(t) = b["text"].as_str() {
        t.to_string()
    } else if let Some(parts) = b["parts"].as_array() {
        parts.iter().map(|p| p[0].as_str().unwrap().repeat(p[1].as_u64().unwrap() as usize)).collect()
    } else {
        let mut t = SEED.to_string();
        for pair in b["seed"].as_array().unwrap() {
            let from = pair[0].as_str().unwrap();
            assert!(t.contains(from), "{}: the seed has no {from}", case["name"]);
            t = t.replacen(from, &expand(pair[1].as_str().unwrap(), case), 1);
        }
        t + b["append"].as_str().unwrap_or("")
    };
    expand(&text, case).into_bytes()
}

fn deep(levels: usize) -> Value {
    if levels == 0 {
        json!("x")
    } else {
        json!({ "a": deep(levels - 1) })
    }
}

fn params(value: &Value, case: &Value) -> String {
    if value == "NESTED200" {
        return deep(200).to_string();
    }
    if value == "NESTED_ARRAYS_100000" {
        return "[".repeat(100_000) + &"]".repeat(100_000);
    }
    expand(&value.to_string(), case)
}

fn outcome<T>(result: Result<T, Error>, ok: impl FnOnce(T) -> Value) -> Value {
    match result {
        Ok(v) => ok(v),
        Err(e) => {
            for secret in [API_KEY, SIGNATURE] {
                assert!(!e.message().contains(secret), "a message shows a secret: {}", e.message());
            }
            let mut out = json!({ "code": e.code().as_str() });
            if let Some(p) = e.path() {
                out["path"] = json!(p);
            }
            if let Some(s) = e.status() {
                out["status"] = json!(s);
            }
            out
        }
    }
}

/// A case about one row of a callback: its code and path are what [`Rows::Strict`] refuses the report with;
/// by default the same row is left out, listed in `rejected` with that code and path.
fn about_one_row(case: &Value) -> bool {
    case["call"] == "parseCallback" && case["path"].as_str().is_some_and(|p| p.starts_with("content.data["))
}

/// What the core makes of a case, in the corpus's terms; None for calls only the package answers.
fn run(case: &Value, rows: Rows) -> Option<Value> {
    let max = case["options"]["maxBodyBytes"].as_u64().map_or(DEFAULT_MAX_BODY_BYTES, |m| m as usize);
    Some(match case["call"].as_str().unwrap() {
        "parseCallback" => outcome(parse_report(&body(case), max, rows), |r| match about_one_row(case) {
            true => {
                json!({ "leftOut": r.rejected.iter().take(1).map(|x| json!({"code": x.code, "path": x.path})).collect::<Vec<_>>() })
            }
            false => json!({ "ok": r.content.data.len() }),
        }),
        "verifySignature" => {
            outcome(verify_signature(SIGNATURE, case["received"].as_str()), |v| json!({ "verified": v }))
        }
        "buildRequest" => {
            let options = Options {
                api_key: case["apiKey"].as_str().unwrap_or(API_KEY),
                base_url: case["baseUrl"].as_str(),
                user_agent: None,
            };
            let params = params(&case["params"], case);
            outcome(build_request(case["endpoint"].as_str().unwrap(), &params, &options), |r| json!({ "body": r.body }))
        }
        "encodeForm" => outcome(encode_form(&params(&case["value"], case)), |b| json!({ "body": b })),
        "parseResponse" => {
            let text = expand(case["text"].as_str().unwrap(), case);
            let status = case["status"].as_u64().unwrap() as u16;
            outcome(parse_response(case["endpoint"].as_str().unwrap(), status, &text), |payload| {
                if case.get("payload").is_some() {
                    json!({ "payload": payload })
                } else {
                    json!({})
                }
            })
        }
        _ => return None,
    })
}

#[test]
fn hostile_corpus() {
    let corpus: Value = serde_json::from_str(include_str!("hostile/corpus.json")).unwrap();
    let (mut checked, mut wrong, mut rows) = (0, Vec::new(), 0);
    for case in corpus["cases"].as_array().unwrap() {
        if about_one_row(case) {
            let got = run(case, Rows::EachOnItsOwn).unwrap();
            let want = json!({ "leftOut": [{ "code": case["code"], "path": case["path"] }] });
            if got != want {
                wrong.push(format!("{} (by default): want {want}, got {got}", case["name"]));
            }
            rows += 1;
        }
        let strict = if about_one_row(case) { Rows::Strict } else { Rows::EachOnItsOwn };
        let Some(got) = run(case, strict) else { continue };
        let want = if case.get("code").is_some() {
            let mut w = json!({ "code": case["code"] });
            for k in ["path", "status"] {
                if let Some(v) = case.get(k) {
                    w[k] = v.clone();
                }
            }
            w
        } else if let Some(n) = case.get("ok") {
            json!({ "ok": n })
        } else if let Some(v) = case.get("verified") {
            json!({ "verified": v })
        } else if let Some(v) = case.get("payload") {
            json!({ "payload": v })
        } else {
            json!({ "body": case["body"].as_str().expect("a case names its outcome") })
        };
        if got != want {
            wrong.push(format!("{}: want {want}, got {got}", case["name"]));
        }
        checked += 1;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked >= 90, "only {checked} cases are the core's");
    println!("hostile corpus through the core: {checked} cases; {rows} about one row, also left out by default");
}
