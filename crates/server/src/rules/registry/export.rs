//! The registry exported in the import's columns (edit it in Excel, import it back), and
//! an import's refused and skipped rows as CSV.

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db};
use hoptac_core::model::{Role, UserInfo};
use hoptac_core::registry::{AreaIndex, Cell, ImportReport, COLUMNS};

/// The refused and skipped rows of a report as CSV (UTF-8 with BOM, so Excel shows the
/// Vietnamese): row, column, reason.
pub fn notes_csv(report: &ImportReport, lang_vi: bool) -> ApiResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let head = if lang_vi {
        ["Dòng", "Cột", "Lý do"]
    } else {
        ["Row", "Column", "Reason"]
    };
    w.write_record(head)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    for n in report.refused.iter().chain(&report.duplicates) {
        let msg = if lang_vi {
            &n.message.vi
        } else {
            &n.message.en
        };
        w.write_record([n.row.to_string().as_str(), n.column.as_str(), msg.as_str()])
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

/// The registry inside `user`'s areas as XLSX, in [`COLUMNS`]' order (what the import
/// reads back unchanged). Supervisors and administrators.
pub async fn export(db: &Db, user: &UserInfo) -> ApiResult<Vec<u8>> {
    if !matches!(user.role, Role::Supervisor | Role::Admin) {
        return Err(ApiError::Forbidden("your role may not do this".into()));
    }
    let areas = storage::areas::all(db).await?;
    let index = AreaIndex::new(&areas);
    let mut records = storage::cooperatives::in_paths(db, &user.scopes).await?;
    records.sort_by(|a, b| a.area_path.cmp(&b.area_path).then(a.name.cmp(&b.name)));
    use crate::spreadsheets::write::Cell as X;
    let mut rows = vec![COLUMNS
        .iter()
        .map(|c| X::Text(c.header.into()))
        .collect::<Vec<_>>()];
    for c in &records {
        let Some(commune) = index.get(&c.area_id) else {
            continue;
        };
        let district = commune
            .parent_id
            .as_deref()
            .and_then(|p| index.get(p))
            .filter(|d| d.parent_id.is_some());
        rows.push(
            hoptac_core::registry::export_row(c, commune, district)
                .into_iter()
                .map(|cell| match cell {
                    Cell::Empty => X::Empty,
                    Cell::Text(s) => X::Text(s),
                    Cell::Date(d) => X::Date(d),
                    // Counts and đồng are whole: shown with thousands separated.
                    Cell::Number(n) if n.fract() == 0.0 => X::Int(n as i64),
                    Cell::Number(n) => X::Num(n),
                })
                .collect(),
        );
    }
    crate::spreadsheets::write::xlsx("Danh sách HTX", &rows)
}
