//! The six-monthly review (báo cáo sơ kết 6 tháng) of DOMAIN.md, computed from approved
//! visit reports and the cooperatives' profiles of one area, never typed (issue 5).
//!
//! Rules:
//! - A report counts for the period of its visit date ("2021-H2"), only when approved.
//!   When a cooperative has several approved reports in the period, its latest visit
//!   (then the highest revision) stands for it, so nothing is counted twice.
//! - New HTX / THT: cooperatives of that kind whose date of establishment
//!   (`established_on`) falls in the period, and only those (issue 16: a stored "newly
//!   established" flag counted one cooperative again in every period). Those without a
//!   date are listed apart (`no_founding_date`) so they can be completed.
//! - Standstill: cooperatives whose report standing for them in the period (see above)
//!   says "hoạt động cầm chừng" (`findings.operating_status`), not the profile's status
//!   today (issue 16: a review of 2021 changed when a cooperative recovered in 2025).
//! - Targets: an area's own target for a figure, or else the sum of the nearest targets
//!   set beneath it ([`roll_up`]), so a province's and its districts' targets are never
//!   added together.
//! - Revenue and member income against the same period last year: over the reports that
//!   give both figures (sum of revenue; average of member income).
//!
//! Every figure keeps the ids behind it (cooperatives or reports) so the page can open them;
//! over HTTP the review travels without them ([`SixMonthReview::without_ids`]: a country's
//! figures name some 100,000 records) and the page asks for one figure's records, a page at
//! a time, when it is opened ([`SixMonthReview::ids_of`], [`RecordsPage`]).

use crate::i18n::Msg;
use crate::model::{CoopKind, Cooperative, OperatingStatus, ReportStatus, VisitReport};
use crate::reference::{label_of, position_of, ListKind, ReferenceItem};
use crate::report::{change_pct, period_of};
use serde::{Deserialize, Serialize};

/// The targets an administrator or supervisor set for a period and area.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    pub new_htx: Option<u32>,
    pub new_tht: Option<u32>,
    pub works_handed_over: Option<u32>,
}

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

/// What the review reads of a visit report, and nothing else: the server stores it beside
/// each report (column `review_part`), so the review of a country reads ~430 bytes a
/// report instead of its ~1 KB body (docs/BENCHMARKS.md, issue 18). Empty parts are left
/// out of its JSON. [`compute_parts`] counts it exactly as [`compute`] counts the whole
/// report (tested below).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewPart {
    pub id: String,
    pub cooperative_id: String,
    pub visit_date: String,
    pub revision: u32,
    pub status: Option<ReportStatus>,
    pub area_path: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub author_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_status: Option<OperatingStatus>,
    /// VND: revenue this year and last, average member income (month) this year and last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_vnd: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_last_year_vnd: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_income_vnd: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_income_last_year_vnd: Option<i64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_value_chain: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub difficulties: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub support_received: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub works_handed_over: Option<u32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tax_registered: bool,
    /// Only the photos of the works handed over (section "works").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub works_photos: Vec<crate::photo::PhotoRef>,
}

impl ReviewPart {
    /// The part of `r` the review reads.
    pub fn of(r: &VisitReport) -> Self {
        let f = &r.findings;
        ReviewPart {
            id: r.id.clone(),
            cooperative_id: r.cooperative_id.clone(),
            visit_date: r.visit_date.clone(),
            revision: r.revision,
            status: Some(r.status),
            area_path: r.area_path.clone(),
            author_name: r.author_name.clone(),
            operating_status: f.operating_status,
            revenue_vnd: f.finances.revenue_vnd,
            revenue_last_year_vnd: f.finances.revenue_last_year_vnd,
            member_income_vnd: f.finances.member_income_vnd,
            member_income_last_year_vnd: f.finances.member_income_last_year_vnd,
            in_value_chain: f.value_chain.in_value_chain,
            programme: f.value_chain.programme.clone(),
            difficulties: f.difficulties.clone(),
            support_received: f.support.received.clone(),
            works_handed_over: f.support.works_handed_over,
            tax_registered: f.compliance.tax_registered,
            works_photos: f
                .photos
                .iter()
                .filter(|p| p.section == crate::photo::PhotoSection::Works)
                .cloned()
                .collect(),
        }
    }
}

/// What the review reads of a cooperative: its id, kind and date of establishment (and
/// the server its name and area, for the drill-down). [`compute`] takes whole
/// cooperatives or only these parts ([`CoopPart`]: a country's 100,000 read from columns,
/// not from their bodies).
pub trait CoopFacts {
    fn coop_id(&self) -> &str;
    fn coop_kind(&self) -> CoopKind;
    /// ISO date "YYYY-MM-DD".
    fn founded_on(&self) -> Option<&str>;
}

impl CoopFacts for Cooperative {
    fn coop_id(&self) -> &str {
        &self.id
    }
    fn coop_kind(&self) -> CoopKind {
        self.kind
    }
    fn founded_on(&self) -> Option<&str> {
        self.established_on.as_deref()
    }
}

/// The part of a cooperative the review and its drill-down read.
#[derive(Debug, Clone, PartialEq)]
pub struct CoopPart {
    pub id: String,
    pub kind: CoopKind,
    pub name: String,
    pub area_path: String,
    /// ISO date "YYYY-MM-DD".
    pub established_on: Option<String>,
}

impl CoopPart {
    pub fn of(c: &Cooperative) -> Self {
        CoopPart {
            id: c.id.clone(),
            kind: c.kind,
            name: c.name.clone(),
            area_path: c.area_path.clone(),
            established_on: c.established_on.clone(),
        }
    }
}

impl CoopFacts for CoopPart {
    fn coop_id(&self) -> &str {
        &self.id
    }
    fn coop_kind(&self) -> CoopKind {
        self.kind
    }
    fn founded_on(&self) -> Option<&str> {
        self.established_on.as_deref()
    }
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

/// The same half of the year before: "2025-H2" → "2024-H2". None for a bad period.
pub fn year_before(period: &str) -> Option<String> {
    period_bounds(period)?;
    let (y, h) = period.split_once("-H")?;
    let y: i32 = y.parse().ok()?;
    Some(format!("{:04}-H{h}", y - 1))
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

/// The first and last day of a period: "2021-H2" → ("2021-07-01", "2021-12-31"). None when
/// `period` is not a year, "-H" and 1 or 2.
pub fn period_bounds(period: &str) -> Option<(String, String)> {
    let (y, h) = period.split_once("-H")?;
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match h {
        "1" => Some((format!("{y}-01-01"), format!("{y}-06-30"))),
        "2" => Some((format!("{y}-07-01"), format!("{y}-12-31"))),
        _ => None,
    }
}

/// The message for a period that [`period_bounds`] refuses.
pub fn bad_period(period: &str) -> crate::i18n::Msg {
    crate::i18n::Msg::new(
        format!("Kỳ báo cáo \"{period}\" không hợp lệ. Ghi năm và nửa năm, ví dụ 2021-H2 (6 tháng cuối năm 2021)."),
        format!("\"{period}\" is not a reporting period. Give the year and half, e.g. 2021-H2 (second half of 2021)."),
    )
}

/// The largest target accepted (a province founds tens of cooperatives a half-year).
pub const MAX_TARGET: u32 = 100_000;

impl Targets {
    /// Refuses a target above [`MAX_TARGET`], with the field's name.
    pub fn validate(&self) -> Result<(), crate::validate::FieldError> {
        for (field, v) in [
            ("new_htx", self.new_htx),
            ("new_tht", self.new_tht),
            ("works_handed_over", self.works_handed_over),
        ] {
            if v.is_some_and(|v| v > MAX_TARGET) {
                return Err(crate::validate::FieldError {
                    field: field.to_string(),
                    message: crate::i18n::Msg::new(
                        format!("Chỉ tiêu quá lớn: tối đa {MAX_TARGET}."),
                        format!("Target too large: at most {MAX_TARGET}."),
                    ),
                });
            }
        }
        Ok(())
    }

    /// Adds targets of several areas: a field is known when any of them gives it.
    pub fn add(&mut self, other: &Targets) {
        fn sum(a: Option<u32>, b: Option<u32>) -> Option<u32> {
            match (a, b) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
            }
        }
        self.new_htx = sum(self.new_htx, other.new_htx);
        self.new_tht = sum(self.new_tht, other.new_tht);
        self.works_handed_over = sum(self.works_handed_over, other.works_handed_over);
    }
}

/// The targets of the area at `path` from the targets set for a period, `set` as (area
/// path, targets): for each figure, the area's own target if it has one, else the sum of
/// the nearest targets set beneath it (a district's, or where a district has none, its
/// communes'); None when none is set. A province's target and its districts' are never
/// added together.
pub fn roll_up(path: &str, set: &[(String, Targets)]) -> Targets {
    fn field(
        path: &str,
        set: &[(String, Targets)],
        get: fn(&Targets) -> Option<u32>,
    ) -> Option<u32> {
        if let Some(own) = set
            .iter()
            .find(|(p, _)| p == path)
            .and_then(|(_, t)| get(t))
        {
            return Some(own);
        }
        // The nearest beneath: set for an area under `path` with no area between them
        // that has this figure set.
        let under: Vec<&(String, Targets)> = set
            .iter()
            .filter(|(p, t)| p.len() > path.len() && p.starts_with(path) && get(t).is_some())
            .collect();
        let nearest = under.iter().filter(|(p, _)| {
            !under
                .iter()
                .any(|(q, _)| q.len() < p.len() && p.starts_with(q.as_str()))
        });
        nearest
            .map(|(_, t)| get(t).unwrap_or(0))
            .fold(None, |sum: Option<u32>, v| {
                Some(sum.unwrap_or(0).saturating_add(v))
            })
    }
    Targets {
        new_htx: field(path, set, |t| t.new_htx),
        new_tht: field(path, set, |t| t.new_tht),
        works_handed_over: field(path, set, |t| t.works_handed_over),
    }
}

fn in_period(date: Option<&str>, period: &str) -> bool {
    date.and_then(period_of).as_deref() == Some(period)
}

/// Which figures' records [`compute_parts`] lists (their ids): a country's review lists
/// about a million ids in all, and `GET /api/review` sends none of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids<'a> {
    /// Every figure's (the export, integrations).
    All,
    /// None: the figures' values only.
    None,
    /// Only this figure's (a key as [`SixMonthReview::ids_of`] takes it): the drill-down.
    Of(&'a str),
}

impl Ids<'_> {
    fn wants(&self, figure: &str) -> bool {
        match self {
            Ids::All => true,
            Ids::None => false,
            Ids::Of(f) => *f == figure,
        }
    }

    fn wants_item(&self, list: &str, key: &str) -> bool {
        match self {
            Ids::All => true,
            Ids::None => false,
            Ids::Of(f) => f.split_once(':') == Some((list, key)),
        }
    }
}

/// Counts the reports choosing each key of `list` (a report once per key), in the list's
/// order, with the labels of `reference`; keys no report chose are left out. `keys` gives a
/// report's keys; an empty key stands for "not given" and sorts last. `name` is the
/// tally's figure ("difficulties"), to list the ids `ids` asks for.
fn tally<'r>(
    reports: &[&'r ReviewPart],
    list: ListKind,
    reference: &[ReferenceItem],
    not_given: &Msg,
    name: &str,
    ids: Ids,
    keys: &dyn Fn(&'r ReviewPart) -> Vec<&'r str>,
) -> Vec<Tally> {
    let mut out: Vec<Tally> = Vec::new();
    for r in reports {
        let mut ks = keys(r);
        ks.sort_unstable();
        ks.dedup();
        for k in ks {
            let i = match out.iter().position(|t| t.key == k) {
                Some(i) => i,
                None => {
                    out.push(Tally {
                        label: if k.is_empty() {
                            not_given.clone()
                        } else {
                            label_of(reference, list, k)
                        },
                        key: k.to_string(),
                        count: 0,
                        ids: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let t = &mut out[i];
            t.count += 1;
            if ids.wants_item(name, k) {
                t.ids.push(r.id.clone());
            }
        }
    }
    out.sort_by_key(|t| {
        let p = if t.key.is_empty() {
            i64::MAX
        } else {
            position_of(reference, list, &t.key)
        };
        (p, t.key.clone())
    });
    out
}

/// Computes the review of `period` ("2021-H2") from the cooperatives and reports of one
/// area (the caller selects them by scope); programmes, difficulties and kinds of support
/// are named and ordered by `reference` (the server's reference lists). Every figure lists
/// its records ([`compute_parts`] with [`Ids::All`]).
pub fn compute(
    period: &str,
    cooperatives: &[impl CoopFacts],
    reports: &[VisitReport],
    targets: &Targets,
    reference: &[ReferenceItem],
) -> SixMonthReview {
    let parts: Vec<ReviewPart> = reports.iter().map(ReviewPart::of).collect();
    compute_parts(period, cooperatives, &parts, targets, reference, Ids::All)
}

/// [`compute`] from only what the review reads of each report ([`ReviewPart`]: the server
/// reads a country's from an index), listing the records of the figures `ids` asks for.
pub fn compute_parts(
    period: &str,
    cooperatives: &[impl CoopFacts],
    reports: &[ReviewPart],
    targets: &Targets,
    reference: &[ReferenceItem],
    ids: Ids,
) -> SixMonthReview {
    // The latest approved report per cooperative in the period (a map: a province has
    // thousands of cooperatives). A part without a status is an approved report's.
    let approved = |r: &ReviewPart| r.status.is_none_or(|s| s == ReportStatus::Approved);
    let mut by_coop: std::collections::HashMap<&str, &ReviewPart> =
        std::collections::HashMap::with_capacity(reports.len());
    for r in reports
        .iter()
        .filter(|r| approved(r) && in_period(Some(&r.visit_date), period))
    {
        let l = by_coop.entry(r.cooperative_id.as_str()).or_insert(r);
        if (r.visit_date.as_str(), r.revision, r.id.as_str())
            > (l.visit_date.as_str(), l.revision, l.id.as_str())
        {
            *l = r;
        }
    }
    let mut latest: Vec<&ReviewPart> = by_coop.into_values().collect();
    latest.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    // The ids of `figure`'s records, when they are asked for.
    let list = |figure: &str, rs: &mut dyn Iterator<Item = &String>| -> Vec<String> {
        if ids.wants(figure) {
            rs.cloned().collect()
        } else {
            Vec::new()
        }
    };

    // Lists of cooperatives in order of id, whatever order they came in: the drill-down
    // pages through them by position.
    let cooperatives_where = |figure: &str, keep: &dyn Fn(&dyn CoopFacts) -> bool| {
        let mut n = 0i64;
        let mut listed: Vec<String> = Vec::new();
        for c in cooperatives.iter().filter(|c| keep(*c as &dyn CoopFacts)) {
            n += 1;
            if ids.wants(figure) {
                listed.push(c.coop_id().to_string());
            }
        }
        listed.sort_unstable();
        (n, listed)
    };
    let founded = |figure: &str, kind: CoopKind| {
        cooperatives_where(figure, &|c| {
            c.coop_kind() == kind && in_period(c.founded_on(), period)
        })
    };
    let new_htx = founded("new_htx", CoopKind::Htx);
    let new_tht = founded("new_tht", CoopKind::Tht);
    let no_founding_date = cooperatives_where("no_founding_date", &|c| {
        matches!(c.coop_kind(), CoopKind::Htx | CoopKind::Tht) && c.founded_on().is_none()
    });
    let standing_still: Vec<&&ReviewPart> = latest
        .iter()
        .filter(|r| r.operating_status == Some(OperatingStatus::Standstill))
        .collect();
    let mut standstill = list(
        "standstill",
        &mut standing_still.iter().map(|r| &r.cooperative_id),
    );
    standstill.sort_unstable();

    type Pair = (Option<i64>, Option<i64>);
    let both = |figure: &str, f: &dyn Fn(&ReviewPart) -> Pair| {
        let with: Vec<&&ReviewPart> = latest
            .iter()
            .filter(|r| matches!(f(r), (Some(_), Some(_))))
            .collect();
        let now: i64 = with.iter().map(|r| f(r).0.unwrap_or(0)).sum();
        let before: i64 = with.iter().map(|r| f(r).1.unwrap_or(0)).sum();
        (
            list(figure, &mut with.iter().map(|r| &r.id)),
            now,
            before,
            with.len() as i64,
        )
    };
    let (rev_ids, rev_now, rev_before, _) =
        both("revenue_vnd", &|r| (r.revenue_vnd, r.revenue_last_year_vnd));
    let (inc_ids, inc_sum, inc_before_sum, n) = both("member_income_vnd", &|r| {
        (r.member_income_vnd, r.member_income_last_year_vnd)
    });
    let (inc_now, inc_before) = if n > 0 {
        (inc_sum / n, inc_before_sum / n)
    } else {
        (0, 0)
    };

    let value_chains = tally(
        &latest,
        ListKind::Programme,
        reference,
        &Msg::new("Không rõ chương trình", "No programme given"),
        "value_chains",
        ids,
        &|r| {
            if r.in_value_chain {
                vec![r.programme.as_deref().unwrap_or_default()]
            } else {
                Vec::new()
            }
        },
    );

    let works: Vec<&&ReviewPart> = latest
        .iter()
        .filter(|r| r.works_handed_over.unwrap_or(0) > 0)
        .collect();
    let works_total: i64 = works
        .iter()
        .map(|r| i64::from(r.works_handed_over.unwrap_or(0)))
        .sum();

    let works_photos: Vec<WorkPhoto> = works
        .iter()
        .flat_map(|r| {
            r.works_photos
                .iter()
                .filter(|p| p.section == crate::photo::PhotoSection::Works)
                .map(|p| WorkPhoto {
                    report_id: r.id.clone(),
                    photo: p.clone(),
                })
        })
        .collect();

    let none = Msg::new("", "");
    let difficulties = tally(
        &latest,
        ListKind::Difficulty,
        reference,
        &none,
        "difficulties",
        ids,
        &|r| r.difficulties.iter().map(String::as_str).collect(),
    );
    let support_received = tally(
        &latest,
        ListKind::SupportKind,
        reference,
        &none,
        "support_received",
        ids,
        &|r| r.support_received.iter().map(String::as_str).collect(),
    );
    let taxed: Vec<&&ReviewPart> = latest.iter().filter(|r| r.tax_registered).collect();

    SixMonthReview {
        period: period.to_string(),
        reports: list("reports", &mut latest.iter().map(|r| &r.id)),
        report_count: latest.len() as i64,
        new_htx: Figure {
            value: new_htx.0,
            target: targets.new_htx,
            ids: new_htx.1,
        },
        new_tht: Figure {
            value: new_tht.0,
            target: targets.new_tht,
            ids: new_tht.1,
        },
        no_founding_date: Figure {
            value: no_founding_date.0,
            target: None,
            ids: no_founding_date.1,
        },
        standstill: Figure {
            value: standing_still.len() as i64,
            target: None,
            ids: standstill,
        },
        revenue_vnd: Compared {
            now: rev_now,
            last_year: rev_before,
            change_pct: change_pct(Some(rev_now), Some(rev_before)),
            ids: rev_ids,
        },
        member_income_vnd: Compared {
            now: inc_now,
            last_year: inc_before,
            change_pct: change_pct(Some(inc_now), Some(inc_before)),
            ids: inc_ids,
        },
        value_chains,
        works_handed_over: Figure {
            value: works_total,
            target: targets.works_handed_over,
            ids: list("works_handed_over", &mut works.iter().map(|r| &r.id)),
        },
        works_photos,
        difficulties,
        tax_registered: Figure {
            value: taxed.len() as i64,
            target: None,
            ids: list("tax_registered", &mut taxed.iter().map(|r| &r.id)),
        },
        tax_of: latest.len() as i64,
        support_received,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coop(
        id: &str,
        kind: &str,
        status: &str,
        established: Option<&str>,
        newly: bool,
    ) -> Cooperative {
        serde_json::from_value(serde_json::json!({
            "id": id, "kind": kind, "name": id, "sector": "agriculture", "area_id": "A", "area_path": "NB/A/",
            "status": status, "established_on": established, "newly_established": newly
        }))
        .unwrap()
    }

    fn report(
        id: &str,
        coop: &str,
        date: &str,
        status: &str,
        revision: u32,
        findings: serde_json::Value,
    ) -> VisitReport {
        serde_json::from_value(serde_json::json!({
            "id": id, "cooperative_id": coop, "author_id": "u", "visit_date": date, "note": "n",
            "status": status, "revision": revision, "created_at": 1, "findings": findings
        }))
        .unwrap()
    }

    /// A small province worked out by hand: 5 cooperatives, 7 reports.
    #[test]
    fn the_figures_of_a_dataset_worked_out_by_hand() {
        let coops = vec![
            coop("h1", "htx", "active", Some("2021-08-01"), true), // new HTX in H2
            coop("h2", "htx", "standstill", Some("2019-03-01"), false), // old, standstill
            coop("h3", "htx", "active", None, true),               // new (no date, flagged)
            coop("t1", "tht", "standstill", Some("2021-12-31"), true), // new THT in H2, standstill
            coop("t2", "tht", "active", Some("2021-06-30"), true), // founded in H1: not new in H2
        ];
        let fin = |rev: i64, rev_ly: i64, inc: i64, inc_ly: i64| serde_json::json!({"revenue_vnd": rev, "revenue_last_year_vnd": rev_ly, "member_income_vnd": inc, "member_income_last_year_vnd": inc_ly});
        let reports = vec![
            // h1: two approved visits in H2; the later one (r2) stands for it.
            report(
                "r1",
                "h1",
                "2021-07-10",
                "approved",
                1,
                serde_json::json!({"operating_status": "standstill", "finances": fin(100, 200, 1, 1)}),
            ),
            report(
                "r2",
                "h1",
                "2021-09-10",
                "approved",
                2,
                serde_json::json!({
                    "operating_status": "active",
                    "finances": fin(1_000, 800, 4_000_000, 3_000_000),
                    "value_chain": {"in_value_chain": true, "programme": "resolution113"},
                    "difficulties": ["finding_markets", "weak_finances", "finding_markets"],
                    "support": {"received": ["training", "credit"], "works_handed_over": 2},
                    "photos": [
                        {"hash": "a".repeat(64), "section": "works", "caption": "Kênh mương", "bytes": 1},
                        {"hash": "b".repeat(64), "section": "products", "bytes": 1}
                    ],
                    "compliance": {"tax_registered": true}
                }),
            ),
            report(
                "r3",
                "h2",
                "2021-10-01",
                "approved",
                1,
                serde_json::json!({
                    "operating_status": "standstill",
                    "finances": {"revenue_vnd": 500},
                    "value_chain": {"in_value_chain": true},
                    "difficulties": ["finding_markets"],
                    "support": {"received": ["training"], "works_handed_over": 3}
                }),
            ),
            report(
                "r4",
                "t1",
                "2021-11-20",
                "approved",
                1,
                serde_json::json!({
                    "operating_status": "active",
                    "finances": fin(300, 600, 2_000_000, 2_500_000),
                    "value_chain": {"in_value_chain": true, "programme": "resolution113"},
                    "compliance": {"tax_registered": true}
                }),
            ),
            // Not counted: returned, submitted, another period.
            report(
                "r5",
                "t2",
                "2021-08-01",
                "returned",
                1,
                serde_json::json!({"finances": fin(9_999, 1, 1, 1)}),
            ),
            report(
                "r6",
                "h3",
                "2021-08-01",
                "submitted",
                1,
                serde_json::json!({"finances": fin(9_999, 1, 1, 1)}),
            ),
            report(
                "r7",
                "h3",
                "2021-05-01",
                "approved",
                1,
                serde_json::json!({"operating_status": "standstill", "finances": fin(9_999, 1, 1, 1)}),
            ),
        ];
        let targets = Targets {
            new_htx: Some(20),
            new_tht: Some(20),
            works_handed_over: Some(19),
        };
        let r = compute(
            "2021-H2",
            &coops,
            &reports,
            &targets,
            &crate::reference::built_in(),
        );
        assert_eq!(r.reports, vec!["r2", "r3", "r4"]);
        // The works figure opens the photos of the works on the reports it counts (not
        // the products photo beside them).
        let works: Vec<(&str, &str)> = r
            .works_photos
            .iter()
            .map(|w| (w.report_id.as_str(), w.photo.caption.as_str()))
            .collect();
        assert_eq!(works, vec![("r2", "Kênh mương")]);
        // New: founded in the period by date, and only by date (h3 is flagged "newly
        // established" but has no date: listed apart, not counted).
        assert_eq!(
            (r.new_htx.value, r.new_htx.target, r.new_htx.ids.clone()),
            (1, Some(20), vec!["h1".to_string()])
        );
        assert_eq!(r.no_founding_date.ids, ["h3"]);
        assert_eq!(
            (r.new_tht.value, r.new_tht.ids.clone()),
            (1, vec!["t1".to_string()])
        );
        // Standstill by the reports that stand for the period: h2's r3 says so; t1's
        // profile says standstill today but its report of the period (r4) says active;
        // h1's r1 said standstill but its later r2 stands; r7 is of another period.
        assert_eq!(
            (r.standstill.value, r.standstill.ids.clone()),
            (1, vec!["h2".to_string()])
        );
        // Revenue over r2 and r4 (r3 has no last-year figure): 1,300 against 1,400: −7.14%.
        assert_eq!(
            (
                r.revenue_vnd.now,
                r.revenue_vnd.last_year,
                r.revenue_vnd.ids.clone()
            ),
            (1_300, 1_400, vec!["r2".to_string(), "r4".to_string()])
        );
        assert!((r.revenue_vnd.change_pct.unwrap() - (-100.0 / 14.0)).abs() < 1e-9);
        // Member income: average of 4.0 M and 2.0 M = 3.0 M, last year (3.0 + 2.5)/2 = 2.75 M.
        assert_eq!(
            (r.member_income_vnd.now, r.member_income_vnd.last_year),
            (3_000_000, 2_750_000)
        );
        // Value chains: two under Resolution 113, one without a programme.
        assert_eq!(r.value_chains.len(), 2);
        let chains: Vec<(&str, &str, i64)> = r
            .value_chains
            .iter()
            .map(|t| (t.key.as_str(), t.label.vi.as_str(), t.count))
            .collect();
        assert_eq!(
            chains,
            [
                ("resolution113", "Nghị quyết 113 của HĐND tỉnh", 2),
                ("", "Không rõ chương trình", 1)
            ]
        );
        assert_eq!(
            (r.works_handed_over.value, r.works_handed_over.target),
            (5, Some(19))
        );
        // Difficulties: finding markets in r2 (once, though listed twice) and r3; weak finances in r2.
        let d: Vec<(&str, i64)> = r
            .difficulties
            .iter()
            .map(|t| (t.key.as_str(), t.count))
            .collect();
        assert_eq!(d, [("weak_finances", 1), ("finding_markets", 2)]);
        assert_eq!((r.tax_registered.value, r.tax_of), (2, 3));
        let s: Vec<(&str, &str, i64)> = r
            .support_received
            .iter()
            .map(|t| (t.key.as_str(), t.label.vi.as_str(), t.count))
            .collect();
        assert_eq!(
            s,
            [
                ("training", "Đào tạo, bồi dưỡng", 2),
                ("credit", "Tín dụng", 1)
            ]
        );

        // The same review from the parts the server stores of each report.
        let parts: Vec<ReviewPart> = reports
            .iter()
            .map(|r| {
                let json = serde_json::to_string(&ReviewPart::of(r)).unwrap();
                serde_json::from_str::<ReviewPart>(&json).unwrap()
            })
            .collect();
        let coop_parts: Vec<CoopPart> = coops.iter().map(CoopPart::of).collect();
        let reference = crate::reference::built_in();
        let from_parts =
            |ids: Ids| compute_parts("2021-H2", &coop_parts, &parts, &targets, &reference, ids);
        assert_eq!(from_parts(Ids::All), r);
        // Without the ids: the same values, no list (what GET /api/review sends).
        assert_eq!(from_parts(Ids::None), r.clone().without_ids());
        // One figure's ids (the drill-down): that figure's, as in the whole review, and no
        // other figure's.
        for figure in FIGURES.iter().map(|f| f.to_string()).chain([
            "difficulties:finding_markets".into(),
            "value_chains:".into(),
        ]) {
            let one = from_parts(Ids::Of(&figure));
            assert_eq!(one.ids_of(&figure), r.ids_of(&figure), "{figure}");
            assert_eq!(
                one.clone().without_ids(),
                r.clone().without_ids(),
                "{figure}"
            );
            for other in FIGURES.iter().filter(|f| **f != figure) {
                assert!(one.ids_of(other).unwrap().is_empty(), "{figure}: {other}");
            }
        }
        // Each figure's records by its key, as the drill-down asks for them.
        assert_eq!(r.report_count, 3);
        assert_eq!(r.ids_of("reports").unwrap(), ["r2", "r3", "r4"]);
        assert_eq!(r.ids_of("standstill").unwrap(), ["h2"]);
        assert_eq!(r.ids_of("revenue_vnd").unwrap(), ["r2", "r4"]);
        assert_eq!(r.ids_of("no_founding_date").unwrap(), ["h3"]);
        assert_eq!(
            r.ids_of("difficulties:finding_markets").unwrap(),
            ["r2", "r3"]
        );
        assert_eq!(r.ids_of("value_chains:").unwrap().len(), 1);
        let none: &[String] = &[];
        assert_eq!(r.ids_of("difficulties:no_such_item"), Some(none));
        for bad in ["", "report", "colours:red", "new_htx:", "ids_of"] {
            assert_eq!(r.ids_of(bad), None, "{bad}");
        }
        // Without ids: the same figures, no ids, and none in its JSON.
        let slim = r.clone().without_ids();
        assert_eq!(
            (
                slim.report_count,
                slim.new_htx.value,
                slim.difficulties.len()
            ),
            (3, 1, 2)
        );
        for key in FIGURES {
            assert_eq!(slim.ids_of(key).unwrap().len(), 0, "{key}");
        }
        let json = serde_json::to_string(&slim).unwrap();
        assert!(
            !json.contains("\"ids\"") && json.contains("\"reports\":[]"),
            "{json}"
        );
        let back: SixMonthReview = serde_json::from_str(&json).unwrap();
        assert_eq!(back, slim);
    }

    /// A province (NB) with a target of its own, two districts with theirs, and communes
    /// of one district with theirs, worked out by hand.
    #[test]
    fn targets_roll_up_to_the_nearest_set_and_never_add_levels() {
        let t = |htx: Option<u32>, tht: Option<u32>, works: Option<u32>| Targets {
            new_htx: htx,
            new_tht: tht,
            works_handed_over: works,
        };
        let set = vec![
            ("NB/".to_string(), t(Some(20), None, None)),
            ("NB/HL/".to_string(), t(Some(5), None, Some(3))),
            ("NB/KS/".to_string(), t(Some(7), Some(2), None)),
            ("NB/KS/X/".to_string(), t(None, Some(1), Some(4))),
            ("NB/KS/Y/".to_string(), t(None, None, Some(2))),
        ];
        // The province: its own 20 new HTX (not 20 + 5 + 7); new THT from Kim Sơn's 2 (not
        // 2 + 1 of its commune); works from the nearest beneath: 3 + 4 + 2.
        assert_eq!(roll_up("NB/", &set), t(Some(20), Some(2), Some(9)));
        assert_eq!(roll_up("NB/KS/", &set), t(Some(7), Some(2), Some(6)));
        assert_eq!(roll_up("NB/KS/X/", &set), t(None, Some(1), Some(4)));
        assert_eq!(roll_up("NB/GV/", &set), t(None, None, None));
        // "NB/K" is not a parent of "NB/KS/": paths end with '/'.
        assert_eq!(roll_up("NB/HL/", &set), t(Some(5), None, Some(3)));
    }

    #[test]
    fn the_year_before() {
        assert_eq!(year_before("2025-H2").as_deref(), Some("2024-H2"));
        assert_eq!(year_before("2021-H1").as_deref(), Some("2020-H1"));
        assert_eq!(year_before("2021-H3"), None);
    }

    #[test]
    fn periods_have_bounds_and_bad_ones_are_refused() {
        assert_eq!(
            period_bounds("2021-H2"),
            Some(("2021-07-01".into(), "2021-12-31".into()))
        );
        assert_eq!(
            period_bounds("2022-H1"),
            Some(("2022-01-01".into(), "2022-06-30".into()))
        );
        for bad in ["2021-H3", "21-H1", "2021", "2021-h1", "abcd-H1", ""] {
            assert_eq!(period_bounds(bad), None, "{bad}");
        }
        assert!(bad_period("x").vi.contains("2021-H2"));
    }

    #[test]
    fn targets_add_up_and_are_bounded() {
        let mut t = Targets::default();
        t.add(&Targets {
            new_htx: Some(3),
            ..Default::default()
        });
        t.add(&Targets {
            new_htx: Some(4),
            works_handed_over: Some(1),
            ..Default::default()
        });
        assert_eq!(
            t,
            Targets {
                new_htx: Some(7),
                new_tht: None,
                works_handed_over: Some(1)
            }
        );
        assert!(t.validate().is_ok());
        let too_many = Targets {
            new_tht: Some(MAX_TARGET + 1),
            ..Default::default()
        };
        assert_eq!(too_many.validate().unwrap_err().field, "new_tht");
    }

    #[test]
    fn an_empty_period_is_all_zero() {
        let r = compute(
            "2030-H1",
            &[] as &[Cooperative],
            &[],
            &Targets::default(),
            &[],
        );
        assert_eq!(r.revenue_vnd.change_pct, None);
        assert_eq!(
            (r.new_htx.value, r.tax_of, r.member_income_vnd.now),
            (0, 0, 0)
        );
    }
}
