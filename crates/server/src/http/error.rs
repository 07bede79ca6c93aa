//! The HTTP side of the one error type ([`crate::error::ApiError`]): each error leaves as
//! JSON `{ "code": "...", "message": "..." }` with its status and a stable code (see
//! hoptac_core::error); and the extractors that refuse bad input with such an error.

pub use crate::error::{ApiError, ApiResult};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hoptac_core::error::ApiErrorBody;
use hoptac_core::i18n::Msg;
pub use hoptac_core::text::is_forbidden_char;
use serde::de::DeserializeOwned;
use serde_json::Value;
use unicode_normalization::{is_nfc, UnicodeNormalization};

/// The HTTP status of each error.
fn status(e: &ApiError) -> StatusCode {
    match e {
        ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
        ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ApiError::Unauthenticated | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
        ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Forbidden(_) | ApiError::Denied { .. } => StatusCode::FORBIDDEN,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::Sync { .. } => StatusCode::CONFLICT,
        ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ApiError::Busy | ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
        let mut resp = (status(&self), axum::Json(body)).into_response();
        // Seconds: the database is busy for a moment; a store that is full or out of
        // reach needs an operator (a tablet retries at its next sync anyway); a braked
        // sign-in waits at most the brake's window (rules::accounts::FAILURE_WINDOW_MS).
        let retry_after = match self {
            ApiError::Busy => Some("1"),
            ApiError::Unavailable(_) => Some("30"),
            ApiError::RateLimited => Some("60"),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(seconds),
            );
        }
        resp
    }
}

/// Every text of a JSON value made NFC (composed: "Vũ" typed either way is one value), or
/// the path of the first text holding a forbidden control character.
pub(crate) fn clean_text(v: &mut Value, path: &mut String) -> Result<(), (String, char)> {
    match v {
        Value::String(s) => {
            if let Some(c) = s.chars().find(|c| is_forbidden_char(*c)) {
                return Err((path.clone(), c));
            }
            if !is_nfc(s) {
                *s = s.nfc().collect();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                clean_text(item, path)?;
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            if let Some(c) = map
                .keys()
                .flat_map(|k| k.chars())
                .find(|c| is_forbidden_char(*c))
            {
                return Err((path.clone(), c));
            }
            for (k, item) in map.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                clean_text(item, path)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// What the user reads about a control character `c` in a field.
pub fn control_char_message(c: char) -> Msg {
    let code = format!("U+{:04X}", c as u32);
    Msg::new(
        format!("Ô này chứa ký tự điều khiển không được phép ({code}). Hãy xoá ký tự đó."),
        format!("This field holds a control character ({code}) that is not allowed. Remove it."),
    )
}

/// The body as JSON, checked only for being JSON within the size limit: for the push,
/// which checks each mutation's text on its own ([`crate::http::sync`]), so one bad
/// mutation is refused alone and the ones after it apply.
pub struct RawJson(pub Value);

impl<S: Send + Sync> FromRequest<S> for RawJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(RawJson(v)),
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

/// `axum::Json`, but a malformed body becomes our JSON error naming the problem, and every
/// text in it is checked and normalised at the edge, once for every endpoint: NFC, and no
/// control characters (422 naming the field). Nesting deeper than serde_json's limit
/// (128) is a 400.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = match axum::Json::<Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                return Err(ApiError::PayloadTooLarge)
            }
            Err(e) => {
                return Err(ApiError::BadRequest(format!(
                    "the JSON body is not valid: {}",
                    e.body_text()
                )))
            }
        };
        if let Err((field, c)) = clean_text(&mut value, &mut String::new()) {
            return Err(ApiError::field(
                if field.is_empty() { "body" } else { &field },
                control_char_message(c),
            ));
        }
        serde_json::from_value(value).map(Json).map_err(|e| {
            ApiError::BadRequest(format!(
                "the JSON body does not have the expected shape: {e}"
            ))
        })
    }
}

/// `axum::extract::Query`, but a query string that does not parse is a 422 naming the
/// parameter, in the user's language (`limit=abc`: "“limit” phải là một số nguyên."; a
/// parameter given twice, one missing: said so), never the
/// parser's English text. Parsed by serde_urlencoded (as axum does) through
/// serde_path_to_error, which names the parameter that failed.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| query_error(&e.path().to_string(), &e.into_inner().to_string()))
    }
}

/// The 422 for a query parameter that does not parse: `path` as serde_path_to_error gives
/// it ("." when the error is not inside one parameter, e.g. one missing), `detail` serde's
/// text ("invalid digit found in string", "missing field `period`").
fn query_error(path: &str, detail: &str) -> ApiError {
    let named = |prefix: &str| {
        detail
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix('`'))
            .map(str::to_string)
    };
    if let Some(name) = named("duplicate field `") {
        return ApiError::field(
            &name,
            Msg::new(
                format!("Tham số “{name}” được ghi nhiều lần; chỉ ghi một lần."),
                format!("The parameter “{name}” is given more than once; give it once."),
            ),
        );
    }
    if let Some(name) = named("missing field `") {
        return ApiError::field(
            &name,
            Msg::new(
                format!("Địa chỉ yêu cầu thiếu tham số “{name}”."),
                format!("The request's address lacks the parameter “{name}”."),
            ),
        );
    }
    let name = if path == "." { "query" } else { path };
    // u32/u64 parameters (limit, offset): "abc", "-1", "1.5", "" and too large all say
    // "invalid digit", "number too large" or "cannot parse integer"; booleans say
    // "`true` or `false`". The range each allows is the handler's to say.
    let message = if ["digit", "number too large", "integer"]
        .iter()
        .any(|w| detail.contains(w))
    {
        Msg::new(
            format!("Tham số “{name}” phải là một số nguyên."),
            format!("The parameter “{name}” must be a whole number."),
        )
    } else if detail.contains("`true` or `false`") {
        Msg::new(
            format!("Tham số “{name}” phải là true hoặc false."),
            format!("The parameter “{name}” must be true or false."),
        )
    } else {
        Msg::new(
            format!("Tham số “{name}” không hợp lệ."),
            format!("The parameter “{name}” is not valid ({detail})."),
        )
    };
    ApiError::field(name, message)
}

/// `axum::extract::Path`, but a path that does not parse is our JSON error.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|e| ApiError::BadRequest(format!("the path is not valid: {}", e.body_text())))
    }
}

/// Refuses, before any handler runs, a request whose path or query string holds a control
/// character once percent-decoded (`/api/visits/%00`): 400, nothing read or written.
pub async fn refuse_control_chars_in_uri(req: Request, next: axum::middleware::Next) -> Response {
    let uri = req.uri();
    let parts = [uri.path(), uri.query().unwrap_or("")];
    let bad = parts.iter().any(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .chars()
            .any(is_forbidden_char)
    });
    if bad {
        return ApiError::BadRequest(
            "the address holds a control character (such as %00), which no id or filter may hold"
                .into(),
        )
        .into_response();
    }
    next.run(req).await
}
