//! What an import did or would do, as the dry run and the apply report it.

use super::*;

/// How a column of the file was understood, for the mapping step.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMatch {
    pub header: String,
    /// The column key it fills ("tax_code"), or None when ignored.
    pub field: Option<String>,
}

/// What an import does (a dry run) or did (applied).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// True when the records were written; false for a dry run (or when nothing could be).
    pub applied: bool,
    /// The file's encoding as detected ("UTF-8", "UTF-8 (BOM)", "Windows-1258", "XLSX").
    pub encoding: String,
    /// Data rows read (the header row and empty rows not counted).
    pub rows: u32,
    pub created: u32,
    pub updated: u32,
    /// Rows equal to the record already held: nothing to change.
    pub unchanged: u32,
    /// Rows skipped because an earlier row of the file is the same cooperative.
    pub duplicates: Vec<RowNote>,
    /// Records the file places in another commune: each moves there with its visit
    /// reports, as a move by hand does (row, the commune column, from → to).
    #[serde(default)]
    pub moves: Vec<RowNote>,
    /// Rows that cannot be imported, with row, column and reason.
    pub refused: Vec<RowNote>,
    /// How each column was understood.
    pub columns: Vec<ColumnMatch>,
    /// What stops the whole file (a required column missing), if anything.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Msg>,
    /// The workbook's worksheets (XLSX), for choosing another than the one read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<crate::spreadsheet::SheetInfo>,
    /// The worksheet read (XLSX).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// How dates written with numbers only were read (None: the file has none that
    /// could be read both ways).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<crate::spreadsheet::DateOrderNote>,
}
