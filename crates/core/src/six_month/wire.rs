//! What the six-monthly review sends and receives over HTTP: the review with its figures
//! and tallies, the records behind a figure a page at a time, the periods with reports,
//! the targets form's request.

use super::targets::Targets;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// A count, its target if any, and the records behind it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub value: i64,
    pub target: Option<u32>,
    /// Left out over HTTP ([`SixMonthReview::without_ids`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
}

/// A figure this period against the same period last year.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Compared {
    pub now: i64,
    pub last_year: i64,
    pub change_pct: Option<f64>,
    /// The reports that gave both figures (left out over HTTP).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// The item's key in its reference list ([`crate::reference`]); "" for "not given".
    pub key: String,
    /// The item's label in the server's list (the key itself for an unknown item).
    pub label: Msg,
    pub count: i64,
    /// Left out over HTTP ([`SixMonthReview::without_ids`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SixMonthReview {
    pub period: String,
    /// Approved reports that stand for their cooperative in the period.
    #[serde(default)]
    pub reports: Vec<String>,
    /// How many they are (also when the ids are left out).
    #[serde(default)]
    pub report_count: i64,
    pub new_htx: Figure,
    pub new_tht: Figure,
    /// HTX and THT of the area with no date of establishment: not counted as new in any
    /// period until it is known.
    #[serde(default)]
    pub no_founding_date: Figure,
    pub standstill: Figure,
    pub revenue_vnd: Compared,
    pub member_income_vnd: Compared,
    /// Value-chain models by programme (None: programme not given).
    pub value_chains: Vec<Tally>,
    pub works_handed_over: Figure,
    /// The photos of the works handed over (section "works", issue 17) on the reports the
    /// figure counts, in their order: what the figure opens.
    #[serde(default)]
    pub works_photos: Vec<WorkPhoto>,
    pub difficulties: Vec<Tally>,
    /// Reports saying tax registration is done (value) out of `of` reports.
    pub tax_registered: Figure,
    pub tax_of: i64,
    pub support_received: Vec<Tally>,
}

/// A photo of infrastructure works handed over, with the report it is on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkPhoto {
    pub report_id: String,
    pub photo: crate::photo::PhotoRef,
}

/// A record behind a figure, as the drill-down lists it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRef {
    pub id: String,
    /// "cooperative" or "visit".
    pub entity: String,
    /// The cooperative's name.
    pub name: String,
    /// For a visit: its date and author.
    #[serde(default)]
    pub visit_date: String,
    #[serde(default)]
    pub author_name: String,
}

/// One page of the records behind a figure (`GET /api/review/records`), in the figure's
/// order: `total` in all, `records` from position `offset`; `next` is the offset of the
/// next page (None on the last).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordsPage {
    /// The figure's key ([`SixMonthReview::ids_of`]).
    pub figure: String,
    /// The period the figure is of (last year's when asked for it).
    pub period: String,
    pub total: u32,
    pub offset: u32,
    pub records: Vec<RecordRef>,
    pub next: Option<u32>,
}

/// The keys of the figures whose records can be opened, besides a tally's items
/// ("value_chains:<key>", "difficulties:<key>", "support_received:<key>").
pub const FIGURES: [&str; 9] = [
    "reports",
    "new_htx",
    "new_tht",
    "no_founding_date",
    "standstill",
    "revenue_vnd",
    "member_income_vnd",
    "works_handed_over",
    "tax_registered",
];

impl SixMonthReview {
    /// The records behind the figure named `figure` (a key of [`FIGURES`], or a tally's
    /// item as "difficulties:finding_markets"; "" after the colon for "not given"), in the
    /// figure's order; None for a key that names no figure (an item no report gave is an
    /// empty list, not None).
    pub fn ids_of(&self, figure: &str) -> Option<&[String]> {
        fn tallied<'a>(list: &'a [Tally], key: &str) -> &'a [String] {
            list.iter()
                .find(|t| t.key == key)
                .map(|t| t.ids.as_slice())
                .unwrap_or(&[])
        }
        if let Some((list, key)) = figure.split_once(':') {
            return match list {
                "value_chains" => Some(tallied(&self.value_chains, key)),
                "difficulties" => Some(tallied(&self.difficulties, key)),
                "support_received" => Some(tallied(&self.support_received, key)),
                _ => None,
            };
        }
        Some(match figure {
            "reports" => &self.reports,
            "new_htx" => &self.new_htx.ids,
            "new_tht" => &self.new_tht.ids,
            "no_founding_date" => &self.no_founding_date.ids,
            "standstill" => &self.standstill.ids,
            "revenue_vnd" => &self.revenue_vnd.ids,
            "member_income_vnd" => &self.member_income_vnd.ids,
            "works_handed_over" => &self.works_handed_over.ids,
            "tax_registered" => &self.tax_registered.ids,
            _ => return None,
        })
    }

    /// True when the figure `figure` lists cooperatives (new HTX/THT, without a founding
    /// date, at a standstill); every other figure lists visit reports.
    pub fn lists_cooperatives(figure: &str) -> bool {
        matches!(
            figure,
            "new_htx" | "new_tht" | "no_founding_date" | "standstill"
        )
    }

    /// The review with its figures' values and no ids (what `GET /api/review` sends).
    pub fn without_ids(mut self) -> Self {
        self.reports = Vec::new();
        for f in [
            &mut self.new_htx,
            &mut self.new_tht,
            &mut self.no_founding_date,
            &mut self.standstill,
            &mut self.works_handed_over,
            &mut self.tax_registered,
        ] {
            f.ids = Vec::new();
        }
        self.revenue_vnd.ids = Vec::new();
        self.member_income_vnd.ids = Vec::new();
        for t in self
            .value_chains
            .iter_mut()
            .chain(&mut self.difficulties)
            .chain(&mut self.support_received)
        {
            t.ids = Vec::new();
        }
        self
    }
}

/// `GET /api/review`: the review of a period and area (without the records behind its
/// figures: [`RecordsPage`]), and the targets set for exactly that area (what the targets
/// form edits).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewResponse {
    /// None: all the caller's areas.
    pub area_id: Option<String>,
    pub area_name: String,
    pub review: SixMonthReview,
    /// Set for exactly this area and period (the review's targets take, per figure, this
    /// area's own or else the nearest set beneath it: [`roll_up`]).
    pub own_targets: Targets,
    /// The same half-year a year earlier, in today's areas (issue 16: after the 2025
    /// reform, "last year" for a ward is what its former communes recorded). None when the
    /// request asked for none.
    #[serde(default)]
    pub last_year: Option<SixMonthReview>,
}

/// `GET /api/review/periods`: the half-years with approved reports in the caller's areas,
/// newest first ("2026-H1"), so the review opens on the latest one that has figures.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewPeriods {
    pub with_reports: Vec<String>,
}

/// `PUT /api/targets`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetsRequest {
    pub period: String,
    pub area_id: String,
    pub targets: Targets,
}
