//! The service's own pages (tests/fixtures/pages: its API documentation, two versions, as published; the
//! same as ../shared/seeds) taken as a user would copy them: every PHP request sample's parameters, as real
//! PHP evaluates them, go through `build_request`; every success sample parses with `parse_response`; the
//! callback sample parses with `parse_report`. The pages annotate a few samples with `// …` comments, which
//! the service does not send: those are cut.

use cekmutasi::callback::{parse_report, Rows, DEFAULT_MAX_BODY_BYTES};
use cekmutasi::endpoints::{build_request, endpoint, parse_response, Options};
use std::process::Command;

const BASE: &str = "https://api.cekmutasi.co.id/v1/";

/// One sample of a page: the endpoint, the PHP code before the request, the success answer shown after it.
struct Sample {
    page: &'static str,
    path: String,
    php: String,
    success: String,
}

fn pages() -> Vec<(&'static str, String)> {
    ["v1", "current"]
        .into_iter()
        .map(|p| {
            (
                p,
                std::fs::read_to_string(format!("{}/tests/fixtures/pages/{p}.txt", env!("CARGO_MANIFEST_DIR")))
                    .unwrap(),
            )
        })
        .collect()
}

fn samples() -> Vec<Sample> {
    let mut out = Vec::new();
    for (page, text) in pages() {
        for block in text.split("<?php").skip(1) {
            let Some(at) = block.find("CURLOPT_URL") else { continue }; // the callback receiver's sample
            let url = &block[at..];
            let url = &url[url.find(BASE).unwrap() + BASE.len()..];
            let path = url[..url.find(['?', '"', '\'']).unwrap()].to_string();
            let php = block[..block.find("$ch = curl_init();").unwrap()].to_string();
            let after = &block[block.find("contoh respon SUKSES").unwrap()..];
            let answer = &after[after.find('{').unwrap()..after.find("Berikut adalah contoh respon GAGAL").unwrap()];
            out.push(Sample { page, path, php, success: without_comments(answer.trim()) });
        }
    }
    out
}

/// The text without `// …` comments (a `//` after whitespace, outside a string: URLs keep theirs).
fn without_comments(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(|line| {
            let cut = line.match_indices("//").map(|(i, _)| i).find(|&i| {
                i > 0 && line.as_bytes()[i - 1].is_ascii_whitespace() && line[..i].matches('"').count() % 2 == 0
            });
            cut.map_or(line, |i| line[..i].trim_end())
        })
        .collect();
    lines.join("\n")
}

/// The sample's parameters as PHP evaluates them, as JSON (`$data`, or the list's `$filters`).
fn php_params(sample: &Sample) -> String {
    let mut code: String = sample
        .php
        .lines()
        .filter(|l| !l.contains("http_build_query") && !l.contains("$apiKey"))
        .collect::<Vec<_>>()
        .join("\n");
    // A known slip of the v1 page (SPEC.md §4): its PayPal sample misses a comma, which PHP refuses.
    code = code.replace("\"10.50\"\n", "\"10.50\",\n");
    code.push_str("\necho json_encode(isset($data) ? $data : (isset($filters) ? $filters : new stdClass));");
    let out = Command::new("php").args(["-r", &code]).output().expect("php must be installed (make test installs it)");
    assert!(out.status.success(), "{} {}: php: {}", sample.page, sample.path, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_request_sample_of_the_pages_is_built_as_written() {
    let opts = Options { api_key: "k", base_url: None, user_agent: None };
    let mut built = Vec::new();
    for sample in samples() {
        let params = php_params(&sample);
        let e = endpoint(&sample.path).unwrap();
        // The searches' samples nest the filters under `search`; the builder takes the filters.
        let params = match e.search {
            true => serde_json::from_str::<serde_json::Value>(&params).unwrap()["search"].to_string(),
            false => params,
        };
        let request = build_request(&sample.path, &params, &opts)
            .unwrap_or_else(|err| panic!("{} {}: {params} refused: {err}", sample.page, sample.path));
        assert!(request.url.starts_with(&format!("{BASE}{}", sample.path)));
        built.push(format!("{}:{}", sample.page, sample.path));
    }
    println!("{} request samples built: {}", built.len(), built.join(" "));
    assert_eq!(built.len(), 18);
}

#[test]
fn every_success_sample_of_the_pages_parses() {
    let mut parsed = 0;
    for sample in samples() {
        parse_response(&sample.path, 200, &sample.success)
            .unwrap_or_else(|err| panic!("{} {}: refused: {err}\n{}", sample.page, sample.path, sample.success));
        parsed += 1;
    }
    // And the callback's sample, on each page.
    for (page, text) in pages() {
        let start = text.find("\n{").unwrap() + 1;
        // Up to the brace that closes it (the sample has no braces inside its strings).
        let mut depth = 0;
        let end = start
            + text[start..]
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    c == '}' && depth == 0
                })
                .unwrap()
                .0
            + 1;
        let report = parse_report(&text.as_bytes()[start..end], DEFAULT_MAX_BODY_BYTES, Rows::Strict)
            .unwrap_or_else(|err| panic!("{page}: the callback sample refused: {err}"));
        assert_eq!(report.content.data.len(), 2);
        parsed += 1;
    }
    println!("{parsed} success samples parsed");
    assert_eq!(parsed, 20);
}
