//! `/api/registry/import` (a spreadsheet of cooperatives: dry run, then apply) and
//! `/api/registry/export` (the same columns as XLSX). The rules are
//! [`crate::rules::registry`].

use super::auth::AuthUser;
use super::error::{ApiError, ApiResult};
use super::upload::Upload;
use crate::rules;
use crate::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use hoptac_core::i18n::Msg;
use hoptac_core::registry::ImportReport;
use hoptac_core::spreadsheet::DateOrder;
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/registry/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(
                crate::spreadsheets::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/registry/export", get(export))
}

type E = hoptac_core::error::ApiErrorBody;

/// The multipart form of an import.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The XLSX or CSV file.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// "true" to write; anything else (or nothing) is a dry run.
    apply: Option<String>,
    /// JSON object: the file's header → column key ("tax_code"), "" to ignore a column.
    mapping: Option<String>,
    /// The worksheet to read (XLSX); by default the first visible one.
    sheet: Option<String>,
    /// "dmy" or "mdy": how the file writes dates with numbers only; by default told from
    /// the file's dates (the dry run asks when it cannot tell).
    date_order: Option<String>,
}

/// An import's report, with the refused and skipped rows as a CSV file to download.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportResponse {
    #[serde(flatten)]
    pub report: ImportReport,
    /// The refused and skipped rows as CSV (UTF-8 with BOM): row, column, reason (vi).
    pub notes_csv: String,
}

/// Import the registry from an XLSX or CSV file: a dry run (nothing written) unless
/// `apply` is "true". Administrators, inside their areas.
#[utoipa::path(post, path = "/api/registry/import", tag = "registry", security(("bearer" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportResponse), (status = 422, body = E), (status = 403, body = E),
              (status = 413, body = E), (status = 401, body = E)))]
pub async fn import(
    State(state): State<AppState>,
    user: AuthUser,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<axum::Json<ImportResponse>> {
    let up = Upload::read(form).await?;
    let mut opts = rules::registry::ImportOptions {
        apply: up.flag("apply"),
        sheet: up.text("sheet").map(str::to_string),
        ..Default::default()
    };
    if let Some(order) = up.text("date_order") {
        opts.date_order = Some(DateOrder::parse(order).ok_or_else(|| {
            ApiError::field(
                "date_order",
                Msg::new(
                    "Cách ghi ngày phải là \"dmy\" (ngày/tháng/năm) hoặc \"mdy\" (tháng/ngày/năm).",
                    "The date order must be \"dmy\" (day/month/year) or \"mdy\" (month/day/year).",
                ),
            )
        })?);
    }
    if let Some(text) = up.text("mapping") {
        let m: std::collections::BTreeMap<String, String> =
            serde_json::from_str(text).map_err(|e| {
                ApiError::field(
                    "mapping",
                    Msg::new(
                        format!("Bảng ghép cột không hợp lệ: {e}."),
                        format!("The column mapping is not valid: {e}."),
                    ),
                )
            })?;
        opts.mapping = m.into_iter().collect();
    }
    let report = rules::registry::import(&state.db, &user.0, &up.file, &opts).await?;
    let notes_csv = rules::registry::notes_csv(&report, true)?;
    Ok(axum::Json(ImportResponse { report, notes_csv }))
}

/// The registry inside the caller's areas as XLSX, in the import's columns.
#[utoipa::path(get, path = "/api/registry/export", tag = "registry", security(("bearer" = [])),
    responses((status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 403, body = E), (status = 401, body = E)))]
pub async fn export(State(state): State<AppState>, user: AuthUser) -> ApiResult<impl IntoResponse> {
    let bytes = rules::registry::export(&state.db, &user.0).await?;
    let name = format!(
        "danh-sach-htx-{}.xlsx",
        hoptac_core::validate::date_of_millis_vn(crate::storage::now_ms())
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    ))
}
