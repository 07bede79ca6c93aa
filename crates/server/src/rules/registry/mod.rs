//! The cooperative registry imported from the alliance's spreadsheet and exported in the
//! same columns ([`hoptac_core::registry`] decides what a row means).
//!
//! The file is read as Excel shows it by [`crate::spreadsheets`] (the sheet, merged
//! cells, number formats, the date system, old Vietnamese encodings); the order of day
//! and month in dates written with numbers is told from the file's own dates, or asked.
//! A blank cell keeps what is stored; "(xóa)" clears it ([`hoptac_core::registry::overlay`]).
//!
//! A dry run reads and matches every row and writes nothing; applying does the same and
//! writes every created or updated record in one transaction, logged for pull (the
//! officers' tablets receive them by the normal pull) and audited (action "import").
//! Rows match an existing record by hoptac id, tax code, registration number, then
//! name within the commune; a row equal to its record changes nothing, so importing the
//! same file twice changes nothing the second time.

use crate::error::{ApiError, ApiResult};
use crate::spreadsheets;
use crate::storage::{self, Db};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Cooperative, Role, UserInfo};
use hoptac_core::registry::{
    identifier_key, overlay, parse_row, AreaIndex, Cell, ColumnMatch, Field, ImportReport, Mapping,
    RowNote, COLUMNS, MAX_IMPORT_ROWS,
};
use hoptac_core::spreadsheet::{detect_date_order, DateOrder, DateOrderFinding, DateOrderNote};
use hoptac_core::text::normalize;
use hoptac_core::validate::{date_of_millis_vn, validate_cooperative};
use std::collections::HashMap;
use write::{write, Write};

mod export;
mod known;
mod write;

pub use export::{export, notes_csv};

/// The header row: the first of the first ten rows naming two or more known columns
/// (lists often start with a title and a date above the table), else the first
/// non-empty row.
fn header_row(rows: &[Vec<Cell>]) -> Option<usize> {
    let known = |r: &Vec<Cell>| {
        r.iter()
            .filter(|c| hoptac_core::registry::match_header(&c.text()).is_some())
            .count()
    };
    rows.iter()
        .take(10)
        .position(|r| known(r) >= 2)
        .or_else(|| {
            rows.iter()
                .position(|r| r.iter().any(|c| *c != Cell::Empty))
        })
}

/// Which of a row's identifiers point to which existing record.
struct Index {
    by_id: HashMap<String, usize>,
    by_tax: HashMap<String, usize>,
    by_reg: HashMap<String, usize>,
    by_name: HashMap<(String, String), usize>,
}

impl Index {
    fn new(records: &[Cooperative]) -> Index {
        let mut ix = Index {
            by_id: HashMap::new(),
            by_tax: HashMap::new(),
            by_reg: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (i, c) in records.iter().enumerate() {
            ix.add(c, i);
        }
        ix
    }

    fn add(&mut self, c: &Cooperative, i: usize) {
        self.by_id.insert(c.id.clone(), i);
        if let Some(k) = c.tax_code.as_deref().and_then(identifier_key) {
            self.by_tax.entry(k).or_insert(i);
        }
        if let Some(k) = c.registration_no.as_deref().and_then(identifier_key) {
            self.by_reg.entry(k).or_insert(i);
        }
        self.by_name
            .entry((normalize(&c.name), c.area_id.clone()))
            .or_insert(i);
    }
}

/// How an import reads a file: the administrator's choices after a dry run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportOptions {
    /// The file's headers → column keys where they differ ("" to ignore a column).
    pub mapping: Vec<(String, String)>,
    /// The worksheet to read (XLSX); None: the first visible one.
    pub sheet: Option<String>,
    /// Day and month order of dates written with numbers; None: told from the file.
    pub date_order: Option<DateOrder>,
    /// Write (true) or dry-run (false).
    pub apply: bool,
}

/// How dates written with numbers only are read: the administrator's choice, else what
/// the file's own dates tell; an error to show when the file cannot tell and nobody chose.
fn date_order(
    column: Vec<String>,
    chosen: Option<DateOrder>,
) -> (DateOrder, Option<DateOrderNote>, Option<Msg>) {
    let finding = detect_date_order(column.iter().map(String::as_str));
    let examples = |f: &DateOrderFinding| match f {
        DateOrderFinding::Unclear { examples } => examples.clone(),
        DateOrderFinding::Mixed { dmy, mdy } => vec![dmy.clone(), mdy.clone()],
        DateOrderFinding::Told { example, .. } => vec![example.clone()],
        DateOrderFinding::NoQuestion => Vec::new(),
    };
    if let Some(order) = chosen {
        let note = DateOrderNote {
            order,
            rule: Msg::new("Theo lựa chọn của bạn.", "As you chose."),
            examples: examples(&finding),
            settled: true,
        };
        return (order, Some(note), None);
    }
    match &finding {
        DateOrderFinding::NoQuestion => (DateOrder::Dmy, None, None),
        DateOrderFinding::Told { order, example } => {
            let (vi, en) = match order {
                DateOrder::Dmy => ("ngày/tháng/năm", "day/month/year"),
                DateOrder::Mdy => ("tháng/ngày/năm (kiểu Mỹ)", "month/day/year (US style)"),
            };
            let note = DateOrderNote {
                order: *order,
                rule: Msg::new(
                    format!("Ngày ghi theo {vi}: thấy \"{example}\" trong tệp."),
                    format!("Dates are written {en}: the file has \"{example}\"."),
                ),
                examples: examples(&finding),
                settled: true,
            };
            (*order, Some(note), None)
        }
        DateOrderFinding::Unclear { examples: ex } => {
            let note = DateOrderNote {
                order: DateOrder::Dmy,
                rule: Msg::new(
                    "Tệp không cho biết ngày ghi trước hay tháng ghi trước: hãy chọn.",
                    "The file does not tell whether the day or the month comes first: choose.",
                ),
                examples: ex.clone(),
                settled: false,
            };
            let problem = Msg::new(
                format!("Ngày như \"{}\" đọc được hai cách (ngày/tháng hoặc tháng/ngày): hãy chọn cách ghi ngày của tệp.", ex[0]),
                format!("Dates such as \"{}\" read two ways (day/month or month/day): choose how the file writes dates.", ex[0]),
            );
            (DateOrder::Dmy, Some(note), Some(problem))
        }
        DateOrderFinding::Mixed { dmy, mdy } => {
            let note = DateOrderNote {
                order: DateOrder::Dmy,
                rule: Msg::new(
                    "Tệp có cả hai cách ghi ngày.",
                    "The file writes dates both ways.",
                ),
                examples: examples(&finding),
                settled: false,
            };
            let problem = Msg::new(
                format!("Tệp ghi ngày theo hai cách (\"{dmy}\" là ngày/tháng, \"{mdy}\" là tháng/ngày): hãy sửa cho thống nhất."),
                format!("The file writes dates two ways (\"{dmy}\" day first, \"{mdy}\" month first): make them agree."),
            );
            (DateOrder::Dmy, Some(note), Some(problem))
        }
    }
}

/// Imports (`opts.apply`) or dry-runs a registry file for `user` (administrators, inside
/// their areas).
///
/// Errors: 403 for other roles; 422 `file` for a file that cannot be read (with what to
/// do), 422 `sheet` for a sheet it does not have. Rows that cannot be imported are not
/// errors: the report lists them.
pub async fn import(
    db: &Db,
    user: &UserInfo,
    bytes: &[u8],
    opts: &ImportOptions,
) -> ApiResult<ImportReport> {
    let (overrides, apply) = (&opts.mapping[..], opts.apply);
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "only administrators import the registry".into(),
        ));
    }
    let read = spreadsheets::read_upload(bytes, opts.sheet.clone()).await?;
    let rows = read.rows;
    let mut report = ImportReport {
        encoding: read.encoding,
        sheets: read.sheets,
        sheet: read.sheet,
        ..ImportReport::default()
    };
    let Some(h) = header_row(&rows) else {
        report
            .problems
            .push(Msg::new("Tệp không có dòng nào.", "The file has no rows."));
        return Ok(report);
    };
    let headers: Vec<String> = rows[h].iter().map(Cell::text).collect();
    let mut map = Mapping::new(&headers, overrides);
    report.columns = headers
        .iter()
        .zip(&map.fields)
        .map(|(header, f)| ColumnMatch {
            header: header.clone(),
            field: f.map(|f| hoptac_core::registry::column(f).key.to_string()),
        })
        .collect();
    report.problems = map.missing();
    let data: Vec<(u32, &Vec<Cell>)> = rows
        .iter()
        .enumerate()
        .skip(h + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.text().is_empty()))
        .map(|(i, r)| (i as u32 + 1, r))
        .collect();
    if data.len() > MAX_IMPORT_ROWS {
        report.problems.push(Msg::new(
            format!(
                "Tệp có {} dòng; mỗi lần nhập tối đa {MAX_IMPORT_ROWS} dòng. Hãy chia tệp.",
                data.len()
            ),
            format!(
                "The file has {} rows; one import takes at most {MAX_IMPORT_ROWS}. Split the file.",
                data.len()
            ),
        ));
    }
    report.rows = data.len() as u32;
    if let Some(col) = map.column_of(Field::EstablishedOn) {
        let texts = data
            .iter()
            .filter_map(|(_, r)| match r.get(col) {
                Some(Cell::Text(t)) => Some(t.clone()),
                _ => None,
            })
            .collect();
        let (order, note, problem) = date_order(texts, opts.date_order);
        map.date_order = order;
        report.date_order = note;
        report.problems.extend(problem);
    }
    if !report.problems.is_empty() {
        return Ok(report);
    }

    let areas = storage::areas::all(db).await?;
    let index = AreaIndex::new(&areas);
    let mut records = storage::cooperatives::in_paths(db, &user.scopes).await?;
    let mut ix = Index::new(&records);
    let header_of = |f: Field| {
        map.fields
            .iter()
            .position(|x| *x == Some(f))
            .map(|i| headers[i].clone())
            .unwrap_or_default()
    };
    let column_of_key = |key: &str| {
        COLUMNS
            .iter()
            .find(|c| c.key == key)
            .map(|c| header_of(c.field))
            .unwrap_or_default()
    };
    let today = date_of_millis_vn(storage::now_ms());
    // The row of the file each record was first seen on (for "same as row N").
    let mut seen: HashMap<usize, u32> = HashMap::new();
    let mut writes: Vec<Write> = Vec::new();
    // Index in `writes` of each record written, so a later duplicate row cannot write it.
    for (row_no, cells) in data {
        let parsed = match parse_row(row_no, cells, &map) {
            Ok(p) => p,
            Err(notes) => {
                report.refused.extend(notes);
                continue;
            }
        };
        let refuse = |column: String, message: Msg| RowNote {
            row: row_no,
            column,
            message,
        };
        let (named, commune) = match index.commune_then_and_now(&parsed) {
            Ok(a) => a,
            Err(m) => {
                let col = if parsed.commune_code.is_some() {
                    header_of(Field::CommuneCode)
                } else {
                    header_of(Field::Commune)
                };
                report.refused.push(refuse(col, m));
                continue;
            }
        };
        if !in_scope(&commune.path, &user.scopes) {
            report.refused.push(refuse(
                header_of(Field::Commune),
                Msg::new(
                    format!("{} không thuộc địa bàn bạn quản lý.", commune.name),
                    format!("{} is outside your areas.", commune.name),
                ),
            ));
            continue;
        }
        // The record this row is: by id, tax code, registration number, then name.
        let by_tax = parsed
            .coop
            .tax_code
            .as_deref()
            .and_then(identifier_key)
            .and_then(|k| ix.by_tax.get(&k).copied());
        let by_reg = parsed
            .coop
            .registration_no
            .as_deref()
            .and_then(identifier_key)
            .and_then(|k| ix.by_reg.get(&k).copied());
        if let (Some(a), Some(b)) = (by_tax, by_reg) {
            if a != b {
                report.refused.push(refuse(
                    header_of(Field::RegistrationNo),
                    Msg::new(
                        format!("Mã số thuế thuộc \"{}\" nhưng số ĐKKD thuộc \"{}\": hãy kiểm tra lại dòng này.", records[a].name, records[b].name),
                        format!("The tax code belongs to \"{}\" but the registration number to \"{}\": check this row.", records[a].name, records[b].name),
                    ),
                ));
                continue;
            }
        }
        let found = parsed
            .id
            .as_ref()
            .and_then(|id| ix.by_id.get(id).copied())
            .or(by_tax)
            .or(by_reg)
            .or_else(|| {
                ix.by_name
                    .get(&(normalize(&parsed.coop.name), commune.id.clone()))
                    .copied()
            });
        if let Some(i) = found {
            if let Some(first) = seen.get(&i) {
                report.duplicates.push(refuse(
                    String::new(),
                    Msg::new(
                        format!(
                            "Trùng với dòng {first} (cùng hợp tác xã \"{}\"): bỏ qua.",
                            records[i].name
                        ),
                        format!(
                            "Same cooperative as row {first} (\"{}\"): skipped.",
                            records[i].name
                        ),
                    ),
                ));
                continue;
            }
        }
        let mut next = match found {
            Some(i) => overlay(&records[i], &parsed),
            None => Cooperative {
                id: uuid::Uuid::new_v4().to_string(),
                version: 1,
                ..parsed.coop.clone()
            },
        };
        next.name = next.name.trim().to_string();
        // A record the row places in another commune keeps its area here and moves with
        // its history below.
        // A row naming a unit a reorganisation closed (a list written before it) says
        // nothing new about where the cooperative is: it stays where the reorganisation
        // placed it (a divided commune's cooperative may be in any of its units).
        let moves_to = found
            .filter(|i| records[*i].area_id != commune.id && named.is_open())
            .map(|i| (records[i].area_id.clone(), commune.clone()));
        if found.is_none() {
            next.area_id = commune.id.clone();
            next.area_path = commune.path.clone();
        }
        let errors = validate_cooperative(&next, Some(&today));
        if !errors.is_empty() {
            for e in errors {
                report
                    .refused
                    .push(refuse(column_of_key(&e.field), e.message));
            }
            continue;
        }
        if let (Some(i), Some((from, to))) = (found, &moves_to) {
            let from_name = index.get(from).map(|a| a.name.clone()).unwrap_or_default();
            report.moves.push(refuse(
                header_of(Field::Commune),
                Msg::new(
                    format!(
                        "{} chuyển từ {from_name} sang {} (cùng các phiếu khảo sát).",
                        records[i].name, to.name
                    ),
                    format!(
                        "{} moves from {from_name} to {} (with its visit reports).",
                        records[i].name, to.name
                    ),
                ),
            ));
        }
        match found {
            Some(i) if records[i] == next => {
                if moves_to.is_none() {
                    report.unchanged += 1;
                }
                seen.insert(i, row_no);
            }
            Some(i) => {
                report.updated += 1;
                seen.insert(i, row_no);
                let before = records[i].clone();
                next.version = before.version + 1;
                records[i] = next.clone();
                writes.push(Write::Update {
                    before,
                    after: next,
                });
            }
            None => {
                report.created += 1;
                let i = records.len();
                records.push(next.clone());
                ix.add(&next, i);
                seen.insert(i, row_no);
                writes.push(Write::Create(next));
            }
        }
        if let (Some(i), Some((_, to))) = (found, moves_to) {
            writes.push(Write::Move {
                id: records[i].id.clone(),
                to: to.id.clone(),
            });
        }
    }
    if apply {
        let made_meanwhile = write(db, user, &writes).await?;
        report.created -= made_meanwhile;
        report.unchanged += made_meanwhile;
        report.applied = true;
        tracing::info!(by = %user.id, created = report.created, updated = report.updated, refused = report.refused.len(), "registry imported");
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::write::land;
    use super::*;

    #[test]
    fn a_row_for_an_area_closed_during_the_import_lands_where_its_records_went() {
        use hoptac_core::model::{Area, AreaLevel};
        let area = |id: &str, successor: Option<&str>| Area {
            id: id.into(),
            parent_id: None,
            level: AreaLevel::Commune,
            name: id.into(),
            path: format!("P/{id}/"),
            code: None,
            opened_on: None,
            closed_on: successor.map(|_| "2025-07-01".into()),
            successor_id: successor.map(Into::into),
        };
        let all = vec![
            area("A", Some("X")),
            area("X", Some("Y")),
            area("Y", None),
            area("B", None),
        ];
        let mut gone = area("D", None);
        gone.closed_on = Some("2025-07-01".into());
        let all: Vec<Area> = all.into_iter().chain(std::iter::once(gone)).collect();
        let areas: HashMap<&str, &Area> = all.iter().map(|a| (a.id.as_str(), a)).collect();
        let coop = |area: &str| -> Cooperative {
            serde_json::from_value(serde_json::json!({"id": "c", "kind": "htx", "name": "HTX",
                "sector": "agriculture", "area_id": area, "area_path": format!("P/{area}/"),
                "status": "active", "version": 1}))
            .unwrap()
        };
        let all_of_p = vec!["P/".to_string()];
        assert_eq!(
            land(&areas, &all_of_p, &coop("B")).unwrap(),
            None,
            "open: as it is"
        );
        let landed = land(&areas, &all_of_p, &coop("A")).unwrap().unwrap();
        assert_eq!(
            (landed.area_id.as_str(), landed.area_path.as_str()),
            ("Y", "P/Y/"),
            "two reforms on"
        );
        let refused = land(&areas, &all_of_p, &coop("D")).unwrap_err();
        assert!(
            land(&areas, &["P/A/".to_string()], &coop("A")).is_err(),
            "landed outside the importer's areas"
        );
        assert!(
            format!("{refused:?}").contains("Import the file again"),
            "{refused:?}"
        );
    }

    #[test]
    fn csv_separators_and_title_rows() {
        let text = "DANH SÁCH HTX TỈNH NINH BÌNH\n\nTên HTX;Xã/Phường;Mã số thuế\nHTX A;Ninh Hải;2700123456\n";
        let rows = spreadsheets::read(text.as_bytes(), None).unwrap().rows;
        let h = header_row(&rows).unwrap();
        assert_eq!(rows[h][0], Cell::Text("Tên HTX".into()));
        assert_eq!(rows[h + 1][2], Cell::Text("2700123456".into()));
    }
}
