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

mod compute;
mod periods;
mod targets;
mod wire;

pub use compute::*;
pub use periods::*;
pub use targets::*;
pub use wire::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cooperative, VisitReport};

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
