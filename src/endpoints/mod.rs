//! The one table of the service's endpoints, and the rules it drives.
//!
//! Each row says the path, the verb, the envelope member that carries the payload (`response` or `data`),
//! whether the call only reads (the only calls a client may retry), the parameters with their rules, and the
//! shape of the result. [`build_request`], [`parse_response`], the TypeScript types
//! ([`typescript`]), the client's methods and retry policy and the sandbox all read this table: adding an
//! endpoint is one row.
//!
//! ```
//! use cekmutasi::endpoints::{build_request, Options};
//! let req = build_request("bank/search", r#"{"date":{"from":"2018-04-09 00:00:00"},"type":"credit"}"#,
//!                         &Options { api_key: "k", base_url: None, user_agent: None }).unwrap();
//! assert_eq!(req.url, "https://api.cekmutasi.co.id/v1/bank/search");
//! assert_eq!(req.body.as_deref(), Some("search%5Bdate%5D%5Bfrom%5D=2018-04-09+00%3A00%3A00&search%5Btype%5D=credit"));
//! ```

mod check;
// The package's generated files are written by native tests, never by the module users load.
#[cfg(not(target_arch = "wasm32"))]
mod codegen;
mod request;
mod response;
#[cfg(any(test, feature = "sandbox"))]
mod server;
mod table;

#[cfg(not(target_arch = "wasm32"))]
pub use codegen::{table_json, typescript};
pub use request::{build_request, check_options, check_params, HttpRequest, Options, USER_AGENT};
pub use response::parse_response;
#[cfg(any(test, feature = "sandbox"))]
pub use server::{decode_form, read_incoming, urldecode, FormValue, Incoming};
pub use table::{endpoint, Effect, Endpoint, Member, Shape, Verb, DEFAULT_BASE_URL, ENDPOINTS};
