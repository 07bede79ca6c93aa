//! Validation rules shared by the app (before saving) and the server (before applying).
//! Each failure names the field and says, in both languages, how to fix it.

use crate::keyed::Keyed;
use crate::model::{Cooperative, Sector, VisitReport};
use crate::reference::{is_key, MAX_ITEMS_PER_LIST, OTHER};
use crate::report::{Certification, ChainStage, Findings};

pub use crate::primitives::{
    date_of_millis_vn, millis_of_date_vn, parse_iso_date, parse_iso_date_from, FieldError,
    MIN_FOUNDING_YEAR,
};

/// The note's limit (see [`crate::limits`] for every field's).
pub const MAX_NOTE_CHARS: usize = crate::limits::NOTE;
pub const MAX_ID_CHARS: usize = 64;

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
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        errors.push(FieldError::new(
            field,
            "Mã không hợp lệ (chỉ gồm chữ, số và dấu gạch, tối đa 64 ký tự).",
            "Invalid id (letters, digits and dashes only, at most 64 characters).",
        ));
    }
}

/// Refuses `text` longer than `max` characters (trimmed), naming how long it is.
pub fn check_len(field: &str, text: &str, max: usize, errors: &mut Vec<FieldError>) {
    let n = crate::limits::chars(text);
    if n > max {
        errors.push(FieldError::new(
            field,
            format!("Quá dài: tối đa {max} ký tự (đang có {n}). Hãy rút gọn."),
            format!("Too long: at most {max} characters ({n} now). Shorten it."),
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
    validate_findings(&v.findings, &v.visit_date, &mut errors);
    for (field, message) in
        crate::photo::check_refs(&v.findings.photos, crate::photo::MAX_PER_REPORT)
    {
        errors.push(FieldError {
            field: format!("findings.{field}"),
            message,
        });
    }
    errors
}

/// Largest plausible amount of money for one cooperative in a period: 10,000 billion VND.
pub const MAX_VND: i64 = 10_000_000_000_000;
/// Largest plausible average monthly income of a member: 1 billion VND.
pub const MAX_MONTHLY_INCOME_VND: i64 = 1_000_000_000;

fn money(field: &str, value: Option<i64>, min: i64, max: i64, errors: &mut Vec<FieldError>) {
    if let Some(v) = value {
        if v < min {
            errors.push(FieldError::new(
                field,
                "Số tiền không được âm.",
                "The amount cannot be negative.",
            ));
        } else if v > max {
            errors.push(FieldError::new(
                field,
                "Số tiền quá lớn, hãy kiểm tra lại (nhập theo đồng, không có dấu chấm).",
                "The amount is implausibly large; check it (enter it in đồng, without separators).",
            ));
        }
    }
}

/// Refuses a list of choices that names one twice (so a list is never longer than its
/// choices: a report cannot carry thousands of them).
/// A choice that is not an item of its reference list.
pub fn not_listed(field: &str) -> FieldError {
    FieldError::new(
        field,
        "Lựa chọn không có trong danh mục. Hãy đồng bộ rồi chọn lại.",
        "This choice is not in the list. Sync, then choose again.",
    )
}

fn no_repeats<T: PartialEq>(field: &str, list: &[T], errors: &mut Vec<FieldError>) {
    if list.iter().enumerate().any(|(i, x)| list[..i].contains(x)) {
        errors.push(FieldError::new(
            field,
            "Một lựa chọn được chọn hai lần.",
            "A choice is chosen twice.",
        ));
    }
}

fn validate_findings(f: &Findings, visit_date: &str, errors: &mut Vec<FieldError>) {
    use crate::limits::{FOLLOW_UP, FOLLOW_UPS, LONG_TEXT, SHORT_TEXT};
    // Lists longer than their choices repeat one; checked first, cheaply, before the
    // quadratic check for repeats.
    let lists = [
        (
            "findings.difficulties",
            f.difficulties.len() > MAX_ITEMS_PER_LIST,
        ),
        (
            "findings.value_chain.stages",
            f.value_chain.stages.len() > ChainStage::VALUES.len(),
        ),
        (
            "findings.support.received",
            f.support.received.len() > MAX_ITEMS_PER_LIST,
        ),
        (
            "findings.support.requested",
            f.support.requested.len() > MAX_ITEMS_PER_LIST,
        ),
        (
            "findings.compliance.certifications",
            f.compliance.certifications.len() > Certification::VALUES.len(),
        ),
    ];
    let mut any_too_long = false;
    for (field, too_long) in lists {
        if too_long {
            any_too_long = true;
            errors.push(FieldError::new(
                field,
                "Một lựa chọn được chọn hai lần.",
                "A choice is chosen twice.",
            ));
        }
    }
    // Keys of the reference lists: shaped as keys (whether the list has them is the
    // server's to check, against its lists: crate::reference).
    for (field, keys) in [
        ("findings.difficulties", &f.difficulties),
        ("findings.support.received", &f.support.received),
        ("findings.support.requested", &f.support.requested),
    ] {
        if !any_too_long && keys.iter().any(|k| !is_key(k)) {
            errors.push(not_listed(field));
        }
    }
    if f.value_chain
        .programme
        .as_deref()
        .is_some_and(|k| !is_key(k))
    {
        errors.push(not_listed("findings.value_chain.programme"));
    }
    if !any_too_long {
        no_repeats("findings.difficulties", &f.difficulties, errors);
        no_repeats("findings.value_chain.stages", &f.value_chain.stages, errors);
        no_repeats("findings.support.received", &f.support.received, errors);
        no_repeats("findings.support.requested", &f.support.requested, errors);
        no_repeats(
            "findings.compliance.certifications",
            &f.compliance.certifications,
            errors,
        );
    }
    let texts = [
        (
            "findings.finances.shock_note",
            &f.finances.shock_note,
            LONG_TEXT,
        ),
        (
            "findings.value_chain.linked_enterprise",
            &f.value_chain.linked_enterprise,
            SHORT_TEXT,
        ),
        (
            "findings.value_chain.programme_other",
            &f.value_chain.programme_other,
            SHORT_TEXT,
        ),
        ("findings.difficulty_other", &f.difficulty_other, LONG_TEXT),
        ("findings.support.note", &f.support.note, LONG_TEXT),
    ];
    for (field, text, max) in texts {
        check_len(field, text, max, errors);
    }
    if f.follow_ups.len() > FOLLOW_UPS {
        errors.push(FieldError::new(
            "findings.follow_ups",
            format!("Tối đa {FOLLOW_UPS} việc cần làm cho một phiếu."),
            format!("At most {FOLLOW_UPS} follow-up actions on one report."),
        ));
    }
    for (i, fu) in f.follow_ups.iter().enumerate() {
        check_len(
            &format!("findings.follow_ups.{i}.action"),
            &fu.action,
            FOLLOW_UP,
            errors,
        );
    }
    let fin = &f.finances;
    money(
        "findings.finances.revenue_vnd",
        fin.revenue_vnd,
        0,
        MAX_VND,
        errors,
    );
    money(
        "findings.finances.revenue_last_year_vnd",
        fin.revenue_last_year_vnd,
        0,
        MAX_VND,
        errors,
    );
    money(
        "findings.finances.profit_vnd",
        fin.profit_vnd,
        -MAX_VND,
        MAX_VND,
        errors,
    );
    money(
        "findings.finances.member_income_vnd",
        fin.member_income_vnd,
        0,
        MAX_MONTHLY_INCOME_VND,
        errors,
    );
    money(
        "findings.finances.member_income_last_year_vnd",
        fin.member_income_last_year_vnd,
        0,
        MAX_MONTHLY_INCOME_VND,
        errors,
    );
    if let (Some(p), Some(r)) = (fin.profit_vnd, fin.revenue_vnd) {
        if p > r {
            errors.push(FieldError::new(
                "findings.finances.profit_vnd",
                "Lợi nhuận không thể lớn hơn doanh thu.",
                "Profit cannot be larger than revenue.",
            ));
        }
    }

    let vc = &f.value_chain;
    if vc.in_value_chain && vc.stages.is_empty() {
        errors.push(FieldError::new(
            "findings.value_chain.stages",
            "HTX tham gia chuỗi giá trị: hãy chọn ít nhất một công đoạn.",
            "The cooperative is in a value chain: choose at least one stage.",
        ));
    }
    if vc.programme.as_deref() == Some(OTHER) && vc.programme_other.trim().is_empty() {
        errors.push(FieldError::new(
            "findings.value_chain.programme_other",
            "Hãy ghi tên chương trình khác.",
            "Name the other programme.",
        ));
    }
    if f.difficulties.iter().any(|d| d == OTHER) && f.difficulty_other.trim().is_empty() {
        errors.push(FieldError::new(
            "findings.difficulty_other",
            "Hãy mô tả khó khăn khác.",
            "Describe the other difficulty.",
        ));
    }
    if let Some(n) = f.support.works_handed_over {
        if n > 100 {
            errors.push(FieldError::new(
                "findings.support.works_handed_over",
                "Số công trình quá lớn (tối đa 100 cho một HTX).",
                "Too many works (at most 100 for one cooperative).",
            ));
        }
    }
    let c = &f.compliance;
    match (
        c.certifications.contains(&Certification::Ocop),
        c.ocop_stars,
    ) {
        (true, Some(3..=5)) | (false, None) => {}
        (true, _) => errors.push(FieldError::new(
            "findings.compliance.ocop_stars",
            "Sản phẩm OCOP: hãy chọn số sao từ 3 đến 5.",
            "OCOP product: choose 3 to 5 stars.",
        )),
        (false, Some(_)) => errors.push(FieldError::new(
            "findings.compliance.ocop_stars",
            "Chỉ ghi số sao khi có chứng nhận OCOP.",
            "Give stars only with an OCOP certification.",
        )),
    }
    for (i, fu) in f.follow_ups.iter().enumerate() {
        if fu.action.trim().is_empty() {
            errors.push(FieldError::new(
                &format!("findings.follow_ups.{i}.action"),
                "Hãy ghi việc cần làm.",
                "Write the action.",
            ));
        }
        match parse_iso_date(&fu.due) {
            None => errors.push(FieldError::new(
                &format!("findings.follow_ups.{i}.due"),
                "Hãy chọn hạn hoàn thành.",
                "Choose a due date.",
            )),
            Some(_) if fu.due.as_str() < visit_date => errors.push(FieldError::new(
                &format!("findings.follow_ups.{i}.due"),
                "Hạn hoàn thành không được trước ngày khảo sát.",
                "The due date cannot be before the visit.",
            )),
            Some(_) => {}
        }
    }
    if let Some(p) = &f.position {
        // Vietnam lies within about 8-24°N, 102-110°E.
        if !(8.0..=24.0).contains(&p.lat) || !(102.0..=110.0).contains(&p.lon) {
            errors.push(FieldError::new(
                "findings.position",
                "Vị trí GPS nằm ngoài Việt Nam; hãy lấy lại vị trí.",
                "The GPS position is outside Vietnam; take it again.",
            ));
        }
    }
}

/// A Vietnamese phone number: 10 digits starting with 0, or +84 and 9 digits.
pub fn is_valid_phone(s: &str) -> bool {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
        .collect();
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|c| c.is_ascii_digit());
    if let Some(rest) = s.strip_prefix("+84") {
        digits(rest, 9)
    } else {
        s.starts_with('0') && digits(&s, 10)
    }
}

/// Checks a cooperative's profile (new or edited). `today` refuses future dates.
pub fn validate_cooperative(c: &Cooperative, today: Option<&str>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_id("id", &c.id, &mut errors);
    let name = c.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new(
            "name",
            "Hãy nhập tên hợp tác xã.",
            "Enter the cooperative's name.",
        ));
    } else {
        check_len("name", name, crate::limits::COOP_NAME, &mut errors);
    }
    {
        use crate::limits::{CODE, MAIN_PRODUCTS, PERSON_NAME, REGISTRATION_NO};
        let texts = [
            ("chair_name", &c.chair_name, PERSON_NAME),
            ("chair_phone", &c.chair_phone, CODE),
            ("tax_code", &c.tax_code, CODE),
            ("registration_no", &c.registration_no, REGISTRATION_NO),
            ("main_products", &c.main_products, MAIN_PRODUCTS),
        ];
        for (field, text, max) in texts {
            check_len(field, text.as_deref().unwrap_or(""), max, &mut errors);
        }
    }
    if c.area_id.trim().is_empty() {
        errors.push(FieldError::new(
            "area_id",
            "Hãy chọn xã nơi HTX hoạt động.",
            "Choose the commune it is in.",
        ));
    }
    if let Some(d) = &c.established_on {
        if parse_iso_date_from(d, MIN_FOUNDING_YEAR).is_none()
            || today.map(|t| d.as_str() > t).unwrap_or(false)
        {
            errors.push(FieldError::new(
                "established_on",
                "Ngày thành lập không hợp lệ hoặc sau hôm nay.",
                "The founding date is not valid or is after today.",
            ));
        }
    }
    if let Some(t) = c.tax_code.as_deref().filter(|t| !t.is_empty()) {
        if !is_valid_tax_code(t) {
            errors.push(FieldError::new(
                "tax_code",
                "Mã số thuế gồm 10 chữ số (hoặc 10 số, dấu gạch và 3 số cho chi nhánh).",
                "A tax code is 10 digits (or 10 digits, a dash and 3 digits for a branch).",
            ));
        }
    }
    if let Some(p) = c.chair_phone.as_deref().filter(|p| !p.is_empty()) {
        if !is_valid_phone(p) {
            errors.push(FieldError::new(
                "chair_phone",
                "Số điện thoại gồm 10 chữ số bắt đầu bằng 0 (hoặc +84).",
                "A phone number is 10 digits starting with 0 (or +84).",
            ));
        }
    }
    if let Some(m) = c.members {
        if m > 1_000_000 {
            errors.push(FieldError::new(
                "members",
                "Số thành viên quá lớn.",
                "Too many members.",
            ));
        }
    }
    money(
        "charter_capital_vnd",
        c.charter_capital_vnd,
        0,
        MAX_VND,
        &mut errors,
    );
    if let Some(a) = c.cultivated_area_ha {
        if c.sector != Sector::Agriculture {
            errors.push(FieldError::new(
                "cultivated_area_ha",
                "Diện tích canh tác chỉ ghi cho HTX nông nghiệp.",
                "Cultivated area applies to agricultural cooperatives only.",
            ));
        } else if !(0.0..=100_000.0).contains(&a) || a.is_nan() {
            errors.push(FieldError::new(
                "cultivated_area_ha",
                "Diện tích từ 0 đến 100.000 ha.",
                "Area must be 0 to 100,000 ha.",
            ));
        }
    }
    for (field, message) in crate::photo::check_refs(c.main_photo.as_slice(), 1) {
        errors.push(FieldError {
            field: field
                .replace("photos[0]", "main_photo")
                .replace("photos", "main_photo"),
            message,
        });
    }
    errors
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_date_in_vietnam_time_and_back() {
        // 1 July 2025, 08:00 in Hà Nội is 01:00 UTC: 1751331600000 ms.
        assert_eq!(
            super::millis_of_date_vn("2025-07-01", 8, 0),
            Some(1_751_331_600_000)
        );
        for (date, h) in [("2021-03-05", 15), ("2024-02-29", 0), ("2026-12-31", 23)] {
            let ms = super::millis_of_date_vn(date, h, 30).unwrap();
            assert_eq!(super::date_of_millis_vn(ms), date);
        }
        assert_eq!(super::millis_of_date_vn("2025-02-30", 8, 0), None);
    }

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
            events: Vec::new(),
            author_left_area_at: None,
            written_area_path: None,
            findings: Findings::default(),
        }
    }

    fn fields(v: &VisitReport, today: Option<&str>) -> Vec<String> {
        validate_visit(v, today)
            .into_iter()
            .map(|e| e.field)
            .collect()
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
        for bad in [
            "2021-02-29",
            "2021-13-01",
            "11/06/2021",
            "",
            "1999-12-31",
            "2021-6-11",
        ] {
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
    fn money_must_be_plausible() {
        let mut v = visit();
        v.findings.finances.revenue_vnd = Some(-1);
        v.findings.finances.member_income_vnd = Some(MAX_MONTHLY_INCOME_VND + 1);
        v.findings.finances.profit_vnd = Some(-5_000_000);
        assert_eq!(
            fields(&v, None),
            [
                "findings.finances.revenue_vnd",
                "findings.finances.member_income_vnd"
            ]
        );
        v.findings.finances.revenue_vnd = Some(100);
        v.findings.finances.member_income_vnd = Some(4_500_000);
        v.findings.finances.profit_vnd = Some(200);
        assert_eq!(
            fields(&v, None),
            ["findings.finances.profit_vnd"],
            "profit above revenue"
        );
        v.findings.finances.profit_vnd = Some(-200);
        assert!(fields(&v, None).is_empty(), "a loss is fine");
        v.findings.finances.revenue_last_year_vnd = Some(MAX_VND + 1);
        assert!(validate_visit(&v, None)[0]
            .message
            .en
            .contains("implausibly large"));
    }

    #[test]
    fn value_chain_needs_stages_and_other_needs_words() {
        use crate::report::ChainStage;
        let mut v = visit();
        v.findings.value_chain.in_value_chain = true;
        assert_eq!(fields(&v, None), ["findings.value_chain.stages"]);
        v.findings.value_chain.stages = vec![ChainStage::Production, ChainStage::Processing];
        v.findings.value_chain.programme = Some(OTHER.into());
        assert_eq!(fields(&v, None), ["findings.value_chain.programme_other"]);
        v.findings.value_chain.programme_other = "Chương trình OCOP huyện".into();
        v.findings.difficulties = vec![OTHER.into()];
        assert_eq!(fields(&v, None), ["findings.difficulty_other"]);
        v.findings.difficulty_other = "Thiếu nước tưới".into();
        assert!(fields(&v, None).is_empty());
        // Not in a chain: stages are not required.
        let mut w = visit();
        w.findings.value_chain.in_value_chain = false;
        assert!(fields(&w, None).is_empty());
    }

    #[test]
    fn ocop_stars_follow_up_dates_and_gps() {
        use crate::report::{FollowUp, Position};
        let mut v = visit();
        v.findings.compliance.certifications = vec![Certification::Ocop];
        assert_eq!(fields(&v, None), ["findings.compliance.ocop_stars"]);
        v.findings.compliance.ocop_stars = Some(6);
        assert_eq!(fields(&v, None), ["findings.compliance.ocop_stars"]);
        v.findings.compliance.ocop_stars = Some(4);
        assert!(fields(&v, None).is_empty());
        v.findings.compliance.certifications.clear();
        assert_eq!(
            fields(&v, None),
            ["findings.compliance.ocop_stars"],
            "stars without OCOP"
        );
        v.findings.compliance.ocop_stars = None;

        v.findings.follow_ups = vec![
            FollowUp {
                action: "Hỗ trợ đăng ký OCOP".into(),
                due: "2021-09-30".into(),
                done: false,
            },
            FollowUp {
                action: " ".into(),
                due: "2021-06-01".into(),
                done: false,
            },
        ];
        assert_eq!(
            fields(&v, None),
            ["findings.follow_ups.1.action", "findings.follow_ups.1.due"]
        );
        v.findings.follow_ups.truncate(1);
        v.findings.position = Some(Position {
            lat: 20.25,
            lon: 105.97,
            accuracy_m: Some(12.0),
        });
        assert!(fields(&v, None).is_empty(), "Ninh Bình is in Vietnam");
        v.findings.position = Some(Position {
            lat: 48.85,
            lon: 2.35,
            accuracy_m: None,
        });
        assert_eq!(fields(&v, None), ["findings.position"]);
        v.findings.position = None;
        v.findings.support.works_handed_over = Some(101);
        assert_eq!(fields(&v, None), ["findings.support.works_handed_over"]);
    }

    fn coop() -> Cooperative {
        serde_json::from_value(serde_json::json!({
            "id": "c-1", "kind": "htx", "name": "HTX Dứa Đồng Giao", "sector": "agriculture",
            "area_id": "NB-TD-NAMSON", "area_path": "NB/NB-TD/NB-TD-NAMSON/", "status": "active",
            "tax_code": "2700123456", "chair_phone": "0912 345 678", "cultivated_area_ha": 120.5,
            "established_on": "2021-03-15", "members": 210
        }))
        .unwrap()
    }

    #[test]
    fn cooperative_profiles() {
        let c = coop();
        assert!(validate_cooperative(&c, Some("2021-06-30")).is_empty());
        let cf = |c: &Cooperative| {
            validate_cooperative(c, Some("2021-06-30"))
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        let mut bad = c.clone();
        bad.name = "  ".into();
        bad.tax_code = Some("12345".into());
        bad.chair_phone = Some("12345".into());
        bad.established_on = Some("2021-07-01".into());
        assert_eq!(
            cf(&bad),
            ["name", "established_on", "tax_code", "chair_phone"]
        );
        let mut trade = c.clone();
        trade.sector = Sector::TradeServices;
        assert_eq!(cf(&trade), ["cultivated_area_ha"]);
        let mut neg = c.clone();
        neg.charter_capital_vnd = Some(-1);
        neg.cultivated_area_ha = Some(-3.0);
        assert_eq!(cf(&neg), ["charter_capital_vnd", "cultivated_area_ha"]);
        assert!(is_valid_phone("+84912345678"));
        assert!(!is_valid_phone("0912"));
    }

    #[test]
    fn tax_codes() {
        assert!(is_valid_tax_code("2700123456"));
        assert!(is_valid_tax_code("2700123456-001"));
        assert!(!is_valid_tax_code("270012345"));
        assert!(!is_valid_tax_code("27001234a6"));
        assert!(!is_valid_tax_code("2700123456-01"));
    }

    #[test]
    fn a_choice_chosen_twice_is_refused() {
        let mut v = visit();
        v.findings.difficulties = vec![OTHER.to_string(); 5_500];
        v.findings.difficulty_other = "x".into();
        let e = validate_visit(&v, None);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].field, "findings.difficulties");
        v.findings.difficulties = vec![OTHER.into(), OTHER.into()];
        assert_eq!(validate_visit(&v, None)[0].field, "findings.difficulties");
        v.findings.difficulties = vec![OTHER.into()];
        assert!(validate_visit(&v, None).is_empty());
        // A key that is not shaped as a reference-list key.
        v.findings.support.received = vec!["Đào tạo".into()];
        v.findings.value_chain.programme = Some("x y".into());
        assert_eq!(
            fields(&v, None),
            [
                "findings.support.received",
                "findings.value_chain.programme"
            ]
        );
    }
}
