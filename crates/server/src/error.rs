//! The one error every layer of the server returns ([`ApiError`]): rules and storage say
//! what went wrong in these terms, and `http::error` turns each into its status and the
//! JSON body of the API's contract (`hoptac_core::error::ApiErrorBody`), which the app
//! shows in the user's language. No HTTP type here: rules never see one.

use hoptac_core::error::ErrorCode;
use hoptac_core::primitives::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("some fields are not valid")]
    Invalid(Vec<FieldError>),
    #[error("sign in first: the token is missing, unknown or expired")]
    Unauthenticated,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("too many failed sign-ins; wait a minute")]
    RateLimited,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Sync { code: ErrorCode, message: String },
    /// 403 with its own code: an account deactivated, a temporary password to change.
    #[error("{message}")]
    Denied { code: ErrorCode, message: String },
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("the server is busy with the same records; try again")]
    Busy,
    /// 503: a store cannot take the change now (the reason, in English, for the log and
    /// the message: "the photo store is full", "the database cannot be reached"…);
    /// the tablet keeps the work and retries.
    #[error("{0}; try again later")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// `422 invalid` naming one field, with its bilingual message.
    pub fn field(field: &str, message: hoptac_core::i18n::Msg) -> ApiError {
        ApiError::Invalid(vec![FieldError {
            field: field.into(),
            message,
        }])
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadRequest(_) => ErrorCode::BadRequest,
            ApiError::Invalid(_) => ErrorCode::Invalid,
            ApiError::Unauthenticated => ErrorCode::Unauthenticated,
            ApiError::BadCredentials => ErrorCode::BadCredentials,
            ApiError::RateLimited => ErrorCode::RateLimited,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::Sync { code, .. } | ApiError::Denied { code, .. } => *code,
            ApiError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            ApiError::Busy => ErrorCode::Busy,
            ApiError::Unavailable(_) => ErrorCode::Unavailable,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    /// A database error the input caused is the client's (4xx): text or a number the
    /// column cannot hold (SQLSTATE class 22), a constraint (class 23). Every value is
    /// checked before it reaches the database; this is the net under those checks. A
    /// deadlock or serialization failure left after retries is "busy" (503, Retry-After).
    fn from(e: sqlx::Error) -> Self {
        if crate::storage::is_retryable(&e) {
            return ApiError::Busy;
        }
        if let Some(reason) = crate::storage::unavailable(&e) {
            tracing::error!(error = %e, reason, "database unavailable");
            return ApiError::Unavailable(reason.into());
        }
        if let sqlx::Error::Database(d) = &e {
            let code = d.code().unwrap_or_default();
            if code.starts_with("22") || code.starts_with("23") {
                tracing::warn!(code = %code, error = %d.message(), "input refused by the database");
                return ApiError::BadRequest(
                    "a value does not fit what the server stores (text, number or date out of range)".into(),
                );
            }
        }
        ApiError::Internal(format!("database: {e}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::Internal(format!("json: {e}"))
    }
}

/// What every rule and handler returns.
pub type ApiResult<T> = Result<T, ApiError>;
