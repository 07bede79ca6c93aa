//! Reference lists the six-monthly review counts by (issue 15, part 5): programmes a
//! value-chain model belongs to (the province's Resolution 113, Decision 284/QĐ-LMHTXVN…),
//! kinds of difficulty and kinds of support. They are data the server owns: the built-in
//! items (the seed report's, [`built_in`]) plus what an administrator adds for their area,
//! pulled by every tablet as [`crate::sync::Change::Reference`].
//!
//! A report stores an item's **key** (`"resolution113"`, `"training"`), the same string the
//! compiled-in enums these lists replaced put on the wire, so reports written before keep
//! their values. Items are never deleted: an item an alliance no longer uses is *retired*
//! (not offered for new reports; reports that chose it keep it and the review still counts
//! it). Renaming an item corrects its label everywhere; a different programme is a new item.

use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

crate::keyed_enum!(
    /// Which list an item belongs to.
    pub enum ListKind {
        /// The programme a value-chain model belongs to (`findings.value_chain.programme`).
        Programme = "programme",
        /// A difficulty of the cooperative (`findings.difficulties`).
        Difficulty = "difficulty",
        /// A kind of support received or requested (`findings.support.*`).
        SupportKind = "support_kind",
    }
);

impl ListKind {
    /// The list's name, as the administrator's page heads it.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ListKind::Programme => ("Chương trình", "Programmes"),
            ListKind::Difficulty => ("Khó khăn", "Difficulties"),
            ListKind::SupportKind => ("Loại hỗ trợ", "Kinds of support"),
        }
    }
}

/// The key every list keeps for "something else", which asks for a description in the
/// report (`programme_other`, `difficulty_other`).
pub const OTHER: &str = "other";
/// Longest key, in bytes (keys are ASCII).
pub const MAX_KEY_LEN: usize = 48;
/// Longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// Most items one list may hold (the form shows them all as checkboxes).
pub const MAX_ITEMS_PER_LIST: usize = 60;

/// One item of a reference list, as the server stores it and tablets pull it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceItem {
    /// `"{list}:{key}"`: the item's id in sync and on the tablet.
    pub id: String,
    pub list: ListKind,
    /// What reports store: `[a-z0-9_]`, at most [`MAX_KEY_LEN`] bytes, never changed.
    pub key: String,
    pub label_vi: String,
    pub label_en: String,
    /// Order in forms and in the review (the built-ins first, then items as added).
    pub position: i32,
    /// No longer offered for new reports (reports that chose it keep it).
    #[serde(default)]
    pub retired: bool,
    /// Whose list: "" for the national built-ins, else the path of the area of the
    /// alliance that added it (tablets of that area and beneath it receive it).
    #[serde(default)]
    pub area_path: String,
}

impl ReferenceItem {
    pub fn id_of(list: ListKind, key: &str) -> String {
        format!("{}:{key}", crate::keyed::Keyed::key(list))
    }

    pub fn msg(&self) -> Msg {
        Msg::new(self.label_vi.clone(), self.label_en.clone())
    }
}

/// `POST /api/reference`: a new item for an administrator's area. The key is made from
/// the Vietnamese label (diacritics folded) and made unique in the list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewReferenceItem {
    pub list: ListKind,
    pub label_vi: String,
    #[serde(default)]
    pub label_en: String,
    /// The area whose tablets receive it (one of the administrator's); None: their first.
    #[serde(default)]
    pub area_id: Option<String>,
}

/// `PUT /api/reference/{list}/{key}`: what changes; a field left out stays as it is (a
/// page loaded before another administrator's change does not undo it).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReferenceUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_vi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<bool>,
}

/// Whether a name means "something else": the built-in item [`OTHER`] already is that,
/// with its description box ("Khác", "Other", "Chương trình khác"…).
pub fn means_other(label: &str) -> bool {
    let folded = crate::text::normalize(label);
    let words: Vec<&str> = folded.split(' ').collect();
    matches!(words.last(), Some(&"khac") | Some(&"other")) && words.len() <= 3
}

type BuiltIn = (ListKind, &'static str, &'static str, &'static str);

/// The seed report's items (../shared/seed), in the order forms show them. Their keys are
/// those of the enums they replaced.
const BUILT_IN: &[BuiltIn] = &[
    (
        ListKind::Programme,
        "resolution113",
        "Nghị quyết 113 của HĐND tỉnh",
        "Provincial Resolution 113",
    ),
    (
        ListKind::Programme,
        "decision284",
        "Quyết định 284/QĐ-LMHTXVN",
        "Decision 284/QĐ-LMHTXVN",
    ),
    (
        ListKind::Programme,
        OTHER,
        "Chương trình khác",
        "Other programme",
    ),
    (
        ListKind::Difficulty,
        "weak_finances",
        "Năng lực tài chính yếu",
        "Weak financial capacity",
    ),
    (
        ListKind::Difficulty,
        "low_competitiveness",
        "Khả năng cạnh tranh thấp",
        "Low competitiveness",
    ),
    (
        ListKind::Difficulty,
        "limited_governance",
        "Quản trị hạn chế",
        "Limited governance",
    ),
    (
        ListKind::Difficulty,
        "little_high_tech",
        "Ít tiếp cận công nghệ cao",
        "Little access to high technology",
    ),
    (
        ListKind::Difficulty,
        "finding_markets",
        "Khó tìm thị trường tiêu thụ",
        "Finding markets",
    ),
    (
        ListKind::Difficulty,
        "processing_lacks_machinery",
        "Khâu chế biến thiếu máy móc, hạ tầng",
        "Processing lacks machinery and infrastructure",
    ),
    (
        ListKind::Difficulty,
        "quality_certification",
        "Thủ tục chứng nhận chất lượng (VietGAP, OCOP, hữu cơ)",
        "Quality certification procedures (VietGAP, OCOP, organic)",
    ),
    (
        ListKind::Difficulty,
        "tax_registration",
        "Chưa đăng ký thuế",
        "Tax registration not done",
    ),
    (
        ListKind::Difficulty,
        "very_small_scale",
        "Quy mô quá nhỏ (thôn, liên thôn)",
        "Very small scale (village, inter-village)",
    ),
    (
        ListKind::Difficulty,
        "land_shrinking",
        "Diện tích canh tác giảm do đô thị hóa",
        "Cultivated land shrinking through urbanisation",
    ),
    (ListKind::Difficulty, OTHER, "Khó khăn khác", "Other"),
    (
        ListKind::SupportKind,
        "infrastructure",
        "Công trình cơ sở hạ tầng",
        "Infrastructure works",
    ),
    (
        ListKind::SupportKind,
        "trade_promotion",
        "Xúc tiến thương mại",
        "Trade promotion",
    ),
    (
        ListKind::SupportKind,
        "communication",
        "Tuyên truyền",
        "Communication",
    ),
    (
        ListKind::SupportKind,
        "training",
        "Đào tạo, bồi dưỡng",
        "Training",
    ),
    (ListKind::SupportKind, "consulting", "Tư vấn", "Consulting"),
    (ListKind::SupportKind, "credit", "Tín dụng", "Credit"),
];

/// The national built-in items (area path ""), positions 0, 1, 2… within each list.
pub fn built_in() -> Vec<ReferenceItem> {
    let mut next = std::collections::HashMap::new();
    BUILT_IN
        .iter()
        .map(|&(list, key, vi, en)| {
            let position = next.entry(list).or_insert(0);
            *position += 1;
            ReferenceItem {
                id: ReferenceItem::id_of(list, key),
                list,
                key: key.into(),
                label_vi: vi.into(),
                label_en: en.into(),
                position: *position - 1,
                retired: false,
                area_path: String::new(),
            }
        })
        .collect()
}

/// Whether `key` is shaped as a key: 1 to [`MAX_KEY_LEN`] of `a-z`, `0-9`, `_`.
pub fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A key made from a label: diacritics folded, anything else than a letter or digit
/// becomes one `_`, cut to fit, then `_2`, `_3`… until `taken` says it is free.
/// "Nghị quyết 50/2024" → "nghi_quyet_50_2024".
pub fn key_from_label(label: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut base = String::new();
    for c in crate::text::normalize(label).chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('_') && !base.is_empty() {
            base.push('_');
        }
    }
    let mut base = base.trim_end_matches('_').to_string();
    base.truncate(MAX_KEY_LEN - 4);
    let base = base.trim_end_matches('_').to_string();
    let base = if base.is_empty() {
        "item".to_string()
    } else {
        base
    };
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|k| !taken(k))
        .expect("some suffix is free")
}

/// Checks the labels of a new or renamed item: Vietnamese required, both at most
/// [`MAX_LABEL_CHARS`]; the English one defaults to the Vietnamese. Returns them trimmed.
pub fn check_labels(vi: &str, en: &str) -> Result<(String, String), crate::primitives::FieldError> {
    let (vi, en) = (vi.trim(), en.trim());
    if vi.is_empty() {
        return Err(crate::primitives::FieldError::new(
            "label_vi",
            "Hãy nhập tên mục bằng tiếng Việt.",
            "Enter the item's Vietnamese name.",
        ));
    }
    for (field, text) in [("label_vi", vi), ("label_en", en)] {
        if text.chars().count() > MAX_LABEL_CHARS || text.chars().any(char::is_control) {
            return Err(crate::primitives::FieldError {
                field: field.into(),
                message: Msg::new(
                    format!("Tên mục tối đa {MAX_LABEL_CHARS} ký tự, trên một dòng."),
                    format!("An item's name is at most {MAX_LABEL_CHARS} characters, on one line."),
                ),
            });
        }
    }
    let en = if en.is_empty() { vi } else { en };
    Ok((vi.to_string(), en.to_string()))
}

/// The items of `list` a form offers: those not retired, and any retired one already
/// chosen (`chosen`), by position.
pub fn offered<'a>(
    items: &'a [ReferenceItem],
    list: ListKind,
    chosen: &[String],
) -> Vec<&'a ReferenceItem> {
    let mut out: Vec<&ReferenceItem> = items
        .iter()
        .filter(|i| i.list == list && (!i.retired || chosen.contains(&i.key)))
        .collect();
    out.sort_by(|a, b| (a.position, &a.key).cmp(&(b.position, &b.key)));
    out
}

/// The label of `key` in `list`; the key itself when the list does not have it (an item
/// of an area this device does not receive).
pub fn label_of(items: &[ReferenceItem], list: ListKind, key: &str) -> Msg {
    items
        .iter()
        .find(|i| i.list == list && i.key == key)
        .map(ReferenceItem::msg)
        .unwrap_or_else(|| Msg::new(key, key))
}

/// Where `key` sorts in `list`: its position, or after every known item.
pub fn position_of(items: &[ReferenceItem], list: ListKind, key: &str) -> i64 {
    items
        .iter()
        .find(|i| i.list == list && i.key == key)
        .map(|i| i64::from(i.position))
        .unwrap_or(i64::MAX - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_keep_the_keys_reports_were_written_with() {
        let items = built_in();
        assert_eq!(items.len(), 20);
        assert!(items
            .iter()
            .all(|i| is_key(&i.key) && i.id == ReferenceItem::id_of(i.list, &i.key)));
        let programmes: Vec<&str> = offered(&items, ListKind::Programme, &[])
            .iter()
            .map(|i| i.key.as_str())
            .collect();
        assert_eq!(programmes, ["resolution113", "decision284", "other"]);
        assert_eq!(offered(&items, ListKind::Difficulty, &[]).len(), 11);
        assert_eq!(
            label_of(&items, ListKind::SupportKind, "training").vi,
            "Đào tạo, bồi dưỡng"
        );
        assert_eq!(label_of(&items, ListKind::SupportKind, "gone").vi, "gone");
        assert_eq!(
            serde_json::to_value(&items[0]).unwrap()["id"],
            "programme:resolution113"
        );
    }

    #[test]
    fn keys_are_made_from_labels_and_never_collide() {
        assert_eq!(
            key_from_label("Nghị quyết 50/2024 của HĐND", |_| false),
            "nghi_quyet_50_2024_cua_hdnd"
        );
        assert_eq!(key_from_label("Đào tạo", |k| k == "dao_tao"), "dao_tao_2");
        assert_eq!(
            key_from_label("Đào tạo", |k| k == "dao_tao" || k == "dao_tao_2"),
            "dao_tao_3"
        );
        assert_eq!(key_from_label("!!!", |_| false), "item");
        let long = key_from_label(&"Chương trình ".repeat(20), |_| false);
        assert!(is_key(&long) && long.len() <= MAX_KEY_LEN - 4, "{long}");
        assert!(!is_key("Bad Key") && !is_key("") && !is_key(&"a".repeat(49)));
    }

    #[test]
    fn retired_items_are_offered_only_where_already_chosen() {
        let mut items = built_in();
        items
            .iter_mut()
            .find(|i| i.key == "decision284")
            .unwrap()
            .retired = true;
        let keys = |chosen: &[String]| -> Vec<String> {
            offered(&items, ListKind::Programme, chosen)
                .iter()
                .map(|i| i.key.clone())
                .collect()
        };
        assert_eq!(keys(&[]), ["resolution113", "other"]);
        assert_eq!(
            keys(&["decision284".into()]),
            ["resolution113", "decision284", "other"]
        );
    }

    #[test]
    fn names_meaning_other_are_recognised() {
        for other in [
            "Khác",
            "khác",
            "Chương trình khác",
            "Khó khăn khác",
            "Other",
        ] {
            assert!(means_other(other), "{other}");
        }
        for not in [
            "Khác biệt về giá",
            "Đề án khác nhau của tỉnh năm 2025",
            "Vay vốn",
        ] {
            assert!(!means_other(not), "{not}");
        }
    }

    #[test]
    fn labels_are_checked() {
        assert!(check_labels("  ", "x").is_err());
        assert_eq!(
            check_labels(" Vay vốn ", "").unwrap(),
            ("Vay vốn".into(), "Vay vốn".into())
        );
        assert!(check_labels(&"a".repeat(201), "").is_err());
        assert!(check_labels("a\nb", "").is_err());
    }
}
