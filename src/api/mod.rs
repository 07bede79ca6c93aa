//! The code that talks to the server: the sync task's push and pull, sign-in, and the
//! online pages (the queue, decisions, the six-monthly review, administration), which
//! call it through resources (`crate::resources`).
//! Requests go through the browser's Fetch API (gloo-net); JSON is read and written by the
//! browser's JSON.parse/stringify with serde-wasm-bindgen, which keeps the wasm small.
//!
//! A module per URL prefix of the API, as the server's `http` modules are; here the
//! requests every module makes (JSON in and out, uploads, downloads) and the error they
//! give.

pub mod areas;
pub mod audit;
pub mod auth;
pub mod cooperatives;
pub mod photos;
pub mod reference;
pub mod registry;
pub mod reorganisations;
pub mod six_month;
pub mod sync;
pub mod users;
pub mod visits;

use crate::util::{from_json, to_json};
use gloo_net::http::Request;
use hoptac_core::error::{ApiErrorBody, ErrorCode};
use hoptac_core::i18n::Msg;
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No connection or the server did not answer: try again later.
    Network,
    /// The server answered with an error.
    Server {
        status: u16,
        code: ErrorCode,
        message: String,
        /// The first field message, in both languages, when the server gave one.
        detail: Option<Msg>,
    },
}

impl ApiError {
    /// What the user reads.
    pub fn user_message(&self) -> Msg {
        match self {
            ApiError::Network => Msg::new(
                "Không kết nối được máy chủ. Dữ liệu vẫn lưu trên máy và sẽ gửi khi có mạng.",
                "Cannot reach the server. Your data stays on this device and is sent when online.",
            ),
            ApiError::Server {
                detail: Some(m), ..
            } => m.clone(),
            ApiError::Server { code, .. } => code.user_message(),
        }
    }

    /// Worth retrying later (network, server trouble) rather than a permanent refusal.
    pub fn is_temporary(&self) -> bool {
        match self {
            ApiError::Network => true,
            ApiError::Server { status, .. } => *status >= 500 || *status == 429,
        }
    }
}

async fn post<B: Serialize, R: DeserializeOwned>(
    path: &str,
    token: Option<&str>,
    body: &B,
) -> Result<R, ApiError> {
    let js = post_js(path, token, body).await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

/// POSTs JSON and returns the parsed answer as a JavaScript value (JSON.parse), for
/// callers that hand most of it to IndexedDB untouched.
async fn post_js<B: Serialize>(
    path: &str,
    token: Option<&str>,
    body: &B,
) -> Result<wasm_bindgen::JsValue, ApiError> {
    let body = to_json(body).ok_or(ApiError::Network)?;
    send_js(Request::post(path), token, Some(body)).await
}

async fn send_js(
    req: gloo_net::http::RequestBuilder,
    token: Option<&str>,
    body: Option<String>,
) -> Result<wasm_bindgen::JsValue, ApiError> {
    let mut req = req.header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req.body(b).map_err(|_| ApiError::Network)?,
        None => req.build().map_err(|_| ApiError::Network)?,
    };
    let sent = crate::clock::device_now_ms();
    let resp = req.send().await.map_err(|_| ApiError::Network)?;
    crate::clock::observe(&resp.headers(), sent, crate::clock::device_now_ms());
    let status = resp.status();
    let text = resp.text().await.map_err(|_| ApiError::Network)?;
    if (200..300).contains(&status) {
        return js_sys::JSON::parse(&text).map_err(|_| ApiError::Network);
    }
    Err(error_of(status, &text))
}

/// A JSON answer read into `R`, or the error an answer outside 2xx carries.
async fn answer<R: DeserializeOwned>(resp: gloo_net::http::Response) -> Result<R, ApiError> {
    let status = resp.status();
    let text = resp.text().await.map_err(|_| ApiError::Network)?;
    if (200..300).contains(&status) {
        return from_json(&text).ok_or(ApiError::Network);
    }
    Err(error_of(status, &text))
}

/// The error an answer outside 2xx carries: our JSON error body, or, for a proxy's or
/// captive portal's page instead of our JSON, no connection.
fn error_of(status: u16, text: &str) -> ApiError {
    match from_json::<ApiErrorBody>(text) {
        Some(b) => ApiError::Server {
            status,
            code: b.code,
            message: b.message,
            detail: b.fields.first().map(|f| f.message.clone()),
        },
        None => ApiError::Network,
    }
}

/// GETs JSON from the API (online pages: the review, the audit trail).
async fn get<R: DeserializeOwned>(token: &str, path: &str) -> Result<R, ApiError> {
    let js = send_js(Request::get(path), Some(token), None).await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// Downloads an export (`path` with its query) and saves it as the file the server names.
pub async fn download(token: &str, path: &str) -> Result<(), ApiError> {
    let out = crate::pwa::download_file(path, token)
        .await
        .as_string()
        .unwrap_or_default();
    if out.is_empty() {
        return Ok(());
    }
    match from_json::<ApiErrorBody>(&out) {
        Some(b) => Err(ApiError::Server {
            status: 400,
            code: b.code,
            message: b.message,
            detail: b.fields.first().map(|f| f.message.clone()),
        }),
        None => Err(ApiError::Network),
    }
}

/// "a=1&b=x" from pairs, leaving out empty values.
pub fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn send<B: Serialize, R: DeserializeOwned>(
    req: gloo_net::http::RequestBuilder,
    token: &str,
    body: Option<&B>,
) -> Result<R, ApiError> {
    let body = match body {
        Some(b) => Some(to_json(b).ok_or(ApiError::Network)?),
        None => None,
    };
    let js = send_js(req, Some(token), body).await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Areas {
    #[serde(default)]
    areas: Vec<String>,
    #[serde(default)]
    scopes: Vec<String>,
}

/// Sends `file` as `multipart/form-data` (field `file`) with the form's `fields` to
/// `path`: every upload of the app (the registry, the list of units, a resolution's
/// table) goes through here.
async fn upload<R: DeserializeOwned>(
    token: &str,
    path: &str,
    file: &web_sys::File,
    fields: &[(&str, &str)],
) -> Result<R, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Network)?;
    for (k, v) in fields {
        form.append_with_str(k, v).map_err(|_| ApiError::Network)?;
    }
    // No content-type header: the browser writes the multipart boundary.
    let req = Request::post(path)
        .header("authorization", &format!("Bearer {token}"))
        .body(form)
        .map_err(|_| ApiError::Network)?;
    answer(req.send().await.map_err(|_| ApiError::Network)?).await
}
