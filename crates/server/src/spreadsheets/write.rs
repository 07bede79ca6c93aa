//! Tables written as files for Excel: CSV (UTF-8 with a byte-order mark, so Excel reads
//! Vietnamese correctly; a cell that starts like a formula is quoted so Excel shows it as
//! text) or XLSX (rust_xlsxwriter). The review queue's and the six-monthly review's
//! downloads (crate::http::files) and the registry's export use them.

use crate::error::{ApiError, ApiResult};

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    /// A date, "YYYY-MM-DD": a date cell shown dd/mm/yyyy in XLSX (read back as a date,
    /// whatever order a reader's settings use), "dd/mm/yyyy" in CSV.
    Date(String),
    Empty,
}

/// RFC 4180 CSV with a UTF-8 byte-order mark and CRLF line ends. A text starting with =, +,
/// - or @ gets a leading apostrophe so Excel never runs it as a formula.
pub fn csv(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(s) => {
                    let s = if s.starts_with(['=', '+', '-', '@']) {
                        format!("'{s}")
                    } else {
                        s.clone()
                    };
                    if s.contains([',', '"', '\n', '\r']) {
                        format!("\"{}\"", s.replace('"', "\"\""))
                    } else {
                        s
                    }
                }
                Cell::Int(i) => i.to_string(),
                Cell::Num(n) => n.to_string(),
                Cell::Date(d) => hoptac_core::registry::format_date(d),
                Cell::Empty => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// One worksheet, the first row bold; numbers stay numbers (thousands separated).
/// The most characters an Excel cell holds.
const XLSX_CELL_CHARS: usize = 32_767;

pub fn xlsx(sheet: &str, rows: &[Vec<Cell>]) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(err)?;
    let bold = XFormat::new().set_bold();
    let number = XFormat::new().set_num_format("#,##0");
    let date = XFormat::new().set_num_format("dd/mm/yyyy");
    let mut widths: Vec<usize> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (ri, ci) = (r as u32, c as u16);
            let len = match cell {
                Cell::Text(s) => {
                    // Excel holds at most 32,767 characters in a cell: a longer text is cut,
                    // marked, rather than failing the whole file.
                    let cut: String;
                    let s = if s.chars().count() > XLSX_CELL_CHARS {
                        cut = s.chars().take(XLSX_CELL_CHARS - 1).chain(['…']).collect();
                        &cut
                    } else {
                        s
                    };
                    if r == 0 {
                        ws.write_string_with_format(ri, ci, s, &bold).map_err(err)?;
                    } else {
                        ws.write_string(ri, ci, s).map_err(err)?;
                    }
                    s.chars().count()
                }
                Cell::Int(i) => {
                    ws.write_number_with_format(ri, ci, *i as f64, &number)
                        .map_err(err)?;
                    14
                }
                Cell::Num(n) => {
                    ws.write_number(ri, ci, *n).map_err(err)?;
                    8
                }
                Cell::Date(d) => {
                    match hoptac_core::validate::parse_iso_date_from(d, 1900).and_then(
                        |(y, m, day)| {
                            rust_xlsxwriter::ExcelDateTime::from_ymd(y as u16, m as u8, day as u8)
                                .ok()
                        },
                    ) {
                        Some(when) => {
                            ws.write_datetime_with_format(ri, ci, &when, &date)
                                .map_err(err)?;
                        }
                        None => {
                            ws.write_string(ri, ci, d).map_err(err)?;
                        }
                    }
                    10
                }
                Cell::Empty => 0,
            };
            if widths.len() <= c {
                widths.resize(c + 1, 8);
            }
            widths[c] = widths[c].max(len.min(60));
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64 + 2.0)
            .map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_bom_quotes_and_no_formulas() {
        let out = csv(&[
            vec![Cell::Text("Tên".into()), Cell::Text("Ghi chú".into())],
            vec![
                Cell::Text("HTX \"Hoa Lư\", Ninh Bình".into()),
                Cell::Text("=1+1".into()),
            ],
            vec![Cell::Int(-5), Cell::Empty],
        ]);
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with('\u{feff}'));
        assert_eq!(
            s.trim_start_matches('\u{feff}'),
            "Tên,Ghi chú\r\n\"HTX \"\"Hoa Lư\"\", Ninh Bình\",'=1+1\r\n-5,\r\n"
        );
    }

    #[test]
    fn a_text_longer_than_an_excel_cell_is_cut_not_an_error() {
        let long = "Khó khăn khác; ".repeat(5_000);
        let bytes = xlsx(
            "Phiếu",
            &[vec![Cell::Text("Ghi chú".into())], vec![Cell::Text(long)]],
        );
        assert!(bytes.is_ok(), "{:?}", bytes.err());
    }
}
