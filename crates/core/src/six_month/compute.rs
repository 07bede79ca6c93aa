//! The review computed: which report stands for each cooperative in a period, the
//! figures and tallies counted from whole reports or from the part of each the review
//! reads ([`ReviewPart`], [`CoopPart`]), each keeping the ids behind it.

use super::targets::Targets;
use super::wire::{Compared, Figure, SixMonthReview, Tally, WorkPhoto};
use crate::i18n::Msg;
use crate::model::{CoopKind, Cooperative, OperatingStatus, ReportStatus, VisitReport};
use crate::reference::{label_of, position_of, ListKind, ReferenceItem};
use crate::report::{change_pct, period_of};
use serde::{Deserialize, Serialize};

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
