//! The CekMutasi SDK core: pure Rust, no JavaScript in it. The `wasm` module (the `js` feature) is the
//! only boundary.
//!
//! - [`callback`]: verify the `Api-Signature` header and parse a payment report.
//! - [`body`]: bodies read chunk by chunk up to a limit (callbacks, the client's answers).
//! - [`amount`]: exact decimal amounts read from literal text.
//! - [`mutation`]: one statement line as callbacks and searches report it.
//! - [`matching`]: exact decimal matching of credits to invoices, unique-code amounts.
//! - [`form`]: PHP's `http_build_query`, byte for byte.
//! - [`endpoints`]: the one table of the API's endpoints, driving requests, responses and types.
//! - [`date`]: the search filters' dates, in the service's time zone.
//! - [`client`]: the transport's rules (retries, date splitting, merging pages), without I/O.
//! - [`ledger`]: the matcher's decisions kept in the user's database, each made once (sans-IO).
//! - [`error`]: the one error type, with stable codes.

// The rules live in the code (as httparse has them): every public item is documented.
#![warn(missing_docs)]

pub mod amount;
pub mod body;
pub mod callback;
pub mod client;
pub mod date;
pub mod endpoints;
pub mod error;
pub mod form;
mod invoices;
mod json;
pub mod ledger;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use json::probe as json_probe;
pub mod matching;
pub mod mutation;
mod sort;

#[cfg(feature = "js")]
pub mod wasm;
#[cfg(all(feature = "js", not(target_arch = "wasm32")))]
compile_error!("the `js` feature is the npm package's WebAssembly boundary: build it for wasm32-unknown-unknown");
