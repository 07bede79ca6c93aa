//! Validation rules shared by the app (before saving) and the server (before applying).
//! Each failure names the field and says, in both languages, how to fix it.

use crate::i18n::Msg;
use crate::model::VisitReport;
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name in the record ("visit_date", "note"...).
    pub field: String,
    pub message: Msg,
}

impl FieldError {
    fn new(field: &str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError { field: field.to_string(), message: Msg::new(vi, en) }
    }
}

pub const MAX_NOTE_CHARS: usize = 5_000;
pub const MAX_ID_CHARS: usize = 64;

/// A calendar date "YYYY-MM-DD" from 2000 on; returns (y, m, d).
pub fn parse_iso_date(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (d <= days[(m - 1) as usize]).then_some((y, m, d))
}

/// The calendar date "YYYY-MM-DD" (UTC+7, Vietnam's time) of a Unix time in milliseconds.
pub fn date_of_millis_vn(ms: i64) -> String {
    let days = (ms + 7 * 3_600_000).div_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A Vietnamese tax code: 10 digits, or 10 digits, a hyphen and 3 digits for a branch.
pub fn is_valid_tax_code(s: &str) -> bool {
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|c| c.is_ascii_digit());
    match s.split_once('-') {
        None => digits(s, 10),
        Some((main, branch)) => digits(main, 10) && digits(branch, 3),
    }
}

/// A record id made by a tablet: non-empty, short, of letters, digits and '-'.
fn check_id(field: &str, id: &str, errors: &mut Vec<FieldError>) {
    let ok = !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        errors.push(FieldError::new(
            field,
            "Mã không hợp lệ (chỉ gồm chữ, số và dấu gạch, tối đa 64 ký tự).",
            "Invalid id (letters, digits and dashes only, at most 64 characters).",
        ));
    }
}

/// Checks a visit report. `today` ("YYYY-MM-DD"), when given, refuses dates in the future.
pub fn validate_visit(v: &VisitReport, today: Option<&str>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_id("id", &v.id, &mut errors);
    if v.cooperative_id.trim().is_empty() {
        errors.push(FieldError::new(
            "cooperative_id",
            "Hãy chọn hợp tác xã được khảo sát.",
            "Choose the cooperative you visited.",
        ));
    }
    match parse_iso_date(&v.visit_date) {
        None => errors.push(FieldError::new(
            "visit_date",
            "Ngày khảo sát không hợp lệ. Hãy chọn một ngày (năm-tháng-ngày) từ năm 2000.",
            "The visit date is not valid. Pick a date (year-month-day) from 2000 on.",
        )),
        Some(_) => {
            if let Some(t) = today {
                if v.visit_date.as_str() > t {
                    errors.push(FieldError::new(
                        "visit_date",
                        "Ngày khảo sát không được sau hôm nay.",
                        "The visit date cannot be after today.",
                    ));
                }
            }
        }
    }
    let note = v.note.trim();
    if note.is_empty() {
        errors.push(FieldError::new(
            "note",
            "Hãy ghi nội dung làm việc (không được để trống).",
            "Write what you found (the note cannot be empty).",
        ));
    } else if note.chars().count() > MAX_NOTE_CHARS {
        errors.push(FieldError::new(
            "note",
            format!("Ghi chú quá dài: tối đa {MAX_NOTE_CHARS} ký tự."),
            format!("The note is too long: at most {MAX_NOTE_CHARS} characters."),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReportStatus;

    fn visit() -> VisitReport {
        VisitReport {
            id: "7f1c-22".into(),
            cooperative_id: "c1".into(),
            author_id: "u1".into(),
            visit_date: "2021-06-11".into(),
            note: "Doanh thu giảm do COVID-19".into(),
            status: ReportStatus::Submitted,
            revision: 1,
            created_at: 0,
            area_path: String::new(),
            author_name: String::new(),
            received_at: None,
        }
    }

    fn fields(v: &VisitReport, today: Option<&str>) -> Vec<String> {
        validate_visit(v, today).into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_visit_passes() {
        assert!(validate_visit(&visit(), Some("2021-06-30")).is_empty());
    }

    #[test]
    fn empty_or_long_notes_are_refused() {
        let mut v = visit();
        v.note = "   ".into();
        assert_eq!(fields(&v, None), ["note"]);
        v.note = "x".repeat(MAX_NOTE_CHARS + 1);
        let e = validate_visit(&v, None);
        assert!(e[0].message.vi.contains("5000"));
    }

    #[test]
    fn dates_must_be_real_and_not_in_the_future() {
        let mut v = visit();
        for bad in ["2021-02-29", "2021-13-01", "11/06/2021", "", "1999-12-31", "2021-6-11"] {
            v.visit_date = bad.into();
            assert_eq!(fields(&v, None), ["visit_date"], "{bad} should be refused");
        }
        v.visit_date = "2024-02-29".into();
        assert!(fields(&v, None).is_empty(), "leap day accepted");
        v.visit_date = "2021-07-01".into();
        assert_eq!(fields(&v, Some("2021-06-30")), ["visit_date"]);
    }

    #[test]
    fn ids_and_cooperative_are_checked() {
        let mut v = visit();
        v.id = "a b".into();
        v.cooperative_id = "".into();
        assert_eq!(fields(&v, None), ["id", "cooperative_id"]);
        v.id = "x".repeat(65);
        v.cooperative_id = "c".into();
        assert_eq!(fields(&v, None), ["id"]);
    }

    #[test]
    fn dates_of_unix_millis_in_vietnam() {
        assert_eq!(date_of_millis_vn(0), "1970-01-01");
        // 2021-06-11 17:00 UTC is already the 12th in Hanoi.
        assert_eq!(date_of_millis_vn(1_623_430_800_000), "2021-06-12");
        assert_eq!(date_of_millis_vn(1_709_164_800_000), "2024-02-29");
    }

    #[test]
    fn tax_codes() {
        assert!(is_valid_tax_code("2700123456"));
        assert!(is_valid_tax_code("2700123456-001"));
        assert!(!is_valid_tax_code("270012345"));
        assert!(!is_valid_tax_code("27001234a6"));
        assert!(!is_valid_tax_code("2700123456-01"));
    }
}
