//! A cooperative moved to another commune with its history (`POST
//! /api/cooperatives/{id}/move`, and the registry import when a corrected list names
//! another commune): its reports go with it, the tablets that lose it drop it and its
//! reports, those that gain it receive it with its past visits, work written offline
//! before the move is accepted as written, and the move is audited.

mod common;

use common::{start, Backend, Tablet, TestServer};
use hoptac_core::model::Cooperative;
use hoptac_core::sync::{Mutation, MutationOp};
use serde_json::json;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn coop_in(s: &TestServer, area: &str) -> Cooperative {
    let body: String =
        sqlx::query_scalar("SELECT body FROM cooperatives WHERE area_id = $1 ORDER BY id LIMIT 1")
            .bind(area)
            .fetch_one(&s.pool)
            .await
            .unwrap();
    serde_json::from_str(&body).unwrap()
}

on_both!(a_cooperative_moves_with_its_history);
async fn a_cooperative_moves_with_its_history(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let hoalu = s.login("canbo.hoalu", "hoptac-hoalu").await;
    let kimson = s.login("canbo.kimson", "hoptac-kimson").await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let x = coop_in(&s, "NB-HL-NINHHAI").await;
    let (mut tab_hl, mut tab_ks) =
        a_report_on_it_and_the_two_tablets_before_the_move(&s, &hoalu, &kimson, &x).await;
    let offline = a_report_written_offline_not_yet_sent(&x);

    only_a_supervisor_moves_it_and_bad_requests_are_refused(&s, &hoalu, &sup, &x).await;
    the_dry_run_says_who_loses_and_gains_it_and_changes_nothing(&s, &sup, &x).await;
    let (st, done) = s.move_cooperative(&sup, &x.id, move_request(), true).await;
    assert_eq!((st, done["applied"].as_bool()), (200, Some(true)), "{done}");
    let moved = s.cooperative_named(&x.name).await.unwrap();
    assert_eq!(
        (moved.area_id.as_str(), moved.area_path.as_str()),
        ("NB-KS-KIMDONG", "NB/NB-KS/NB-KS-KIMDONG/")
    );
    its_reports_are_where_it_is_now_the_offline_one_accepted_as_written(&s, &hoalu, offline).await;

    // Tablets: Hoa Lư's drops it and its reports; Kim Sơn's receives it with its past.
    tab_hl.sync(&s, &hoalu, "tab-hl").await;
    tab_ks.sync(&s, &kimson, "tab-ks").await;
    assert!(!tab_hl.coops.contains_key(&x.id), "left the Hoa Lư tablet");
    assert!(!tab_hl.visits.contains_key("v-truoc"), "with its report");
    assert!(
        tab_ks.coops.contains_key(&x.id),
        "reached the Kim Sơn tablet"
    );
    assert!(
        tab_ks.visits.contains_key("v-truoc") && tab_ks.visits.contains_key("v-offline"),
        "with its past visits"
    );

    the_move_is_audited_and_kept_in_its_history(&s, &sup, &x).await;
}

/// The move asked for: to Kim Đông, with its reason.
fn move_request() -> serde_json::Value {
    json!({"area_id": "NB-KS-KIMDONG", "reason": "Trụ sở chuyển về Kim Đông"})
}

/// A report on `x`, sent, and the two tablets before the move: Hoa Lư's holds it and its
/// report, Kim Sơn's does not.
async fn a_report_on_it_and_the_two_tablets_before_the_move(
    s: &TestServer,
    hoalu: &str,
    kimson: &str,
    x: &Cooperative,
) -> (Tablet, Tablet) {
    let mut v = common::visit("v-truoc", &x.id, "Trước khi chuyển");
    v.visit_date = "2021-05-20".into();
    let (st, b) = s.push(hoalu, "tab-hl", &[common::submit(1, v)]).await;
    assert_eq!(st, 200, "{b}");
    let mut tab_hl = Tablet::default();
    tab_hl.sync(s, hoalu, "tab-hl").await;
    let mut tab_ks = Tablet::default();
    tab_ks.sync(s, kimson, "tab-ks").await;
    assert!(tab_hl.coops.contains_key(&x.id) && tab_hl.visits.contains_key("v-truoc"));
    assert!(!tab_ks.coops.contains_key(&x.id));
    (tab_hl, tab_ks)
}

/// Offline, the Hoa Lư officer writes another report on `x`, not yet sent (written now,
/// before the move).
fn a_report_written_offline_not_yet_sent(x: &Cooperative) -> Mutation {
    let mut later = common::visit("v-offline", &x.id, "Viết khi mất sóng");
    later.visit_date = "2021-06-02".into();
    Mutation {
        id: 2,
        created_at: now_ms(),
        op: MutationOp::SubmitVisit(later),
    }
}

/// Who may, and what is refused: an officer; a blank reason or one that reads otherwise
/// than it is stored; a district for a commune; a cooperative that does not exist.
async fn only_a_supervisor_moves_it_and_bad_requests_are_refused(
    s: &TestServer,
    hoalu: &str,
    sup: &str,
    x: &Cooperative,
) {
    let req = move_request();
    assert_eq!(
        s.move_cooperative(hoalu, &x.id, req.clone(), false).await.0,
        403
    );
    let (st, b) = s
        .move_cooperative(
            sup,
            &x.id,
            json!({"area_id": "NB-KS-KIMDONG", "reason": " "}),
            false,
        )
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    let (st, b) = s
        .move_cooperative(
            sup,
            &x.id,
            json!({"area_id": "NB-KS-KIMDONG", "reason": "Hà Nam: \u{202E}cba"}),
            false,
        )
        .await;
    assert_eq!(
        st, 422,
        "a reason that reads otherwise than it is stored: {b}"
    );
    let (st, b) = s
        .move_cooperative(
            sup,
            &x.id,
            json!({"area_id": "NB-KS", "reason": "x"}),
            false,
        )
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("area_id")),
        "a district is no commune"
    );
    let (st, _) = s
        .move_cooperative(sup, "khong-co", req.clone(), false)
        .await;
    assert_eq!(st, 404);
}

/// The dry run says who loses and gains it, and changes nothing.
async fn the_dry_run_says_who_loses_and_gains_it_and_changes_nothing(
    s: &TestServer,
    sup: &str,
    x: &Cooperative,
) {
    let (st, dry) = s.move_cooperative(sup, &x.id, move_request(), false).await;
    assert_eq!(st, 200, "{dry}");
    assert_eq!(dry["applied"], false);
    assert_eq!(dry["visits"], 1);
    assert!(
        dry["losing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "canbo.hoalu"),
        "{dry}"
    );
    assert!(
        dry["gaining"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "canbo.kimson"),
        "{dry}"
    );
    assert_eq!(
        s.cooperative_named(&x.name).await.unwrap().area_id,
        "NB-HL-NINHHAI"
    );
}

/// The offline report, sent now, is accepted as written and lands where the cooperative
/// is now; the earlier report moved too, remembering where it was written.
async fn its_reports_are_where_it_is_now_the_offline_one_accepted_as_written(
    s: &TestServer,
    hoalu: &str,
    offline: Mutation,
) {
    let (st, b) = s.push(hoalu, "tab-hl", &[offline]).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(
        (
            b["last_mutation_id"].as_u64(),
            b["rejected"].as_array().map(Vec::len)
        ),
        (Some(2), Some(0)),
        "{b}"
    );
    let landed: String =
        sqlx::query_scalar("SELECT area_path FROM visit_reports WHERE id = 'v-offline'")
            .fetch_one(&s.pool)
            .await
            .unwrap();
    assert_eq!(landed, "NB/NB-KS/NB-KS-KIMDONG/");
    let (path_now, written): (String, Option<String>) = sqlx::query_as(
        "SELECT area_path, written_area_path FROM visit_reports WHERE id = 'v-truoc'",
    )
    .fetch_one(&s.pool)
    .await
    .unwrap();
    assert_eq!(path_now, "NB/NB-KS/NB-KS-KIMDONG/");
    assert_eq!(written.as_deref(), Some("NB/NB-HL/NB-HL-NINHHAI/"));
}

/// Audited as a move, and kept in its history with its reason.
async fn the_move_is_audited_and_kept_in_its_history(s: &TestServer, sup: &str, x: &Cooperative) {
    let (st, audit) = s.audit(sup, "cooperative", &x.id).await;
    assert_eq!(st, 200, "{audit}");
    assert!(audit.to_string().contains("\"move\""), "{audit}");
    let decision: String = sqlx::query_scalar(
        "SELECT r.decision FROM cooperative_moves m JOIN reorganisations r ON r.id = m.reorganisation_id WHERE m.cooperative_id = $1",
    )
    .bind(&x.id)
    .fetch_one(&s.pool)
    .await
    .unwrap();
    assert!(decision.contains("Trụ sở chuyển về Kim Đông"), "{decision}");
}

on_both!(a_corrected_registry_moves_a_cooperative_with_its_reports);
async fn a_corrected_registry_moves_a_cooperative_with_its_reports(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let hoalu = s.login("canbo.hoalu", "hoptac-hoalu").await;
    let y = coop_in(&s, "NB-HL-NINHGIANG").await;
    let (st, b) = s
        .push(
            &hoalu,
            "tab-hl",
            &[common::submit(1, common::visit("v-y", &y.id, "Phiếu cũ"))],
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let mut tab_hl = Tablet::default();
    tab_hl.sync(&s, &hoalu, "tab-hl").await;
    assert!(tab_hl.coops.contains_key(&y.id));
    // The corrected list names Kim Chính for it (matched by its id, as the export writes).
    let csv = format!(
        "Mã hồ sơ,Tên HTX,Xã/Phường\r\n{},{},Xã Kim Chính\r\n",
        y.id, y.name
    );
    let (st, dry) = s
        .import_registry(&admin, csv.clone().into_bytes(), "sua.csv", &[])
        .await;
    assert_eq!(st, 200, "{dry}");
    let moves = dry["moves"].as_array().unwrap();
    assert_eq!(moves.len(), 1, "{dry}");
    assert!(moves[0]["message"]["vi"]
        .as_str()
        .unwrap()
        .contains("Kim Chính"));
    assert_eq!(
        (dry["updated"].as_u64(), dry["created"].as_u64()),
        (Some(0), Some(0))
    );
    let (st, done) = s
        .import_registry(&admin, csv.into_bytes(), "sua.csv", &[("apply", "true")])
        .await;
    assert_eq!(st, 200, "{done}");
    let after = s.cooperative_named(&y.name).await.unwrap();
    assert_eq!(after.area_id, "NB-KS-KIMCHINH");
    let path: String = sqlx::query_scalar("SELECT area_path FROM visit_reports WHERE id = 'v-y'")
        .fetch_one(&s.pool)
        .await
        .unwrap();
    assert_eq!(path, after.area_path, "its report followed");
    tab_hl.sync(&s, &hoalu, "tab-hl").await;
    assert!(
        !tab_hl.coops.contains_key(&y.id) && !tab_hl.visits.contains_key("v-y"),
        "no stale copy"
    );
    // The same file again: nothing moves or changes.
    let csv = format!(
        "Mã hồ sơ,Tên HTX,Xã/Phường\r\n{},{},Xã Kim Chính\r\n",
        y.id, y.name
    );
    let (_, again) = s
        .import_registry(&admin, csv.into_bytes(), "sua.csv", &[])
        .await;
    assert_eq!(
        (
            again["unchanged"].as_u64(),
            again["moves"].as_array().unwrap().len()
        ),
        (Some(1), 0)
    );
}
