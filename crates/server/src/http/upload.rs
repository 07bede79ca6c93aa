//! A file sent as `multipart/form-data` (field `file`) with its form's other fields, read
//! once for every upload endpoint (the registry, the list of units, a reorganisation's
//! table). A request that is not multipart, or has no file, is a 422 naming `file` in the
//! user's language, never axum's plain-text rejection.

use super::error::{ApiError, ApiResult};
use axum::extract::multipart::MultipartRejection;
use axum::extract::Multipart;
use hoptac_core::i18n::Msg;
use std::collections::BTreeMap;

/// The file and the form's text fields.
pub struct Upload {
    pub file: Vec<u8>,
    pub fields: BTreeMap<String, String>,
}

fn form_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::field(
        "file",
        Msg::new(
            format!("Không đọc được biểu mẫu gửi lên: {e}."),
            format!("The form sent cannot be read: {e}."),
        ),
    )
}

impl Upload {
    /// Reads the whole form. Errors: 422 `file` when the request is not a multipart form,
    /// cannot be read, or holds no file.
    pub async fn read(form: Result<Multipart, MultipartRejection>) -> ApiResult<Upload> {
        let mut form = form.map_err(|e| {
            ApiError::field(
                "file",
                Msg::new(
                    format!("Hãy gửi tệp dưới dạng multipart/form-data (trường \"file\"): {e}."),
                    format!("Send the file as multipart/form-data (field \"file\"): {e}."),
                ),
            )
        })?;
        let mut file = None;
        let mut fields = BTreeMap::new();
        // A body over the route's limit is 413, as a file too large is anywhere.
        let failed = |e: axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                form_error(e)
            }
        };
        while let Some(field) = form.next_field().await.map_err(failed)? {
            let name = field.name().unwrap_or("").to_string();
            if name == "file" {
                file = Some(field.bytes().await.map_err(failed)?.to_vec());
            } else if !name.is_empty() {
                fields.insert(name, field.text().await.map_err(failed)?);
            }
        }
        let file = file.ok_or_else(|| {
            ApiError::field(
                "file",
                Msg::new("Hãy chọn tệp XLSX hoặc CSV.", "Choose an XLSX or CSV file."),
            )
        })?;
        Ok(Upload { file, fields })
    }

    /// Field `name`, trimmed; None when absent or blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// Whether field `name` says "true" (`apply`).
    pub fn flag(&self, name: &str) -> bool {
        self.text(name) == Some("true")
    }
}
