//! A client's options, read from the JS options object (as JSON text): the API key and base URL, the
//! timeout and retries, and the limits of what one call reads and sends.

use crate::endpoints::{check_options, Options};
use crate::error::{Error, ErrorCode, Result};
use crate::json::{names, option_members, read_safe_uint, read_string};

names! {
    /// The client's options, as spelt in JS. `buildRequest` takes only `ApiKey` and `BaseUrl`.
    pub enum ClientOption {
        ApiKey = "apiKey",
        BaseUrl = "baseUrl",
        TimeoutMs = "timeoutMs",
        Retries = "retries",
        MaxResponseBytes = "maxResponseBytes",
        MaxRequests = "maxRequests",
        UserAgent = "userAgent",
        Fetch = "fetch",
    }
}

/// A client's options as read from JSON text (`{ apiKey, baseUrl?, timeoutMs?, retries?, maxResponseBytes?,
/// maxRequests?, userAgent? }`, JS spelling; `fetch` is the package's, and never reaches here).
#[derive(Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// The account's API key (never shown by `Debug`).
    pub api_key: String,
    /// The service's base URL (default `https://api.cekmutasi.co.id/v1`).
    pub base_url: Option<String>,
    /// Default [`DEFAULT_TIMEOUT_MS`].
    pub timeout_ms: u64,
    /// Default 2: extra attempts of a read-only call.
    pub retries: u32,
    /// Largest answer read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub max_response_bytes: usize,
    /// Most requests one call sends, retries and `searchAll`'s parts included (default
    /// [`DEFAULT_MAX_REQUESTS`]).
    pub max_requests: u32,
    /// The application's product token(s), appended to the SDK's `User-Agent`.
    pub user_agent: Option<String>,
}

impl ClientOptions {
    /// The options of a request built with these.
    pub fn request_options(&self) -> Options<'_> {
        Options { api_key: &self.api_key, base_url: self.base_url.as_deref(), user_agent: self.user_agent.as_deref() }
    }
}

/// The key never reaches a log through `{:?}`.
impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("timeout_ms", &self.timeout_ms)
            .field("retries", &self.retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_requests", &self.max_requests)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// The default `maxResponseBytes`: 8 MiB. A full search page (1000 rows) is about 300 KB, so this is far
/// above any real answer, and far below what would hurt a process (wasm memory never shrinks).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 << 20;

/// The default `timeoutMs` of one attempt: 180 s, the total the service's own PHP library allows. A full
/// search (1000 rows, ~300 KB) is computed by the service and then read over the merchant's link: on a slow
/// one that takes minutes, and a shorter default would cut off what the official libraries complete.
pub const DEFAULT_TIMEOUT_MS: u64 = 180_000;

/// The default `maxRequests`: 1000. `searchAll` needs about one request per 500–1000 rows (halving a range
/// that holds the cap costs one more), so this reads a few hundred thousand rows, and stops a server that
/// always answers the cap long before it becomes a flood.
pub const DEFAULT_MAX_REQUESTS: u32 = 1000;

/// Reads client options; `known` limits the members (buildRequest takes only `apiKey` and `baseUrl`).
/// Every failure is `config`, naming the option; the key itself is never echoed.
pub fn read_client_options(json: Option<&str>, known: &[ClientOption]) -> Result<ClientOptions> {
    let mut o = ClientOptions {
        api_key: String::new(),
        base_url: None,
        timeout_ms: DEFAULT_TIMEOUT_MS,
        retries: 2,
        max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        max_requests: DEFAULT_MAX_REQUESTS,
        user_agent: None,
    };
    for (key, raw) in option_members(json, "options", known, ErrorCode::Config)? {
        let at = |m: &str| Error::new(ErrorCode::Config, m).at(format!("options.{}", key.name()));
        let whole = |min: u64, max: u64, m: &str| {
            read_safe_uint(raw).ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| at(m))
        };
        match key {
            ClientOption::ApiKey => o.api_key = read_string(raw).map_err(|_| at("must be a string"))?.into_owned(),
            ClientOption::BaseUrl => {
                o.base_url = Some(read_string(raw).map_err(|_| at("must be a string"))?.into_owned())
            }
            ClientOption::TimeoutMs => {
                o.timeout_ms = whole(1, u64::MAX, "must be a whole number of milliseconds above 0")?;
            }
            ClientOption::Retries => o.retries = whole(0, 10, "must be a whole number from 0 to 10")? as u32,
            ClientOption::MaxResponseBytes => {
                o.max_response_bytes =
                    whole(1, u64::from(u32::MAX), "must be a whole number of bytes from 1 to 4294967295")? as usize;
            }
            // A function, held by the package: JSON never carries one, so anything here is not a function.
            ClientOption::Fetch => return Err(at("must be a function (url, init) => Promise<Response>")),
            ClientOption::UserAgent => {
                o.user_agent = Some(read_string(raw).map_err(|_| at("must be a string"))?.into_owned())
            }
            ClientOption::MaxRequests => {
                o.max_requests = whole(1, u64::from(u32::MAX), "must be a whole number from 1 to 4294967295")? as u32;
            }
        }
    }
    check_options(&o.request_options())?;
    Ok(o)
}
