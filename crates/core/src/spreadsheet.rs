//! A spreadsheet's cells as the office sees them in Excel: what an import reads, whatever
//! the file stores underneath.
//!
//! - [`Cell`]: one cell as the server's reader hands it over (XLSX through calamine, CSV
//!   through the csv crate).
//! - [`display_integer`]: a number cell shown through its number format when the format
//!   writes digits Excel would not otherwise show: `00000` shows 4 as "00004",
//!   `0#########` shows 912345678 as "0912345678". Identifier columns (codes, tax codes,
//!   registration numbers, phones) must be read as that text, never as the number.
//! - [`DateOrder`] and [`detect_date_order`]: whether "7/1/2025" is 7 January or 1 July,
//!   told from the file's own dates (a CSV saved with US regional settings writes month
//!   first).
//! - [`decode_tcvn3`], [`looks_like_tcvn3`], [`looks_like_vni`]: the legacy Vietnamese
//!   encodings older offices still type in (TCVN3/ABC with .VnTime fonts, VNI-Windows with
//!   VNI-Times fonts), found in CSV bytes and in XLSX text alike (an XLSX keeps a .VnTime
//!   cell's characters as the Latin-1 letters the font draws as Vietnamese).
//!
//! Excel's whole number-format language (dates, fractions, colours, sections) is not
//! needed here: calamine already turns date formats into dates, and amounts and counts
//! are read as numbers. No kept Rust crate formats Excel number codes on its own (the
//! formatters live inside whole XLSX libraries); the integer patterns identifiers use are
//! formatted by [`display_integer`] (docs/DEVELOPING.md, "Registry import").

use serde::{Deserialize, Serialize};

/// One cell as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number cell (XLSX) shown without digits of its own format; CSV cells are all text.
    Number(f64),
    /// A date cell (XLSX), "YYYY-MM-DD", in the workbook's own date system.
    Date(String),
}

impl Cell {
    /// The cell as text (a number as Vietnamese write it: "12,5").
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => format!("{n}").replace('.', ","),
            Cell::Date(d) => d.clone(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// `n` as Excel shows it through `format` (a cell's number format code), when the format
/// is an integer pattern that writes more than the plain number: zero padding (`00000`),
/// literal characters (`0#########`, `"84"#########`, `000\.000`), digit groups written
/// with spaces. None for any other format ("General", "0", amounts with separators,
/// decimals, percentages, dates, several sections) and for a number that is not a whole
/// non-negative one: the caller keeps the number.
pub fn display_integer(n: f64, format: &str) -> Option<String> {
    if !(n >= 0.0 && n.fract() == 0.0 && n < 1e15) {
        return None;
    }
    // One section, no colour or condition, no separators, decimals, exponents or dates.
    let mut tokens: Vec<Token> = Vec::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '0' => tokens.push(Token::Zero),
            '#' | '?' => tokens.push(Token::Hash),
            '"' => {
                let mut lit = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => lit.push(c),
                        None => return None,
                    }
                }
                tokens.push(Token::Lit(lit));
            }
            '\\' => tokens.push(Token::Lit(chars.next()?.to_string())),
            ' ' | '-' | '(' | ')' | '/' | '+' => tokens.push(Token::Lit(c.to_string())),
            _ => return None,
        }
    }
    let placeholders = tokens
        .iter()
        .filter(|t| matches!(t, Token::Zero | Token::Hash))
        .count();
    if placeholders == 0 {
        return None;
    }
    // Digits fill the placeholders from the right; '0' shows a zero where the number has
    // no digit, '#' nothing; digits beyond the placeholders go before the first one.
    let digits: Vec<char> = format!("{}", n as i64).chars().collect();
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut next = digits.len();
    let mut seen = 0;
    for t in tokens.iter().rev() {
        match t {
            Token::Lit(s) => out.push(s.clone()),
            Token::Zero | Token::Hash => {
                seen += 1;
                let last = seen == placeholders;
                let mut part = String::new();
                if last {
                    // The leftmost placeholder takes every digit left.
                    part.extend(&digits[..next]);
                    next = 0;
                } else if next > 0 {
                    next -= 1;
                    part.push(digits[next]);
                }
                if part.is_empty() && matches!(t, Token::Zero) {
                    part.push('0');
                }
                out.push(part);
            }
        }
    }
    out.reverse();
    let s: String = out.concat();
    // Only what differs from the plain number ("#" with 0 shows nothing: the number stays).
    (!s.is_empty() && s != format!("{}", n as i64)).then_some(s)
}

enum Token {
    Zero,
    Hash,
    Lit(String),
}

/// A cell holding a number written the way Excel writes a long number it cannot show
/// ("1,07E+09", "1.07001E+11"): its digits are lost, so an identifier read from it is refused.
pub fn is_scientific(text: &str) -> bool {
    let t = text.trim().to_ascii_uppercase();
    let Some((mantissa, exp)) = t.split_once('E') else {
        return false;
    };
    let exp = exp
        .strip_prefix('+')
        .or_else(|| exp.strip_prefix('-'))
        .unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && mantissa.starts_with(|c: char| c.is_ascii_digit())
        && !exp.is_empty()
        && exp.chars().all(|c| c.is_ascii_digit())
}

/// A sheet of a workbook, for the sheet chooser.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetInfo {
    pub name: String,
    /// False for a sheet hidden in Excel.
    pub visible: bool,
}

/// How a file's dates written with numbers only were read, shown in the dry run.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateOrderNote {
    pub order: DateOrder,
    /// The rule used ("told by 15/03/2019", "chosen by you", …).
    pub rule: crate::i18n::Msg,
    /// Dates of the file that read differently in the other order.
    pub examples: Vec<String>,
    /// False while the file cannot tell and nobody chose: the import waits for a choice.
    pub settled: bool,
}

/// The order of day and month in dates written with numbers only ("07/01/2025").
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Day first, as Vietnam writes dates (15/03/2019).
    #[default]
    Dmy,
    /// Month first, as a CSV saved with US regional settings writes them (3/15/2019).
    Mdy,
}

impl DateOrder {
    pub fn parse(s: &str) -> Option<DateOrder> {
        match s.trim() {
            "dmy" => Some(DateOrder::Dmy),
            "mdy" => Some(DateOrder::Mdy),
            _ => None,
        }
    }
}

/// What a file's dates say about their order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateOrderFinding {
    /// No date written with numbers that could be read both ways.
    NoQuestion,
    /// Told by a date whose first or second number is over 12.
    Told { order: DateOrder, example: String },
    /// Both orders appear (13/02/2020 and 02/13/2020 in one file): cannot be read.
    Mixed { dmy: String, mdy: String },
    /// Every date could be read both ways (07/01/2025, 03/04/2019): the file cannot say.
    Unclear { examples: Vec<String> },
}

/// The day-first and month-first numbers of a date written "a/b/yyyy" (or with '-', '.'),
/// or None for any other shape (ISO dates are unambiguous).
fn two_numbers(text: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = text.trim().split(['/', '-', '.']).collect();
    let [a, b, y] = parts.as_slice() else {
        return None;
    };
    if y.trim().len() != 4 || a.trim().len() > 2 || b.trim().len() > 2 {
        return None;
    }
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// What the dates of a column (as texts) say about their order.
pub fn detect_date_order<'a>(texts: impl IntoIterator<Item = &'a str>) -> DateOrderFinding {
    let (mut dmy, mut mdy, mut unclear) = (None, None, Vec::new());
    for t in texts {
        let Some((a, b)) = two_numbers(t) else {
            continue;
        };
        if a > 12 && b <= 12 {
            dmy.get_or_insert_with(|| t.trim().to_string());
        } else if b > 12 && a <= 12 {
            mdy.get_or_insert_with(|| t.trim().to_string());
        } else if a != b && a >= 1 && b >= 1 && unclear.len() < 3 {
            unclear.push(t.trim().to_string());
        }
    }
    match (dmy, mdy) {
        (Some(d), Some(m)) => DateOrderFinding::Mixed { dmy: d, mdy: m },
        (Some(example), None) => DateOrderFinding::Told {
            order: DateOrder::Dmy,
            example,
        },
        (None, Some(example)) => DateOrderFinding::Told {
            order: DateOrder::Mdy,
            example,
        },
        (None, None) if unclear.is_empty() => DateOrderFinding::NoQuestion,
        (None, None) => DateOrderFinding::Unclear { examples: unclear },
    }
}

/// TCVN3 (TCVN 5712:1993 VN3, the "ABC" encoding of the .VnTime fonts): the Unicode
/// letter of each byte 0xA1–0xFE that VN3 uses. Read off glibc's iconv (`iconv -f
/// TCVN5712-1`), whose VN1 table agrees with VN3 on every byte VN3 uses; VN3 writes
/// capital toned letters with the lower-case bytes in a .VnTimeH font, so the bytes VN1
/// gives capitals to are left out.
const TCVN3: &[(u8, char)] = &[
    (0xA1, 'Ă'),
    (0xA2, 'Â'),
    (0xA3, 'Ê'),
    (0xA4, 'Ô'),
    (0xA5, 'Ơ'),
    (0xA6, 'Ư'),
    (0xA7, 'Đ'),
    (0xA8, 'ă'),
    (0xA9, 'â'),
    (0xAA, 'ê'),
    (0xAB, 'ô'),
    (0xAC, 'ơ'),
    (0xAD, 'ư'),
    (0xAE, 'đ'),
    (0xB5, 'à'),
    (0xB6, 'ả'),
    (0xB7, 'ã'),
    (0xB8, 'á'),
    (0xB9, 'ạ'),
    (0xBB, 'ằ'),
    (0xBC, 'ẳ'),
    (0xBD, 'ẵ'),
    (0xBE, 'ắ'),
    (0xC6, 'ặ'),
    (0xC7, 'ầ'),
    (0xC8, 'ẩ'),
    (0xC9, 'ẫ'),
    (0xCA, 'ấ'),
    (0xCB, 'ậ'),
    (0xCC, 'è'),
    (0xCE, 'ẻ'),
    (0xCF, 'ẽ'),
    (0xD0, 'é'),
    (0xD1, 'ẹ'),
    (0xD2, 'ề'),
    (0xD3, 'ể'),
    (0xD4, 'ễ'),
    (0xD5, 'ế'),
    (0xD6, 'ệ'),
    (0xD7, 'ì'),
    (0xD8, 'ỉ'),
    (0xDC, 'ĩ'),
    (0xDD, 'í'),
    (0xDE, 'ị'),
    (0xDF, 'ò'),
    (0xE1, 'ỏ'),
    (0xE2, 'õ'),
    (0xE3, 'ó'),
    (0xE4, 'ọ'),
    (0xE5, 'ồ'),
    (0xE6, 'ổ'),
    (0xE7, 'ỗ'),
    (0xE8, 'ố'),
    (0xE9, 'ộ'),
    (0xEA, 'ờ'),
    (0xEB, 'ở'),
    (0xEC, 'ỡ'),
    (0xED, 'ớ'),
    (0xEE, 'ợ'),
    (0xEF, 'ù'),
    (0xF1, 'ủ'),
    (0xF2, 'ũ'),
    (0xF3, 'ú'),
    (0xF4, 'ụ'),
    (0xF5, 'ừ'),
    (0xF6, 'ử'),
    (0xF7, 'ữ'),
    (0xF8, 'ứ'),
    (0xF9, 'ự'),
    (0xFA, 'ỳ'),
    (0xFB, 'ỷ'),
    (0xFC, 'ỹ'),
    (0xFD, 'ý'),
    (0xFE, 'ỵ'),
];

fn tcvn3_char(b: u8) -> Option<char> {
    if b < 0xA1 {
        return None;
    }
    TCVN3.iter().find(|(k, _)| *k == b).map(|(_, c)| *c)
}

/// Whether bytes (a CSV file, or an XLSX cell's Latin-1 letters) look like TCVN3 rather
/// than Windows-1258 or Latin-1 text: in TCVN3 the lower-case Vietnamese letters (ă â ê ô
/// ơ ư đ and the toned vowels) sit at 0xA8–0xBF and onwards, where Windows-1258 and
/// Latin-1 have only rare symbols (¨ © ª « ¬ ® ¯ °…). A third or more of the high bytes
/// in 0xA1–0xBF is TCVN3 (a Vietnamese text in Windows-1258 has almost none there).
pub fn looks_like_tcvn3(bytes: &[u8]) -> bool {
    let high = bytes.iter().filter(|b| **b >= 0x80).count();
    let symbols = bytes
        .iter()
        .filter(|b| (0xA1..=0xBF).contains(*b) && tcvn3_char(**b).is_some())
        .count();
    high > 0 && symbols * 3 >= high
}

/// TCVN3 bytes as Unicode: ASCII as is, VN3's letters by [`TCVN3`], any other byte as
/// its Latin-1 character.
pub fn decode_tcvn3(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| tcvn3_char(*b).unwrap_or(*b as char))
        .collect()
}

/// An XLSX cell's text converted from TCVN3 when it is TCVN3 kept as Latin-1 letters
/// (every character up to U+00FF, and [`looks_like_tcvn3`] on those bytes); None when it
/// is not (a Unicode Vietnamese text has letters above U+00FF: ạ ư ơ đ…).
pub fn tcvn3_text(s: &str) -> Option<String> {
    if !s.chars().any(|c| c as u32 >= 0x80) || s.chars().any(|c| c as u32 > 0xFF) {
        return None;
    }
    let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
    looks_like_tcvn3(&bytes).then(|| decode_tcvn3(&bytes))
}

/// Whether `s` holds a Vietnamese letter Latin-1 lacks (ă ơ ư đ and the toned vowels of
/// U+1EA0–U+1EF9): text typed in Unicode.
pub fn has_vietnamese_letters(s: &str) -> bool {
    s.chars().any(|c| matches!(c as u32, 0x0102..=0x0103 | 0x0110..=0x0111 | 0x0128..=0x0129 | 0x0168..=0x0169 | 0x01A0..=0x01B0 | 0x1EA0..=0x1EF9))
}

/// A workbook's text cell converted from TCVN3, or None. `workbook_unicode`: other cells of
/// the workbook hold Vietnamese typed in Unicode; then a cell converts only on a strong
/// sign (two or more TCVN3 letters among the Latin-1 symbols, half or more of its high
/// characters), so "Cà phê Arabica®" or "Chè ¼ ha" beside Unicode text stay as typed.
/// In a workbook typed with .VnTime throughout, [`tcvn3_text`]'s test.
pub fn tcvn3_cell(s: &str, workbook_unicode: bool) -> Option<String> {
    let converted = tcvn3_text(s)?;
    if !workbook_unicode {
        return Some(converted);
    }
    let high = s.chars().filter(|c| *c as u32 >= 0x80).count();
    let signs = s
        .chars()
        .filter(|c| (0xA1..=0xBF).contains(&(*c as u32)) && tcvn3_char(*c as u32 as u8).is_some())
        .count();
    (signs >= 2 && signs * 2 >= high).then_some(converted)
}

/// Whether Latin-1 text (a CSV's bytes as Latin-1, or an XLSX cell up to U+00FF) is
/// VNI-Windows: VNI writes a toned letter as the base letter and one or two marks that
/// VNI fonts draw in the places of ø ï ë ü å ä û ö ñ (grave, dot below, …, ư, đ), letters
/// Vietnamese never writes. Two or more of them, and a tenth or more of the high
/// characters.
pub fn looks_like_vni(text: &str) -> bool {
    if text.chars().any(|c| c as u32 > 0xFF) {
        return false;
    }
    let high = text.chars().filter(|c| *c as u32 >= 0x80).count();
    let marks = text
        .chars()
        .filter(|c| "øïëüåäûöñØÏËÜÅÄÛÖÑ".contains(*c))
        .count();
    marks >= 2 && marks * 10 >= high
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_show_as_their_number_format_writes_them() {
        assert_eq!(display_integer(4.0, "00000").as_deref(), Some("00004"));
        assert_eq!(
            display_integer(107001234.0, "0000000000").as_deref(),
            Some("0107001234")
        );
        assert_eq!(
            display_integer(912345678.0, "0#########").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            display_integer(912345678.0, "\"0\"#########").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            display_integer(912345678.0, "0### ### ###").as_deref(),
            Some("0912 345 678")
        );
        // Digits beyond the placeholders go in front.
        assert_eq!(
            display_integer(123456.0, "00-00").as_deref(),
            Some("1234-56")
        );
        assert_eq!(
            display_integer(123456.0, "000"),
            None,
            "shows the plain number"
        );
        // Formats that show the plain number (or something else entirely): the number stays.
        for f in [
            "General",
            "0",
            "#,##0",
            "0.00",
            "0%",
            "dd/mm/yyyy",
            "@",
            "#",
            "[Red]0000",
        ] {
            assert_eq!(display_integer(42.0, f), None, "{f}");
        }
        assert_eq!(display_integer(4.5, "00000"), None);
        assert_eq!(display_integer(-4.0, "00000"), None);
    }

    #[test]
    fn scientific_notation_is_told() {
        for s in ["1,07E+09", "1.07001E+11", "1E9", "2.7e+12"] {
            assert!(is_scientific(s), "{s}");
        }
        for s in ["0107001234", "E12", "12E", "2700-123", "1.5"] {
            assert!(!is_scientific(s), "{s}");
        }
    }

    #[test]
    fn the_order_of_day_and_month_is_told_from_the_dates() {
        assert_eq!(
            detect_date_order(["15/03/2019", "01/02/2020"]),
            DateOrderFinding::Told {
                order: DateOrder::Dmy,
                example: "15/03/2019".into()
            }
        );
        // A CSV saved with US settings: 7/1/2025 is 1 July, told by 3/15/2019.
        assert_eq!(
            detect_date_order(["7/1/2025", "3/15/2019"]),
            DateOrderFinding::Told {
                order: DateOrder::Mdy,
                example: "3/15/2019".into()
            }
        );
        assert_eq!(
            detect_date_order(["7/1/2025", "03/04/2019", "05/05/2018"]),
            DateOrderFinding::Unclear {
                examples: vec!["7/1/2025".into(), "03/04/2019".into()]
            }
        );
        assert_eq!(
            detect_date_order(["2019-03-15", "05/05/2018", ""]),
            DateOrderFinding::NoQuestion
        );
        assert!(matches!(
            detect_date_order(["13/02/2020", "02/13/2020"]),
            DateOrderFinding::Mixed { .. }
        ));
    }

    #[test]
    fn tcvn3_is_read_in_csv_bytes_and_in_xlsx_text() {
        // "Hợp tác xã Đồng Giao" typed with .VnTime.
        let bytes = b"H\xeep t\xb8c x\xb7 \xa7\xe5ng Giao";
        assert!(looks_like_tcvn3(bytes));
        assert_eq!(decode_tcvn3(bytes), "Hợp tác xã Đồng Giao");
        // The same text kept by Excel as Latin-1 letters.
        let latin1: String = bytes.iter().map(|b| *b as char).collect();
        assert_eq!(latin1, "Hîp t¸c x· §ång Giao");
        assert_eq!(tcvn3_text(&latin1).as_deref(), Some("Hợp tác xã Đồng Giao"));
        // Unicode Vietnamese, French and plain text are left alone.
        assert_eq!(tcvn3_text("Hợp tác xã Đồng Giao"), None);
        assert_eq!(tcvn3_text("Tân Thành"), None);
        assert_eq!(tcvn3_text("Café"), None);
        assert_eq!(tcvn3_text("HTX 1"), None);
    }

    #[test]
    fn a_unicode_workbook_keeps_its_symbols() {
        // Beside Unicode Vietnamese, a name with ® or ¼ stays as typed; a .VnTime cell of
        // the same workbook still converts.
        for s in ["HTX Cà phê Arabica®", "Cá · Tôm", "Chè ¼ ha"] {
            assert_eq!(tcvn3_cell(s, true), None, "{s}");
        }
        assert_eq!(
            tcvn3_cell("Hîp t¸c x· §ång Giao", true).as_deref(),
            Some("Hợp tác xã Đồng Giao")
        );
        assert!(has_vietnamese_letters("Nông nghiệp") && !has_vietnamese_letters("Cà phê"));
    }

    #[test]
    fn vni_is_told_from_windows_1258_and_unicode() {
        // "Hợp tác xã Đồng Giao" typed with VNI-Times, as Latin-1 letters.
        assert!(looks_like_vni("Hôïp taùc xaõ Ñoàng Giao"));
        assert!(!looks_like_vni("Hợp tác xã Đồng Giao"));
        assert!(!looks_like_vni("Tân Thành, Café"));
    }
}
