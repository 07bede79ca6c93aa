//! The cooperative registry imported from the alliance's spreadsheet and exported in the
//! same columns ([`hoptac_core::registry`] decides what a row means).
//!
//! A file is read with kept libraries: XLSX with calamine, CSV with the csv crate after
//! its encoding is found (UTF-8 with or without BOM; UTF-16 from Excel's "Unicode text";
//! Windows-1258 decoded with encoding_rs and composed to NFC). TCVN3 (ABC), which
//! older offices still produce with .VnTime fonts, has no decoder in any kept library: it
//! is recognised and refused with how to convert it (docs/DEVELOPING.md, "Registry
//! import", says why and how it is told from Windows-1258).
//!
//! A dry run reads and matches every row and writes nothing; applying does the same and
//! writes every created or updated record in one transaction, logged for pull (the
//! officers' tablets receive them by the normal pull) and audited (action "import").
//! Rows match an existing record by hoptac id, tax code, registration number, then
//! name within the commune; a row equal to its record changes nothing, so importing the
//! same file twice changes nothing the second time.

use crate::http::error::{ApiError, ApiResult};
use crate::storage::{self, Db, Who};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Cooperative, Role, UserInfo};
use hoptac_core::registry::{
    identifier_key, overlay, parse_row, AreaIndex, Cell, ColumnMatch, Field, ImportReport, Mapping,
    RowNote, COLUMNS, MAX_IMPORT_ROWS,
};
use hoptac_core::sync::Change;
use hoptac_core::text::normalize;
use hoptac_core::validate::{date_of_millis_vn, validate_cooperative};
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// Largest file accepted, in bytes (50,000 rows of a registry are about 10 MB as CSV).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

fn bad_file(vi: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError::field("file", Msg::new(vi, en))
}

/// Whether bytes that are not UTF-8 look like TCVN3 (ABC) rather than Windows-1258: in
/// TCVN3 the lower-case Vietnamese letters (ă â ê ô ơ ư đ and the toned vowels) sit at
/// 0xA8–0xBF and onwards, where Windows-1258 has only rare symbols (¨ © ª « ¬ ® ¯ °…);
/// Windows-1258 puts its letters at 0xC0–0xFF. A third or more of the high bytes in
/// 0xA1–0xBF is TCVN3 (a Vietnamese text in Windows-1258 has almost none there).
pub fn looks_like_tcvn3(bytes: &[u8]) -> bool {
    let high = bytes.iter().filter(|b| **b >= 0x80).count();
    let symbols = bytes.iter().filter(|b| (0xA1..=0xBF).contains(*b)).count();
    high > 0 && symbols * 3 >= high
}

/// The text of a CSV file and the name of its encoding.
pub fn decode_text(bytes: &[u8]) -> ApiResult<(String, &'static str)> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let text = std::str::from_utf8(rest).map_err(|_| {
            bad_file(
                "Tệp ghi là UTF-8 nhưng có byte không hợp lệ. Hãy lưu lại tệp (Excel: Lưu thành → CSV UTF-8).",
                "The file says UTF-8 but holds invalid bytes. Save it again (Excel: Save as → CSV UTF-8).",
            )
        })?;
        return Ok((text.to_string(), "UTF-8 (BOM)"));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, enc, errors) = encoding_rs::Encoding::for_bom(bytes)
            .map(|(e, _)| e)
            .unwrap_or(encoding_rs::UTF_16LE)
            .decode(bytes);
        if errors {
            return Err(bad_file(
                "Tệp Unicode (UTF-16) có ký tự hỏng. Hãy lưu lại tệp dưới dạng CSV UTF-8 hoặc XLSX.",
                "The Unicode (UTF-16) file holds broken characters. Save it as CSV UTF-8 or XLSX.",
            ));
        }
        let name = if enc == encoding_rs::UTF_16BE {
            "UTF-16BE"
        } else {
            "UTF-16LE"
        };
        return Ok((text.into_owned(), name));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "UTF-8"));
    }
    if looks_like_tcvn3(bytes) {
        return Err(bad_file(
            "Tệp dùng bảng mã TCVN3 (ABC, phông .VnTime), chưa đọc được. Hãy chuyển sang Unicode: mở bằng Excel và lưu thành XLSX, hoặc dùng công cụ chuyển mã của UniKey (TCVN3 → Unicode) rồi lưu thành CSV UTF-8.",
            "The file uses the TCVN3 (ABC, .VnTime fonts) encoding, which cannot be read. Convert it to Unicode: open it in Excel and save as XLSX, or use UniKey's converter (TCVN3 → Unicode), then save as CSV UTF-8.",
        ));
    }
    let (text, _, errors) = encoding_rs::WINDOWS_1258.decode(bytes);
    if errors {
        return Err(bad_file(
            "Không nhận ra bảng mã của tệp. Hãy lưu lại thành CSV UTF-8 hoặc XLSX.",
            "The file's encoding is not recognised. Save it as CSV UTF-8 or XLSX.",
        ));
    }
    // Windows-1258 writes most toned letters as a letter and a combining mark.
    Ok((text.nfc().collect(), "Windows-1258"))
}

/// Most columns a registry file may have (the export writes 19).
pub const MAX_COLUMNS: usize = 200;

fn too_big(vi: String, en: String) -> ApiError {
    bad_file(vi, en)
}

fn columns_refused(n: usize) -> ApiError {
    too_big(
        format!("Tệp có {n} cột; danh sách HTX có tối đa {MAX_COLUMNS} cột. Hãy xóa các cột thừa."),
        format!("The file has {n} columns; a registry has at most {MAX_COLUMNS}. Remove the extra columns."),
    )
}

fn xlsx_cell(d: &calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    match d {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.nfc().collect()),
        DataRef::SharedString(s) => Cell::Text(s.nfc().collect()),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64().floor()),
        DataRef::DateTimeIso(s) => Cell::Text(s.get(..10).unwrap_or(s).to_string()),
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
    }
}

/// The first sheet's cells, read one by one: a cell's position is checked before any
/// room is made for it (calamine's whole-sheet range allocates rows × columns from the
/// positions the file claims, so a tiny file naming cell A3000000000 would ask for
/// gigabytes).
fn read_xlsx(bytes: &[u8]) -> ApiResult<Vec<Vec<Cell>>> {
    use calamine::Reader;
    let unreadable = |e: calamine::XlsxError| {
        bad_file(
            format!("Không đọc được tệp Excel: {e}. Hãy mở bằng Excel và lưu lại thành XLSX."),
            format!("Cannot read the Excel file: {e}. Open it in Excel and save it as XLSX."),
        )
    };
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    let first = book.sheet_names().first().cloned().ok_or_else(|| {
        bad_file(
            "Tệp Excel không có trang tính nào.",
            "The Excel file has no sheet.",
        )
    })?;
    let mut reader = book.worksheet_cells_reader(&first).map_err(unreadable)?;
    let max_rows = (MAX_IMPORT_ROWS + 20) as u32;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        if r >= max_rows {
            return Err(too_big(
                format!("Tệp có dữ liệu ở dòng {}; mỗi lần nhập tối đa {MAX_IMPORT_ROWS} dòng. Hãy chia tệp.", r + 1),
                format!("The file has data on row {}; one import takes at most {MAX_IMPORT_ROWS} rows. Split the file.", r + 1),
            ));
        }
        if c as usize >= MAX_COLUMNS {
            return Err(columns_refused(c as usize + 1));
        }
        let value = xlsx_cell(cell.get_value());
        if value == Cell::Empty {
            continue;
        }
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        if rows[r].len() <= c {
            rows[r].resize(c + 1, Cell::Empty);
        }
        rows[r][c] = value;
    }
    Ok(rows)
}

/// The rows of a file (XLSX: its first sheet; CSV: separated by ',', ';' or tab,
/// whichever the first ten lines use most) and its encoding's name.
pub fn read_rows(bytes: &[u8]) -> ApiResult<(Vec<Vec<Cell>>, String)> {
    if bytes.is_empty() {
        return Err(bad_file("Tệp rỗng.", "The file is empty."));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok((read_xlsx(bytes)?, "XLSX".into()));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(bad_file(
            "Tệp Excel cũ (.xls) chưa được hỗ trợ. Hãy mở bằng Excel và lưu thành .xlsx.",
            "Old Excel files (.xls) are not supported. Open it in Excel and save it as .xlsx.",
        ));
    }
    let (text, encoding) = decode_text(bytes)?;
    // The separator the first lines use most (a title line above the table has none).
    let head: Vec<&str> = text.lines().take(10).collect();
    let delimiter = [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|d| {
            head.iter()
                .map(|l| l.bytes().filter(|b| b == d).count())
                .sum::<usize>()
        })
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| {
            bad_file(
                format!("Dòng {} của tệp CSV không đọc được: {e}.", i + 1),
                format!("Line {} of the CSV file cannot be read: {e}.", i + 1),
            )
        })?;
        if rec.len() > MAX_COLUMNS {
            return Err(columns_refused(rec.len()));
        }
        if rows.len() > MAX_IMPORT_ROWS + 20 {
            return Err(too_big(
                format!("Tệp có hơn {MAX_IMPORT_ROWS} dòng. Hãy chia tệp."),
                format!("The file has more than {MAX_IMPORT_ROWS} rows. Split the file."),
            ));
        }
        rows.push(
            rec.iter()
                .map(|c| {
                    let t = c.trim();
                    if t.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(t.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok((rows, encoding.into()))
}

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

/// One record the import will write.
enum Write {
    Create(Cooperative),
    Update {
        before: Cooperative,
        after: Cooperative,
    },
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

/// Imports (`apply`) or dry-runs a registry file for `user` (administrators, inside their
/// areas). `overrides` map the file's headers to column keys where they differ.
///
/// Errors: 403 for other roles; 422 `file` for a file that cannot be read (with what to
/// do). Rows that cannot be imported are not errors: the report lists them.
pub async fn import(
    db: &Db,
    user: &UserInfo,
    bytes: &[u8],
    overrides: &[(String, String)],
    apply: bool,
) -> ApiResult<ImportReport> {
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "only administrators import the registry".into(),
        ));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    // Reading a file is CPU work of up to a second or so: not on the async workers.
    let owned = bytes.to_vec();
    let (rows, encoding) = tokio::task::spawn_blocking(move || read_rows(&owned))
        .await
        .map_err(|e| ApiError::Internal(format!("reading the file: {e}")))??;
    let mut report = ImportReport {
        encoding,
        ..ImportReport::default()
    };
    let Some(h) = header_row(&rows) else {
        report
            .problems
            .push(Msg::new("Tệp không có dòng nào.", "The file has no rows."));
        return Ok(report);
    };
    let headers: Vec<String> = rows[h].iter().map(Cell::text).collect();
    let map = Mapping::new(&headers, overrides);
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
        let commune = match index.commune(&parsed) {
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
        next.area_id = commune.id.clone();
        next.area_path = commune.path.clone();
        let errors = validate_cooperative(&next, Some(&today));
        if !errors.is_empty() {
            for e in errors {
                report
                    .refused
                    .push(refuse(column_of_key(&e.field), e.message));
            }
            continue;
        }
        match found {
            Some(i) if records[i] == next => {
                report.unchanged += 1;
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

/// Writes the import; returns how many records to create another import made meanwhile
/// (skipped here).
async fn write(db: &Db, user: &UserInfo, writes: &[Write]) -> ApiResult<u32> {
    if writes.is_empty() {
        return Ok(0);
    }
    let mut made_meanwhile = 0;
    let who = Who::online(user);
    let mut tx = db.begin_write().await?;
    tx.wait_for_other_imports().await?;
    let all_areas = storage::areas::all_in(&mut tx).await?;
    let areas: HashMap<&str, &hoptac_core::model::Area> =
        all_areas.iter().map(|a| (a.id.as_str(), a)).collect();
    for w in writes {
        // An area a reorganisation closed since the dry run read the areas (it held this
        // lock until it committed): the record goes where that area's records went.
        let landed;
        let w = match w {
            Write::Create(c) => match land(&areas, &user.scopes, c)? {
                Some(c) => {
                    landed = Write::Create(c);
                    &landed
                }
                None => w,
            },
            Write::Update { before, after } => match land(&areas, &user.scopes, after)? {
                Some(after) => {
                    landed = Write::Update {
                        before: before.clone(),
                        after,
                    };
                    &landed
                }
                None => w,
            },
        };
        let (before, after) = match w {
            Write::Create(c) => {
                // Made meanwhile by another import of the same file (two clicks, two
                // administrators): not made twice.
                if storage::cooperatives::same_record(&mut tx, c)
                    .await?
                    .is_some()
                {
                    made_meanwhile += 1;
                    continue;
                }
                if !storage::cooperatives::insert(&mut tx, c, None).await? {
                    return Err(ApiError::BadRequest(format!("the id '{}' is taken", c.id)));
                }
                (None, c)
            }
            Write::Update { before, after } => {
                // Changed since the dry run read it (an officer's edit synced meanwhile):
                // the row is applied over the newer record only if it is still the same.
                let current = storage::cooperatives::lock(&mut tx, &after.id).await?;
                if current.as_ref() != Some(before) {
                    return Err(ApiError::Busy);
                }
                storage::cooperatives::update(&mut tx, after).await?;
                (Some(serde_json::to_string(before)?), after)
            }
        };
        super::cooperatives::flag_duplicates(&mut tx, after).await?;
        tx.record_change(
            "cooperative",
            &after.id,
            &after.area_path,
            &serde_json::to_string(&Change::Cooperative(after.clone()))?,
            who,
            "import",
            before.as_deref(),
            &serde_json::to_string(after)?,
        );
    }
    tx.commit().await?;
    Ok(made_meanwhile)
}

/// Record `c` in the area it belongs in today, when a reorganisation closed its area
/// after the import read the areas (None: its area is open). `areas`: every area by id,
/// read under the import lock (a reorganisation holds it until it commits). A dissolved
/// area with no successor refuses the import: run it again and the row is refused with
/// its line.
fn land(
    areas: &HashMap<&str, &hoptac_core::model::Area>,
    scopes: &[String],
    c: &Cooperative,
) -> ApiResult<Option<Cooperative>> {
    let mut at = areas.get(c.area_id.as_str()).copied();
    // A chain is at most a few reforms long; the bound stops a cycle a bad row could make.
    for _ in 0..16 {
        match at {
            // Landed outside the importer's areas (merged into another district's): as
            // if closed with no successor of theirs.
            Some(a) if a.closed_on.is_none() && !in_scope(&a.path, scopes) => break,
            Some(a) if a.closed_on.is_none() => {
                return Ok((a.id != c.area_id).then(|| Cooperative {
                    area_id: a.id.clone(),
                    area_path: a.path.clone(),
                    ..c.clone()
                }))
            }
            Some(a) => {
                at = a
                    .successor_id
                    .as_deref()
                    .and_then(|s| areas.get(s).copied())
            }
            None => break,
        }
    }
    Err(ApiError::field(
        "file",
        Msg::new(
            "Địa bàn của một dòng vừa bị giải thể (sắp xếp đơn vị hành chính trong lúc nhập). Hãy nhập lại tệp.",
            "An area of a row was closed meanwhile (a reorganisation during the import). Import the file again.",
        ),
    ))
}

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
    use crate::http::export::Cell as X;
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
                    Cell::Text(s) | Cell::Date(s) => X::Text(s),
                    // Counts and đồng are whole: shown with thousands separated.
                    Cell::Number(n) if n.fract() == 0.0 => X::Int(n as i64),
                    Cell::Number(n) => X::Num(n),
                })
                .collect(),
        );
    }
    crate::http::export::xlsx("Danh sách HTX", &rows)
}

#[cfg(test)]
mod tests {
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
    fn encodings_are_told_apart() {
        let text = "Tên HTX,Xã\nHTX Đồng Giao,Xã Ninh Hải\n";
        assert_eq!(decode_text(text.as_bytes()).unwrap().1, "UTF-8");
        let bom = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
        assert_eq!(
            decode_text(&bom).unwrap(),
            (text.to_string(), "UTF-8 (BOM)")
        );
        // The same text as Windows-1258 writes it: toned letters as a base letter and a
        // combining mark (ồ = ô 0xF4 + grave 0xCC; ã = a + tilde 0xDE; ả = a + hook 0xD2).
        let cp = b"T\xean HTX,Xa\xde\nHTX \xd0\xf4\xccng Giao,Xa\xde Ninh Ha\xd2i\n";
        let (back, name) = decode_text(cp).unwrap();
        assert_eq!(name, "Windows-1258");
        assert_eq!(back, text, "decoded and composed to NFC");
        // "Tên HTX" in TCVN3: ª is ê.
        let tcvn3 = b"T\xaan HTX,X\xb8 Ninh H\xb6i\nHTX \xa7\xe5ng Giao,X\xb8 Ninh H\xb6i\n";
        assert!(looks_like_tcvn3(tcvn3));
        let e = decode_text(tcvn3).unwrap_err();
        assert!(format!("{e:?}").contains("TCVN3"));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode_text(&utf16).unwrap().0, text);
    }

    #[test]
    fn files_claiming_huge_sheets_or_many_columns_are_refused_not_allocated() {
        // An XLSX naming a cell on row 3,000,000,000: refused before any room is made.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Tên HTX").unwrap();
        sheet.write_string(1_048_575, 0, "far").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let e = read_rows(&bytes).unwrap_err();
        assert!(format!("{e:?}").contains("1048576"), "{e:?}");
        let wide = format!("{}\n", "x,".repeat(5_000));
        assert!(format!("{:?}", read_rows(wide.as_bytes()).unwrap_err()).contains("5001"));
    }

    #[test]
    fn csv_separators_and_title_rows() {
        let text = "DANH SÁCH HTX TỈNH NINH BÌNH\n\nTên HTX;Xã/Phường;Mã số thuế\nHTX A;Ninh Hải;2700123456\n";
        let (rows, _) = read_rows(text.as_bytes()).unwrap();
        let h = header_row(&rows).unwrap();
        assert_eq!(rows[h][0], Cell::Text("Tên HTX".into()));
        assert_eq!(rows[h + 1][2], Cell::Text("2700123456".into()));
    }
}
