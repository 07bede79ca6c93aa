//! Issue 16: areas change. A reorganisation (the 2025 reform: a district's communes merged
//! into one ward, the district gone) previewed and applied: cooperatives, reports,
//! officers' areas and targets move; tablets receive exactly what changed; work written
//! offline against an old commune lands in the new ward; the review of a period after it
//! compares with last year in today's areas. Every test runs on SQLite and PostgreSQL.

mod common;

use common::{start, submit, visit, Backend, TestServer};
use hoptac_core::model::{Area, Cooperative, VisitReport};
use hoptac_core::sync::{Change, Mutation, MutationOp};
use serde_json::{json, Value};

const HOA_LU: [&str; 6] = [
    "NB-HL-NINHHAI",
    "NB-HL-NINHGIANG",
    "NB-HL-TRUONGYEN",
    "NB-HL-NINHXUAN",
    "NB-HL-NINHVAN",
    "NB-HL-NINHMY",
];

fn reform() -> Value {
    json!({
        "effective_on": "2025-07-01",
        "decision": "Nghị quyết 1674/NQ-UBTVQH15",
        "new_areas": [{"id": "NB-HOALU", "name": "Phường Hoa Lư", "level": "commune", "parent_id": "NB", "code": "14302"}],
        "merges": [{"from": HOA_LU, "into": "NB-HOALU"}],
        "dissolved": ["NB-HL"]
    })
}

fn dated(id: &str, coop: &str, date: &str, revenue: i64, last_year: i64) -> VisitReport {
    let mut v = visit(id, coop, "Khảo sát định kỳ");
    v.visit_date = date.into();
    v.findings.finances.revenue_vnd = Some(revenue);
    v.findings.finances.revenue_last_year_vnd = Some(last_year);
    v
}

on_both!(a_reorganisation_moves_records_officers_and_targets);
async fn a_reorganisation_moves_records_officers_and_targets(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let officer = s.officer().await;

    approved_reports_of_2024_h2_and_targets_after_the_date(&s, &officer, &sup).await;
    // Hoa Lư's own supervisor, of the district the reform dissolves.
    let district_sup = s
        .account(&admin, "giamsat.hoalu", "supervisor", &["NB-HL"])
        .await;
    // The tablet is up to date; then it writes, offline, a report of 2025-08 against the
    // old commune of coop-003 (not yet sent) and registers a cooperative in Ninh Mỹ.
    let (_, cursor) = s.pull_from(&officer, "tab-hl", 0).await;
    let (waiting, new_coop) = offline_work_against_the_old_communes();

    only_administrators_reorganise_and_a_bad_request_says_every_problem(&s, &admin, &sup, &officer)
        .await;
    the_dry_run_says_what_it_will_do_and_changes_nothing(&s, &admin, &officer, cursor).await;
    // Applied.
    let (st, done) = s.reorganise(&admin, reform(), true).await;
    assert_eq!((st, done["applied"].clone()), (200, json!(true)), "{done}");
    let again = s.reorganise(&admin, reform(), true).await;
    assert_eq!(again.0, 422, "the same reorganisation twice: {}", again.1);

    the_tablets_next_pull_brings_exactly_what_moved(&s, &officer, cursor).await;
    closed_areas_are_history_given_to_nobody(&s, &admin).await;
    offline_work_sent_after_lands_in_the_new_ward(&s, &officer, &sup, waiting, new_coop).await;
    a_visit_made_before_the_date_keeps_its_commune(&s, &sup).await;
    the_new_wards_review_carries_targets_and_last_year(&s, &sup).await;
    a_period_before_the_reform_reads_in_the_areas_of_its_time(&s, &sup).await;
    the_dissolved_districts_supervisor_still_reviews_its_past(&s, &sup, &district_sup).await;
    // The audit trail says why each record moved.
    let (_, trail) = s.audit(&sup, "cooperative", "coop-001").await;
    assert!(
        trail
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "reorganise"),
        "{trail}"
    );
}

/// Before: two approved reports of 2024-H2 in two Hoa Lư communes, targets for the
/// communes and the district after the date (and one before it).
async fn approved_reports_of_2024_h2_and_targets_after_the_date(
    s: &TestServer,
    officer: &str,
    sup: &str,
) {
    let (st, b) = s
        .push(
            officer,
            "tab-hl",
            &[
                submit(1, dated("v-2024-a", "coop-001", "2024-08-10", 100, 80)),
                submit(2, dated("v-2024-b", "coop-002", "2024-09-01", 50, 40)),
            ],
        )
        .await;
    assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
    for id in ["v-2024-a", "v-2024-b"] {
        let (st, b) = s.decide(sup, id, "approve", "").await;
        assert_eq!(st, 200, "{b}");
    }
    for (area, period, t) in [
        ("NB-HL-NINHHAI", "2025-H2", json!({"new_htx": 2})),
        (
            "NB-HL-NINHGIANG",
            "2025-H2",
            json!({"new_htx": 3, "works_handed_over": 1}),
        ),
        ("NB-HL-NINHHAI", "2025-H1", json!({"new_htx": 9})),
        ("NB-HL", "2026-H1", json!({"new_htx": 7})),
    ] {
        let (st, b) = s
            .set_targets(
                sup,
                json!({"period": period, "area_id": area, "targets": t}),
            )
            .await;
        assert_eq!(st, 200, "{b}");
    }
}

/// What the tablet writes offline before the reform and sends after it: a report of
/// 2025-08 against coop-003's old commune, and a cooperative registered in Ninh Mỹ.
fn offline_work_against_the_old_communes() -> (VisitReport, Cooperative) {
    let waiting = dated("v-2025-c", "coop-003", "2025-08-01", 70, 60);
    let new_coop: Cooperative = serde_json::from_value(json!({
        "id": "coop-offline-1", "kind": "htx", "name": "HTX Mới đăng ký trước sáp nhập", "sector": "agriculture",
        "area_id": "NB-HL-NINHMY", "area_path": "NB/NB-HL/NB-HL-NINHMY/", "status": "active", "version": 0,
        "established_on": "2025-06-15"
    }))
    .unwrap();
    (waiting, new_coop)
}

/// Only administrators reorganise; a bad request says every problem at once (an unknown
/// area, communes left without a home, a date not in ISO form).
async fn only_administrators_reorganise_and_a_bad_request_says_every_problem(
    s: &TestServer,
    admin: &str,
    sup: &str,
    officer: &str,
) {
    assert_eq!(s.reorganise(sup, reform(), false).await.0, 403);
    assert_eq!(s.reorganise(officer, reform(), false).await.0, 403);
    let mut bad = reform();
    bad["merges"][0]["from"] = json!(["NB-HL-NINHHAI", "NOWHERE"]);
    bad["effective_on"] = json!("1/7/2025");
    let (st, b) = s.reorganise(admin, bad, false).await;
    assert_eq!(st, 422, "{b}");
    let problems: Vec<&str> = b["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"]["vi"].as_str().unwrap())
        .collect();
    assert!(
        problems.iter().any(|m| m.contains("NOWHERE")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|m| m.contains("Xã Ninh Giang")),
        "its communes left without a home: {problems:?}"
    );
    assert!(
        problems.iter().any(|m| m.contains("Ngày hiệu lực")),
        "{problems:?}"
    );
}

/// The dry run says what it will do (records, closed areas, officers' areas, targets
/// summed or dropped) and changes nothing, not even for the tablet.
async fn the_dry_run_says_what_it_will_do_and_changes_nothing(
    s: &TestServer,
    admin: &str,
    officer: &str,
    cursor: i64,
) {
    let (st, dry) = s.reorganise(admin, reform(), false).await;
    assert_eq!(st, 200, "{dry}");
    assert_eq!(dry["applied"], false);
    assert_eq!(dry["cooperatives_total"], 8);
    assert_eq!(dry["visits_total"], 2);
    assert_eq!(dry["closed"].as_array().unwrap().len(), 7);
    assert_eq!(dry["blocked"], json!([]));
    let hoalu = dry["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "canbo.hoalu")
        .unwrap()
        .clone();
    assert_eq!(hoalu["before"], json!(["Huyện Gia Viễn", "Huyện Hoa Lư"]));
    assert_eq!(hoalu["after"], json!(["Huyện Gia Viễn", "Phường Hoa Lư"]));
    let targets: Vec<(String, String, Value, bool)> = dry["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["area_id"].as_str().unwrap().into(),
                t["period"].as_str().unwrap().into(),
                t["targets"]["new_htx"].clone(),
                t["dropped"].is_object(),
            )
        })
        .collect();
    assert!(
        targets.contains(&("NB-HOALU".into(), "2025-H2".into(), json!(5), false)),
        "{targets:?}"
    );
    assert!(
        targets.contains(&("NB-HL".into(), "2026-H1".into(), json!(7), true)),
        "{targets:?}"
    );
    let areas = s.areas(admin, false).await;
    assert!(
        areas.iter().all(|a| a.is_open()) && !areas.iter().any(|a| a.id == "NB-HOALU"),
        "a dry run changes nothing"
    );
    let (nothing, _) = s.pull_from(officer, "tab-hl", cursor).await;
    assert!(
        nothing.is_empty(),
        "nothing to pull after a dry run: {nothing:?}"
    );
}

/// The tablet's next pull brings exactly what moved: each record once, none left, the
/// old areas closed; the officer's areas are the new ward's.
async fn the_tablets_next_pull_brings_exactly_what_moved(
    s: &TestServer,
    officer: &str,
    cursor: i64,
) {
    let (changes, _) = s.pull_from(officer, "tab-hl", cursor).await;
    let mut coops: Vec<&Cooperative> = Vec::new();
    let mut visits: Vec<&VisitReport> = Vec::new();
    let mut got_areas: Vec<&Area> = Vec::new();
    for c in &changes {
        match c {
            Change::Cooperative(c) => coops.push(c),
            Change::Visit(v) => visits.push(v),
            Change::Area(a) => got_areas.push(a),
            Change::AreaUnassigned { path } => panic!("nothing is taken away: {path}"),
            _ => {}
        }
    }
    assert_eq!(coops.len(), 8, "{coops:?}");
    assert!(coops
        .iter()
        .all(|c| c.area_id == "NB-HOALU" && c.area_path == "NB/NB-HOALU/"));
    assert_eq!(visits.len(), 2);
    let a = visits.iter().find(|v| v.id == "v-2024-a").unwrap();
    assert_eq!(
        (a.area_path.as_str(), a.written_area_path.as_deref()),
        ("NB/NB-HOALU/", Some("NB/NB-HL/NB-HL-NINHHAI/"))
    );
    assert!(got_areas.iter().any(|a| a.id == "NB-HOALU" && a.is_open()));
    for old in HOA_LU.iter().chain(["NB-HL"].iter()) {
        let a = got_areas
            .iter()
            .find(|a| a.id == *old)
            .unwrap_or_else(|| panic!("{old} closed reaches the tablet"));
        assert_eq!(a.closed_on.as_deref(), Some("2025-07-01"));
    }
    let mut ids: Vec<String> = changes
        .iter()
        .map(|c| match c {
            Change::Cooperative(c) => format!("cooperative:{}", c.id),
            Change::Visit(v) => format!("visit:{}", v.id),
            Change::Area(a) => format!("area:{}", a.id),
            Change::Conflict(k) => format!("conflict:{}", k.id),
            Change::Reference(i) => format!("reference:{}", i.id),
            Change::Removed { entity, id } => format!("removed:{entity:?}:{id}"),
            Change::AreaUnassigned { path } => format!("unassigned:{path}"),
        })
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "no record twice");
    let me = s.me(officer).await.1;
    assert_eq!(me["scopes"], json!(["NB/NB-GV/", "NB/NB-HOALU/"]), "{me}");
}

/// The supervisor of Hoa Lư district, dissolved by the reform, now holds Phường Hoa Lư
/// (what its communes became) and still reviews the district's past: the same figures
/// of 2024-H2 as the province's supervisor sees for it.
async fn the_dissolved_districts_supervisor_still_reviews_its_past(
    s: &TestServer,
    sup: &str,
    district_sup: &str,
) {
    let (st, b) = s
        .try_review(district_sup, "period=2024-H2&area=NB-HL")
        .await;
    assert_eq!(st, 200, "{b}");
    let theirs: hoptac_core::six_month::ReviewResponse = serde_json::from_value(b).unwrap();
    let province = s.review(sup, "period=2024-H2&area=NB-HL").await;
    assert!(province.review.report_count > 0);
    assert_eq!(theirs.review.report_count, province.review.report_count);
    assert_eq!(theirs.review.revenue_vnd, province.review.revenue_vnd);
    // Another district's past stays closed to them.
    let (st, _) = s
        .try_review(district_sup, "period=2024-H2&area=NB-YK")
        .await;
    assert_eq!(st, 403);
}

/// Today's areas, and the closed ones on request (history); a closed area is given to
/// nobody.
async fn closed_areas_are_history_given_to_nobody(s: &TestServer, admin: &str) {
    let today = s.areas(admin, false).await;
    assert!(today.iter().any(|a| a.id == "NB-HOALU") && today.iter().all(|a| a.is_open()));
    let all = s.areas(admin, true).await;
    assert_eq!(all.len(), today.len() + 7);
    let kimson_id = s.find_users(admin, "kimson").await.accounts[0].id.clone();
    let (st, b) = s.set_user_areas(admin, &kimson_id, &["NB-HL"]).await;
    assert_eq!(st, 400, "{b}");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("closed on 2025-07-01"),
        "{b}"
    );
}

/// Work written offline against the old communes, sent after the reform, lands in the
/// new ward: the report of August and the cooperative registered in Ninh Mỹ.
async fn offline_work_sent_after_lands_in_the_new_ward(
    s: &TestServer,
    officer: &str,
    sup: &str,
    waiting: VisitReport,
    new_coop: Cooperative,
) {
    let register = Mutation {
        id: 4,
        created_at: 1,
        op: MutationOp::RegisterCooperative(new_coop),
    };
    // A visit of June 2025 (before the date), sent after: it keeps the commune it was
    // made in.
    let june = dated("v-2025-june", "coop-003", "2025-06-20", 40, 30);
    let (st, b) = s
        .push(
            officer,
            "tab-hl",
            &[submit(3, waiting), register, submit(5, june)],
        )
        .await;
    assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
    let v = s
        .visits(sup)
        .await
        .into_iter()
        .find(|v| v.id == "v-2025-c")
        .unwrap();
    assert_eq!(v.area_path, "NB/NB-HOALU/");
    let (changes, _) = s.pull_from(officer, "tab-hl", 0).await;
    let registered = changes
        .iter()
        .find_map(|c| match c {
            Change::Cooperative(c) if c.id == "coop-offline-1" => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (registered.area_id.as_str(), registered.area_path.as_str()),
        ("NB-HOALU", "NB/NB-HOALU/")
    );
    // It says where it was registered, and the review of the half-year it was founded in
    // counts it there, as for the cooperatives the reorganisation moved.
    let former = registered.moved_from.as_ref().expect("where it was");
    assert_eq!(
        (former.area_id.as_str(), former.until.as_str()),
        ("NB-HL-NINHMY", "2025-07-01")
    );
    let then = s
        .review(sup, "period=2025-H1&area=NB-HL-NINHMY&ids=true")
        .await;
    assert!(
        then.review
            .new_htx
            .ids
            .iter()
            .any(|id| id == "coop-offline-1"),
        "{:?}",
        then.review.new_htx
    );
    let (st, _) = s.decide(sup, "v-2025-c", "approve", "").await;
    assert_eq!(st, 200);
}

/// The visit of June 2025 (before the date), sent after the reform, is in the new ward
/// but remembers the commune it was written in, whose review of 2025-H1 counts it.
async fn a_visit_made_before_the_date_keeps_its_commune(s: &TestServer, sup: &str) {
    let june = s
        .visits(sup)
        .await
        .into_iter()
        .find(|v| v.id == "v-2025-june")
        .unwrap();
    assert_eq!(
        (june.area_path.as_str(), june.written_area_path.as_deref()),
        ("NB/NB-HOALU/", Some("NB/NB-HL/NB-HL-TRUONGYEN/"))
    );
    let (st, _) = s.decide(sup, "v-2025-june", "approve", "").await;
    assert_eq!(st, 200);
    let then = s
        .review(sup, "period=2025-H1&area=NB-HL-TRUONGYEN&ids=true")
        .await;
    assert_eq!(
        then.review.reports,
        ["v-2025-june"],
        "the closed commune's 2025-H1 counts it"
    );
}

/// The review of 2025-H2 for the new ward: its targets carried (2 + 3 new HTX, 1 work),
/// and last year is what its former communes recorded in 2024-H2 (100 + 50).
async fn the_new_wards_review_carries_targets_and_last_year(s: &TestServer, sup: &str) {
    let r = s.review(sup, "period=2025-H2&area=NB-HOALU&ids=true").await;
    assert_eq!(
        (r.review.new_htx.target, r.review.works_handed_over.target),
        (Some(5), Some(1))
    );
    assert_eq!(r.review.reports, ["v-2025-c"]);
    assert_eq!(r.review.revenue_vnd.now, 70);
    let ly = r.last_year.expect("last year's figures");
    assert_eq!(ly.period, "2024-H2");
    assert_eq!(ly.reports, ["v-2024-a", "v-2024-b"]);
    assert_eq!(ly.revenue_vnd.now, 150);
}

/// A period before the reform reads in the areas of its time: the old commune and
/// district (closed) show what was written in them, with their drill-down and targets;
/// after the date the district has nothing, and its dropped target is added nowhere.
async fn a_period_before_the_reform_reads_in_the_areas_of_its_time(s: &TestServer, sup: &str) {
    let then = s
        .review(sup, "period=2024-H2&area=NB-HL-NINHHAI&ids=true")
        .await;
    assert_eq!(
        (then.area_name.as_str(), then.review.reports.clone()),
        ("Xã Ninh Hải", vec!["v-2024-a".to_string()])
    );
    let then = s.review(sup, "period=2024-H2&area=NB-HL&ids=true").await;
    assert_eq!(then.review.reports, ["v-2024-a", "v-2024-b"]);
    assert_eq!(then.review.revenue_vnd.now, 150);
    // The drill-down names it, in the closed district of its time.
    let page = s
        .review_records(sup, "period=2024-H2&area=NB-HL&figure=reports")
        .await;
    assert!(page
        .records
        .iter()
        .any(|r| r.id == "v-2024-b" && r.name == "HTX Dịch vụ nông nghiệp Ninh Giang"));
    // The district did not exist in 2025-H2: the report written then is the ward's.
    let then = s.review(sup, "period=2025-H2&area=NB-HL&ids=true").await;
    assert!(then.review.reports.is_empty());
    // The district's target of 2026-H1 is gone, not added to the province's.
    let p = s.review(sup, "period=2026-H1&ids=true").await;
    assert_eq!(p.review.new_htx.target, None);
    // Targets of periods before the date stay with the old commune.
    let (_, b) = s
        .try_review(sup, "period=2025-H1&area=NB-HL-NINHHAI&ids=true")
        .await;
    assert_eq!(b["own_targets"]["new_htx"], 9, "{b}");
}

on_both!(a_cooperative_registered_at_a_dissolved_level_blocks_the_reorganisation);
async fn a_cooperative_registered_at_a_dissolved_level_blocks_the_reorganisation(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    // A record at district level (as an old import could leave): no single new home.
    let db = hoptac_server::storage::Db::connect(&s.db_url)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE cooperatives SET area_id = 'NB-HL', area_path = 'NB/NB-HL/' WHERE id = 'coop-008'",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let (st, b) = s.reorganise(&admin, reform(), true).await;
    assert_eq!((st, b["applied"].clone()), (200, json!(false)), "{b}");
    assert_eq!(b["blocked"].as_array().unwrap().len(), 1, "{b}");
    assert!(
        b["blocked"][0]["vi"]
            .as_str()
            .unwrap()
            .contains("Huyện Hoa Lư"),
        "{b}"
    );
    let areas = s.areas(&admin, false).await;
    assert!(!areas.iter().any(|a| a.id == "NB-HOALU"), "nothing applied");
}

on_both!(an_administrator_adds_and_renames_areas);
async fn an_administrator_adds_and_renames_areas(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let officer = s.officer().await;
    let (_, cursor) = s.pull_from(&officer, "tab-a", 0).await;
    let new = json!({"id": "NB-HL-NINHHAI-T1", "name": "Thôn Văn Lâm", "level": "village", "parent_id": "NB-HL-NINHHAI", "code": ""});
    assert_eq!(s.add_area(&sup, new.clone()).await.0, 403);
    let (st, b) = s.add_area(&admin, new.clone()).await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["path"], "NB/NB-HL/NB-HL-NINHHAI/NB-HL-NINHHAI-T1/");
    let (st, b) = s.add_area(&admin, new).await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("id")),
        "{b}"
    );
    let (st, b) = s
        .update_area(&admin, "NB-HL-NINHHAI", json!({"code": "1442"}))
        .await;
    assert_eq!(
        (st, b["code"].clone(), b["name"].clone()),
        (200, json!("1442"), json!("Xã Ninh Hải")),
        "{b}"
    );
    let (st, b) = s
        .update_area(&admin, "NB-HL-NINHHAI", json!({"code": "14-42"}))
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("code")),
        "{b}"
    );
    let (st, _) = s
        .update_area(
            &admin,
            "NB-HL-NINHHAI",
            json!({"name": "Xã Ninh Hải (mới)"}),
        )
        .await;
    assert_eq!(st, 200);
    // The officer's tablet receives both at its next pull.
    let (changes, _) = s.pull_from(&officer, "tab-a", cursor).await;
    let areas: Vec<&Area> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Area(a) => Some(a),
            _ => None,
        })
        .collect();
    assert!(areas.iter().any(|a| a.id == "NB-HL-NINHHAI-T1"));
    assert!(areas.iter().any(|a| a.id == "NB-HL-NINHHAI"
        && a.name == "Xã Ninh Hải (mới)"
        && a.code.as_deref() == Some("1442")));
    let (_, trail) = s.audit(&admin, "area", "NB-HL-NINHHAI").await;
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["rename", "rename"]);
}

on_both!(the_official_list_of_units_is_imported);
async fn the_official_list_of_units_is_imported(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let csv = "\u{feff}DANH MỤC ĐƠN VỊ HÀNH CHÍNH TỈNH NINH BÌNH 2025\r\nMã,Tên,Cấp,Mã cấp trên\r\n14302,Phường Hoa Lư,Phường,NB\r\n14320,Xã Gia Viễn,Xã,NB\r\n14999,Xã Lạc,Xã,77\r\n";
    let send = |apply: bool| {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("dvhc.csv"),
            )
            .text("apply", apply.to_string());
        s.http
            .post(format!("{}/api/areas/import", s.url))
            .bearer_auth(&admin)
            .multipart(form)
            .send()
    };
    let dry: Value = send(false).await.unwrap().json().await.unwrap();
    assert_eq!(dry["applied"], false, "{dry}");
    let ids: Vec<&str> = dry["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["14302", "14320"]);
    assert_eq!(dry["refused"][0]["row"], 5);
    let areas = s.areas(&admin, false).await;
    assert!(
        !areas.iter().any(|a| a.id == "14302"),
        "a dry run writes nothing"
    );
    let done: Value = send(true).await.unwrap().json().await.unwrap();
    assert_eq!(done["applied"], true, "{done}");
    let areas = s.areas(&admin, false).await;
    let ward = areas.iter().find(|a| a.id == "14302").unwrap();
    assert_eq!(
        (ward.path.as_str(), ward.code.as_deref()),
        ("NB/14302/", Some("14302"))
    );
    let again: Value = send(true).await.unwrap().json().await.unwrap();
    assert_eq!(
        (
            again["created"].as_array().unwrap().len(),
            again["unchanged"].as_u64()
        ),
        (0, Some(2)),
        "{again}"
    );
    // Only administrators.
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("dvhc.csv"),
    );
    let st = s
        .http
        .post(format!("{}/api/areas/import", s.url))
        .bearer_auth(&sup)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(st, 403);
}

on_both!(a_district_administrator_reorganises_only_inside_their_district);
async fn a_district_administrator_reorganises_only_inside_their_district(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let hl = s
        .account(&admin, "quantri.hoalu", "admin", &["NB-HL"])
        .await;
    // Into the province (it would then cover the province), into another district's
    // commune, or naming another district: refused before anything is planned or shown.
    let into_province = json!({"effective_on": "2025-07-01", "decision": "x",
        "merges": [{"from": ["NB-HL"], "into": "NB"}]});
    let into_kimson = json!({"effective_on": "2025-07-01", "decision": "x",
        "merges": [{"from": ["NB-HL-NINHHAI"], "into": "NB-KS-KIMDONG"}]});
    let naming_other = json!({"effective_on": "2025-07-01", "decision": "x",
        "merges": [{"from": ["NB-KS-KIMDONG"], "into": "NB-HL-NINHHAI"}]});
    for body in [into_province, into_kimson, naming_other] {
        let (st, b) = s.reorganise(&hl, body, true).await;
        assert_eq!(st, 403, "{b}");
        assert!(
            !b.to_string().contains("Kim"),
            "nothing of the other district is named: {b}"
        );
    }
    // Inside the district: two of its communes into one, the district stays.
    let (st, b) = s
        .reorganise(
            &hl,
            json!({"effective_on": "2025-07-01", "decision": "x",
            "merges": [{"from": ["NB-HL-NINHVAN"], "into": "NB-HL-NINHHAI"}]}),
            true,
        )
        .await;
    assert_eq!((st, b["applied"].clone()), (200, json!(true)), "{b}");
    let (_, me) = s.me(&hl).await;
    assert_eq!(me["scopes"], json!(["NB/NB-HL/"]));
}

on_both!(a_commune_merged_into_another_district_leaves_its_old_officers_tablets);
/// Gia Sinh (district Gia Viễn) merges into Kim Đông (district Kim Sơn): the officer of Gia
/// Viễn no longer sees its records, yet the report they wrote offline before is accepted
/// and lands in Kim Đông; one written after is refused; the area's own reference items now
/// serve Kim Đông; Kim Đông's supervisor reviews Gia Sinh's past.
async fn a_commune_merged_into_another_district_leaves_its_old_officers_tablets(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let giavien = s.login("canbo.giavien", "hoptac-giavien").await;
    let kimson = s.login("canbo.kimson", "hoptac-kimson").await;
    let kimdong_sup = s
        .account(&admin, "giamsat.kimdong", "supervisor", &["NB-KS-KIMDONG"])
        .await;
    // A kind of support only Gia Sinh's tablets offer.
    let (st, item) = s
        .add_reference(&admin, json!({"list": "support_kind", "label_vi": "Hỗ trợ giống lúa Gia Sinh", "area_id": "NB-GV-GIASINH"}))
        .await;
    assert_eq!(st, 201, "{item}");
    let (_, gv_cursor) = s.pull_from(&giavien, "tab-gv", 0).await;
    let (_, ks_cursor) = s.pull_from(&kimson, "tab-ks", 0).await;

    let (st, b) = s
        .reorganise(
            &admin,
            json!({"effective_on": "2025-07-01", "decision": "Nghị quyết thử",
                "merges": [{"from": ["NB-GV-GIASINH"], "into": "NB-KS-KIMDONG"}]}),
            true,
        )
        .await;
    assert_eq!((st, b["applied"].clone()), (200, json!(true)), "{b}");

    // Gia Viễn's tablet: Gia Sinh and its records go (an area taken away), nothing of Kim
    // Đông arrives.
    let (changes, _) = s.pull_from(&giavien, "tab-gv", gv_cursor).await;
    assert!(
        changes.contains(&Change::AreaUnassigned {
            path: "NB/NB-GV/NB-GV-GIASINH/".into()
        }),
        "{changes:?}"
    );
    assert!(
        !changes
            .iter()
            .any(|c| matches!(c, Change::Cooperative(c) if c.area_path.starts_with("NB/NB-KS/"))),
        "{changes:?}"
    );
    // Kim Sơn's tablet: Gia Sinh's cooperatives, now in Kim Đông, and its programme.
    let (changes, _) = s.pull_from(&kimson, "tab-ks", ks_cursor).await;
    let moved: Vec<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Cooperative(c) if c.area_id == "NB-KS-KIMDONG" => Some(c.id.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        moved.contains(&"coop-009") && moved.contains(&"coop-015"),
        "{moved:?}"
    );
    let key = item["key"].as_str().unwrap().to_string();
    assert!(
        changes.iter().any(|c| matches!(c, Change::Reference(i) if i.key == key && i.area_path == "NB/NB-KS/NB-KS-KIMDONG/")),
        "Gia Sinh's kind of support serves Kim Đông: {changes:?}"
    );

    // Written on Gia Viễn's tablet before the reorganisation reached the server (the
    // tablet's time 1 ms after 1970), with Gia Sinh's kind of support: accepted, in Kim Đông.
    let mut before = dated("v-gv-before", "coop-009", "2025-06-20", 10, 9);
    before.findings.support.received = vec![key.clone()];
    let (st, b) = s.push(&giavien, "tab-gv", &[submit(1, before)]).await;
    assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
    let (_, r) = s.try_report(&kimdong_sup, "v-gv-before").await;
    assert_eq!(r["report"]["area_path"], "NB/NB-KS/NB-KS-KIMDONG/", "{r}");
    assert!(
        r["report"]["author_left_area_at"].is_i64(),
        "marked as written before the cooperative moved: {r}"
    );
    // Written after: the cooperative is no longer theirs.
    let after = Mutation {
        id: 2,
        created_at: hoptac_server::storage::now_ms() + 1_000,
        op: MutationOp::SubmitVisit(dated("v-gv-after", "coop-015", "2025-07-20", 10, 9)),
    };
    let (st, b) = s.push(&giavien, "tab-gv", &[after]).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["rejected"][0]["code"], "not_found", "{b}");

    // A tablet's clock set back opens nothing once a session's lifetime has passed since
    // the reorganisation (here: the reorganisation made older than that).
    sqlx::query("UPDATE reorganisations SET applied_at = applied_at - $1")
        .bind(hoptac_server::rules::accounts::SESSION_TTL_MS + 1)
        .execute(&s.pool)
        .await
        .unwrap();
    let stale = Mutation {
        id: 3,
        created_at: 1,
        op: MutationOp::SubmitVisit(dated("v-gv-stale", "coop-015", "2025-06-21", 10, 9)),
    };
    let (st, b) = s.push(&giavien, "tab-gv", &[stale]).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["rejected"][0]["code"], "not_found", "{b}");

    // Kim Đông's supervisor sees Gia Sinh among the areas of the past and reviews it.
    let (_, areas) = s.try_areas(&kimdong_sup, true).await;
    assert!(areas.to_string().contains("NB-GV-GIASINH"), "{areas}");
    let (st, b) = s
        .try_review(&kimdong_sup, "period=2021-H1&area=NB-GV-GIASINH&ids=true")
        .await;
    assert_eq!(st, 200, "{b}");
    // Its past only: not its targets.
    let (st, _) = s
        .set_targets(
            &kimdong_sup,
            json!({"period": "2026-H1", "area_id": "NB-GV-GIASINH", "targets": {"new_htx": 5}}),
        )
        .await;
    assert_eq!(st, 403, "targets of a closed area are history");
    // Not another district's closed commune.
    let (st, _) = s
        .try_review(&kimdong_sup, "period=2021-H1&area=NB-GV-GIAHOA&ids=true")
        .await;
    assert_eq!(st, 403);
}

on_both!(a_preview_does_not_hold_up_tablets);
/// The dry run of a reorganisation reads one snapshot and locks nothing: while another
/// writer holds a cooperative the reorganisation moves (a tablet's push on PostgreSQL
/// locks its row; on SQLite any writer holds the one write lock), the preview answers,
/// and the writer's change is not lost.
async fn a_preview_does_not_hold_up_tablets(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let mut writer = s.pool.begin().await.unwrap();
    let lock = if backend == Backend::Postgres {
        "SELECT id FROM cooperatives WHERE area_id = 'NB-HL-NINHHAI' FOR UPDATE"
    } else {
        "UPDATE cooperatives SET version = version WHERE area_id = 'NB-HL-NINHHAI'"
    };
    sqlx::query(lock).execute(&mut *writer).await.unwrap();
    let preview = s.reorganise(&admin, reform(), false);
    let (st, b) = tokio::time::timeout(std::time::Duration::from_secs(20), preview)
        .await
        .expect("the preview waited for a writer");
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["applied"], false);
    assert!(b["cooperatives_total"].as_u64().unwrap() > 0, "{b}");
    writer.commit().await.unwrap();
}
