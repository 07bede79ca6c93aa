//! One error type for the whole API. Every error leaves as JSON
//! `{ "code": "...", "message": "..." }` with a stable code (see hoptac_core::error).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hoptac_core::error::{ApiErrorBody, ErrorCode};
use hoptac_core::validate::FieldError;
use serde::de::DeserializeOwned;

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
    #[error("the request body is too large")]
    PayloadTooLarge,
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
            ApiError::Sync { code, .. } => *code,
            ApiError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Sync { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let fields = match &self {
            ApiError::Invalid(f) => f.clone(),
            _ => Vec::new(),
        };
        let body = ApiErrorBody {
            code: self.code(),
            message: self.to_string(),
            fields,
        };
        (self.status(), axum::Json(body)).into_response()
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(format!("database: {e}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::Internal(format!("json: {e}"))
    }
}

/// `axum::Json`, but a malformed body becomes our JSON error naming the problem.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::PayloadTooLarge)
            }
            Err(e) => Err(ApiError::BadRequest(format!(
                "the JSON body is not valid: {}",
                e.body_text()
            ))),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
