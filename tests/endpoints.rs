//! The endpoint table: validation of every endpoint's parameters (code and path asserted), every request
//! body compared with real PHP, headers and URLs, and responses (envelope, errors, the seeds' quirks).

mod common;

use cekmutasi::endpoints::{build_request, parse_response, Endpoint, Member, Options, Shape, ENDPOINTS};
use cekmutasi::error::ErrorCode;

const OPTS: Options = Options { api_key: "k3y-s3cret", base_url: None, user_agent: None };

/// A valid value for a shape.
fn good(shape: &Shape) -> String {
    match shape {
        Shape::Str => "\"0812 3456\"".into(),
        Shape::Code(codes) => format!("\"{}\"", codes[codes.len() - 1]),
        Shape::ServiceCode(_) => "\"bsi\"".into(),
        Shape::Id => "42".into(),
        Shape::Amount { .. } => "\"50000.00\"".into(),
        Shape::Rupiah { min } => (min.max(&1) * 2).to_string(),
        Shape::Date => "\"2018-04-09 00:00:00\"".into(),
        Shape::DateRange => r#"{"from":"2018-04-09 00:00:00","to":"2018-04-10 23:59:59"}"#.into(),
        Shape::Currency => "\"USD\"".into(),
        Shape::Text { .. } => "\"Bayar INV-7 ~ terima kasih\"".into(),
        Shape::StrMap => r#"{"name":"Budi & Ani","amount":"Rp 50.000"}"#.into(),
        other => panic!("no parameter has shape {other:?}"),
    }
}

/// Values a shape refuses, each with the path suffix of the error (after the member's own path).
fn bad(shape: &Shape) -> Vec<(String, &'static str)> {
    let v = |s: &str| (s.to_string(), "");
    match shape {
        Shape::Str => vec![v("5"), v("true"), v("[]"), v("{}")],
        Shape::Code(_) => vec![v("\"nope\""), v("\"\""), v("1")],
        Shape::ServiceCode(_) => vec![v("\"\""), v("\"bank bri\""), v("\"bri-syariah\""), v("1")],
        Shape::Id => vec![
            v("0"),
            v("-1"),
            v("1.5"),
            v("\"4 2\""),
            v("\"-1\""),
            v("\"\""),
            v("\"0\""),
            v("9007199254740992"),
            v("\"9007199254740992\""),
            v("1e3"),
        ],
        Shape::Amount { .. } => {
            vec![v("\"1.001\""), v("\"1.400.026,00\""), v("\"1e3\""), v("\"\""), v("\"-5.00\""), v("true")]
        }
        Shape::Rupiah { min } => {
            let mut c = vec![v("1.5"), v("\"1.5\""), v("\"\""), v("\"1e4\""), v("-1"), v("0")];
            if *min > 1 {
                c.push(((min - 1).to_string(), ""));
            }
            c
        }
        Shape::Date => vec![v("\"2023-02-29 00:00:00\""), v("\"2018-04-09\""), v("\"2018-04-09T00:00:00\""), v("5")],
        Shape::DateRange => vec![
            (r#"{"from":"2018-04-10 00:00:00","to":"2018-04-09 00:00:00"}"#.into(), ".from"),
            (r#"{"from":"2018-02-30 00:00:00"}"#.into(), ".from"),
            (r#"{"to":"yesterday"}"#.into(), ".to"),
            (r#"{"since":"2018-04-09 00:00:00"}"#.into(), ".since"),
            v("\"2018-04-09 00:00:00\""),
        ],
        Shape::Currency => vec![v("\"US\""), v("\"U5D\""), v("\"USDT\""), v("840")],
        Shape::Text { max } => vec![(format!("\"{}\"", "é".repeat(max + 1)), ""), v("7")],
        Shape::StrMap => vec![(r#"{"name":1}"#.into(), ".name"), v("[]"), v("\"x\"")],
        other => panic!("no parameter has shape {other:?}"),
    }
}

fn object(members: &[(String, String)]) -> String {
    let body: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    format!("{{{}}}", body.join(","))
}

fn all_params(e: &Endpoint, only_required: bool) -> Vec<(String, String)> {
    e.params
        .iter()
        .filter(|m: &&Member| m.required || !only_required)
        .map(|m| (m.name.to_string(), good(&m.shape)))
        .collect()
}

fn param_path(e: &Endpoint, name: &str) -> String {
    if e.search {
        format!("search.{name}")
    } else {
        name.to_string()
    }
}

#[test]
fn every_endpoint_validates_each_parameter() {
    let mut total = 0;
    let mut per_endpoint = Vec::new();
    for e in ENDPOINTS {
        let mut cases = 0;
        let check = |params: &str, path: &str| {
            let err = build_request(e.path, params, &OPTS).expect_err(&format!("{} accepted {params}", e.path));
            assert_eq!((err.code(), err.path()), (ErrorCode::InvalidParams, Some(path)), "{} {params}", e.path);
            assert!(!err.to_string().contains("k3y-s3cret"));
        };
        // Valid: the required members only, and every member.
        build_request(e.path, &object(&all_params(e, true)), &OPTS).unwrap();
        build_request(e.path, &object(&all_params(e, false)), &OPTS).unwrap();
        // Each required member missing.
        for m in e.params.iter().filter(|m| m.required) {
            let without: Vec<_> = all_params(e, true).into_iter().filter(|(k, _)| k != m.name).collect();
            check(&object(&without), &param_path(e, m.name));
            cases += 1;
        }
        // Each member with each refused value.
        for m in e.params {
            for (value, suffix) in bad(&m.shape) {
                let params: Vec<_> = all_params(e, false)
                    .into_iter()
                    .map(|(k, v)| if k == m.name { (k, value.clone()) } else { (k, v) })
                    .collect();
                check(&object(&params), &format!("{}{suffix}", param_path(e, m.name)));
                cases += 1;
            }
        }
        // An unknown parameter (a typo) is refused, not sent or dropped.
        let mut typo = all_params(e, true);
        typo.push(("acount_number".into(), "\"1\"".into()));
        check(&object(&typo), &param_path(e, "acount_number"));
        cases += 1;
        per_endpoint.push(format!("{} {cases}", e.path));
        total += cases;
    }
    println!("validation cases: {total} in all; per endpoint: {}", per_endpoint.join(", "));
    assert!(total > 200, "{total}");
}

#[test]
fn every_request_body_is_byte_identical_to_php() {
    let mut docs = Vec::new();
    let mut ours = Vec::new();
    for e in ENDPOINTS {
        let params = object(&all_params(e, false));
        let req = build_request(e.path, &params, &OPTS).unwrap();
        let encoded = match e.verb {
            cekmutasi::endpoints::Verb::Post => req.body.clone().unwrap(),
            cekmutasi::endpoints::Verb::Get => req.url.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default(),
        };
        ours.push(encoded);
        docs.push(if e.search { format!("{{\"search\":{params}}}") } else { params });
    }
    let php = common::php_encode(&docs);
    for ((e, got), want) in ENDPOINTS.iter().zip(&ours).zip(&php) {
        assert_eq!(got, want, "{}", e.path);
    }
    println!(
        "PHP comparison: {} endpoints compared, {} identical",
        ENDPOINTS.len(),
        ours.iter().zip(&php).filter(|(a, b)| a == b).count()
    );
}

#[test]
fn methods_urls_and_headers() {
    let req = build_request("bank/list", r#"{"service_code":"bca","account_number":"123 456"}"#, &OPTS).unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.url, "https://api.cekmutasi.co.id/v1/bank/list?service_code=bca&account_number=123+456");
    assert_eq!(req.body, None);
    assert_eq!(
        req.headers,
        vec![
            ("Api-Key", "k3y-s3cret".to_string()),
            ("Accept", "application/json".to_string()),
            ("User-Agent", format!("cekmutasi-js/{}", env!("CARGO_PKG_VERSION"))),
        ]
    );

    // The application's own token follows the SDK's.
    let req = build_request(
        "myip",
        "{}",
        &Options { api_key: "k", base_url: Some("http://127.0.0.1:8080/v1/"), user_agent: Some("toko-budi/2.1") },
    )
    .unwrap();
    assert_eq!(
        (req.method, req.url.as_str(), req.body.as_deref()),
        ("POST", "http://127.0.0.1:8080/v1/myip", Some(""))
    );
    assert_eq!(req.headers[2], ("User-Agent", "cekmutasi-js/0.1.0 toko-budi/2.1".to_string()));
    assert_eq!(req.headers[3], ("Content-Type", "application/x-www-form-urlencoded".to_string()));
    for bad in ["", "toko\r\nX-Evil: 1", "tokó/1", &"x".repeat(257)] {
        let options = Options { api_key: "k", base_url: None, user_agent: Some(bad) };
        let err = build_request("myip", "{}", &options).unwrap_err();
        assert_eq!((err.code(), err.path()), (ErrorCode::Config, Some("options.userAgent")), "{bad:?}");
    }

    let req = build_request(
        "ovo/transfer/send",
        r#"{"uuid":"u-1","token":"t&k","amount":150000,"note":"Gaji\r\nX-Evil: 1"}"#,
        &OPTS,
    )
    .unwrap();
    assert_eq!(req.body.as_deref(), Some("uuid=u-1&token=t%26k&amount=150000&note=Gaji%0D%0AX-Evil%3A+1"));
    assert_eq!(build_request("bank/list", "null", &OPTS).unwrap().url, "https://api.cekmutasi.co.id/v1/bank/list");

    let config = |path: &str, key: &str, base: Option<&str>| {
        build_request(path, "{}", &Options { api_key: key, base_url: base, user_agent: None }).unwrap_err()
    };
    for e in [
        config("bank/nope", "k", None),
        config("/myip", "k", None),
        config("myip", "", None),
        config("myip", "k3y\r\nX-Evil: 1", None),
        config("myip", "k", Some("ftp://example.com")),
        config("myip", "k", Some("https://")),
        config("myip", "k", Some("https://a b")),
    ] {
        assert_eq!(e.code(), ErrorCode::Config, "{e}");
        assert!(!e.to_string().contains("k3y"), "{e}");
    }
    let e = build_request("bank/search", "[1]", &OPTS).unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::InvalidParams, Some("search")));
}

#[test]
fn responses_are_typed_and_normalised() {
    let r = parse_response(
        "myip",
        200,
        r#"{"success":true,"error_message":"","response":{"ip":{"v4":"1.2.3.4","v6":null}}}"#,
    )
    .unwrap();
    assert_eq!(r, r#"{"ip":{"v4":"1.2.3.4"}}"#);
    // The seeds' account: balance as a number becomes a decimal string; extra members are kept.
    let r = parse_response(
        "bank/list",
        200,
        r#"{"success":true,"data":[{"id":1,"service_code":"bca","service_name":"Bank BCA","account_number":"123","account_name":"Toko","balance":1500000,"package":"basic","ipn_url":"https://x/ipn","status":"ACTIVE","last_check":"2018-04-09"}]}"#,
    )
    .unwrap();
    assert_eq!(
        r,
        r#"[{"id":1,"service_code":"bca","service_name":"Bank BCA","account_number":"123","account_name":"Toko","balance":"1500000.00","package":"basic","ipn_url":"https://x/ipn","status":"ACTIVE","last_check":"2018-04-09"}]"#
    );
    let r = parse_response(
        "bank/search",
        200,
        r#"{"success":true,"response":[{"id":9,"service_code":"bri","account_number":"1","unix_timestamp":1523206800,"type":"credit","amount":"1400026.00","description":"TRF","balance":"1500000"}]}"#,
    )
    .unwrap();
    assert!(r.contains(r#""amount":"1400026.00""#) && r.contains(r#""balance":"1500000.00""#), "{r}");
    let r = parse_response(
        "ovo/transfer/detail",
        200,
        r#"{"success":true,"data":{"uuid":"u","amount":150000,"refference_id":"R1","status":"success"}}"#,
    )
    .unwrap();
    assert_eq!(r, r#"{"uuid":"u","amount":150000,"refference_id":"R1","status":"success"}"#);
    assert_eq!(parse_response("bank/delete", 200, r#"{"success":true,"data":[]}"#).unwrap(), "null");
    assert_eq!(
        parse_response("balance", 200, r#"{"success":true,"data":{"balance":12.5,"x":[1]}}"#).unwrap(),
        r#"{"balance":12.5,"x":[1]}"#
    );
    // §5 endpoints: the payload is in `data` or `response`, whichever is present.
    assert_eq!(parse_response("ovo/list", 200, r#"{"success":true,"response":[{"id":3}]}"#).unwrap(), r#"[{"id":3}]"#);
    assert_eq!(parse_response("ovo/list", 200, r#"{"success":true}"#).unwrap(), "null");

    let err = |path: &str, status: u16, body: &str| {
        let e = parse_response(path, status, body).unwrap_err();
        (e.code().as_str(), e.path().map(str::to_string), e.status(), e.message().to_string())
    };
    assert_eq!(
        err("myip", 200, r#"{"success":false,"error_message":"Invalid API Key","response":[]}"#),
        ("api_error", None, Some(200), "Invalid API Key".into())
    );
    assert_eq!(err("myip", 401, r#"{"success":false,"error_message":"Invalid API Key"}"#).2, Some(401));
    assert_eq!(err("myip", 502, "<html>Bad Gateway</html>").0, "http_error");
    assert_eq!(err("myip", 502, "<html>Bad Gateway</html>").2, Some(502));
    assert_eq!(err("myip", 200, "<html>hello</html>").0, "invalid_response");
    assert_eq!(err("myip", 200, r#"{"ok":true}"#).0, "invalid_response");
    assert_eq!(
        err(
            "bank/search",
            200,
            r#"{"success":true,"response":[{"id":1,"unix_timestamp":1,"type":"credit","amount":"1,00"}]}"#
        )
        .1,
        Some("response[0].amount".into())
    );
    assert_eq!(err("bank/add", 200, r#"{"success":true,"data":{"service_code":"bca"}}"#).1, Some("data.id".into()));
    assert_eq!(err("bank/list", 200, r#"{"success":true}"#).1, Some("data".into()));
    assert_eq!(err("bank/nope", 200, "{}").0, "config");
}

#[test]
fn a_server_reads_every_request_the_client_builds() {
    use cekmutasi::endpoints::read_incoming;
    for e in ENDPOINTS {
        let params = object(&all_params(e, false));
        let req = build_request(e.path, &params, &OPTS).unwrap();
        let (path_query, body) =
            (req.url.trim_start_matches("https://api.cekmutasi.co.id/v1/"), req.body.unwrap_or_default());
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let incoming = read_incoming(req.method, path, query, &body).unwrap_or_else(|err| panic!("{}: {err}", e.path));
        assert_eq!(incoming.endpoint.path, e.path);
        // What the server reads is what the client meant (numbers came back as numbers).
        let want: serde_json::Value = serde_json::from_str(&params).unwrap();
        let got: serde_json::Value = serde_json::from_str(&incoming.params).unwrap();
        assert_eq!(got, want, "{}", e.path);
    }
    let e = read_incoming("POST", "ovo/transfer/detail", "", "uuid=x").unwrap_err();
    assert_eq!((e.code(), e.status()), (ErrorCode::Config, Some(405)));
    assert!(read_incoming("POST", "bank/list", "", "service_code=bca").is_ok());
    let e = read_incoming("POST", "ovo/transfer-ovo/send", "", "source_number=1&phone=2&amount=9999").unwrap_err();
    assert_eq!((e.code(), e.path()), (ErrorCode::InvalidParams, Some("amount")));
    let e = read_incoming("POST", "bank/search", "", "search%5Bdate%5D%5Bfrom%5D=2018-02-30+00%3A00%3A00").unwrap_err();
    assert_eq!(e.path(), Some("search.date.from"));
    assert_eq!(read_incoming("POST", "nope", "", "").unwrap_err().code(), ErrorCode::Config);
}

#[test]
fn what_the_pages_and_the_php_library_send_is_accepted_and_sent_canonically() {
    let body = |path: &str, params: &str| build_request(path, params, &OPTS).unwrap().body.unwrap();
    // An integer as a string of digits (the OVO-to-OVO sample's `"amount" => "15000"`), sent as the integer.
    assert_eq!(
        body("ovo/transfer-ovo/send", r#"{"source_number":"0812","phone":"0813","amount":"15000"}"#),
        "source_number=0812&phone=0813&amount=15000"
    );
    assert_eq!(body("bank/update", r#"{"id":"007","status":"inactive"}"#), "id=7&status=INACTIVE");
    // A filter's service code is any code (Bank Syariah Indonesia's `bsi`), in any case, sent in lowercase;
    // enumerations in any case, sent in their canonical case.
    assert_eq!(
        body("bank/search", r#"{"service_code":"BSI","type":"Credit"}"#),
        "search%5Bservice_code%5D=bsi&search%5Btype%5D=credit"
    );
    assert_eq!(
        build_request("bank/list", r#"{"service_code":"Bank_Jago"}"#, &OPTS).unwrap().url,
        "https://api.cekmutasi.co.id/v1/bank/list?service_code=bank_jago"
    );
    // Adding an account keeps the pages' list for it (the service can only watch those), in any case.
    assert!(body(
        "bank/add",
        r#"{"service_code":"BCA","package_code":"Basic","username":"u","password":"p","account_number":"1","account_name":"n","status":"active"}"#
    )
    .starts_with("service_code=bca&package_code=basic&"));
    let err = build_request(
        "bank/add",
        r#"{"service_code":"bsi","package_code":"basic","username":"u","password":"p","account_number":"1","account_name":"n"}"#,
        &OPTS,
    )
    .unwrap_err();
    assert_eq!((err.code(), err.path()), (ErrorCode::InvalidParams, Some("service_code")));
    // What protects money stays strict: an amount with three decimals, a transfer amount in rupiah and cents.
    for (path, params, at) in [
        ("bank/search", r#"{"amount":"50000.001"}"#, "search.amount"),
        ("ovo/transfer/send", r#"{"uuid":"u","token":"t","amount":"50123.50"}"#, "amount"),
        ("ovo/transfer-ovo/send", r#"{"source_number":"1","phone":"2","amount":"9999"}"#, "amount"),
    ] {
        let err = build_request(path, params, &OPTS).unwrap_err();
        assert_eq!((err.code(), err.path()), (ErrorCode::InvalidParams, Some(at)), "{params}");
    }
}
