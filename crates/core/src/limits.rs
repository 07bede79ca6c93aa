//! How long each free-text field may be, in characters (after trimming), defined once:
//! the forms show the limit as the officer types (`maxlength` and a counter), and the
//! validation of [`crate::validate`] refuses longer text, on the tablet and again on the
//! server. A valid record therefore always fits in a push (see
//! [`crate::sync::MAX_PUSH_BYTES`]).

/// The visit report's note ("Nội dung làm việc").
pub const NOTE: usize = 5_000;
/// A cooperative's name.
pub const COOP_NAME: usize = 200;
/// A person's name (the chair or director).
pub const PERSON_NAME: usize = 100;
/// Main products or services.
pub const MAIN_PRODUCTS: usize = 500;
/// A registration number (số đăng ký HTX).
pub const REGISTRATION_NO: usize = 50;
/// A tax code or a phone number as typed (with spaces, dots or dashes).
pub const CODE: usize = 30;
/// One line naming something: the linked enterprise, another programme.
pub const SHORT_TEXT: usize = 200;
/// A paragraph: the shock's impact, another difficulty, the support note.
pub const LONG_TEXT: usize = 2_000;
/// A follow-up action.
pub const FOLLOW_UP: usize = 500;
/// Follow-up actions on one report.
pub const FOLLOW_UPS: usize = 20;
/// A photo's caption.
pub const CAPTION: usize = 200;
/// A reviewer's comment, a reason for a return or a rejection.
pub const COMMENT: usize = 2_000;

/// The free-text fields' limits outside the visit report, by the field's name as
/// validation names it (a cooperative's by name; "text" a review's comment). A visit
/// report's fields have theirs in its catalogue ([`crate::fields::REPORT`]).
pub const FIELDS: &[(&str, usize)] = &[
    ("name", COOP_NAME),
    ("chair_name", PERSON_NAME),
    ("chair_phone", CODE),
    ("tax_code", CODE),
    ("registration_no", REGISTRATION_NO),
    ("main_products", MAIN_PRODUCTS),
    ("text", COMMENT),
];

/// The number of characters of `s` once trimmed, as the limits count them.
pub fn chars(s: &str) -> usize {
    s.trim().chars().count()
}

/// "123 / 5.000": what a counter under a field shows.
pub fn counter(s: &str, max: usize) -> String {
    format!("{} / {}", group(chars(s)), group(max))
}

/// 5000 → "5.000" (Vietnamese digit grouping).
fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_field_has_one_limit() {
        let mut names: Vec<&str> = super::FIELDS.iter().map(|f| f.0).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), super::FIELDS.len(), "each field once");
    }

    #[test]
    fn counters_count_characters_not_bytes() {
        assert_eq!(super::counter("  Vũ Thị Ánh ", 100), "10 / 100");
        assert_eq!(super::counter("", super::NOTE), "0 / 5.000");
        assert_eq!(
            super::counter(&"x".repeat(12_345), 1_000_000),
            "12.345 / 1.000.000"
        );
    }
}
