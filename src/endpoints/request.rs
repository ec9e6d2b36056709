//! Requests: validated parameters, the form body as PHP's `http_build_query` writes it, and the headers.

use super::check::check_members;
use super::table::{endpoint, Endpoint, Verb, DEFAULT_BASE_URL};
use crate::error::{Error, ErrorCode, Result};
use crate::form::encode_form;
use crate::json::{is_json, read_document_as, Seg};
use serde::Serialize;

/// How to reach the service.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// The account's API key.
    pub api_key: &'a str,
    /// Default [`DEFAULT_BASE_URL`].
    pub base_url: Option<&'a str>,
    /// The application's own product token(s), appended to the SDK's `User-Agent` (`myshop/2.1`).
    pub user_agent: Option<&'a str>,
}

/// The SDK's own `User-Agent`: what the service's logs see, as its PHP library names itself.
pub const USER_AGENT: &str = concat!("cekmutasi-js/", env!("CARGO_PKG_VERSION"));

/// The key never reaches a log through `{:?}`.
impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// An HTTP request, ready for any HTTP client.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct HttpRequest {
    /// `GET` or `POST`.
    #[cfg_attr(feature = "js", tsify(type = "\"GET\" | \"POST\""))]
    pub method: &'static str,
    /// The base URL and the endpoint's path (and, for GET, the query string).
    pub url: String,
    /// `Api-Key`, `Accept`, `User-Agent` and, for POST, `Content-Type`.
    #[cfg_attr(feature = "js", tsify(type = "Record<string, string>"))]
    #[serde(serialize_with = "headers_as_object")]
    pub headers: Vec<(&'static str, String)>,
    /// The form body, for POST.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "js", tsify(optional))]
    pub body: Option<String>,
}

/// Never the key, nor a body (a transfer's token) through `{:?}`: the header names, the body's length.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> =
            self.headers.iter().map(|(k, v)| (*k, if *k == "Api-Key" { "[redacted]" } else { v.as_str() })).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body.as_ref().map(|b| format!("[{} bytes]", b.len())))
            .finish()
    }
}

fn headers_as_object<S: serde::Serializer>(
    headers: &[(&'static str, String)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(headers.len()))?;
    for (k, v) in headers {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// Checks the API key and base URL: `config` when the key is empty or could break a header, or the base
/// URL is not http(s).
pub fn check_options(options: &Options<'_>) -> Result<String> {
    if options.api_key.is_empty() {
        return Err(Error::new(ErrorCode::Config, "the API key is empty"));
    }
    // Unicode controls (C0, DEL, C1) and the line and paragraph separators: none belongs in a key, and each
    // could split or end a header line somewhere on its way. Never echo the key: a message must not carry it.
    if options.api_key.chars().any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}') {
        return Err(Error::new(
            ErrorCode::Config,
            "the API key contains control characters or line separators (CR, LF, U+2028, …)",
        ));
    }
    // A product token: printable ASCII on one line, so it cannot split or end the header.
    if options
        .user_agent
        .is_some_and(|ua| ua.is_empty() || ua.len() > 256 || !ua.bytes().all(|b| (0x20..0x7f).contains(&b)))
    {
        return Err(Error::new(ErrorCode::Config, "must be 1 to 256 printable ASCII characters (myshop/2.1)")
            .at("options.userAgent"));
    }
    let base = options.base_url.unwrap_or(DEFAULT_BASE_URL).trim_end_matches('/');
    let host = base.strip_prefix("https://").or_else(|| base.strip_prefix("http://")).unwrap_or("");
    if host.is_empty() || base.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(Error::new(ErrorCode::Config, "the base URL must be an http(s) URL").at("baseUrl"));
    }
    Ok(base.to_string())
}

/// Validates `params` (JSON text; `None` for none) for an endpoint and returns them as they are sent (JSON
/// object text: absent members left out, dates in the service's time zone); the error names the parameter
/// (`search.date.from`, `amount`) with code `invalid_params`.
pub fn check_params(e: &Endpoint, params: Option<&str>) -> Result<String> {
    let root = match e.params_root() {
        "" => Seg::Root,
        name => Seg::Key(name),
    };
    let p = params.unwrap_or("{}");
    if !p.trim_start().starts_with('{') || !is_json(p) {
        let m = Error::new(ErrorCode::InvalidParams, "the parameters must be an object");
        return Err(if e.search { m.at(e.params_root()) } else { m });
    }
    let mut sent = String::with_capacity(p.len());
    read_document_as(p, ErrorCode::InvalidParams, root, |ctx, r| {
        check_members(ctx, r, e.params, false, &mut Some(&mut sent))
    })?;
    Ok(sent)
}

/// Builds the HTTP request for an endpoint: validated parameters, the form body (or query string for GET)
/// exactly as PHP's `http_build_query` writes it, `Api-Key`, `Accept` and `User-Agent` headers. Pure: no I/O.
pub fn build_request(path: &str, params: &str, options: &Options<'_>) -> Result<HttpRequest> {
    let e = endpoint(path)?;
    let base = check_options(options)?;
    let params = check_params(e, Some(params).filter(|p| !matches!(p.trim(), "" | "null")))?;
    let form = match params.as_str() {
        "{}" => String::new(),
        p if e.search => encode_form(&format!("{{\"search\":{p}}}"))?,
        p => encode_form(p)?,
    };
    let user_agent = match options.user_agent {
        Some(app) => format!("{USER_AGENT} {app}"),
        None => USER_AGENT.to_string(),
    };
    let mut headers = vec![
        ("Api-Key", options.api_key.to_string()),
        ("Accept", "application/json".to_string()),
        ("User-Agent", user_agent),
    ];
    let mut url = format!("{base}/{}", e.path);
    let body = match e.verb {
        Verb::Get => {
            if !form.is_empty() {
                url.push('?');
                url.push_str(&form);
            }
            None
        }
        Verb::Post => {
            headers.push(("Content-Type", "application/x-www-form-urlencoded".to_string()));
            Some(form)
        }
    };
    Ok(HttpRequest { method: e.verb.as_str(), url, headers, body })
}
