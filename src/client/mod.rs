//! The client, free of any I/O: which failures may be retried and after how long, how a search is split
//! under the service's 1000-row cap, how a callback's mutation is confirmed by a search, and [`Task`], the
//! state machine of each client call. The package's driver only performs what a task asks (a fetch with
//! its timeout, a timer) and reports back; every decision is made here, and tested natively.

use crate::body::BodyLimit;
use crate::date::{date_seconds, date_text, SERVICE_UTC_OFFSET};
use crate::endpoints::{self, Effect, Endpoint, HttpRequest};

mod options;
use crate::error::{Error, ErrorCode, Result};
use crate::json::{each_element, each_member, first_member, read_string};
use crate::mutation::Mutation;
pub use options::{read_client_options, ClientOption, ClientOptions, DEFAULT_MAX_REQUESTS, DEFAULT_MAX_RESPONSE_BYTES};

/// What one attempt ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP answer with this status, and its `Retry-After` in seconds, if any.
    Status {
        /// The HTTP status.
        status: u16,
        /// `Retry-After`, in seconds.
        retry_after: Option<u64>,
    },
    /// No answer: the connection failed.
    NetworkError,
    /// No answer within the timeout.
    Timeout,
}

/// First backoff step; each retry doubles it.
pub const BACKOFF_MS: u64 = 250;
/// No wait is longer, whatever `Retry-After` asks.
pub const MAX_WAIT_MS: u64 = 30_000;

/// The wait before the next attempt, or `None` when the call must not be sent again.
///
/// Only read-only endpoints are retried, only after a network error, a timeout, 429 or a 5xx, and at most
/// `retries` times. `attempt` counts the attempts made (1 after the first); `jitter` is in `[0, 1)`.
/// A call that moves money or changes state is never retried: a timeout does not say it was not carried out.
///
/// ```
/// use cekmutasi::client::{retry_delay, Outcome};
/// use cekmutasi::endpoints::endpoint;
/// let search = endpoint("bank/search").unwrap();
/// let send = endpoint("ovo/transfer/send").unwrap();
/// assert_eq!(retry_delay(search, 1, 2, Outcome::Timeout, 0.0), Some(125));
/// assert_eq!(retry_delay(send, 1, 2, Outcome::Timeout, 0.0), None);
/// ```
pub fn retry_delay(e: &Endpoint, attempt: u32, retries: u32, outcome: Outcome, jitter: f64) -> Option<u64> {
    if e.effect != Effect::ReadOnly || attempt > retries {
        return None;
    }
    let retry_after = match outcome {
        Outcome::NetworkError | Outcome::Timeout => None,
        Outcome::Status { status, retry_after } if status == 429 || (500..600).contains(&status) => retry_after,
        Outcome::Status { .. } => return None,
    };
    let backoff = BACKOFF_MS << (attempt - 1).min(16);
    // "Equal jitter": half fixed, half random, so many clients do not retry in step.
    let wait = backoff / 2 + (backoff as f64 / 2.0 * jitter.clamp(0.0, 1.0)) as u64;
    Some(retry_after.map_or(wait, |s| s.saturating_mul(1000).max(wait)).min(MAX_WAIT_MS))
}

/// `Retry-After` in seconds (the delta form; an HTTP date is not trusted against a local clock).
pub fn parse_retry_after(value: &str) -> Option<u64> {
    let v = value.trim();
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse().ok()).flatten()
}

/// The service caps a search at this many rows.
pub const SEARCH_CAP: usize = 1000;

/// Halves a date range `[from, to]` (inclusive, whole seconds): `None` when it is one second and cannot
/// be split.
pub fn split_range(from: &str, to: &str) -> Option<((String, String), (String, String))> {
    let (a, b) = (date_seconds(from)?, date_seconds(to)?);
    if b <= a {
        return None;
    }
    let mid = a + (b - a) / 2;
    Some(((date_text(a), date_text(mid)), (date_text(mid + 1), date_text(b))))
}

/// The error when one second alone holds the cap: the service cannot list them all.
pub fn cap_error(from: &str) -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        format!("the service returned its cap of {SEARCH_CAP} rows for the single second {from}: some may be missing"),
    )
    .at("search.date")
}

/// How far around a mutation's time `confirmMutation` searches: a day each way, so a clock or time-zone
/// slip cannot hide a real mutation.
pub const CONFIRM_WINDOW: i64 = 86_400;

/// The search endpoint and filters that re-check a mutation of `service_code` (`bri`, `ovo`, `paypal`, …)
/// on `account_number`: same account and amount, a window around its time.
pub fn confirm_search(m: &Mutation, service_code: &str, account_number: &str) -> (&'static str, String) {
    let local = m.unix_timestamp + SERVICE_UTC_OFFSET;
    let date = format!(
        "{{\"from\":\"{}\",\"to\":\"{}\"}}",
        date_text(local - CONFIRM_WINDOW),
        date_text(local + CONFIRM_WINDOW)
    );
    let amount = format!("\"{}\"", m.amount);
    let account = serde_json::to_string(account_number).unwrap_or_else(|_| unreachable!("a string serialises"));
    let code = serde_json::to_string(service_code).unwrap_or_else(|_| unreachable!("a string serialises"));
    match service_code {
        "paypal" => ("paypal/search", format!("{{\"date\":{date},\"amount\":{amount},\"username\":{account}}}")),
        "ovo" | "gopay" => {
            let path = if service_code == "ovo" { "ovo/search" } else { "gopay/search" };
            (path, format!("{{\"date\":{date},\"amount\":{amount},\"account_number\":{account}}}"))
        }
        _ => (
            "bank/search",
            format!("{{\"date\":{date},\"amount\":{amount},\"service_code\":{code},\"account_number\":{account}}}"),
        ),
    }
}

/// The filters (JSON object text) with `date` set to `[from, to]`, other members kept in order.
pub fn with_date(filters: &str, from: &str, to: &str) -> Result<String> {
    let mut out = format!("{{\"date\":{{\"from\":\"{from}\",\"to\":\"{to}\"}}");
    let object = each_member(filters, |k, v| {
        if k != "date" {
            out.push(',');
            out.push_str(&serde_json::to_string(k).unwrap_or_else(|_| unreachable!("a string serialises")));
            out.push(':');
            out.push_str(v.get());
        }
    });
    if !object {
        return Err(Error::new(ErrorCode::InvalidParams, "the filters must be an object").at("search"));
    }
    out.push('}');
    Ok(out)
}

/// The date range of `searchAll`'s filters: both ends are needed, to know what to split.
pub fn date_range(filters: &str) -> Result<(String, String)> {
    let need = || Error::new(ErrorCode::InvalidParams, "searchAll needs date.from and date.to").at("search.date");
    let date = first_member(filters, "date").ok_or_else(need)?;
    let get = |name: &str| first_member(date.get(), name).and_then(|v| read_string(v).ok()).map(|s| s.into_owned());
    Ok((get("from").ok_or_else(need)?, get("to").ok_or_else(need)?))
}

/// How many rows a search page (a JSON array in normal form) holds.
pub fn row_count(page: &str) -> usize {
    let mut rows = 0;
    if each_element(page, |_| rows += 1) {
        rows
    } else {
        0
    }
}

/// Merges search pages: each row once (by `id`), in time order (then by id), as one JSON array.
pub fn merge_pages(pages: &[String]) -> Result<String> {
    let mut rows: Vec<(i64, u64, &str)> = Vec::new();
    let bad = || Error::new(ErrorCode::InvalidResponse, "a search row has no id or time");
    for page in pages {
        let mut ok = true;
        let list = each_element(page, |row| {
            let (mut id, mut ts) = (None, None);
            let object = each_member(row.get(), |k, v| match k {
                "id" if id.is_none() => id = Some(v.get().parse::<u64>().ok()),
                "unix_timestamp" if ts.is_none() => ts = Some(v.get().trim_matches('"').parse::<i64>().ok()),
                _ => {}
            });
            match id.flatten().filter(|_| object) {
                Some(id) => rows.push((ts.flatten().unwrap_or(0), id, row.get())),
                None => ok = false,
            }
        });
        if !list {
            return Err(Error::new(ErrorCode::InvalidResponse, "a search page is not a list"));
        }
        if !ok {
            return Err(bad());
        }
    }
    crate::sort::sort_by_key(&mut rows, |&(ts, id, _)| (ts, id));
    let mut seen = std::collections::HashSet::with_capacity(rows.len());
    let mut out = String::from("[");
    for (_, id, row) in rows {
        // Pages overlap only at their edges, but a row must never come twice, wherever it is.
        if seen.insert(id) {
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(row);
        }
    }
    out.push(']');
    Ok(out)
}

/// True when a search page holds a row with the mutation's id, type and amount.
pub fn page_confirms(page: &str, m: &Mutation) -> bool {
    let mut found = false;
    each_element(page, |row| {
        let field = |name: &str| first_member(row.get(), name);
        let id = field("id").and_then(|v| v.get().parse::<u64>().ok());
        let kind = field("type").and_then(|v| read_string(v).ok());
        let amount = field("amount").and_then(|v| crate::amount::Amount::from_json_literal(v.get(), true).ok());
        found |= id == Some(m.id) && kind.as_deref() == Some(m.kind.as_str()) && amount == Some(m.amount);
    });
    found
}

/// `{ service_code, account_number }` of `confirmMutation` (JSON text).
pub fn read_account(json: &str) -> Result<(String, String)> {
    if !each_member(json, |_, _| {}) {
        return Err(Error::new(ErrorCode::InvalidParams, "must be an object").at("account"));
    }
    let get = |name: &str| {
        first_member(json, name)
            .and_then(|v| read_string(v).ok())
            .map(|s| s.into_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::new(ErrorCode::InvalidParams, "missing required member").at(format!("account.{name}"))
            })
    };
    Ok((get("service_code")?, get("account_number")?))
}

// ---- client calls as tasks ----

/// What a [`Task`] asks its driver to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send this request, aborting it after `timeout_ms`; report the answer with [`Task::answered`], or the
    /// failure with [`Task::failed`].
    Send {
        /// The request.
        request: HttpRequest,
        /// Abort it after this many milliseconds.
        timeout_ms: u64,
    },
    /// Wait this many milliseconds, then call [`Task::resumed`].
    Sleep(u64),
    /// Finished: the result as JSON text.
    Done(String),
}

/// The error of an answer past `maxResponseBytes`: the client stops reading it there.
pub fn response_too_large(max: usize) -> Error {
    Error::new(ErrorCode::InvalidResponse, format!("the answer is larger than {max} bytes (maxResponseBytes)"))
        .at("options.maxResponseBytes")
}

/// The error of a call that would need more than `maxRequests` requests.
pub fn too_many_requests(max: u32) -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        format!("this call needs more than {max} requests (maxRequests): narrow the date range, or raise maxRequests"),
    )
    .at("options.maxRequests")
}

/// `network_error` naming the host and, in words, the runtime's error code: never the URL's path or query,
/// and never anything but a code (an identifier of capitals, digits and `_`) from the runtime's error.
///
/// ```
/// use cekmutasi::client::network_error;
/// let e = network_error("https://api.cekmutasi.co.id/v1/myip", Some("ECONNREFUSED"));
/// assert_eq!(e.message(), "could not reach api.cekmutasi.co.id: the connection was refused (ECONNREFUSED)");
/// ```
#[cold]
#[inline(never)]
pub fn network_error(url: &str, cause: Option<&str>) -> Error {
    /// Codes in words (a table, not a match with a format per arm: module size).
    const WORDS: &[(&[&str], &str)] = &[
        (&["ECONNREFUSED"], "the connection was refused"),
        (&["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME"], "the name did not resolve"),
        (&["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"], "the connection was reset"),
        (&["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT"], "connecting timed out"),
        (&["EHOSTUNREACH", "ENETUNREACH"], "the host is unreachable"),
        (&["ERR_FETCH_ANSWER"], "the fetch option's answer is not a Response (a status, headers.get, a body)"),
    ];
    // (Byte scans: a `str` pattern would bring a 2 KB substring searcher into the module.)
    let after_scheme = url.as_bytes().windows(3).position(|w| w == b"://").map_or(url, |i| &url[i + 3..]);
    let host = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let code = cause.filter(|c| {
        !c.is_empty() && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    });
    let message = match code {
        None => format!("could not reach {host}: the connection failed (the runtime gave no cause)"),
        Some(c) => {
            let tls = c.as_bytes().windows(4).any(|w| w == b"CERT")
                || ["ERR_TLS", "ERR_SSL", "UNABLE_TO"].iter().any(|p| c.starts_with(p));
            let words = WORDS.iter().find(|(codes, _)| codes.contains(&c)).map(|(_, words)| *words).unwrap_or(if tls {
                "TLS failed"
            } else {
                "the connection failed"
            });
            format!("could not reach {host}: {words} ({c})")
        }
    };
    Error::new(ErrorCode::NetworkError, message)
}

/// The error of a redirect (status 0: an opaque redirect, whose status a browser hides). The client never
/// follows one: the `Location` may name any host, and following it would send the API key there, and send
/// a transfer again. Never retried, for the same reasons.
pub fn redirect_error(status: u16) -> Error {
    if status == 0 {
        return Error::new(
            ErrorCode::HttpError,
            "the answer was a redirect (its status hidden by the runtime): the client never follows redirects, so the API key and the request go to the base URL only; check baseUrl",
        );
    }
    Error::new(
        ErrorCode::HttpError,
        format!("HTTP {status} is a redirect: the client never follows redirects, so the API key and the request go to the base URL only; check baseUrl"),
    )
    .with_status(status)
}

/// True for an answer that redirects: any 3xx, and status 0 (fetch's opaque redirect with `redirect:
/// "manual"`; the client makes no other kind of request that could answer 0).
pub fn is_redirect(status: u16) -> bool {
    status == 0 || (300..400).contains(&status)
}

/// One endpoint call and its attempts.
#[derive(Debug)]
struct Call {
    endpoint: &'static Endpoint,
    request: HttpRequest,
    timeout_ms: u64,
    retries: u32,
    attempts: u32,
    /// The current attempt's answer: its status and `Retry-After`, then its body as it arrives.
    status: u16,
    retry_after: Option<u64>,
    body: BodyLimit,
}

/// Where an attempt leaves a call: its payload, or a wait before the next attempt (and the attempt's
/// error, which is the call's if no request may be sent any more).
enum Step {
    Payload(String),
    Wait(u64, Error),
}

impl Call {
    fn new(options: &ClientOptions, path: &str, params: &str) -> Result<Call> {
        let endpoint = endpoints::endpoint(path)?;
        let opts = options.request_options();
        let request = endpoints::build_request(path, params, &opts)?;
        Ok(Call {
            endpoint,
            request,
            timeout_ms: options.timeout_ms,
            retries: options.retries,
            attempts: 0,
            status: 0,
            retry_after: None,
            body: BodyLimit::new(options.max_response_bytes, response_too_large),
        })
    }

    fn send(&mut self) -> Action {
        self.attempts += 1;
        self.body.take();
        Action::Send { request: self.request.clone(), timeout_ms: self.timeout_ms }
    }

    fn head(&mut self, status: u16, retry_after: Option<&str>) -> Result<()> {
        if is_redirect(status) {
            return Err(redirect_error(status));
        }
        self.status = status;
        self.retry_after = retry_after.and_then(parse_retry_after);
        Ok(())
    }

    fn body_room(&mut self, len: usize) -> Result<&mut [u8]> {
        let status = self.status;
        self.body.room(len).map_err(|e| e.with_status(status))
    }

    fn answered(&mut self, jitter: f64) -> Result<Step> {
        let bytes = self.body.take();
        // As fetch's `response.text()` decodes: malformed UTF-8 becomes U+FFFD (and then fails the checks).
        let body = String::from_utf8_lossy(&bytes);
        match endpoints::parse_response(self.endpoint.path, self.status, &body) {
            Ok(json) => Ok(Step::Payload(json)),
            Err(err) => {
                let outcome = Outcome::Status { status: self.status, retry_after: self.retry_after };
                self.again(outcome, err, jitter)
            }
        }
    }

    fn failed(&self, timed_out: bool, cause: Option<&str>, jitter: f64) -> Result<Step> {
        if timed_out {
            let err = Error::new(ErrorCode::Timeout, format!("no answer within {} ms", self.timeout_ms));
            self.again(Outcome::Timeout, err, jitter)
        } else {
            self.again(Outcome::NetworkError, network_error(&self.request.url, cause), jitter)
        }
    }

    /// Another attempt only where [`retry_delay`] allows one; otherwise the call fails with `err`.
    fn again(&self, outcome: Outcome, err: Error, jitter: f64) -> Result<Step> {
        match retry_delay(self.endpoint, self.attempts, self.retries, outcome, jitter) {
            Some(ms) => Ok(Step::Wait(ms, err)),
            None => Err(err),
        }
    }
}

#[derive(Debug)]
enum Kind {
    Request,
    SearchAll {
        path: String,
        filters: String,
        current: (String, String),
        pending: Vec<(String, String)>,
        pages: Vec<String>,
    },
    Confirm(Mutation),
}

/// A client call in progress: `request`, `searchAll` or `confirmMutation`. The driver calls [`Task::start`],
/// performs each [`Action`] and reports its outcome, until `Done` or an error (which ends the task).
///
/// ```
/// use cekmutasi::client::{Action, Task};
/// use cekmutasi::client::{read_client_options, ClientOption};
/// let options = read_client_options(Some(r#"{"apiKey":"k","retries":0}"#), ClientOption::ALL).unwrap();
/// let mut task = Task::request(&options, "myip", None).unwrap();
/// let Action::Send { request, timeout_ms } = task.start() else { panic!() };
/// assert_eq!((request.url.as_str(), timeout_ms), ("https://api.cekmutasi.co.id/v1/myip", 180_000));
/// let body = r#"{"success":true,"error_message":"","response":{"ip":{"v4":"1.2.3.4","v6":""}}}"#;
/// assert_eq!(task.answered(200, None, body, 0.5).unwrap(), Action::Done(r#"{"ip":{"v4":"1.2.3.4","v6":""}}"#.into()));
/// ```
#[derive(Debug)]
pub struct Task {
    options: ClientOptions,
    call: Call,
    kind: Kind,
    /// Requests sent so far, every attempt of every part: at most `options.max_requests`.
    sent: u32,
}

impl Task {
    /// Any endpoint of the table; done with its payload.
    pub fn request(options: &ClientOptions, path: &str, params: Option<&str>) -> Result<Task> {
        let call = Call::new(options, path, params.unwrap_or("{}"))?;
        Ok(Task { options: options.clone(), call, kind: Kind::Request, sent: 0 })
    }

    /// Every row of `service`'s search over the filters' date range: the range is halved until each part
    /// returns fewer rows than the cap; done with the rows, each once, in time order.
    pub fn search_all(options: &ClientOptions, service: &str, filters: &str) -> Result<Task> {
        let path = format!("{service}/search");
        let e = endpoints::endpoint(&path)?;
        if !e.search {
            return Err(Error::new(ErrorCode::Config, format!("`{path}` is not a search")));
        }
        // Checked first, so the range split is the one sent (an instant given is in the service's zone).
        let filters = endpoints::check_params(e, Some(filters))?;
        let current = date_range(&filters)?;
        let call = Call::new(options, &path, &with_date(&filters, &current.0, &current.1)?)?;
        let kind = Kind::SearchAll { path, filters, current, pending: Vec::new(), pages: Vec::new() };
        Ok(Task { options: options.clone(), call, kind, sent: 0 })
    }

    /// Re-checks a callback's mutation (JSON text) on `{ service_code, account_number }` (JSON text); done
    /// with `true` only when the search returns a row with the same id, type and amount.
    pub fn confirm(options: &ClientOptions, mutation: &str, account: &str) -> Result<Task> {
        let m = crate::mutation::read_mutation(mutation, "mutation")?;
        let (service_code, account_number) = read_account(account)?;
        let (path, filters) = confirm_search(&m, &service_code, &account_number);
        let call = Call::new(options, path, &filters)?;
        Ok(Task { options: options.clone(), call, kind: Kind::Confirm(m), sent: 0 })
    }

    /// The first action: always a request.
    pub fn start(&mut self) -> Action {
        self.send()
    }

    /// After a [`Action::Sleep`]: the same request again.
    pub fn resumed(&mut self) -> Action {
        self.send()
    }

    fn send(&mut self) -> Action {
        self.sent += 1;
        self.call.send()
    }

    /// The answer to the last request has come: its status and `Retry-After` header. `Ok` means the driver
    /// reads the body, chunk by chunk into [`Task::body_room`], then calls [`Task::body_done`]. A redirect
    /// is the call's error at once (its body is not read; the driver drops it).
    pub fn head(&mut self, status: u16, retry_after: Option<&str>) -> Result<()> {
        self.call.head(status, retry_after)
    }

    /// Room for the answer's next chunk of `len` bytes, for the driver to fill; an error (the call's: the
    /// driver stops reading) when the answer would pass `maxResponseBytes`. Nothing past the limit is ever
    /// copied.
    pub fn body_room(&mut self, len: usize) -> Result<&mut [u8]> {
        self.call.body_room(len)
    }

    /// The answer's body has been read whole. `jitter` in `[0, 1)` spreads retries.
    pub fn body_done(&mut self, jitter: f64) -> Result<Action> {
        let step = self.call.answered(jitter)?;
        self.next(step)
    }

    /// The whole answer to the last request at once: its status, `Retry-After` header and body (what
    /// [`Task::head`], [`Task::body_room`] and [`Task::body_done`] do for a body that arrives in chunks).
    pub fn answered(&mut self, status: u16, retry_after: Option<&str>, body: &str, jitter: f64) -> Result<Action> {
        self.head(status, retry_after)?;
        self.body_room(body.len())?.copy_from_slice(body.as_bytes());
        self.body_done(jitter)
    }

    /// The last request got no answer: it timed out, or the connection failed (`cause`: the runtime's
    /// error code, `ECONNREFUSED`, `ENOTFOUND`, …, where it gives one).
    pub fn failed(&mut self, timed_out: bool, cause: Option<&str>, jitter: f64) -> Result<Action> {
        let step = self.call.failed(timed_out, cause, jitter)?;
        self.next(step)
    }

    fn next(&mut self, step: Step) -> Result<Action> {
        let max = self.options.max_requests;
        let payload = match step {
            // A retry is one more request: none past the budget (the attempt's own error is the call's).
            Step::Wait(_, err) if self.sent >= max => return Err(err),
            Step::Wait(ms, _) => return Ok(Action::Sleep(ms)),
            Step::Payload(json) => json,
        };
        match &mut self.kind {
            Kind::Request => Ok(Action::Done(payload)),
            Kind::Confirm(m) => Ok(Action::Done(page_confirms(&payload, m).to_string())),
            Kind::SearchAll { path, filters, current, pending, pages } => {
                if row_count(&payload) < SEARCH_CAP {
                    pages.push(payload);
                } else {
                    let (first, second) = split_range(&current.0, &current.1).ok_or_else(|| cap_error(&current.0))?;
                    // Later half first on the stack, so pages are fetched in time order.
                    pending.push(second);
                    pending.push(first);
                }
                match pending.pop() {
                    Some(range) => {
                        if self.sent >= max {
                            return Err(too_many_requests(max));
                        }
                        self.call = Call::new(&self.options, path, &with_date(filters, &range.0, &range.1)?)?;
                        *current = range;
                        Ok(self.send())
                    }
                    None => Ok(Action::Done(merge_pages(pages)?)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::{endpoint, ENDPOINTS};

    fn options(retries: u32) -> ClientOptions {
        let json = format!(r#"{{"apiKey":"k","baseUrl":"http://127.0.0.1:9/v1","retries":{retries}}}"#);
        read_client_options(Some(&json), ClientOption::ALL).unwrap()
    }

    fn sent(a: Action) -> HttpRequest {
        match a {
            Action::Send { request, .. } => request,
            other => panic!("expected a request, got {other:?}"),
        }
    }

    fn rows(ids: std::ops::Range<u64>) -> String {
        let list: Vec<String> = ids
            .map(|id| format!(r#"{{"id":{id},"service_code":"bri","account_number":"1","unix_timestamp":{id},"type":"credit","amount":"5.00","description":"","balance":"0.00"}}"#))
            .collect();
        format!(r#"{{"success":true,"error_message":"","response":[{}]}}"#, list.join(","))
    }

    #[test]
    fn a_read_is_retried_after_a_503_and_then_done() {
        let mut t = Task::request(&options(2), "bank/list", None).unwrap();
        let first = sent(t.start());
        assert_eq!(first.method, "GET");
        assert_eq!(t.answered(503, Some("1"), "busy", 0.0).unwrap(), Action::Sleep(1000));
        assert_eq!(sent(t.resumed()), first);
        assert_eq!(t.failed(false, None, 0.0).unwrap(), Action::Sleep(250));
        assert_eq!(sent(t.resumed()), first);
        // Two retries spent: the third failure is final.
        assert_eq!(t.failed(true, None, 0.0).unwrap_err().code(), ErrorCode::Timeout);
        let mut t = Task::request(&options(2), "bank/list", None).unwrap();
        t.start();
        let ok = r#"{"success":true,"error_message":"","data":[]}"#;
        assert_eq!(t.answered(200, None, ok, 0.0).unwrap(), Action::Done("[]".into()));
    }

    #[test]
    fn a_transfer_is_sent_once_whatever_happens() {
        let params = r#"{"uuid":"u","token":"t","amount":10000}"#;
        for outcome in 0..4 {
            let mut t = Task::request(&options(5), "ovo/transfer/send", Some(params)).unwrap();
            assert_eq!(sent(t.start()).body.as_deref(), Some("uuid=u&token=t&amount=10000"));
            let err = match outcome {
                0 => t.failed(true, None, 0.0),
                1 => t.failed(false, None, 0.0),
                2 => t.answered(500, None, "", 0.0),
                _ => t.answered(503, Some("1"), r#"{"success":false,"error_message":"busy","data":[]}"#, 0.0),
            }
            .unwrap_err();
            let want = [ErrorCode::Timeout, ErrorCode::NetworkError, ErrorCode::HttpError, ErrorCode::ApiError];
            assert_eq!(err.code(), want[outcome]);
        }
    }

    #[test]
    fn a_redirect_is_an_error_at_once_and_never_followed_nor_retried() {
        let ok = r#"{"success":true,"error_message":"","response":{"ip":{"v4":"1","v6":""}}}"#;
        for path in ["ovo/transfer/send", "bank/search", "myip"] {
            let params = if path == "ovo/transfer/send" { r#"{"uuid":"u","token":"t","amount":10000}"# } else { "{}" };
            for status in [0, 301, 302, 303, 307, 308, 300, 399] {
                let mut t = Task::request(&options(5), path, Some(params)).unwrap();
                t.start();
                // Even with a valid envelope in its body: a 3xx is never an answer.
                let err = t.answered(status, Some("0"), ok, 0.0).unwrap_err();
                assert_eq!(err.code(), ErrorCode::HttpError, "{path} {status}");
                assert_eq!(err.status(), (status != 0).then_some(status), "{path} {status}");
                assert!(err.message().contains("never follows redirects"), "{}", err.message());
                let mut t = Task::request(&options(5), path, Some(params)).unwrap();
                t.start();
                assert!(t.head(status, None).is_err());
            }
        }
    }

    #[test]
    fn an_answer_is_read_up_to_max_response_bytes() {
        let json = r#"{"apiKey":"k","baseUrl":"http://127.0.0.1:9/v1","maxResponseBytes":100}"#;
        let opts = read_client_options(Some(json), ClientOption::ALL).unwrap();
        assert_eq!(opts.max_response_bytes, 100);
        let body = r#"{"success":true,"error_message":"","response":{"ip":{"v4":"1.2.3.4","v6":""}}}"#;
        assert_eq!(body.len(), 78);
        let mut t = Task::request(&opts, "myip", None).unwrap();
        t.start();
        t.head(200, None).unwrap();
        t.body_room(40).unwrap().copy_from_slice(&body.as_bytes()[..40]);
        t.body_room(38).unwrap().copy_from_slice(&body.as_bytes()[40..]);
        assert_eq!(t.body_done(0.0).unwrap(), Action::Done(r#"{"ip":{"v4":"1.2.3.4","v6":""}}"#.into()));
        // 101 bytes: refused at the chunk that passes the limit, naming it; never retried.
        let mut t = Task::request(&opts, "myip", None).unwrap();
        t.start();
        t.head(200, None).unwrap();
        t.body_room(100).unwrap();
        let err = t.body_room(1).unwrap_err();
        assert_eq!(
            (err.code(), err.path(), err.status()),
            (ErrorCode::InvalidResponse, Some("options.maxResponseBytes"), Some(200))
        );
        assert_eq!(err.message(), "the answer is larger than 100 bytes (maxResponseBytes)");
        assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 8 << 20);
        let bad = read_client_options(Some(r#"{"apiKey":"k","maxResponseBytes":0}"#), ClientOption::ALL);
        assert_eq!(bad.unwrap_err().path(), Some("options.maxResponseBytes"));
    }

    #[test]
    fn max_requests_bounds_every_call() {
        let json = r#"{"apiKey":"k","baseUrl":"http://127.0.0.1:9/v1","maxRequests":5,"retries":10}"#;
        let opts = read_client_options(Some(json), ClientOption::ALL).unwrap();
        // searchAll against a server that always answers the cap: the fifth request is the last.
        let filters = r#"{"date":{"from":"2018-04-01 00:00:00","to":"2018-04-30 23:59:59"}}"#;
        let mut t = Task::search_all(&opts, "bank", filters).unwrap();
        let mut action = t.start();
        let mut sent = 0;
        let err = loop {
            assert!(matches!(action, Action::Send { .. }));
            sent += 1;
            match t.answered(200, None, &rows(1..1001), 0.0) {
                Ok(next) => action = next,
                Err(e) => break e,
            }
        };
        assert_eq!(sent, 5);
        assert_eq!((err.code(), err.path()), (ErrorCode::InvalidResponse, Some("options.maxRequests")));
        assert!(err.message().contains("more than 5 requests"), "{}", err.message());
        // Retries count too: with 10 retries allowed, the fifth failure is final, with its own error.
        let mut t = Task::request(&opts, "bank/list", None).unwrap();
        t.start();
        for _ in 0..4 {
            assert!(matches!(t.failed(true, None, 0.0).unwrap(), Action::Sleep(_)));
            t.resumed();
        }
        assert_eq!(t.failed(true, None, 0.0).unwrap_err().code(), ErrorCode::Timeout);
        assert_eq!(DEFAULT_MAX_REQUESTS, 1000);
        // The default: a server answering the cap for every range still ends (at the one-second cap error).
        let mut t = Task::search_all(&options(0), "bank", filters).unwrap();
        let mut action = t.start();
        let mut sent = 0;
        let err = loop {
            let _ = action;
            sent += 1;
            match t.answered(200, None, &rows(1..1001), 0.0) {
                Ok(next) => action = next,
                Err(e) => break e,
            }
        };
        assert_eq!((sent, err.path()), (23, Some("search.date")));
    }

    #[test]
    fn secrets_never_in_debug() {
        let json = r#"{"apiKey":"s3cret-key","baseUrl":"http://127.0.0.1:9/v1"}"#;
        let opts = read_client_options(Some(json), ClientOption::ALL).unwrap();
        // The defaults: 180 s per attempt (the official libraries' total), no app token in the User-Agent.
        assert_eq!((opts.timeout_ms, opts.user_agent.as_deref()), (180_000, None));
        let params = r#"{"uuid":"u","token":"s3cret-token","amount":10000}"#;
        let mut t = Task::request(&opts, "ovo/transfer/send", Some(params)).unwrap();
        let sent = t.start();
        let o = endpoints::Options { api_key: "s3cret-key", base_url: None, user_agent: None };
        let callback = crate::callback::read_options(Some(r#"{"signature":"s3cret-sig"}"#), true).unwrap();
        for text in
            [format!("{opts:?}"), format!("{t:?}"), format!("{sent:?}"), format!("{o:?}"), format!("{callback:?}")]
        {
            assert!(text.contains("[redacted]"), "{text}");
            assert!(!text.contains("s3cret"), "{text}");
        }
        assert_eq!(
            format!("{sent:?}"),
            r#"Send { request: HttpRequest { method: "POST", url: "http://127.0.0.1:9/v1/ovo/transfer/send", headers: [("Api-Key", "[redacted]"), ("Accept", "application/json"), ("User-Agent", "cekmutasi-js/0.1.0"), ("Content-Type", "application/x-www-form-urlencoded")], body: Some("[38 bytes]") }, timeout_ms: 180000 }"#
        );
    }

    #[test]
    fn search_all_splits_at_the_cap_and_merges_each_row_once() {
        let filters = r#"{"date":{"from":"2018-04-09 00:00:00","to":"2018-04-09 23:59:59"},"type":"credit"}"#;
        let mut t = Task::search_all(&options(0), "bank", filters).unwrap();
        let body = |a: Action| urldecode_body(&sent(a));
        assert_eq!(
            body(t.start()),
            "search[date][from]=2018-04-09 00:00:00&search[date][to]=2018-04-09 23:59:59&search[type]=credit"
        );
        // The whole day holds the cap: each half is asked for, earlier first.
        let next = t.answered(200, None, &rows(1..1001), 0.0).unwrap();
        assert_eq!(
            body(next),
            "search[date][from]=2018-04-09 00:00:00&search[date][to]=2018-04-09 11:59:59&search[type]=credit"
        );
        let next = t.answered(200, None, &rows(1..601), 0.0).unwrap();
        assert_eq!(
            body(next),
            "search[date][from]=2018-04-09 12:00:00&search[date][to]=2018-04-09 23:59:59&search[type]=credit"
        );
        // Pages that overlap (rows 501..600 twice): each row once, in time order.
        let Action::Done(all) = t.answered(200, None, &rows(501..1201), 0.0).unwrap() else { panic!() };
        assert_eq!(row_count(&all), 1200);
        assert!(all.starts_with(r#"[{"id":1,"#) && all.ends_with(r#""id":1200,"service_code":"bri","account_number":"1","unix_timestamp":1200,"type":"credit","amount":"5.00","description":"","balance":"0.00"}]"#));
        assert_eq!(Task::search_all(&options(0), "bank", "{}").unwrap_err().path(), Some("search.date"));
        assert_eq!(Task::search_all(&options(0), "bank/list", filters).unwrap_err().code(), ErrorCode::Config);
    }

    fn urldecode_body(r: &HttpRequest) -> String {
        crate::endpoints::urldecode(r.body.as_deref().unwrap())
    }

    #[test]
    fn confirm_is_done_with_true_only_for_the_same_row() {
        let account = r#"{"service_code":"bri","account_number":"1"}"#;
        for (id, want) in [(7, "true"), (8, "false")] {
            let mutation = r#"{"id":7,"unix_timestamp":7,"type":"credit","amount":"5","description":""}"#;
            let mut t = Task::confirm(&options(0), mutation, account).unwrap();
            assert_eq!(sent(t.start()).url, "http://127.0.0.1:9/v1/bank/search");
            assert_eq!(t.answered(200, None, &rows(id..id + 1), 0.0).unwrap(), Action::Done(want.into()));
        }
    }

    #[test]
    fn only_read_only_calls_are_retried() {
        let timeout = Outcome::Timeout;
        for e in ENDPOINTS {
            let retried = retry_delay(e, 1, 2, timeout, 0.5).is_some();
            assert_eq!(retried, e.effect == Effect::ReadOnly, "{}", e.path);
        }
        let s = endpoint("bank/search").unwrap();
        let status = |status, retry_after| Outcome::Status { status, retry_after };
        assert_eq!(retry_delay(s, 1, 2, status(503, None), 0.0), Some(125));
        assert_eq!(retry_delay(s, 2, 2, status(500, None), 1.0), Some(500));
        assert_eq!(retry_delay(s, 3, 2, status(500, None), 0.0), None);
        assert_eq!(retry_delay(s, 1, 0, Outcome::NetworkError, 0.0), None);
        assert_eq!(retry_delay(s, 1, 2, status(429, Some(3)), 0.0), Some(3000));
        assert_eq!(retry_delay(s, 1, 2, status(429, Some(3600)), 0.0), Some(MAX_WAIT_MS));
        for st in [400, 401, 404, 200] {
            assert_eq!(retry_delay(s, 1, 2, status(st, None), 0.0), None, "{st}");
        }
        assert_eq!(parse_retry_after(" 7 "), Some(7));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn dates_round_trip_and_split() {
        let (a, b) = split_range("2018-04-09 00:00:00", "2018-04-09 23:59:59").unwrap();
        assert_eq!(a, ("2018-04-09 00:00:00".to_string(), "2018-04-09 11:59:59".to_string()));
        assert_eq!(b, ("2018-04-09 12:00:00".to_string(), "2018-04-09 23:59:59".to_string()));
        assert_eq!(split_range("2018-04-09 00:00:00", "2018-04-09 00:00:00"), None);
        let (a, b) = split_range("2018-04-09 00:00:00", "2018-04-09 00:00:01").unwrap();
        assert_eq!((a.1.as_str(), b.0.as_str()), ("2018-04-09 00:00:00", "2018-04-09 00:00:01"));
    }

    #[test]
    fn confirm_searches_by_service() {
        let m = Mutation {
            id: 1,
            unix_timestamp: 1_523_206_800,
            kind: "credit".into(),
            amount: "50000".parse().unwrap(),
            ..Default::default()
        };
        let (path, filters) = confirm_search(&m, "bri", "123");
        assert_eq!(path, "bank/search");
        assert_eq!(
            filters,
            r#"{"date":{"from":"2018-04-08 00:00:00","to":"2018-04-10 00:00:00"},"amount":"50000.00","service_code":"bri","account_number":"123"}"#
        );
        assert_eq!(confirm_search(&m, "gopay", "0812").0, "gopay/search");
        assert!(confirm_search(&m, "paypal", "toko").1.contains(r#""username":"toko""#));
    }
}
