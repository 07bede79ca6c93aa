//! What a visit report records beyond its date and note (DOMAIN.md): finances, value chain,
//! difficulties, support, digital transformation, compliance, follow-up actions, position.
//! Every enum value has a label in both languages ([`Labelled`]) for forms, lists and exports.
//! Programmes, difficulties and kinds of support are keys of reference lists an
//! administrator can add to ([`crate::reference`]), not enums.

use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// Something with a bilingual label and a stable list of all its values.
pub trait Labelled: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn label(self) -> (&'static str, &'static str);
    fn msg(self) -> Msg {
        let (vi, en) = self.label();
        Msg::new(vi, en)
    }
}

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $key:literal => ($vi:expr, $en:expr)),+ $(,)? }) => {
        crate::keyed_enum!($(#[$m])* pub enum $name { $($(#[$vm])* $variant = $key),+ });
        impl Labelled for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn label(self) -> (&'static str, &'static str) {
                match self { $($name::$variant => ($vi, $en)),+ }
            }
        }
    };
}

labelled_enum!(
    /// How hard an external shock (COVID-19 in 2021) hit the cooperative.
    ShockImpact {
        None = "none" => ("Không ảnh hưởng", "None"),
        Slight = "slight" => ("Ảnh hưởng nhẹ", "Slight"),
        Moderate = "moderate" => ("Ảnh hưởng vừa", "Moderate"),
        Severe = "severe" => ("Ảnh hưởng nặng", "Severe"),
    }
);

labelled_enum!(
    /// A stage of a value chain the cooperative takes part in.
    ChainStage {
        Inputs = "inputs" => ("Cung ứng đầu vào", "Inputs"),
        Production = "production" => ("Sản xuất", "Production"),
        Processing = "processing" => ("Chế biến", "Processing"),
        Packaging = "packaging" => ("Đóng gói", "Packaging"),
        DistributionSales = "distribution_sales" => ("Phân phối, tiêu thụ", "Distribution and sales"),
    }
);

labelled_enum!(
    Certification {
        VietGap = "viet_gap" => ("VietGAP", "VietGAP"),
        Ocop = "ocop" => ("OCOP", "OCOP"),
        Organic = "organic" => ("Hữu cơ", "Organic"),
        Other = "other" => ("Chứng nhận khác", "Other"),
    }
);

/// Finances for the period, in VND. Comparisons are against the same period last year.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Finances {
    pub revenue_vnd: Option<i64>,
    pub revenue_last_year_vnd: Option<i64>,
    /// May be negative (a loss).
    pub profit_vnd: Option<i64>,
    /// Average monthly income of a member.
    pub member_income_vnd: Option<i64>,
    pub member_income_last_year_vnd: Option<i64>,
    pub shock_impact: Option<ShockImpact>,
    pub shock_note: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValueChain {
    pub in_value_chain: bool,
    pub stages: Vec<ChainStage>,
    pub linked_enterprise: String,
    /// A key of the programme list ([`crate::reference`], e.g. "resolution113").
    pub programme: Option<String>,
    pub programme_other: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Support {
    /// Keys of the support-kind list ([`crate::reference`], e.g. "training").
    pub received: Vec<String>,
    pub requested: Vec<String>,
    /// Infrastructure works handed over to the cooperative in the period.
    pub works_handed_over: Option<u32>,
    pub note: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Digital {
    pub accounting_software: bool,
    pub e_invoices: bool,
    pub sells_online: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Compliance {
    /// Tax registration done, as seen at the visit.
    pub tax_registered: bool,
    pub certifications: Vec<Certification>,
    /// 3 to 5 when OCOP-certified.
    pub ocop_stars: Option<u8>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowUp {
    pub action: String,
    /// ISO date.
    pub due: String,
    pub done: bool,
}

pub use crate::primitives::Position;

/// Everything a visit report records besides its date and note.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Findings {
    /// How the cooperative was operating when visited ("hoạt động cầm chừng"…): what the
    /// six-monthly review counts standstills by (issue 16), not the profile's status today.
    pub operating_status: Option<crate::primitives::OperatingStatus>,
    pub finances: Finances,
    pub value_chain: ValueChain,
    /// Keys of the difficulty list ([`crate::reference`], e.g. "finding_markets").
    pub difficulties: Vec<String>,
    pub difficulty_other: String,
    pub support: Support,
    pub digital: Digital,
    pub compliance: Compliance,
    pub follow_ups: Vec<FollowUp>,
    pub position: Option<Position>,
    /// Photos taken on the visit (at most [`crate::photo::MAX_PER_REPORT`]), by hash; the
    /// bytes are uploaded apart (issue 17).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<crate::photo::PhotoRef>,
}

pub use crate::primitives::period_of;

/// Percentage change from `before` to `now`, when both are known and `before` is not 0.
pub fn change_pct(now: Option<i64>, before: Option<i64>) -> Option<f64> {
    match (now, before) {
        (Some(n), Some(b)) if b != 0 => Some((n - b) as f64 * 100.0 / b.abs() as f64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_has_both_labels_and_a_stable_name() {
        fn check<T: Labelled + Serialize>() {
            for v in T::ALL {
                let (vi, en) = v.label();
                assert!(!vi.is_empty() && !en.is_empty());
                let name = serde_json::to_string(v).unwrap();
                assert!(
                    name.chars().all(|c| c.is_ascii_lowercase()
                        || c == '_'
                        || c == '"'
                        || c.is_ascii_digit()),
                    "{name}"
                );
            }
        }
        check::<ShockImpact>();
        check::<ChainStage>();
        check::<Certification>();
    }

    #[test]
    fn periods_and_changes() {
        assert_eq!(period_of("2021-06-30").as_deref(), Some("2021-H1"));
        assert_eq!(period_of("2021-07-01").as_deref(), Some("2021-H2"));
        assert_eq!(period_of("bad"), None);
        assert_eq!(change_pct(Some(80), Some(100)), Some(-20.0));
        assert_eq!(change_pct(Some(80), Some(0)), None);
        assert_eq!(change_pct(None, Some(5)), None);
    }

    #[test]
    fn an_empty_findings_object_parses() {
        let f: Findings = serde_json::from_str("{}").unwrap();
        assert_eq!(f, Findings::default());
        let f: Findings = serde_json::from_str(
            r#"{"value_chain":{"in_value_chain":true,"stages":["processing"]}}"#,
        )
        .unwrap();
        assert_eq!(f.value_chain.stages, [ChainStage::Processing]);
    }
}
