//! The one error type of the SDK.
//!
//! Every failure carries a stable, machine-readable [`ErrorCode`] (snake_case in JS), a message for people,
//! and where it applies the path of the offending field (`content.data[1].amount`) and an HTTP status
//! (for callbacks: the status to answer with). Messages never contain secrets (API key, signature).

use std::fmt;

/// Stable error codes. Their `as_str` spelling is part of the public API: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The SDK was configured wrongly (empty signature or API key, bad base URL).
    Config,
    /// A callback request that is not a POST.
    MethodNotAllowed,
    /// No `Api-Signature` header on a callback.
    MissingSignature,
    /// The `Api-Signature` header differs from the configured signature.
    InvalidSignature,
    /// The callback body is larger than the configured limit.
    BodyTooLarge,
    /// The body is not UTF-8 JSON.
    InvalidJson,
    /// JSON, but not a valid payment report; `path` says where.
    InvalidPayload,
    /// An `action` other than `payment_report`.
    UnsupportedAction,
    /// A request parameter fails validation; `path` names it.
    InvalidParams,
    /// The service answered `success: false`.
    ApiError,
    /// A non-2xx answer without a valid envelope.
    HttpError,
    /// An answer that is not the documented JSON envelope.
    InvalidResponse,
    /// The request could not be sent or the connection failed.
    NetworkError,
    /// No answer in time.
    Timeout,
    /// Every unique code in the range is taken.
    UniqueAmountExhausted,
}

impl ErrorCode {
    /// The stable snake_case spelling used in JS (`err.code`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Config => "config",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::MissingSignature => "missing_signature",
            ErrorCode::InvalidSignature => "invalid_signature",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidPayload => "invalid_payload",
            ErrorCode::UnsupportedAction => "unsupported_action",
            ErrorCode::InvalidParams => "invalid_params",
            ErrorCode::ApiError => "api_error",
            ErrorCode::HttpError => "http_error",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::NetworkError => "network_error",
            ErrorCode::Timeout => "timeout",
            ErrorCode::UniqueAmountExhausted => "unique_amount_exhausted",
        }
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

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message without the path prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

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

pub type Result<T> = std::result::Result<T, Error>;
