//! Spreadsheet files an office uploads (the registry, the list of administrative units),
//! read into [`Cell`]s as Excel shows them, with kept libraries: XLSX with calamine, CSV
//! with the csv crate after its encoding is found.
//!
//! - XLSX: the first visible worksheet unless one is named (an office keeps last year's
//!   list in a hidden first sheet); a merged cell's value in every cell of its range; a
//!   number shown through an integer number format read as the text shown ("00004",
//!   "0912345678": [`hoptac_core::spreadsheet::display_integer`]); date cells as dates in
//!   the workbook's own date system (1900 or 1904); text typed with TCVN3 (.VnTime) fonts
//!   converted to Unicode, text typed with VNI fonts refused with what to do.
//! - CSV: UTF-8 with or without BOM; UTF-16 from Excel's "Unicode text"; TCVN3 converted;
//!   VNI-Windows refused with what to do; else Windows-1258 decoded with encoding_rs and
//!   composed to NFC.
//!
//! Nothing is allocated from what a file claims before it is checked: a cell far down or
//! far right, or a merged range of a million rows, is refused or clamped to the data.
//!
//! Tables written for Excel (downloads, the registry's export): [`write`].

pub mod write;

use crate::error::{ApiError, ApiResult};
use hoptac_core::i18n::Msg;
use hoptac_core::registry::MAX_IMPORT_ROWS;
use hoptac_core::spreadsheet::{
    decode_tcvn3, display_integer, has_vietnamese_letters, looks_like_tcvn3, looks_like_vni,
    tcvn3_cell, Cell, SheetInfo,
};
use unicode_normalization::{is_nfc, UnicodeNormalization};

/// Most columns a file may have (the registry's export writes 20).
pub const MAX_COLUMNS: usize = 200;

/// Most characters Excel keeps in a cell: a longer text is no workbook Excel wrote (a
/// shared string of megabytes named by many cells would be copied into each).
pub const MAX_CELL_CHARS: usize = 32_767;

/// Most cells merged ranges may fill with their first cell's value, over the whole sheet
/// (an office merges a few cells down a column; a range over the sheet is refused rather
/// than copied into every cell).
pub const MAX_MERGED_CELLS: usize = 200_000;

/// Largest file accepted, in bytes (50,000 rows of a registry are about 10 MB as CSV).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// Most bytes the parts of an XLSX file may expand to, all together (50,000 rows of 20
/// columns written by Excel are about 60 MB of XML). An XLSX is a zip: a few megabytes can
/// expand to gigabytes (a shared-string table calamine reads whole when the file opens), so
/// the parts are measured, decompressed into nothing, before any library reads them.
pub const MAX_XLSX_EXPANDED: u64 = 200 * 1024 * 1024;

/// Most bytes of text a file's cells may hold together once read (50,000 rows of a
/// registry hold about 15 MB). A workbook names one shared string from many cells, and a
/// merged range repeats its first cell across it: a file of 2 KB could otherwise ask for
/// gigabytes of copies.
pub const MAX_TEXT_BYTES: usize = 100 * 1024 * 1024;

fn too_much_text() -> ApiError {
    bad_file(
        format!(
            "Các ô của tệp chứa tổng cộng hơn {} MB chữ: không phải bảng tính bình thường. Hãy xóa các ô, trang thừa (hoặc bỏ gộp ô) rồi lưu lại.",
            MAX_TEXT_BYTES / (1024 * 1024)
        ),
        format!(
            "The file's cells hold more than {} MB of text in all: not an ordinary workbook. Delete the extra cells and sheets (or unmerge cells) and save it again.",
            MAX_TEXT_BYTES / (1024 * 1024)
        ),
    )
}

/// The field count of the first CSV record with more than [`MAX_COLUMNS`] fields, if any,
/// counted on the text before it is parsed (quotes followed as the csv crate does): the
/// parser would first build the whole record, 20 MB of separators being 20 million
/// fields. A scan of the bytes, nothing allocated.
fn widest_record(text: &str, delimiter: u8) -> Option<usize> {
    let (mut fields, mut quoted) = (1usize, false);
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                if fields > MAX_COLUMNS {
                    return Some(fields);
                }
                fields = 1;
            }
            d if d == delimiter && !quoted => fields += 1,
            _ => {}
        }
    }
    (fields > MAX_COLUMNS).then_some(fields)
}

/// The bytes a cell's value takes once read (its text; a number or date a few).
fn cell_bytes(c: &Cell) -> usize {
    match c {
        Cell::Text(t) => t.len(),
        _ => 8,
    }
}

/// Most parts (zip entries) an XLSX file may have (Excel writes about ten, plus one per
/// sheet, drawing and comment).
pub const MAX_XLSX_PARTS: usize = 2_000;

/// Files read at once by this process. A file just under the limits ([`MAX_XLSX_EXPANDED`],
/// [`MAX_TEXT_BYTES`]) makes the server take about 160 MB more while it is read
/// (docs/BENCHMARKS.md, "Files made to hurt": 190 MB of shared strings); two at once keep
/// the reading under half a gigabyte; the others wait their turn, holding only their
/// request body (at most [`MAX_FILE_BYTES`]; an import is a rare, office-hours event).
pub const READERS_AT_ONCE: usize = 2;
static READERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(READERS_AT_ONCE);

/// [`read`] for an upload: refused when larger than [`MAX_FILE_BYTES`] (413), read off the
/// async workers (reading a file is CPU work of up to a second or so), at most
/// [`READERS_AT_ONCE`] at a time.
pub async fn read_upload(bytes: &[u8], sheet: Option<String>) -> ApiResult<Read> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    let _turn = READERS
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(format!("reading the file: {e}")))?;
    let owned = bytes.to_vec();
    tokio::task::spawn_blocking(move || read(&owned, sheet.as_deref()))
        .await
        .map_err(|e| ApiError::Internal(format!("reading the file: {e}")))?
}

/// A file read: its rows, how it was read, and (XLSX) its sheets and the one read.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub rows: Vec<Vec<Cell>>,
    /// "UTF-8", "UTF-8 (BOM)", "UTF-16LE", "Windows-1258", "TCVN3 → Unicode", "XLSX",
    /// "XLSX (TCVN3 → Unicode)".
    pub encoding: String,
    pub sheets: Vec<SheetInfo>,
    pub sheet: Option<String>,
}

fn bad_file(vi: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError::field("file", Msg::new(vi, en))
}

fn vni_refused() -> ApiError {
    bad_file(
        "Tệp gõ bằng bảng mã VNI (phông VNI-Times), chưa đọc được. Hãy chuyển sang Unicode: mở tệp, chọn cả bảng và sao chép (Ctrl+C); mở UniKey → Công cụ… (Ctrl+Shift+F6), chọn Nguồn \"VNI Windows\", Đích \"Unicode\", bấm \"Chuyển mã\"; dán lại vào bảng (Ctrl+V), đổi phông sang Times New Roman và lưu thành XLSX.",
        "The file is typed in the VNI encoding (VNI-Times fonts), which cannot be read. Convert it to Unicode: open it, select the table and copy it (Ctrl+C); in UniKey open Tools… (Ctrl+Shift+F6), choose source \"VNI Windows\" and target \"Unicode\", press \"Convert\"; paste it back (Ctrl+V), set the font to Times New Roman and save as XLSX.",
    )
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
    // Bytes no text file holds (NUL and the other C0 controls but tab and line ends): not
    // a CSV at all, whatever encoding it could be read in.
    let controls = bytes
        .iter()
        .filter(|b| **b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        .count();
    if controls * 100 > bytes.len() || bytes.contains(&0) {
        return Err(bad_file(
            "Tệp không phải tệp văn bản (CSV) hay bảng tính Excel (XLSX).",
            "The file is neither a text (CSV) file nor an Excel workbook (XLSX).",
        ));
    }
    if looks_like_tcvn3(bytes) {
        return Ok((decode_tcvn3(bytes).nfc().collect(), "TCVN3 → Unicode"));
    }
    let latin1: String = bytes.iter().map(|b| *b as char).collect();
    if looks_like_vni(&latin1) {
        return Err(vni_refused());
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

fn columns_refused(n: usize) -> ApiError {
    bad_file(
        format!("Tệp có {n} cột; tối đa {MAX_COLUMNS} cột. Hãy xóa các cột thừa."),
        format!(
            "The file has {n} columns; at most {MAX_COLUMNS} are read. Remove the extra columns."
        ),
    )
}

fn rows_refused(row: usize) -> ApiError {
    bad_file(
        format!("Tệp có dữ liệu ở dòng {row}; mỗi lần nhập tối đa {MAX_IMPORT_ROWS} dòng. Hãy chia tệp."),
        format!("The file has data on row {row}; one import takes at most {MAX_IMPORT_ROWS} rows. Split the file."),
    )
}

/// Whether a cell's text holds NUL: no text typed in a spreadsheet does (a UTF-16 file
/// without its byte-order mark read as UTF-8 is full of them), and PostgreSQL refuses it
/// in text.
fn has_control(t: &str) -> bool {
    t.contains('\0')
}

/// A cell's text with the other control characters (Word's soft line break U+000B pasted
/// into Excel, escape codes) as spaces; tab and line breaks kept.
fn without_controls(t: &str) -> String {
    t.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn control_refused() -> ApiError {
    bad_file(
        "Tệp có ô chứa ký tự NUL: không phải chữ gõ trong bảng tính. Nếu là tệp \"Unicode text\" của Excel, hãy lưu lại thành \"CSV UTF-8\" hoặc XLSX.",
        "The file has cells with NUL characters: not text typed in a spreadsheet. If it is Excel's \"Unicode text\", save it again as \"CSV UTF-8\" or XLSX.",
    )
}

/// A cell longer than Excel keeps ([`MAX_CELL_CHARS`]), in an XLSX or a CSV file.
fn long_cell() -> ApiError {
    bad_file(
        format!("Tệp có ô chứa hơn {MAX_CELL_CHARS} ký tự (Excel giữ tối đa chừng ấy trong một ô): không phải bảng tính của Excel."),
        format!("The file has a cell of more than {MAX_CELL_CHARS} characters (as many as Excel keeps in a cell): not a workbook Excel wrote."),
    )
}

/// What a text cell says, in Unicode: TCVN3 kept as Latin-1 letters converted (and
/// counted in `tcvn3`), VNI refused.
fn xlsx_text(s: &str) -> ApiResult<String> {
    if s.len() > MAX_CELL_CHARS * 4 || s.chars().count() > MAX_CELL_CHARS {
        return Err(long_cell());
    }
    if has_control(s) {
        return Err(control_refused());
    }
    if looks_like_vni(s) {
        return Err(vni_refused());
    }
    Ok(without_controls(s))
}

/// One XLSX cell as Excel shows it, given its number format code.
fn xlsx_cell(d: &calamine::DataRef<'_>, format: Option<&str>) -> ApiResult<Cell> {
    use calamine::DataRef;
    let number = |n: f64| match format.and_then(|f| display_integer(n, f)) {
        Some(shown) => Cell::Text(shown),
        None => Cell::Number(n),
    };
    Ok(match d {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::String(s) => Cell::Text(xlsx_text(s)?),
        DataRef::SharedString(s) => Cell::Text(xlsx_text(s)?),
        DataRef::Float(f) => number(*f),
        DataRef::Int(i) => number(*i as f64),
        DataRef::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        // The date as the workbook counts days (1900 or 1904 system).
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Cell::Date(format!("{y:04}-{m:02}-{d:02}"))
        }
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64()),
        DataRef::DateTimeIso(s) => Cell::Text(s.get(..10).unwrap_or(s).to_string()),
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
    })
}

/// Refuses an XLSX (a zip) of more than [`MAX_XLSX_PARTS`] parts or whose parts expand to
/// more than [`MAX_XLSX_EXPANDED`] bytes, measured by decompressing each part into nothing
/// (what the zip's directory claims can lie): memory stays at one buffer, time at a second
/// or so for the largest file accepted.
/// A file named .xlsx that the zip or XLSX reader cannot read (damaged, cut short by an
/// upload, or another kind of file renamed). The reader's own words name its internals
/// ("invalid Zip archive: … Zip32CDEBlock"), which tell an office nothing: they go to the
/// log, the user gets what to do.
fn broken_xlsx(e: &dyn std::fmt::Display) -> ApiError {
    tracing::info!(error = %e, "an uploaded XLSX could not be read");
    bad_file(
        "Không đọc được tệp Excel này: tệp bị hỏng, tải lên chưa trọn hoặc không phải tệp XLSX. Hãy mở bằng Excel và lưu lại thành XLSX (Excel Workbook), rồi chọn lại.",
        "This Excel file cannot be read: it is damaged, was not uploaded whole, or is not an XLSX file. Open it in Excel, save it as XLSX (Excel Workbook) and choose it again.",
    )
}

fn check_expansion(bytes: &[u8]) -> ApiResult<()> {
    let too_big = || {
        bad_file(
            format!(
                "Tệp Excel giải nén ra hơn {} MB: không phải bảng tính bình thường. Hãy mở bằng Excel, xóa các trang và ô thừa rồi lưu lại.",
                MAX_XLSX_EXPANDED / (1024 * 1024)
            ),
            format!(
                "The Excel file expands to more than {} MB: not an ordinary workbook. Open it in Excel, delete the extra sheets and cells and save it again.",
                MAX_XLSX_EXPANDED / (1024 * 1024)
            ),
        )
    };
    let unreadable = |e: &dyn std::fmt::Display| broken_xlsx(e);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    if zip.len() > MAX_XLSX_PARTS {
        return Err(bad_file(
            format!(
                "Tệp Excel có {} phần (tối đa {MAX_XLSX_PARTS}): không phải bảng tính bình thường. Hãy mở bằng Excel và lưu lại.",
                zip.len()
            ),
            format!(
                "The Excel file has {} parts (at most {MAX_XLSX_PARTS}): not an ordinary workbook. Open it in Excel and save it again.",
                zip.len()
            ),
        ));
    }
    let mut left = MAX_XLSX_EXPANDED;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| unreadable(&e))?;
        if part.size() > left {
            return Err(too_big());
        }
        use std::io::Read as _;
        let n = std::io::copy(&mut (&mut part).take(left + 1), &mut std::io::sink())
            .map_err(|e| unreadable(&e))?;
        if n > left {
            return Err(too_big());
        }
        left -= n;
    }
    Ok(())
}

/// A worksheet's cells, read one by one: a cell's position is checked before any room is
/// made for it (calamine's whole-sheet range allocates rows × columns from the positions
/// the file claims, so a tiny file naming cell A3000000000 would ask for gigabytes).
fn read_xlsx(bytes: &[u8], wanted: Option<&str>) -> ApiResult<Read> {
    use calamine::{Reader, SheetType, SheetVisible};
    let unreadable = |e: calamine::XlsxError| broken_xlsx(&e);
    check_expansion(bytes)?;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    let sheets: Vec<SheetInfo> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| SheetInfo {
            name: s.name.clone(),
            visible: s.visible == SheetVisible::Visible,
        })
        .collect();
    let chosen = match wanted.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => sheets
            .iter()
            .find(|s| s.name == w)
            .ok_or_else(|| {
                ApiError::field(
                    "sheet",
                    Msg::new(
                        format!("Tệp không có trang tính \"{w}\"."),
                        format!("The file has no sheet \"{w}\"."),
                    ),
                )
            })?
            .name
            .clone(),
        None => sheets
            .iter()
            .find(|s| s.visible)
            .or(sheets.first())
            .ok_or_else(|| {
                bad_file(
                    "Tệp Excel không có trang tính nào.",
                    "The Excel file has no sheet.",
                )
            })?
            .name
            .clone(),
    };
    let merged = book
        .merge_cells_by_sheet_name(&chosen)
        .map_err(unreadable)?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    // The text read so far, cells and merged copies together (at most MAX_TEXT_BYTES).
    let mut text_bytes = 0usize;
    {
        let mut reader = book.worksheet_cells_reader(&chosen).map_err(unreadable)?;
        let formats: Vec<Option<String>> = reader
            .styles()
            .iter()
            .map(|s| s.number_format.as_ref().map(|f| f.format_code.clone()))
            .collect();
        let max_rows = (MAX_IMPORT_ROWS + 20) as u32;
        while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(unreadable)? {
            let (r, c) = cell.get_position();
            if r >= max_rows {
                return Err(rows_refused(r as usize + 1));
            }
            if c as usize >= MAX_COLUMNS {
                return Err(columns_refused(c as usize + 1));
            }
            let format = formats.get(style).and_then(|f| f.as_deref());
            let value = xlsx_cell(cell.get_value(), format)?;
            if value == Cell::Empty {
                continue;
            }
            text_bytes += cell_bytes(&value);
            if text_bytes > MAX_TEXT_BYTES {
                return Err(too_much_text());
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
    }
    // A merged range shows its first cell's value across it: every cell of it holds the
    // value (a "Loại hình" merged over three THT rows is THT on each). Clamped to the
    // rows that hold data, and to [`MAX_MERGED_CELLS`] over the sheet.
    let widest = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut filled = 0usize;
    for m in merged {
        let (r0, c0) = (m.start.0 as usize, m.start.1 as usize);
        let Some(value) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else {
            continue;
        };
        let r1 = (m.end.0 as usize).min(rows.len().saturating_sub(1));
        let c1 = (m.end.1 as usize)
            .min(widest.saturating_sub(1))
            .min(MAX_COLUMNS - 1);
        filled += (r1 + 1).saturating_sub(r0) * (c1 + 1).saturating_sub(c0);
        if filled > MAX_MERGED_CELLS {
            return Err(bad_file(
                format!("Các ô gộp của tệp phủ hơn {MAX_MERGED_CELLS} ô. Hãy bỏ gộp ô (Merge & Center) ở các vùng lớn rồi lưu lại."),
                format!("The file's merged cells cover more than {MAX_MERGED_CELLS} cells. Unmerge the large ranges (Merge & Center) and save it again."),
            ));
        }
        for r in r0..=r1 {
            for c in c0..=c1 {
                if (r, c) == (r0, c0) {
                    continue;
                }
                let row = &mut rows[r];
                if row.len() <= c {
                    row.resize(c + 1, Cell::Empty);
                }
                if row[c] == Cell::Empty {
                    text_bytes += cell_bytes(&value);
                    if text_bytes > MAX_TEXT_BYTES {
                        return Err(too_much_text());
                    }
                    row[c] = value.clone();
                }
            }
        }
    }
    // Text typed with .VnTime fonts kept as Latin-1 letters, converted: the workbook
    // decides how sure the sign must be (hoptac_core::spreadsheet::tcvn3_cell).
    let texts = || {
        rows.iter().flatten().filter_map(|c| match c {
            Cell::Text(t) => Some(t.as_str()),
            _ => None,
        })
    };
    let unicode = texts().any(has_vietnamese_letters);
    let mut tcvn3 = 0usize;
    for cell in rows.iter_mut().flatten() {
        if let Cell::Text(t) = cell {
            match tcvn3_cell(t, unicode) {
                Some(u) => {
                    tcvn3 += 1;
                    *t = u.nfc().collect();
                }
                None if !is_nfc(t) => *t = t.nfc().collect(),
                None => {}
            }
        }
    }
    let encoding = if tcvn3 > 0 {
        "XLSX (TCVN3 → Unicode)"
    } else {
        "XLSX"
    };
    Ok(Read {
        rows,
        encoding: encoding.into(),
        sheets,
        sheet: Some(chosen),
    })
}

/// The rows of a file (XLSX: the sheet named, else its first visible worksheet; CSV:
/// separated by ',', ';' or tab, whichever the first ten lines use most).
pub fn read(bytes: &[u8], sheet: Option<&str>) -> ApiResult<Read> {
    if bytes.is_empty() {
        return Err(bad_file("Tệp rỗng.", "The file is empty."));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes, sheet);
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
    if let Some(n) = widest_record(&text, delimiter) {
        return Err(columns_refused(n));
    }
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
            return Err(rows_refused(rows.len() + 1));
        }
        rows.push(
            rec.iter()
                .map(|c| {
                    let t = c.trim();
                    if t.is_empty() {
                        Ok(Cell::Empty)
                    } else if t.len() > MAX_CELL_CHARS * 4 || t.chars().count() > MAX_CELL_CHARS {
                        Err(long_cell())
                    } else if has_control(t) {
                        Err(control_refused())
                    } else {
                        Ok(Cell::Text(without_controls(t)))
                    }
                })
                .collect::<ApiResult<Vec<Cell>>>()?,
        );
    }
    Ok(Read {
        rows,
        encoding: encoding.into(),
        sheets: Vec::new(),
        sheet: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // The same text typed with .VnTime (TCVN3): converted.
        let tcvn3 = b"T\xaan HTX,X\xb7\nHTX \xa7\xe5ng Giao,X\xb7 Ninh H\xb6i\n";
        assert_eq!(
            decode_text(tcvn3).unwrap(),
            (text.to_string(), "TCVN3 → Unicode")
        );
        // Typed with VNI-Times: Windows-1258 would decode it without error, as garbage.
        let vni: Vec<u8> = "Teân HTX,Xaõ\nHTX Ñoàng Giao,Xaõ Ninh Haûi\n"
            .chars()
            .map(|c| c as u32 as u8)
            .collect();
        let e = decode_text(&vni).unwrap_err();
        assert!(format!("{e:?}").contains("VNI"), "{e:?}");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode_text(&utf16).unwrap().0, text);
    }

    #[test]
    fn a_damaged_workbook_is_told_in_the_users_words() {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "Tên HTX").unwrap();
        let whole = book.save_to_buffer().unwrap();
        // Cut short (an upload that stopped), and another file renamed .xlsx.
        for bytes in [
            &whole[..whole.len() / 2],
            &b"PK\x03\x04not really a zip"[..],
        ] {
            let e = format!("{:?}", read(bytes, None).unwrap_err());
            assert!(e.contains("tệp bị hỏng, tải lên chưa trọn"), "{e}");
            for internal in ["Zip", "zip", "EOCD", "CDEBlock"] {
                assert!(!e.contains(internal), "{internal} in {e}");
            }
        }
    }

    #[test]
    fn files_claiming_huge_sheets_or_many_columns_are_refused_not_allocated() {
        // An XLSX naming a cell on row 3,000,000,000: refused before any room is made.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Tên HTX").unwrap();
        sheet.write_string(1_048_575, 0, "far").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let e = read(&bytes, None).unwrap_err();
        assert!(format!("{e:?}").contains("1048576"), "{e:?}");
        let wide = format!("{}\n", "x,".repeat(5_000));
        assert!(format!("{:?}", read(wide.as_bytes(), None).unwrap_err()).contains("5001"));
        // A merged range down to the last row of the sheet: clamped to the data.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Loại hình").unwrap();
        sheet
            .merge_range(1, 0, 1_048_575, 0, "THT", &rust_xlsxwriter::Format::new())
            .unwrap();
        sheet.write_string(3, 1, "x").unwrap();
        let r = read(&book.save_to_buffer().unwrap(), None).unwrap();
        assert_eq!(r.rows.len(), 4);
        assert_eq!(r.rows[3][0], Cell::Text("THT".into()));
    }

    #[test]
    fn files_made_to_hurt_are_refused_before_they_are_copied() {
        // One merged range over 4,000 rows × 200 columns whose first cell holds 1,000
        // characters, in a file of 2 KB: refused, not copied into 800,000 cells.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet
            .merge_range(
                0,
                1,
                3_999,
                199,
                &"x".repeat(1_000),
                &rust_xlsxwriter::Format::new(),
            )
            .unwrap();
        sheet.write_string(4_000, 199, "far right").unwrap();
        let e = read(&book.save_to_buffer().unwrap(), None).unwrap_err();
        assert!(format!("{e:?}").contains("gộp"), "{e:?}");
        // A cell longer than Excel keeps.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for r in 0..3 {
            sheet
                .write_string(r, 0, "y".repeat(MAX_CELL_CHARS))
                .unwrap();
        }
        assert!(
            read(&book.save_to_buffer().unwrap(), None).is_ok(),
            "as long as Excel keeps"
        );
        // Random bytes are no text file (not "VNI").
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let e = read(&noise, None).unwrap_err();
        assert!(format!("{e:?}").contains("không phải tệp văn bản"), "{e:?}");
    }

    #[test]
    fn a_unicode_workbook_keeps_its_symbols() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        // As offices' lists are: Vietnamese typed in Unicode (ạ, ộ, ư…) beside the names.
        sheet.write_string(0, 0, "Tên HTX").unwrap();
        sheet.write_string(0, 1, "Tình trạng hoạt động").unwrap();
        sheet.write_string(1, 0, "HTX Cà phê Arabica®").unwrap();
        sheet.write_string(2, 0, "Chè ¼ ha").unwrap();
        let r = read(&book.save_to_buffer().unwrap(), None).unwrap();
        assert_eq!(r.rows[1][0], Cell::Text("HTX Cà phê Arabica®".into()));
        assert_eq!(r.rows[2][0], Cell::Text("Chè ¼ ha".into()));
        assert_eq!(r.encoding, "XLSX");
    }

    #[test]
    fn csv_separators() {
        let text = "DANH SÁCH HTX TỈNH NINH BÌNH\n\nTên HTX;Xã/Phường;Mã số thuế\nHTX A;Ninh Hải;2700123456\n";
        let r = read(text.as_bytes(), None).unwrap();
        let h = r.rows.iter().position(|row| row.len() == 3).unwrap();
        assert_eq!(r.rows[h][0], Cell::Text("Tên HTX".into()));
        assert_eq!(r.rows[h + 1][2], Cell::Text("2700123456".into()));
    }
}
