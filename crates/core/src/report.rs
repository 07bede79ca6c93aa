//! What a visit report records beyond its date and note (DOMAIN.md): finances, value chain,
//! difficulties, support, digital transformation, compliance, follow-up actions, position.
//! Every enum value has a label in both languages ([`Labelled`]) for forms, lists and exports.

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
    /// The programme a value-chain model belongs to.
    Programme {
        Resolution113 = "resolution113" => ("Nghị quyết 113 của HĐND tỉnh", "Provincial Resolution 113"),
        Decision284 = "decision284" => ("Quyết định 284/QĐ-LMHTXVN", "Decision 284/QĐ-LMHTXVN"),
        Other = "other" => ("Chương trình khác", "Other programme"),
    }
);

labelled_enum!(
    /// The difficulties the seed report lists.
    Difficulty {
        WeakFinances = "weak_finances" => ("Năng lực tài chính yếu", "Weak financial capacity"),
        LowCompetitiveness = "low_competitiveness" => ("Khả năng cạnh tranh thấp", "Low competitiveness"),
        LimitedGovernance = "limited_governance" => ("Quản trị hạn chế", "Limited governance"),
        LittleHighTech = "little_high_tech" => ("Ít tiếp cận công nghệ cao", "Little access to high technology"),
        FindingMarkets = "finding_markets" => ("Khó tìm thị trường tiêu thụ", "Finding markets"),
        ProcessingLacksMachinery = "processing_lacks_machinery" => ("Khâu chế biến thiếu máy móc, hạ tầng", "Processing lacks machinery and infrastructure"),
        QualityCertification = "quality_certification" => ("Thủ tục chứng nhận chất lượng (VietGAP, OCOP, hữu cơ)", "Quality certification procedures (VietGAP, OCOP, organic)"),
        TaxRegistration = "tax_registration" => ("Chưa đăng ký thuế", "Tax registration not done"),
        VerySmallScale = "very_small_scale" => ("Quy mô quá nhỏ (thôn, liên thôn)", "Very small scale (village, inter-village)"),
        LandShrinking = "land_shrinking" => ("Diện tích canh tác giảm do đô thị hóa", "Cultivated land shrinking through urbanisation"),
        Other = "other" => ("Khó khăn khác", "Other"),
    }
);

labelled_enum!(
    /// Kinds of support, received or requested.
    SupportKind {
        Infrastructure = "infrastructure" => ("Công trình cơ sở hạ tầng", "Infrastructure works"),
        TradePromotion = "trade_promotion" => ("Xúc tiến thương mại", "Trade promotion"),
        Communication = "communication" => ("Tuyên truyền", "Communication"),
        Training = "training" => ("Đào tạo, bồi dưỡng", "Training"),
        Consulting = "consulting" => ("Tư vấn", "Consulting"),
        Credit = "credit" => ("Tín dụng", "Credit"),
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
    pub programme: Option<Programme>,
    pub programme_other: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Support {
    pub received: Vec<SupportKind>,
    pub requested: Vec<SupportKind>,
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

/// Where the officer stood, from the device's GPS when allowed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub accuracy_m: Option<f64>,
}

/// Everything a visit report records besides its date and note.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Findings {
    pub finances: Finances,
    pub value_chain: ValueChain,
    pub difficulties: Vec<Difficulty>,
    pub difficulty_other: String,
    pub support: Support,
    pub digital: Digital,
    pub compliance: Compliance,
    pub follow_ups: Vec<FollowUp>,
    pub position: Option<Position>,
}

/// The six-month period of a date: "2021-06-11" → "2021-H1".
pub fn period_of(date: &str) -> Option<String> {
    let (y, m, _) = crate::validate::parse_iso_date(date)?;
    Some(format!("{y}-H{}", if m <= 6 { 1 } else { 2 }))
}

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
        check::<Programme>();
        check::<Difficulty>();
        check::<SupportKind>();
        check::<Certification>();
        assert_eq!(Difficulty::ALL.len(), 11);
        assert_eq!(
            serde_json::to_string(&Programme::Decision284).unwrap(),
            "\"decision284\""
        );
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
