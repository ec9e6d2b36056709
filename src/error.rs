//! The one error type of the SDK.
//!
//! Every failure carries a stable, machine-readable [`ErrorCode`] (snake_case in JS), a message for people,
//! and where it applies the path of the offending field (`content.data[1].amount`) and an HTTP status
//! (for callbacks: the status to answer with). Messages never contain secrets (API key, signature).

use crate::json::names;
use std::fmt;

names! {
    /// Stable error codes. Their `as_str` spelling is part of the public API: never rename one. The
    /// package's `error.d.ts` lists the same (a test holds them together), and `internal` (a trap).
    #[derive(Hash)]
    pub enum ErrorCode {
        /// The SDK was configured wrongly (empty signature or API key, bad base URL).
        Config = "config",
        /// A callback request that is not a POST.
        MethodNotAllowed = "method_not_allowed",
        /// No `Api-Signature` header on a callback.
        MissingSignature = "missing_signature",
        /// The `Api-Signature` header differs from the configured signature.
        InvalidSignature = "invalid_signature",
        /// The callback body is larger than the configured limit.
        BodyTooLarge = "body_too_large",
        /// The body is not UTF-8 JSON.
        InvalidJson = "invalid_json",
        /// JSON, but not a valid payment report; `path` says where.
        InvalidPayload = "invalid_payload",
        /// An `action` other than `payment_report`.
        UnsupportedAction = "unsupported_action",
        /// A request parameter fails validation; `path` names it.
        InvalidParams = "invalid_params",
        /// The service answered `success: false`.
        ApiError = "api_error",
        /// A non-2xx answer without a valid envelope, or a redirect.
        HttpError = "http_error",
        /// An answer that is not the documented JSON envelope, or past the client's limits.
        InvalidResponse = "invalid_response",
        /// The request could not be sent or the connection failed.
        NetworkError = "network_error",
        /// No answer in time.
        Timeout = "timeout",
        /// Every unique code in the range is taken.
        UniqueAmountExhausted = "unique_amount_exhausted",
    }
}

impl ErrorCode {
    /// The stable snake_case spelling used in JS (`err.code`).
    pub fn as_str(self) -> &'static str {
        self.name()
    }

    /// The HTTP status a callback receiver answers with for this failure, where one applies.
    pub fn callback_status(self) -> Option<u16> {
        match self {
            ErrorCode::MethodNotAllowed => Some(405),
            ErrorCode::MissingSignature | ErrorCode::InvalidSignature => Some(401),
            ErrorCode::BodyTooLarge => Some(413),
            ErrorCode::InvalidJson => Some(400),
            ErrorCode::InvalidPayload | ErrorCode::UnsupportedAction => Some(422),
            _ => None,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An SDK failure.
///
/// ```
/// use cekmutasi::error::{Error, ErrorCode};
/// let e = Error::new(ErrorCode::InvalidPayload, "not a decimal amount").at("content.data[1].amount");
/// assert_eq!(e.code().as_str(), "invalid_payload");
/// assert_eq!(e.path(), Some("content.data[1].amount"));
/// assert_eq!(e.status(), Some(422));
/// assert_eq!(e.to_string(), "content.data[1].amount: not a decimal amount");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    path: Option<String>,
    status: Option<u16>,
}

impl Error {
    /// A new error; the status defaults to the code's callback status, if it has one.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), path: None, status: code.callback_status() }
    }

    /// The same error, located at `path` (an empty path means the whole document: no path).
    pub fn at(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.path = (!path.is_empty()).then_some(path);
        self
    }

    /// The same error with its path placed under `root` (`amount` under `invoices[3]` is
    /// `invoices[3].amount`); an error without a path is unchanged.
    pub fn within(mut self, root: &str) -> Self {
        if let Some(p) = &self.path {
            self.path = Some(format!("{root}.{p}"));
        }
        self
    }

    /// The same error with an explicit HTTP status (for client calls: the server's status).
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message without the path prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where it applies, if anywhere: a JSON path or a parameter.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The HTTP status: for callbacks the one to answer with, for client calls the server's.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) if !p.is_empty() => write!(f, "{}: {}", p, self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

/// The SDK's result type.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn the_declared_codes_are_the_codes() {
        let dts = include_str!("../pkg-template/error.d.ts");
        let union = &dts[dts.find("export type CekMutasiErrorCode").unwrap()..];
        let union = &union[..union.find(';').unwrap()];
        let declared: Vec<&str> =
            union.lines().filter_map(|l| l.trim().strip_prefix("| \"")).map(|l| l.trim_end_matches('"')).collect();
        let mut codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        codes.push("internal"); // made by the package's JS, for a trap
        assert_eq!(declared, codes);
    }
}
