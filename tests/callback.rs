//! Native tests of the callback check: the seeds' sample, every error code with its path and status,
//! hostile amounts, and properties over generated reports and bytes.

use cekmutasi::amount::Amount;
use cekmutasi::body::BodyLimit;
use cekmutasi::callback::{
    check_report, check_request, content_names, normal_json, parse_report, row_names, signed_request, too_large,
    verify_signature, Checked, NormalJson, PaymentReport, PaymentReportContent, Rows, Tape, DEFAULT_MAX_BODY_BYTES,
};
use cekmutasi::error::ErrorCode;
use cekmutasi::mutation::{Mutation, ServiceFields};
use proptest::prelude::*;

const SEED: &str = include_str!("fixtures/seed_report.json");

/// Parses `s` with `rows`, and checks that the allocation-free check agrees with the full parse, error for
/// error, and that "normal form" means exactly: the input as plain JSON equals the normalised report.
fn parse_as(s: &str, rows: Rows) -> Result<PaymentReport, cekmutasi::error::Error> {
    let parsed = parse_report(s.as_bytes(), DEFAULT_MAX_BODY_BYTES, rows);
    let checked = check_report(s.as_bytes(), DEFAULT_MAX_BODY_BYTES, rows);
    match (&parsed, &checked) {
        (Ok(report), Ok(c)) => {
            assert_eq!((c.mutations, c.rejected), (report.content.data.len(), report.rejected.len()));
            if c.rejected > 0 {
                // A row left out: the text is not the report (and may hold what serde_json cannot read).
                assert!(!c.normal);
                return parsed;
            }
            let input: serde_json::Value = serde_json::from_str(s).unwrap();
            let output: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
            assert_eq!(c.normal, input == output, "normal flag wrong for {s}");
            // A body in normal form, ASCII without escapes, has a tape, whose slices are its content.
            if let NormalJson::AsIs { tape, mutations, .. } = normal_json(s.as_bytes(), DEFAULT_MAX_BODY_BYTES, rows)? {
                assert_eq!(tape.is_some(), s.is_ascii() && !s.contains('\\'), "tape or not for {s}");
                if let Some(tape) = tape {
                    assert_eq!(
                        (tape[0] as usize, &content_of(s, &tape)),
                        (mutations, &input["content"]),
                        "tape of {s}"
                    );
                    assert_eq!(mutations, report.content.data.len());
                }
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("check and parse disagree on {s}: {parsed:?} vs {checked:?}"),
    }
    parsed
}

/// A tape's integer event's value: its low 32 bits, then its high ones.
fn integer(event: &[u32]) -> i64 {
    i64::from(event[2] as i32) * (1 << 32) + i64::from(event[1])
}

/// The content a tape describes, made as the package's JS makes it: from slices of the text.
fn content_of(text: &str, tape: &[u32]) -> serde_json::Value {
    let mut content = serde_json::Map::new();
    for event in tape[1..].chunks(3) {
        let (kind, index) = (event[0] & !0xff, (event[0] & 0xff) as usize);
        let value = || &text[event[1] as usize..event[2] as usize];
        match kind {
            Tape::CONTENT => drop(content.insert(content_names()[index].into(), value().into())),
            Tape::DATA => drop(content.insert("data".into(), serde_json::Value::Array(vec![]))),
            Tape::ROW => content["data"].as_array_mut().unwrap().push(serde_json::json!({})),
            Tape::TEXT | Tape::NUMBER => {
                let value = if kind == Tape::NUMBER { serde_json::json!(integer(event)) } else { value().into() };
                let row = content["data"].as_array_mut().unwrap().last_mut().unwrap().as_object_mut().unwrap();
                row.insert(row_names()[index].into(), value);
            }
            _ => panic!("unknown event {event:?}"),
        }
    }
    serde_json::Value::Object(content)
}

/// Parses `s` strictly (the whole report refused at the first bad row: what the tests below assert), and
/// checks every case against the default too: the same report when every row is valid, the same envelope
/// errors, and a bad row left out with exactly the error strict parsing gives.
fn parse(s: &str) -> Result<PaymentReport, cekmutasi::error::Error> {
    let strict = parse_as(s, Rows::Strict);
    let each = parse_as(s, Rows::EachOnItsOwn);
    match (&strict, &each) {
        (Ok(a), Ok(b)) => assert_eq!((a, b.rejected.len()), (b, 0)),
        (Err(e), Ok(b)) => {
            assert!(e.path().unwrap().starts_with("content.data["), "{e}: an envelope error must sink the report");
            let first = &b.rejected[0];
            assert_eq!(
                (first.code.as_str(), Some(first.path.as_str()), first.message.as_str()),
                (e.code().as_str(), e.path(), e.to_string().as_str())
            );
            assert_eq!(e.status(), Some(422));
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (Ok(_), Err(e)) => panic!("only the default refused {s}: {e}"),
    }
    strict
}

/// Parses `body` expecting a failure; returns (code, path, status).
fn fail(s: &str) -> (&'static str, String, Option<u16>) {
    let e = parse(s).expect_err(s);
    (e.code().as_str(), e.path().unwrap_or("").to_string(), e.status())
}

/// The seed report with row 1's `amount` member replaced by `literal`.
fn with_amount(literal: &str) -> String {
    SEED.replacen("\"amount\": \"50000.00\"", &format!("\"amount\": {literal}"), 1)
}

#[test]
fn seed_sample_parses_exactly() {
    let r = parse(SEED).unwrap();
    let c = &r.content;
    assert_eq!(
        (c.service_name.as_str(), c.service_code.as_str(), c.account_number.as_str(), c.account_name.as_str()),
        ("Bank BRI", "bri", "1234567890", "Nama Pemilik Rekening")
    );
    assert_eq!(c.data.len(), 2);
    let m = &c.data[0];
    assert_eq!((m.id, m.unix_timestamp, m.kind.as_str()), (1, 123456789, "credit"));
    assert_eq!(m.amount.to_string(), "1400026.00");
    assert_eq!(m.balance.unwrap().to_string(), "1500000.00");
    assert_eq!(m.description, "Berita transfer");
    assert_eq!(c.data[1].kind, "debit");
    assert_eq!(c.data[1].amount.to_string(), "50000.00");
    assert_eq!(
        r.to_json(),
        r#"{"action":"payment_report","content":{"service_name":"Bank BRI","service_code":"bri","account_number":"1234567890","account_name":"Nama Pemilik Rekening","data":[{"id":1,"unix_timestamp":123456789,"type":"credit","amount":"1400026.00","description":"Berita transfer","balance":"1500000.00"},{"id":2,"unix_timestamp":987654321,"type":"debit","amount":"50000.00","description":"Berita transfer","balance":"1450000.00"}]}}"#
    );
}

#[test]
fn normal_form_is_detected() {
    let normal = |s: &str| check_report(s.as_bytes(), DEFAULT_MAX_BODY_BYTES, Rows::EachOnItsOwn).unwrap();
    assert_eq!(normal(SEED), Checked { mutations: 2, rejected: 0, normal: true });
    assert!(!normal(&with_amount("50000")).normal);
    assert!(!normal(&with_amount("\"050000.00\"")).normal);
    assert!(!normal(&with_amount("\"50000.0\"")).normal);
    assert!(!normal(&SEED.replacen("\"balance\": \"1500000.00\"", "\"balance\": null", 1)).normal);
    assert!(!normal(&SEED.replacen("\"balance\": \"1500000.00\"", "\"balance\": \"1500000.00\", \"x\": 1", 1)).normal);
    assert!(
        !normal(&SEED.replacen("\"action\": \"payment_report\",", "\"action\": \"payment_report\", \"x\": 1,", 1))
            .normal
    );
    assert!(!normal(&SEED.replacen("\"account_name\"", "\"x\": 1, \"account_name\"", 1)).normal);
    assert!(!normal(&SEED.replacen("\"unix_timestamp\": 123456789", "\"unix_timestamp\": -0", 1)).normal);
    // Escapes decode the same way everywhere: still normal.
    assert!(normal(&SEED.replacen("\"Berita transfer\"", "\"Berita\\u0020transfer\\n\"", 1)).normal);
    for body in
        [SEED.to_string(), with_amount("50000"), SEED.replacen("\"balance\": \"1500000.00\"", "\"balance\": null", 1)]
    {
        parse(&body).unwrap();
    }
}

#[test]
fn lone_surrogates_are_refused() {
    let body = SEED.replacen("\"Berita transfer\"", "\"\\ud800\"", 1);
    assert_eq!(fail(&body), ("invalid_payload", "content.data[0].description".to_string(), Some(422)));
}

#[test]
fn amounts_as_numbers_are_read_from_their_text() {
    let r = parse(&with_amount("50000")).unwrap();
    assert_eq!(r.content.data[1].amount.to_string(), "50000.00");
    let r = parse(&with_amount("50000.5")).unwrap();
    assert_eq!(r.content.data[1].amount.to_string(), "50000.50");
    // 2^53 + 1 is not a float; it survives exactly.
    let r = parse(&with_amount("9007199254740993.01")).unwrap();
    assert_eq!(r.content.data[1].amount.to_string(), "9007199254740993.01");
}

#[test]
fn hostile_amounts_name_the_field() {
    for lit in [
        "\"1.400.026,00\"",
        "\"1e3\"",
        "1e3",
        "1.5E2",
        "\"50000.001\"",
        "50000.001",
        "\"\"",
        "\" 50000.00\"",
        "\"+50000.00\"",
        "-50000.00",
        "\"-1.00\"",
        "null",
        "true",
        "[]",
        "{}",
        "\"NaN\"",
        "\"Rp 50.000\"",
    ] {
        assert_eq!(
            fail(&with_amount(lit)),
            ("invalid_payload", "content.data[1].amount".to_string(), Some(422)),
            "{lit}"
        );
    }
    let e = parse(&with_amount(&"9".repeat(400))).unwrap_err();
    assert_eq!(e.to_string(), "content.data[1].amount: amount is out of range");
    let e = parse(&with_amount("\"50000.001\"")).unwrap_err();
    assert_eq!(e.to_string(), "content.data[1].amount: amount has more than two decimals");
}

#[test]
fn signed_amounts_only_outside_credit_and_debit() {
    let paypal = SEED.replacen("\"type\": \"debit\"", "\"type\": \"payment\"", 1);
    let paypal = paypal.replacen("\"amount\": \"50000.00\"", "\"amount\": \"-12.50\"", 1);
    assert_eq!(parse(&paypal).unwrap().content.data[1].amount.to_string(), "-12.50");
}

#[test]
fn one_bad_row_never_sinks_the_others() {
    // Row 0 is good; row 1 has a bad amount, row 2 no id, row 3 is not an object; row 4 is good.
    let good = r#"{"id":5,"unix_timestamp":123456789,"type":"credit","amount":"150003.00","description":"INV-7"}"#;
    let text = SEED.replacen(
        "\"data\": [",
        &format!(
            "\"data\": [{good}, {}, {}, 7, {},",
            r#"{"id":6,"unix_timestamp":1,"type":"credit","amount":"1.400.026,00","description":""}"#,
            r#"{"unix_timestamp":1,"type":"credit","amount":"10.00","description":""}"#,
            good.replace("\"id\":5", "\"id\":8")
        ),
        1,
    );
    let r = parse_as(&text, Rows::EachOnItsOwn).unwrap();
    let kept: Vec<u64> = r.content.data.iter().map(|m| m.id).collect();
    assert_eq!(kept, [5, 8, 1, 2]);
    let left: Vec<(usize, &str, &str, &str)> =
        r.rejected.iter().map(|x| (x.index, x.code.as_str(), x.path.as_str(), x.raw.as_str())).collect();
    assert_eq!(
        left,
        [
            (
                1,
                "invalid_payload",
                "content.data[1].amount",
                r#"{"id":6,"unix_timestamp":1,"type":"credit","amount":"1.400.026,00","description":""}"#
            ),
            (
                2,
                "invalid_payload",
                "content.data[2].id",
                r#"{"unix_timestamp":1,"type":"credit","amount":"10.00","description":""}"#
            ),
            (3, "invalid_payload", "content.data[3]", "7"),
        ]
    );
    assert_eq!(r.rejected[2].message, "content.data[3]: must be a mutation object");
    // The normal form says what was left out, and reads back to the same rows.
    let json = r.to_json();
    assert!(json.contains(r#""rejected":[{"index":1,"code":"invalid_payload","path":"content.data[1].amount","#));
    assert_eq!(parse_as(&json, Rows::Strict).unwrap().content, r.content);
    // Strict: the first bad row refuses the whole report.
    let e = parse_as(&text, Rows::Strict).unwrap_err();
    assert_eq!(
        (e.code().as_str(), e.path(), e.status()),
        ("invalid_payload", Some("content.data[1].amount"), Some(422))
    );
    // What is not JSON, anywhere, still refuses it whole: nothing in it can be trusted.
    let broken = text.replacen("\"1.400.026,00\"", "1.400.026,00", 1);
    assert_eq!(parse_as(&broken, Rows::EachOnItsOwn).unwrap_err().code().as_str(), "invalid_json");
}

#[test]
fn a_row_without_description_reads_as_empty() {
    // PayPal rows come without one (API.md); `null` is absent, as for every optional member.
    for text in [
        SEED.replacen("\"description\": \"Berita transfer\",", "", 1),
        SEED.replacen("\"description\": \"Berita transfer\"", "\"description\": null", 1),
    ] {
        let r = parse(&text).unwrap();
        assert_eq!(r.content.data[0].description, "");
        assert!(r.to_json().contains(r#""description":"""#));
    }
}

#[test]
fn every_member_error_has_its_path() {
    let cases: Vec<(String, &str, &str)> = vec![
        (SEED.replacen("\"id\": 2,", "", 1), "invalid_payload", "content.data[1].id"),
        (SEED.replacen("\"id\": 2", "\"id\": \"2\"", 1), "invalid_payload", "content.data[1].id"),
        (SEED.replacen("\"id\": 2", "\"id\": -2", 1), "invalid_payload", "content.data[1].id"),
        (SEED.replacen("\"id\": 2", "\"id\": 2.5", 1), "invalid_payload", "content.data[1].id"),
        (SEED.replacen("\"id\": 2", "\"id\": 9007199254740992", 1), "invalid_payload", "content.data[1].id"),
        (SEED.replacen("\"id\": 2", "\"id\": 2e3", 1), "invalid_payload", "content.data[1].id"),
        (
            SEED.replacen("\"unix_timestamp\": 987654321", "\"unix_timestamp\": \"x\"", 1),
            "invalid_payload",
            "content.data[1].unix_timestamp",
        ),
        (SEED.replacen("\"type\": \"debit\",", "", 1), "invalid_payload", "content.data[1].type"),
        (SEED.replacen("\"type\": \"debit\"", "\"type\": 7", 1), "invalid_payload", "content.data[1].type"),
        (SEED.replacen("\"amount\": \"1400026.00\",", "", 1), "invalid_payload", "content.data[0].amount"),
        (
            SEED.replacen("\"description\": \"Berita transfer\"", "\"description\": 5", 1),
            "invalid_payload",
            "content.data[0].description",
        ),
        (
            SEED.replacen("\"balance\": \"1450000.00\"", "\"balance\": \"1,450,000\"", 1),
            "invalid_payload",
            "content.data[1].balance",
        ),
        (SEED.replacen("\"service_code\": \"bri\",", "", 1), "invalid_payload", "content.service_code"),
        (
            SEED.replacen("\"account_name\": \"Nama Pemilik Rekening\"", "\"account_name\": null", 1),
            "invalid_payload",
            "content.account_name",
        ),
        (SEED.replacen("\"data\": [", "\"data\": 5, \"x\": [", 1), "invalid_payload", "content.data"),
        (SEED.replacen("{ \"id\": 2", "7, { \"id\": 2", 1), "invalid_payload", "content.data[1]"),
        (r#"{"action":"payment_report"}"#.to_string(), "invalid_payload", "content"),
        (r#"{"action":"payment_report","content":[]}"#.to_string(), "invalid_payload", "content"),
        (r#"{"content":{}}"#.to_string(), "invalid_payload", "action"),
        (r#"{"action":5,"content":{}}"#.to_string(), "invalid_payload", "action"),
        (r#"[1,2]"#.to_string(), "invalid_payload", ""),
        (r#""payment_report""#.to_string(), "invalid_payload", ""),
        (r#"{"action":"balance_report","content":{}}"#.to_string(), "unsupported_action", "action"),
        // Content before action: the action still decides first.
        (r#"{"content":{"x":1},"action":"refund"}"#.to_string(), "unsupported_action", "action"),
        (
            SEED.replacen("\"description\": \"Berita transfer\"", "\"description\": \"a\", \"amount\": \"1.00\"", 1),
            "invalid_payload",
            "content.data[0].amount",
        ),
        (
            SEED.replacen(
                "\"action\": \"payment_report\",",
                "\"action\": \"payment_report\", \"action\": \"payment_report\",",
                1,
            ),
            "invalid_payload",
            "action",
        ),
    ];
    for (body, code, path) in cases {
        let (c, p, status) = fail(&body);
        assert_eq!((c, p.as_str()), (code, path), "{body}");
        assert_eq!(status, Some(422));
    }
    // Where serde itself meets the wrong kind of value, the message says what belongs there.
    assert_eq!(parse("[1,2]").unwrap_err().to_string(), "must be a payment report object");
    let e = parse(&SEED.replacen("\"data\": [", "\"data\": 5, \"x\": [", 1)).unwrap_err();
    assert_eq!(e.to_string(), "content.data: must be an array of mutations");
    let e = parse(&SEED.replacen("{ \"id\": 2", "7, { \"id\": 2", 1)).unwrap_err();
    assert_eq!(e.to_string(), "content.data[1]: must be a mutation object");
    let e = parse(r#"{"content":[],"action":"payment_report"}"#).unwrap_err();
    assert_eq!(e.to_string(), "content: must be a payment report content object");
    assert_eq!(parse("{\n\"a\":").unwrap_err().to_string(), "body is not valid JSON (line 2, column 4)");
    // Content that comes before the action is checked all the same, with its full path.
    let late = r#"{"content":{"service_name":"a","service_code":"b","account_number":"c","account_name":"d","data":[{"id":1,"unix_timestamp":1,"type":"credit","amount":"1.001","description":""}]},"action":"payment_report"}"#;
    assert_eq!(fail(late).1, "content.data[0].amount");
    let late_ok = late.replace("1.001", "1.00");
    assert_eq!(parse(&late_ok).unwrap().content.data[0].amount.to_string(), "1.00");
}

#[test]
fn unknown_members_are_ignored_and_nulls_mean_absent() {
    let body = SEED
        .replacen(
            "\"action\": \"payment_report\",",
            "\"action\": \"payment_report\", \"extra\": {\"deep\": [1,2,{}]},",
            1,
        )
        .replacen("\"balance\": \"1500000.00\"", "\"balance\": null, \"bank_ref\": 77, \"partner_phone\": \"0812\"", 1);
    let r = parse(&body).unwrap();
    assert_eq!(r.content.data[0].balance, None);
    assert_eq!(r.content.data[0].extra.as_ref().unwrap().partner_phone.as_deref(), Some("0812"));
}

#[test]
fn not_json_is_invalid_json_with_400() {
    for body in ["", "{", "not json", "{\"action\":\"payment_report\"} trailing", "{\"action\":5,", "{'a':1}"] {
        let (code, path, status) = fail(body);
        assert_eq!((code, path.as_str(), status), ("invalid_json", "", Some(400)), "{body:?}");
    }
    let bad_utf8 = [b'{', b'"', 0xff, b'"', b':', b'1', b'}'];
    let e = parse_report(&bad_utf8, DEFAULT_MAX_BODY_BYTES, Rows::EachOnItsOwn).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidJson);
    // A type error early in a document that is broken later is still "not JSON".
    assert_eq!(fail(r#"{"action":5,"content":"#).0, "invalid_json");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for depth in [130, 10_000, 400_000] {
        let open = "[".repeat(depth);
        let close = "]".repeat(depth);
        // Valid JSON, but not a report.
        assert_eq!(fail(&format!("{open}{close}")).0, "invalid_payload", "{depth}");
        // Deep junk inside a report is refused, not skipped.
        let inside = SEED.replacen(
            "\"action\": \"payment_report\",",
            &format!("\"action\": \"payment_report\", \"junk\": {open}{close},"),
            1,
        );
        let e = parse(&inside).unwrap_err();
        assert_eq!(
            (e.code().as_str(), e.message()),
            ("invalid_json", "JSON is nested too deeply (127 levels at most)"),
            "{depth}"
        );
        let in_row = SEED.replacen("\"balance\": \"1500000.00\"", &format!("\"junk\": {open}{close}"), 1);
        assert_eq!(parse(&in_row).unwrap_err().code().as_str(), "invalid_json", "{depth}");
        // Unclosed: not JSON at all.
        assert_eq!(fail(&open).0, "invalid_json", "{depth}");
    }
    // 100 levels of junk are fine.
    let ok = SEED.replacen(
        "\"action\": \"payment_report\",",
        &format!("\"action\": \"payment_report\", \"junk\": {}{},", "[".repeat(100), "]".repeat(100)),
        1,
    );
    assert!(parse(&ok).is_ok());
}

#[test]
fn body_limit() {
    let e = parse_report(SEED.as_bytes(), 10, Rows::EachOnItsOwn).unwrap_err();
    assert_eq!((e.code().as_str(), e.status()), ("body_too_large", Some(413)));
    assert!(parse_report(SEED.as_bytes(), SEED.len(), Rows::EachOnItsOwn).is_ok());

    let mut limit = BodyLimit::new(10, too_large);
    limit.push(b"12345").unwrap();
    limit.push(b"67890").unwrap();
    let e = limit.push(b"x").unwrap_err();
    assert_eq!(e.code(), ErrorCode::BodyTooLarge);
    let mut limit = BodyLimit::new(4, too_large);
    limit.push(b"ab").unwrap();
    // The room for a chunk is given only when the chunk fits: a chunk past the limit is never copied.
    limit.room(2).unwrap().copy_from_slice(b"cd");
    assert_eq!(limit.room(1).unwrap_err().to_string(), "the body is larger than 4 bytes");
    assert_eq!(limit.into_bytes(), b"");
    let mut limit = BodyLimit::new(4, too_large);
    limit.push(b"ab").unwrap();
    assert_eq!(limit.into_bytes(), b"ab");
}

#[test]
fn signature_checks() {
    assert_eq!(verify_signature("s3cret", Some("s3cret")), Ok(true));
    assert_eq!(verify_signature("s3cret", Some("s3cre")), Ok(false));
    assert_eq!(verify_signature("s3cret", Some("s3cret ")), Ok(false));
    assert_eq!(verify_signature("s3cret", Some("S3cret")), Ok(false));
    assert_eq!(verify_signature("s3cret", Some("")), Ok(false));
    assert_eq!(verify_signature("s3cret", None), Ok(false));
    assert_eq!(verify_signature("", Some("")).unwrap_err().code(), ErrorCode::Config);
    assert_eq!(verify_signature("", None).unwrap_err().code(), ErrorCode::Config);
    // A receiver's own mistake still answers a status, and never 200.
    assert_eq!(verify_signature("", None).unwrap_err().status(), Some(500));
    assert_eq!(check_request("POST", None, "").unwrap_err().status(), Some(500));
    let bad_option = cekmutasi::callback::read_options(Some(r#"{"maxBodyBytes":-1}"#), false).unwrap_err();
    assert_eq!((bad_option.path(), bad_option.status()), (Some("options.maxBodyBytes"), Some(500)));
    let unknown = cekmutasi::callback::read_options(Some(r#"{"nope":1}"#), false).unwrap_err();
    assert_eq!((unknown.path(), unknown.status()), (Some("options.nope"), Some(500)));

    assert_eq!(check_request("POST", Some("k"), "k"), Ok(()));
    let code_status = |m: &str, s: Option<&str>, k: &str| {
        let e = check_request(m, s, k).unwrap_err();
        assert!(!e.to_string().contains("k3y"), "{e}");
        (e.code().as_str(), e.status())
    };
    assert_eq!(code_status("GET", Some("k3y"), "k3y"), ("method_not_allowed", Some(405)));
    assert_eq!(code_status("POST", None, "k3y"), ("missing_signature", Some(401)));
    assert_eq!(code_status("POST", Some("k3y-"), "k3y"), ("invalid_signature", Some(401)));
    assert_eq!(code_status("POST", Some(""), "k3y"), ("invalid_signature", Some(401)));
    assert_eq!(code_status("POST", Some(""), ""), ("config", Some(500)));
}

#[test]
fn signed_request_round_trips() {
    let report = parse(SEED).unwrap();
    let (headers, body) = signed_request(&report, "sig").unwrap();
    assert_eq!(headers[1], ("Api-Signature", "sig".to_string()));
    assert_eq!(parse(&body).unwrap(), report);
    assert_eq!(signed_request(&report, "").unwrap_err().code(), ErrorCode::Config);
}

fn arb_amount(signed: bool) -> impl Strategy<Value = Amount> {
    (any::<u64>(), any::<bool>()).prop_map(move |(cents, neg)| {
        let text = format!("{}{}.{:02}", if signed && neg { "-" } else { "" }, cents / 100, cents % 100);
        Amount::parse_text(&text, signed).unwrap()
    })
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-zA-Z0-9 \\\\\"/\\n\\t]{0,20}".prop_map(|s| s)]
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    (
        (0u64..(1 << 53), -(1i64 << 53) + 1..(1i64 << 53), prop_oneof![Just("credit"), Just("debit"), Just("payment")]),
        arb_text(),
        proptest::option::of(arb_amount(true)),
        proptest::option::of(arb_text()),
        proptest::option::of(arb_text()),
        arb_amount(false),
    )
        .prop_map(|((id, ts, kind), description, balance, service_code, partner_phone, amount)| Mutation {
            id,
            unix_timestamp: ts,
            kind: kind.to_string(),
            amount,
            description,
            balance,
            service_code,
            account_number: None,
            extra: (partner_phone.is_some() || balance.is_some())
                .then(|| Box::new(ServiceFields { partner_phone, fee: balance, ..Default::default() })),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn serialise_then_parse_is_identity(
        names in (arb_text(), arb_text(), arb_text(), arb_text()),
        data in proptest::collection::vec(arb_mutation(), 0..8),
    ) {
        let report = PaymentReport { content: PaymentReportContent {
            service_name: names.0, service_code: names.1, account_number: names.2, account_name: names.3, data,
        }, rejected: Vec::new() };
        let back = parse(&report.to_json()).unwrap();
        prop_assert_eq!(back, report);
    }

    #[test]
    fn any_bytes_return(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let a = parse_report(&bytes, DEFAULT_MAX_BODY_BYTES, Rows::EachOnItsOwn).err();
        let b = check_report(&bytes, DEFAULT_MAX_BODY_BYTES, Rows::EachOnItsOwn).err();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn mangled_reports_return(cut in 0usize..600, byte in any::<u8>()) {
        let mut b = SEED.as_bytes().to_vec();
        let i = cut % b.len();
        b[i] = byte;
        if let Ok(text) = std::str::from_utf8(&b) {
            let _ = parse(text);
        }
        let _ = parse_report(&b[..i], DEFAULT_MAX_BODY_BYTES, Rows::EachOnItsOwn);
        let _ = check_report(&b[..i], DEFAULT_MAX_BODY_BYTES, Rows::EachOnItsOwn);
    }
}

#[test]
fn a_tape_says_where_each_value_is_in_the_order_of_the_text() {
    // Content before action, data first, members in no usual order, a signed timestamp, a fee.
    let body = r#"{"content":{"data":[{"amount":"5.00","id":7,"type":"credit","unix_timestamp":-3,"description":"a b","fee":"1.00"}],"account_name":"N","service_code":"bri","service_name":"S","account_number":"1"},"action":"payment_report"}"#;
    let Ok(NormalJson::AsIs { tape: Some(tape), mutations: 1, .. }) =
        normal_json(body.as_bytes(), DEFAULT_MAX_BODY_BYTES, Rows::Strict)
    else {
        panic!("a tape for {body}")
    };
    let events: Vec<(u32, &str, String)> = tape[1..]
        .chunks(3)
        .map(|e| {
            let (kind, index) = (e[0] & !0xff, (e[0] & 0xff) as usize);
            let name = match kind {
                Tape::CONTENT => content_names()[index],
                Tape::TEXT | Tape::NUMBER => row_names()[index],
                _ => "",
            };
            let value =
                if kind == Tape::NUMBER { integer(e).to_string() } else { body[e[1] as usize..e[2] as usize].into() };
            (kind, name, value)
        })
        .collect();
    assert_eq!(
        events,
        [
            (Tape::DATA, "", ""),
            (Tape::ROW, "", ""),
            (Tape::TEXT, "amount", "5.00"),
            (Tape::NUMBER, "id", "7"),
            (Tape::TEXT, "type", "credit"),
            (Tape::NUMBER, "unix_timestamp", "-3"),
            (Tape::TEXT, "description", "a b"),
            (Tape::TEXT, "fee", "1.00"),
            (Tape::CONTENT, "account_name", "N"),
            (Tape::CONTENT, "service_code", "bri"),
            (Tape::CONTENT, "service_name", "S"),
            (Tape::CONTENT, "account_number", "1"),
        ]
        .map(|(kind, name, value)| (kind, name, value.to_string()))
    );
    // No tape where a slice is not the value (an escape, a byte beyond ASCII, whose JS offsets differ), nor
    // where the text is not the report (rewritten).
    for (from, to) in [("a b", "a é"), ("a b", r"a \\ b"), ("a b", r"\u0061 b"), ("\"N\"", r#""\"N""#)] {
        let odd = body.replace(from, to);
        match normal_json(odd.as_bytes(), DEFAULT_MAX_BODY_BYTES, Rows::Strict) {
            Ok(NormalJson::AsIs { tape: None, mutations: 1, .. }) => {}
            other => panic!("{odd}: {other:?}"),
        }
    }
    for (from, to) in [(r#""5.00""#, "5"), (r#""fee""#, r#""other""#), (r#""1.00""#, "null")] {
        let odd = body.replace(from, to);
        assert!(
            matches!(normal_json(odd.as_bytes(), DEFAULT_MAX_BODY_BYTES, Rows::Strict), Ok(NormalJson::Rewritten(_))),
            "{odd}"
        );
    }
}
