//! The registry as a spreadsheet (`/api/registry/*`): import with its dry run.

use super::{upload, ApiError};
use crate::util::to_json;

/// An import's report with the refused rows as CSV.
#[derive(serde::Deserialize, Clone, PartialEq)]
pub struct ImportResponse {
    #[serde(flatten)]
    pub report: hoptac_core::registry::ImportReport,
    pub notes_csv: String,
}

/// What the administrator chose after a dry run: `mapping` the file's header → column
/// key where the file's headers differ; the worksheet to read; how the file writes dates.
#[derive(Clone, Default, PartialEq)]
pub struct ImportChoices {
    pub mapping: Vec<(String, String)>,
    pub sheet: Option<String>,
    pub date_order: Option<hoptac_core::spreadsheet::DateOrder>,
}

/// Sends a registry file: a dry run, or (`apply`) the import itself.
pub async fn import_registry(
    token: &str,
    file: &web_sys::File,
    apply: bool,
    choices: &ImportChoices,
) -> Result<ImportResponse, ApiError> {
    let map: std::collections::BTreeMap<&str, &str> = choices
        .mapping
        .iter()
        .map(|(h, k)| (h.as_str(), k.as_str()))
        .collect();
    let mapping = to_json(&map).unwrap_or_default();
    let mut fields = vec![
        ("apply", if apply { "true" } else { "false" }),
        ("mapping", mapping.as_str()),
    ];
    if let Some(sheet) = &choices.sheet {
        fields.push(("sheet", sheet.as_str()));
    }
    match choices.date_order {
        Some(hoptac_core::spreadsheet::DateOrder::Dmy) => fields.push(("date_order", "dmy")),
        Some(hoptac_core::spreadsheet::DateOrder::Mdy) => fields.push(("date_order", "mdy")),
        None => {}
    }
    upload(token, "/api/registry/import", file, &fields).await
}

/// `GET /api/registry/export`: the registry in the user's areas as an XLSX file the user
/// keeps (the import's columns, so it can be edited and imported back).
pub async fn export_registry(token: &str) -> Result<(), ApiError> {
    super::download(token, "/api/registry/export").await
}
