//! The names of the registry's choices in the language chosen: one place for every page
//! (the texts are hoptac_core::labels, shared with the server's exports and the registry
//! import).

use crate::i18n::t;
use hoptac_core::labels;
use hoptac_core::model::{CoopKind, OperatingScale, OperatingStatus, Sector};
use leptos::prelude::*;

fn pick(l: labels::Label) -> &'static str {
    t(l.0, l.1)
}

pub fn kind_label(k: CoopKind) -> &'static str {
    pick(labels::kind(k))
}

pub fn status_label(s: OperatingStatus) -> &'static str {
    pick(labels::status(s))
}

pub fn sector_label(s: Sector) -> &'static str {
    pick(labels::sector(s))
}

pub fn scale_label(s: OperatingScale) -> &'static str {
    pick(labels::scale(s))
}

pub const KINDS: [CoopKind; 3] = [CoopKind::Htx, CoopKind::Tht, CoopKind::Lhhtx];
pub const SECTORS: [Sector; 8] = [
    Sector::Agriculture,
    Sector::IndustryHandicraft,
    Sector::TradeServices,
    Sector::Transport,
    Sector::Construction,
    Sector::CreditFund,
    Sector::EnvironmentWater,
    Sector::Other,
];
pub const STATUSES: [OperatingStatus; 4] = [
    OperatingStatus::Active,
    OperatingStatus::Standstill,
    OperatingStatus::Suspended,
    OperatingStatus::Dissolved,
];
pub const SCALES: [OperatingScale; 4] = [
    OperatingScale::Village,
    OperatingScale::InterVillage,
    OperatingScale::Commune,
    OperatingScale::InterCommune,
];

/// The reference lists (programmes, difficulties, kinds of support) as this device pulled
/// them, read again whenever local data changes (a pull brought an item): a resource
/// for the pages that show or offer them.
pub fn use_reference() -> crate::resources::Resource<Vec<hoptac_core::reference::ReferenceItem>> {
    crate::resources::synced(|| async {
        crate::handles::store()
            .reference()
            .await
            .unwrap_or_default()
    })
}

/// The names of `keys` of `list` in the chosen language, joined with "; " (a key this
/// device has no item for is shown as it is).
pub fn reference_labels(
    items: &[hoptac_core::reference::ReferenceItem],
    list: hoptac_core::reference::ListKind,
    keys: &[String],
) -> String {
    let lang = crate::i18n::lang().get_untracked();
    keys.iter()
        .map(|k| {
            hoptac_core::reference::label_of(items, list, k)
                .get(lang)
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "2021-H1" → "6 tháng đầu năm 2021" / "First half of 2021".
pub fn period_label(p: &str) -> String {
    match p.split_once("-H") {
        Some((y, "1")) => {
            crate::i18n::ts(format!("6 tháng đầu năm {y}"), format!("First half of {y}"))
        }
        Some((y, _)) => crate::i18n::ts(
            format!("6 tháng cuối năm {y}"),
            format!("Second half of {y}"),
        ),
        None => p.to_string(),
    }
}

/// The half-years from now back to 2019, newest first ("2026-H2", "2026-H1", …).
pub fn periods() -> Vec<String> {
    let now =
        hoptac_core::report::period_of(&crate::util::today()).unwrap_or_else(|| "2026-H2".into());
    let year: i32 = now[..4].parse().unwrap_or(2026);
    let mut out = Vec::new();
    for y in (2019..=year).rev() {
        for h in ["2", "1"] {
            let p = format!("{y}-H{h}");
            if p <= now {
                out.push(p);
            }
        }
    }
    out
}

/// A report's review state in the chosen language.
pub fn report_status_label(s: hoptac_core::model::ReportStatus) -> &'static str {
    use hoptac_core::model::ReportStatus::*;
    match s {
        Draft => crate::i18n::t("Nháp", "Draft"),
        Submitted => crate::i18n::t("Chờ duyệt", "Submitted"),
        Returned => crate::i18n::t("Trả lại để sửa", "Returned"),
        Resubmitted => crate::i18n::t("Đã gửi lại", "Resubmitted"),
        Approved => crate::i18n::t("Đã duyệt", "Approved"),
        Rejected => crate::i18n::t("Bị từ chối", "Rejected"),
    }
}
