//! The demo a newcomer sees (`--demo`): today's Ninh Bình with its official units, the
//! seed's cooperatives in the former communes, five half-years of approved reports with
//! real times, targets and newly founded HTX and THT in every half-year, and the 1 July
//! 2025 reform as published applied between them. Run on SQLite and PostgreSQL.

mod common;

use common::Backend;
use hoptac_core::model::{Area, AreaLevel, Cooperative, VisitReport};
use hoptac_core::six_month::ReviewResponse;
use hoptac_core::validate::date_of_millis_vn;
use serde_json::Value;

on_both!(the_demo_is_todays_ninh_binh_with_its_history);
async fn the_demo_is_todays_ninh_binh_with_its_history(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = common::fresh_db_url(backend, dir.path()).await else {
        return;
    };
    let db = hoptac_server::storage::Db::connect(&url).await.unwrap();
    let loaded = hoptac_server::demo::today::load(&db)
        .await
        .unwrap()
        .unwrap();
    // 33 of the seed's cooperatives have an officer (the former districts of Hoa Lư, Gia Viễn,
    // Kim Sơn and Yên Khánh), five half-years each; and the groups founded since.
    assert!(loaded.reports > 33 * 5, "{loaded:?}");
    // Loaded once: a database with accounts is left alone.
    assert_eq!(hoptac_server::demo::today::load(&db).await.unwrap(), None);
    let areas: Vec<Area> = hoptac_server::storage::areas::all(&db).await.unwrap();
    let accounts = hoptac_server::demo::accounts_now(&db).await.unwrap();
    let s = common::serve(db, url, backend, dir).await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;

    let tay_hoa_lu = todays_units_carry_their_codes_and_the_former_are_closed(&areas);
    every_cooperative_is_in_todays_units_and_a_moved_one_says_from_where(&s, &areas).await;
    the_officers_work_in_todays_units(&accounts, &areas);
    let visits = report_times_make_sense(&s, loaded.reports).await;
    the_review_opens_on_the_latest_half_year_with_the_groups_founded(&s, &sup).await;
    last_year_in_tay_hoa_lu_is_what_its_former_communes_reported(&s, &sup, tay_hoa_lu).await;
    the_queue_filters_by_todays_units_and_by_former_districts(
        &s, &sup, &areas, &visits, tay_hoa_lu,
    )
    .await;
    a_report_the_reform_moved_says_so_in_its_trail(&s, &sup, &visits).await;
}

/// A report written before the reform, moved with its cooperative, shows the move in its
/// trail: from the commune it was written in to today's ward, by the reorganisation.
async fn a_report_the_reform_moved_says_so_in_its_trail(
    s: &common::TestServer,
    sup: &str,
    visits: &[VisitReport],
) {
    let moved = visits
        .iter()
        .find(|v| {
            v.written_area_path
                .as_deref()
                .is_some_and(|w| w != v.area_path)
        })
        .expect("a report the reform moved");
    let (st, trail) = s.audit(sup, "visit", &moved.id).await;
    assert_eq!(st, 200, "{trail}");
    let entry = trail
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "reorganise")
        .unwrap_or_else(|| panic!("{trail}"));
    let change = &entry["changes"][0];
    assert_eq!(change["path"], "area_path", "{trail}");
    assert_eq!(
        change["old"],
        serde_json::Value::String(moved.written_area_path.clone().unwrap()).to_string()
    );
    assert_eq!(
        change["new"],
        serde_json::Value::String(moved.area_path.clone()).to_string()
    );
}

/// Today's open units.
fn open(areas: &[Area]) -> Vec<&Area> {
    areas.iter().filter(|a| a.is_open()).collect()
}

/// Today's open unit named `name`.
fn named<'a>(areas: &'a [Area], name: &str) -> &'a Area {
    open(areas)
        .iter()
        .find(|a| a.name == name)
        .copied()
        .unwrap()
}

/// Today's units, with their official codes: Ninh Bình (37) and its 129 communes and
/// wards; the 398 communes of the three former provinces closed into them. Phường Tây Hoa
/// Lư, which later steps look at.
fn todays_units_carry_their_codes_and_the_former_are_closed(areas: &[Area]) -> &Area {
    let open = open(areas);
    assert_eq!(
        open.iter()
            .filter(|a| a.level == AreaLevel::Commune)
            .count(),
        129
    );
    assert!(
        open.iter().all(|a| a.code.is_some()),
        "every open unit has its code"
    );
    let closed_communes = areas
        .iter()
        .filter(|a| a.level == AreaLevel::Commune && !a.is_open())
        .count();
    assert_eq!(closed_communes, 398);
    let tay_hoa_lu = named(areas, "Phường Tây Hoa Lư");
    assert_eq!(tay_hoa_lu.code.as_deref(), Some("14533"));
    tay_hoa_lu
}

/// Every cooperative is in one of today's units; one the reform moved says where it was
/// and until when.
async fn every_cooperative_is_in_todays_units_and_a_moved_one_says_from_where(
    s: &common::TestServer,
    areas: &[Area],
) {
    let open = open(areas);
    let coops: Vec<Cooperative> = sqlx::query_scalar::<_, String>("SELECT body FROM cooperatives")
        .fetch_all(&s.pool)
        .await
        .unwrap()
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(coops.len(), 50 + 16);
    assert!(coops.iter().all(|c| open.iter().any(|a| a.id == c.area_id)));
    let van_lam = coops
        .iter()
        .find(|c| c.name == "HTX Thêu ren Văn Lâm")
        .unwrap();
    assert_eq!(van_lam.area_id, named(areas, "Phường Nam Hoa Lư").id);
    let was = van_lam.moved_from.as_ref().unwrap();
    let ninh_hai = areas.iter().find(|a| a.id == was.area_id).unwrap();
    assert_eq!(
        (ninh_hai.name.as_str(), ninh_hai.code.as_deref()),
        ("Xã Ninh Hải", Some("14551"))
    );
    assert_eq!(was.until, "2025-07-01");
}

/// The officers work in today's communes and wards.
fn the_officers_work_in_todays_units(
    accounts: &[hoptac_server::demo::DemoAccount],
    areas: &[Area],
) {
    let open = open(areas);
    let hoa_lu = accounts
        .iter()
        .find(|a| a.username == "canbo.hoalu")
        .unwrap();
    assert!(
        hoa_lu.areas.contains(&"Phường Tây Hoa Lư".to_string()),
        "{:?}",
        hoa_lu.areas
    );
    assert!(hoa_lu
        .areas
        .iter()
        .all(|n| open.iter().any(|a| &a.name == n)));
}

/// Times that make sense: written on the visit's day (Vietnam's time), received after,
/// approved after that, all before now. Every report loaded, as stored.
async fn report_times_make_sense(s: &common::TestServer, reports: usize) -> Vec<VisitReport> {
    use hoptac_server::storage::visits;
    let visits: Vec<VisitReport> =
        sqlx::query(&format!("SELECT {} FROM visit_reports", visits::STORED))
            .fetch_all(&s.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| visits::stored_row(r, 0).unwrap().report)
            .collect();
    assert_eq!(visits.len(), reports);
    let now = hoptac_server::storage::now_ms();
    for v in &visits {
        assert_eq!(date_of_millis_vn(v.created_at), v.visit_date, "{}", v.id);
        let received = v.received_at.unwrap();
        let approved = v.events.last().unwrap().at;
        assert!(
            v.created_at < received && received < approved && approved < now,
            "{}",
            v.id
        );
    }
    visits
}

/// The review of `period` for `area`, with the ids behind every figure.
async fn review(s: &common::TestServer, sup: &str, period: &str, area: &str) -> ReviewResponse {
    let q = format!("period={period}&area={area}&ids=true");
    s.review(sup, &q).await
}

/// (new HTX, its target), (new THT, its target).
fn founded(r: &ReviewResponse) -> ((i64, Option<u32>), (i64, Option<u32>)) {
    let v = &r.review;
    (
        (v.new_htx.value, v.new_htx.target),
        (v.new_tht.value, v.new_tht.target),
    )
}

/// The review opens on the latest half-year with reports, and shows the year's new HTX
/// and THT against the province's targets: 2026-H1 founded three HTX (targets 4) and one
/// THT (target 2).
async fn the_review_opens_on_the_latest_half_year_with_the_groups_founded(
    s: &common::TestServer,
    sup: &str,
) {
    let periods = s.review_periods(sup).await;
    assert_eq!(
        periods.with_reports,
        ["2026-H1", "2025-H2", "2024-H2", "2021-H2", "2021-H1"]
    );
    let r = review(s, sup, "2026-H1", "37").await;
    assert_eq!(founded(&r), ((3, Some(4)), (1, Some(2))));
    assert!(r.review.revenue_vnd.now > 0 && r.review.works_handed_over.target == Some(14));
    // The seed's half-year: its five HTX and eight THT of 2021 against 6 and 10.
    let r = review(s, sup, "2021-H1", "37").await;
    assert_eq!(founded(&r), ((5, Some(6)), (8, Some(10))));
}

/// 2025-H2 in Phường Tây Hoa Lư (made of Ninh Giang, Trường Yên, Ninh Hòa — which the
/// demo's Ninh Xuân cooperatives are in —, Phúc Sơn, Gia Sinh and part of Gia Tân, by
/// the published correspondence): last year is what those communes' cooperatives
/// reported in 2024-H2.
async fn last_year_in_tay_hoa_lu_is_what_its_former_communes_reported(
    s: &common::TestServer,
    sup: &str,
    tay_hoa_lu: &Area,
) {
    let seed: Value = serde_json::from_str(include_str!("../demo/ninh-binh-2021.json")).unwrap();
    let mut expected: Vec<String> = seed["cooperatives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            [
                "NB-HL-NINHGIANG",
                "NB-HL-TRUONGYEN",
                "NB-HL-NINHXUAN",
                "NB-GV-GIASINH",
            ]
            .contains(&c["area_id"].as_str().unwrap())
        })
        .map(|c| c["id"].as_str().unwrap().to_string())
        .chain(["coop-moi-002".to_string()]) // THT Trồng sen Gia Sinh, founded 2021
        .map(|id| format!("demo-{id}-2024-10"))
        .collect();
    expected.sort();
    let r = review(s, sup, "2025-H2", &tay_hoa_lu.id).await;
    assert_eq!(r.area_name, "Phường Tây Hoa Lư");
    let mut last_year = r.last_year.unwrap().reports;
    last_year.sort();
    assert_eq!(last_year, expected);
    // This half-year adds the HTX founded there in August 2025.
    assert_eq!(r.review.reports.len(), expected.len() + 1);
}

/// The ids of the reports in the queue filtered by `area` (a path).
async fn queue(s: &common::TestServer, sup: &str, area: &str) -> Vec<String> {
    let q = format!("limit=200&area={}", urlencode(area));
    s.queue(sup, &q)
        .await
        .reports
        .into_iter()
        .map(|r| r.report.id)
        .collect::<Vec<_>>()
}

/// The queue filters by today's units, and by a former district for what was written
/// there before the reform.
async fn the_queue_filters_by_todays_units_and_by_former_districts(
    s: &common::TestServer,
    sup: &str,
    areas: &[Area],
    visits: &[VisitReport],
    tay_hoa_lu: &Area,
) {
    let now_there = queue(s, sup, &tay_hoa_lu.path).await;
    assert!(
        now_there.contains(&"demo-coop-moi-009-2026-04".to_string()),
        "{now_there:?}"
    );
    assert!(now_there.iter().all(|id| visits
        .iter()
        .any(|v| &v.id == id && v.area_path == tay_hoa_lu.path)));
    let hoa_lu_district = areas
        .iter()
        .find(|a| a.level == AreaLevel::District && a.code.as_deref() == Some("374"))
        .unwrap();
    let written_there = queue(s, sup, &hoa_lu_district.path).await;
    assert!(!written_there.is_empty());
    assert!(written_there
        .iter()
        .all(|id| visits.iter().any(|v| &v.id == id
            && v.visit_date.as_str() < "2025-07-01"
            && v.written_area_path
                .as_deref()
                .unwrap_or("")
                .starts_with(&hoa_lu_district.path))));
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
