//! Writes an XLSX workbook the way Excel writes one, from a JSON description on stdin, so
//! that tests outside Rust (the end-to-end suite) can hand hoptac the workbooks offices
//! keep: hidden sheets, merged cells, identifiers stored as numbers and shown through a
//! number format, dates as serial numbers in the 1900 or the 1904 date system.
//!
//! Run: `cargo run -q -p hoptac-server --example workbook -- OUT.xlsx < description.json`
//!
//! The description:
//! ```json
//! { "date1904": true,
//!   "sheets": [
//!     { "name": "Năm 2023", "hidden": true, "rows": [["Tên HTX", "Loại hình"], ["HTX A", "HTX"]] },
//!     { "name": "Năm 2024", "rows": [[ "HTX B", null, {"number": 107001234, "format": "0000000000"},
//!                                       {"date": "2015-03-13", "format": "dd/mm/yyyy"} ]],
//!       "merges": [{"first_row": 1, "last_row": 3, "column": 1, "text": "THT"}] } ] }
//! ```
//! A cell is a string, `null` (left blank), `{"number", "format"?}` or `{"date":
//! "YYYY-MM-DD", "format"}` (written as the serial number of the workbook's date system,
//! as Excel stores a date). Rows and columns count from 0; a merge's text is written in
//! its first cell and the others are left blank, as Excel keeps a merged range.
//! rust_xlsxwriter writes no 1904 workbooks, so the flag is set in `xl/workbook.xml`
//! afterwards, where Excel for Mac sets it.

use std::io::Read;

#[path = "../tests/common/xlsx.rs"]
mod xlsx;
use xlsx::with_1904_dates;

use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;

#[derive(Deserialize)]
struct Description {
    #[serde(default)]
    date1904: bool,
    sheets: Vec<Sheet>,
}

#[derive(Deserialize)]
struct Sheet {
    name: String,
    #[serde(default)]
    hidden: bool,
    rows: Vec<Vec<Cell>>,
    #[serde(default)]
    merges: Vec<Merge>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Cell {
    Text(String),
    Number { number: f64, format: Option<String> },
    Date { date: String, format: String },
    Blank(()),
}

#[derive(Deserialize)]
struct Merge {
    first_row: u32,
    last_row: u32,
    column: u16,
    text: String,
}

/// Days from 1 January 1970 to `date` (YYYY-MM-DD), proleptic Gregorian.
fn days_since_1970(date: &str) -> i64 {
    let parts: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().expect("a date YYYY-MM-DD"))
        .collect();
    let (y, m, d) = (parts[0], parts[1], parts[2]);
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The serial number Excel stores for `date`: days since 30 December 1899 (1900 system,
/// valid after February 1900), or since 1 January 1904.
fn serial(date: &str, date1904: bool) -> f64 {
    let days = days_since_1970(date);
    (if date1904 { days + 24107 } else { days + 25569 }) as f64
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: workbook OUT.xlsx < description.json");
    let mut json = String::new();
    std::io::stdin()
        .read_to_string(&mut json)
        .expect("the description on stdin");
    let description: Description = serde_json::from_str(&json).expect("a workbook description");
    let mut book = Workbook::new();
    for s in &description.sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(&s.name).expect("a sheet name Excel accepts");
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(r, c, t).unwrap();
                    }
                    Cell::Number {
                        number,
                        format: None,
                    } => {
                        sheet.write_number(r, c, *number).unwrap();
                    }
                    Cell::Number {
                        number,
                        format: Some(f),
                    } => {
                        sheet
                            .write_number_with_format(
                                r,
                                c,
                                *number,
                                &Format::new().set_num_format(f),
                            )
                            .unwrap();
                    }
                    Cell::Date { date, format } => {
                        sheet
                            .write_number_with_format(
                                r,
                                c,
                                serial(date, description.date1904),
                                &Format::new().set_num_format(format),
                            )
                            .unwrap();
                    }
                    Cell::Blank(()) => {}
                }
            }
        }
        for m in &s.merges {
            sheet
                .merge_range(
                    m.first_row,
                    m.column,
                    m.last_row,
                    m.column,
                    &m.text,
                    &Format::new(),
                )
                .unwrap();
        }
        if s.hidden {
            sheet.set_hidden(true);
        }
    }
    // Excel never leaves a hidden sheet active: the first visible one is.
    if let Some(i) = description.sheets.iter().position(|s| !s.hidden) {
        book.worksheet_from_index(i).unwrap().set_active(true);
    }
    let mut bytes = book.save_to_buffer().expect("the workbook written");
    if description.date1904 {
        bytes = with_1904_dates(bytes);
    }
    std::fs::write(&out, bytes).expect("the output file written");
}

#[cfg(test)]
mod tests {
    #[test]
    fn serials_are_excels() {
        // Excel: 1 January 1900 is 1 (1900 system); 15 March 2019 is 43539, and 42077 in
        // the 1904 system (1,462 days fewer).
        assert_eq!(super::serial("2019-03-15", false), 43539.0);
        assert_eq!(super::serial("2019-03-15", true), 42077.0);
        assert_eq!(super::serial("1904-01-01", true), 0.0);
    }
}
