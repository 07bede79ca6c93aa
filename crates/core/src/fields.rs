//! The visit report's field catalogue (issue 17, part 5): every field of the report
//! described once — its key (its path in the report's JSON, as validation and the review's
//! changed-fields list name it), its label in Vietnamese and English, its kind, the
//! section of the form it belongs to, its limit, and its column in the export. The form,
//! the report view, the review's list of changed fields, validation's limits
//! ([`max_chars`]) and the export's columns read it, so a new field is one entry
//! here plus its place in [`crate::report::Findings`].
//!
//! Labels follow the seed's survey form (shared/seed) and DOMAIN.md.

use crate::i18n::Msg;

/// The sections of the visit form, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    General,
    Finances,
    ValueChain,
    Difficulties,
    Support,
    Digital,
    Compliance,
    FollowUps,
    Photos,
    Position,
}

impl Section {
    pub const ALL: [Section; 10] = [
        Section::General,
        Section::Finances,
        Section::ValueChain,
        Section::Difficulties,
        Section::Support,
        Section::Digital,
        Section::Compliance,
        Section::FollowUps,
        Section::Photos,
        Section::Position,
    ];

    /// The section's heading, Vietnamese and English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Section::General => ("Chung", "General"),
            Section::Finances => ("Tài chính trong kỳ", "Finances for the period"),
            Section::ValueChain => ("Chuỗi giá trị", "Value chain"),
            Section::Difficulties => ("Khó khăn", "Difficulties"),
            Section::Support => ("Hỗ trợ", "Support"),
            Section::Digital => ("Chuyển đổi số", "Digital transformation"),
            Section::Compliance => ("Tuân thủ và chứng nhận", "Compliance and certification"),
            Section::FollowUps => ("Việc cần làm tiếp", "Follow-up actions"),
            Section::Photos => ("Ảnh", "Photos"),
            Section::Position => ("Vị trí", "Position"),
        }
    }
}

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An ISO date.
    Date,
    /// Free text of at most this many characters.
    Text(usize),
    /// An amount in VND (whole đồng; may be negative only where said).
    Money,
    /// A whole number.
    Count,
    /// Yes or no.
    Flag,
    /// One choice of a fixed list.
    Choice,
    /// Several choices of a fixed list or a reference list.
    Choices,
    /// A list of rows (follow-up actions).
    Rows,
    /// Photos, by hash ([`crate::photo`]).
    PhotoRefs,
    /// A GPS position.
    GpsPosition,
}

/// One field of the visit report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Its path in the report's JSON: "findings.finances.revenue_vnd".
    pub key: &'static str,
    /// Its short label (the report view, the review's changed fields), vi and en.
    pub label: (&'static str, &'static str),
    /// Its label on the form, with the unit where there is one, vi and en.
    pub form_label: (&'static str, &'static str),
    pub kind: Kind,
    pub section: Section,
    /// Its column in the submissions export, if exported: (position among all the
    /// export's columns, counting from 0; header in Vietnamese). Positions keep the
    /// columns where spreadsheets built on earlier exports expect them.
    pub export: Option<(usize, &'static str)>,
}

impl Field {
    pub fn label_msg(&self) -> Msg {
        Msg::new(self.label.0, self.label.1)
    }
    /// The most characters it holds, for free text.
    pub fn max_chars(&self) -> Option<usize> {
        match self.kind {
            Kind::Text(n) => Some(n),
            _ => None,
        }
    }
}

use crate::limits::{FOLLOW_UP, LONG_TEXT, NOTE, SHORT_TEXT};

/// The limit of the free-text field `field` (characters): a visit report's from its
/// catalogue ([`REPORT`]; follow-up actions "findings.follow_ups.3.action" too), others
/// (a cooperative's, a comment's) from [`crate::limits::FIELDS`].
pub fn max_chars(field: &str) -> Option<usize> {
    if let Some(f) = get(field) {
        return f.max_chars();
    }
    crate::limits::FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, n)| *n)
}
use Kind::*;
use Section::*;

macro_rules! field {
    ($key:literal, $section:expr, $kind:expr, ($vi:literal, $en:literal)) => {
        field!($key, $section, $kind, ($vi, $en), ($vi, $en), None)
    };
    ($key:literal, $section:expr, $kind:expr, ($vi:literal, $en:literal), ($fvi:literal, $fen:literal)) => {
        field!($key, $section, $kind, ($vi, $en), ($fvi, $fen), None)
    };
    ($key:literal, $section:expr, $kind:expr, ($vi:literal, $en:literal), ($fvi:literal, $fen:literal), $export:expr) => {
        Field {
            key: $key,
            label: ($vi, $en),
            form_label: ($fvi, $fen),
            kind: $kind,
            section: $section,
            export: $export,
        }
    };
}

/// Every field of the visit report, in the form's order.
pub const REPORT: &[Field] = &[
    field!(
        "visit_date",
        General,
        Date,
        ("Ngày khảo sát", "Visit date"),
        ("Ngày khảo sát", "Visit date"),
        Some((5, "Ngày khảo sát"))
    ),
    field!(
        "note",
        General,
        Text(NOTE),
        ("Nội dung làm việc", "Note"),
        ("Nội dung làm việc", "What you found"),
        Some((16, "Nội dung làm việc"))
    ),
    field!(
        "findings.operating_status",
        General,
        Choice,
        ("Tình trạng hoạt động", "Operating status"),
        (
            "Tình trạng hoạt động khi khảo sát",
            "Operating status at the visit"
        )
    ),
    field!(
        "findings.finances.revenue_vnd",
        Finances,
        Money,
        ("Doanh thu", "Revenue"),
        ("Doanh thu (đồng)", "Revenue (VND)"),
        Some((8, "Doanh thu (đồng)"))
    ),
    field!(
        "findings.finances.revenue_last_year_vnd",
        Finances,
        Money,
        ("Doanh thu cùng kỳ năm trước", "Revenue last year"),
        (
            "Doanh thu cùng kỳ năm trước (đồng)",
            "Revenue, same period last year (VND)"
        ),
        Some((9, "Doanh thu cùng kỳ năm trước (đồng)"))
    ),
    field!(
        "findings.finances.profit_vnd",
        Finances,
        Money,
        ("Lợi nhuận", "Profit"),
        (
            "Lợi nhuận (đồng, lỗ ghi dấu -)",
            "Profit (VND, a loss with -)"
        ),
        Some((10, "Lợi nhuận (đồng)"))
    ),
    field!(
        "findings.finances.member_income_vnd",
        Finances,
        Money,
        ("Thu nhập thành viên (tháng)", "Member income (month)"),
        (
            "Thu nhập bình quân thành viên / tháng (đồng)",
            "Average member income per month (VND)"
        ),
        Some((11, "Thu nhập thành viên (đồng/tháng)"))
    ),
    field!(
        "findings.finances.member_income_last_year_vnd",
        Finances,
        Money,
        ("Thu nhập cùng kỳ năm trước", "Member income last year"),
        (
            "Thu nhập bình quân cùng kỳ năm trước (đồng)",
            "Member income, same period last year (VND)"
        )
    ),
    field!(
        "findings.finances.shock_impact",
        Finances,
        Choice,
        ("Ảnh hưởng của biến động", "Impact of shocks"),
        (
            "Ảnh hưởng của dịch COVID-19 / cú sốc bên ngoài",
            "Impact of COVID-19 / an external shock"
        )
    ),
    field!(
        "findings.finances.shock_note",
        Finances,
        Text(LONG_TEXT),
        ("Ghi chú về biến động", "Note on shocks"),
        ("Ghi chú về ảnh hưởng", "Notes on the impact")
    ),
    field!(
        "findings.value_chain.in_value_chain",
        ValueChain,
        Flag,
        ("Tham gia chuỗi giá trị", "In a value chain"),
        (
            "HTX sản xuất gắn với chuỗi giá trị",
            "Produces as part of a value chain"
        ),
        Some((12, "Tham gia chuỗi giá trị"))
    ),
    field!(
        "findings.value_chain.stages",
        ValueChain,
        Choices,
        ("Các khâu", "Stages"),
        ("Các công đoạn tham gia", "Stages taken part in")
    ),
    field!(
        "findings.value_chain.linked_enterprise",
        ValueChain,
        Text(SHORT_TEXT),
        ("Doanh nghiệp liên kết", "Linked enterprise")
    ),
    field!(
        "findings.value_chain.programme",
        ValueChain,
        Choice,
        ("Chương trình", "Programme"),
        ("Mô hình thuộc chương trình", "Programme of the model")
    ),
    field!(
        "findings.value_chain.programme_other",
        ValueChain,
        Text(SHORT_TEXT),
        ("Chương trình khác", "Other programme"),
        ("Tên chương trình khác", "Name of the other programme")
    ),
    field!(
        "findings.difficulties",
        Difficulties,
        Choices,
        ("Khó khăn", "Difficulties"),
        ("Khó khăn của HTX", "The cooperative's difficulties"),
        Some((13, "Khó khăn"))
    ),
    field!(
        "findings.difficulty_other",
        Difficulties,
        Text(LONG_TEXT),
        ("Khó khăn khác", "Other difficulties"),
        ("Khó khăn khác", "Other difficulty")
    ),
    field!(
        "findings.support.received",
        Support,
        Choices,
        ("Hỗ trợ đã nhận", "Support received"),
        ("Hỗ trợ đã nhận", "Support received"),
        Some((14, "Hỗ trợ đã nhận"))
    ),
    field!(
        "findings.support.requested",
        Support,
        Choices,
        ("Hỗ trợ đề nghị", "Support requested")
    ),
    field!(
        "findings.support.works_handed_over",
        Support,
        Count,
        ("Công trình bàn giao", "Works handed over"),
        (
            "Số công trình hạ tầng đã bàn giao",
            "Infrastructure works handed over"
        ),
        Some((15, "Công trình bàn giao"))
    ),
    field!(
        "findings.support.note",
        Support,
        Text(LONG_TEXT),
        ("Ghi chú về hỗ trợ", "Notes on support")
    ),
    field!(
        "findings.digital.accounting_software",
        Digital,
        Flag,
        ("Phần mềm kế toán", "Accounting software"),
        ("Dùng phần mềm kế toán", "Uses accounting software")
    ),
    field!(
        "findings.digital.e_invoices",
        Digital,
        Flag,
        ("Hóa đơn điện tử", "E-invoices"),
        ("Dùng hóa đơn điện tử", "Uses e-invoices")
    ),
    field!(
        "findings.digital.sells_online",
        Digital,
        Flag,
        ("Bán hàng trực tuyến", "Sells online")
    ),
    field!(
        "findings.compliance.tax_registered",
        Compliance,
        Flag,
        ("Đã đăng ký thuế", "Registered for tax"),
        ("Đã đăng ký thuế", "Tax registration done")
    ),
    field!(
        "findings.compliance.certifications",
        Compliance,
        Choices,
        ("Chứng nhận", "Certifications"),
        ("Chứng nhận chất lượng", "Quality certifications")
    ),
    field!(
        "findings.compliance.ocop_stars",
        Compliance,
        Count,
        ("Sao OCOP", "OCOP stars"),
        ("Số sao OCOP", "OCOP stars")
    ),
    field!(
        "findings.follow_ups",
        FollowUps,
        Rows,
        ("Việc cần làm tiếp", "Follow-up actions")
    ),
    field!(
        "findings.follow_ups.action",
        FollowUps,
        Text(FOLLOW_UP),
        ("Việc", "Action")
    ),
    field!(
        "findings.follow_ups.due",
        FollowUps,
        Date,
        ("Hạn hoàn thành", "Due date")
    ),
    field!(
        "findings.photos",
        Photos,
        PhotoRefs,
        ("Ảnh", "Photos"),
        ("Ảnh chụp khi khảo sát", "Photos taken on the visit"),
        Some((17, "Số ảnh"))
    ),
    field!(
        "findings.position",
        Position,
        GpsPosition,
        ("Tọa độ GPS", "GPS position")
    ),
];

/// The field at `key`. Rows' indexes are left out: "findings.follow_ups.3.action" is
/// "findings.follow_ups.action"; a photo's ("findings.photos.2") is "findings.photos".
pub fn get(key: &str) -> Option<&'static Field> {
    let mut plain = String::with_capacity(key.len());
    for part in key
        .split('.')
        .filter(|p| !p.bytes().all(|b| b.is_ascii_digit()))
    {
        if !plain.is_empty() {
            plain.push('.');
        }
        plain.push_str(part.split('[').next().unwrap_or(part));
    }
    if plain.starts_with("findings.photos") {
        plain.truncate("findings.photos".len());
    }
    REPORT.iter().find(|f| f.key == plain)
}

/// A field's short label in words, or its key when the catalogue has none (a field of a
/// later version of the app).
pub fn label(key: &str) -> Msg {
    get(key).map_or_else(|| Msg::new(key, key), Field::label_msg)
}

/// The form's label of field `key`, vi and en ("?" for a key the catalogue lacks: a test
/// names every key the form uses).
pub fn form_label(key: &str) -> (&'static str, &'static str) {
    get(key).map_or(("?", "?"), |f| f.form_label)
}

/// The export's columns of the report's fields: (position, key, header), by position.
pub fn export_columns() -> Vec<(usize, &'static str, &'static str)> {
    let mut out: Vec<_> = REPORT
        .iter()
        .filter_map(|f| f.export.map(|(at, h)| (at, f.key, h)))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_described_once_and_reaches_a_real_field() {
        let mut keys: Vec<&str> = REPORT.iter().map(|f| f.key).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key described twice");
        // Each key (but rows' inner fields) names a field of a report's JSON.
        let mut v = crate::model::VisitReport {
            id: "v".into(),
            cooperative_id: "c".into(),
            author_id: String::new(),
            author_name: String::new(),
            visit_date: "2021-06-01".into(),
            note: "x".into(),
            status: crate::model::ReportStatus::Submitted,
            revision: 1,
            created_at: 0,
            area_path: String::new(),
            received_at: None,
            events: Vec::new(),
            author_left_area_at: None,
            written_area_path: None,
            findings: Default::default(),
        };
        v.findings.operating_status = Some(crate::model::OperatingStatus::Active);
        v.findings.finances.shock_impact = Some(crate::report::ShockImpact::Slight);
        v.findings.value_chain.programme = Some("x".into());
        v.findings.support.works_handed_over = Some(1);
        v.findings.compliance.ocop_stars = Some(3);
        v.findings.position = Some(crate::report::Position {
            lat: 1.0,
            lon: 1.0,
            accuracy_m: None,
        });
        v.findings.photos = vec![crate::photo::PhotoRef {
            hash: "a".repeat(64),
            section: crate::photo::PhotoSection::Other,
            caption: String::new(),
            taken_at: None,
            position: None,
            bytes: 1,
            width: 1,
            height: 1,
        }];
        let json = serde_json::to_value(&v).unwrap();
        for f in REPORT
            .iter()
            .filter(|f| !f.key.starts_with("findings.follow_ups."))
        {
            let mut at = &json;
            for part in f.key.split('.') {
                at = at
                    .get(part)
                    .unwrap_or_else(|| panic!("{} is not in a report", f.key));
            }
        }
    }

    #[test]
    fn labels_read_paths_as_validation_and_the_review_name_them() {
        assert_eq!(label("findings.finances.revenue_vnd").vi, "Doanh thu");
        assert_eq!(label("findings.follow_ups.3.action").en, "Action");
        assert_eq!(label("findings.photos[2].caption").en, "Photos");
        assert_eq!(label("findings.photos.2").vi, "Ảnh");
        assert_eq!(label("findings.something_new").vi, "findings.something_new");
        let columns = export_columns();
        assert_eq!(
            columns.iter().map(|c| c.0).collect::<Vec<_>>(),
            vec![5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
            "each column once, where earlier exports had it"
        );
        assert_eq!(columns[0].2, "Ngày khảo sát");
        assert_eq!(columns[9].2, "Nội dung làm việc");
        assert_eq!(columns[10].2, "Số ảnh");
    }

    #[test]
    fn a_field_limit_comes_from_the_catalogue_or_the_list() {
        use crate::limits::{FOLLOW_UP, NOTE};
        assert_eq!(max_chars("note"), Some(NOTE));
        assert_eq!(max_chars("findings.follow_ups.12.action"), Some(FOLLOW_UP));
        assert_eq!(max_chars("visit_date"), None);
        assert_eq!(max_chars("name"), Some(crate::limits::COOP_NAME));
    }

    #[test]
    fn text_limits_come_from_the_catalogue() {
        for f in REPORT {
            if let Some(n) = f.max_chars() {
                let key = if f.key == "findings.follow_ups.action" {
                    "findings.follow_ups.0.action"
                } else {
                    f.key
                };
                assert_eq!(max_chars(key), Some(n), "{}", f.key);
            }
        }
    }
}
