//! Issue 15, part 5: the reference lists the review counts by (programmes, difficulties,
//! kinds of support) are data an administrator adds to; a report keeps the key it was
//! written with, through renames and retirements. Every test runs on SQLite and PostgreSQL.

mod common;

use common::{start, submit, visit, Backend, TestServer};
use hoptac_core::reference::ReferenceItem;
use hoptac_core::sync::Change;
use serde_json::{json, Value};

fn items(changes: &[Change]) -> Vec<ReferenceItem> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Reference(i) => Some(i.clone()),
            _ => None,
        })
        .collect()
}

async fn review_support(s: &TestServer, token: &str) -> Vec<(String, String, i64)> {
    let (st, r) = s.try_review(token, "period=2021-H1").await;
    assert_eq!(st, 200, "{r}");
    r["review"]["support_received"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["key"].as_str().unwrap().to_string(),
                t["label"]["vi"].as_str().unwrap().to_string(),
                t["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

on_both!(an_administrator_adds_to_a_list_and_reports_keep_their_values);
async fn an_administrator_adds_to_a_list_and_reports_keep_their_values(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let supervisor = s.login("giamsat", "hoptac-giamsat").await;
    let officer = s.officer().await;

    every_tablet_receives_the_built_in_lists(&s, &officer).await;
    only_administrators_add_and_a_name_is_required(&s, &admin, &supervisor, &officer).await;
    the_item_is_added_after_the_built_in_ones_and_only_once(&s, &admin).await;
    the_officers_tablet_and_the_list_receive_it(&s, &officer).await;
    a_report_chooses_it_and_a_key_no_list_has_is_refused(&s, &officer).await;
    the_review_counts_it_once_approved(&s, &supervisor).await;
    renamed_the_report_keeps_its_key_and_the_review_the_new_name(&s, &admin, &supervisor).await;
    retired_it_is_still_counted_and_a_late_report_still_accepted(&s, &admin, &supervisor, &officer)
        .await;
    a_change_sends_only_what_changes(&s, &admin).await;
    a_name_the_list_has_is_refused(&s, &admin).await;
    unknown_items_are_404_and_nobody_else_changes_them(&s, &admin, &supervisor).await;
    every_change_is_in_the_audit_trail(&s, &admin).await;
}

/// The kind of support the administrator adds.
fn new_item() -> Value {
    json!({"list": "support_kind", "label_vi": "Vay vốn ưu đãi", "label_en": "Preferential loans"})
}

/// A full update of the added item: its Vietnamese name `vi`, and whether it is `retired`.
fn put(vi: &str, retired: bool) -> Value {
    json!({"label_vi": vi, "label_en": "Preferential loans", "retired": retired})
}

/// Every tablet receives the built-in lists by pull (province-wide: no area).
async fn every_tablet_receives_the_built_in_lists(s: &TestServer, officer: &str) {
    let pulled = items(&s.pull_all(officer, "tab-ref", 500).await);
    assert_eq!(pulled.len(), 20, "{pulled:?}");
    assert!(pulled
        .iter()
        .any(|i| i.id == "programme:resolution113" && i.area_path.is_empty()));
}

/// Only administrators add; a name is required; an unknown list is the client's error.
async fn only_administrators_add_and_a_name_is_required(
    s: &TestServer,
    admin: &str,
    supervisor: &str,
    officer: &str,
) {
    let new = new_item();
    assert_eq!(s.add_reference(supervisor, new.clone()).await.0, 403);
    assert_eq!(s.add_reference(officer, new.clone()).await.0, 403);
    let (st, b) = s
        .add_reference(admin, json!({"list": "support_kind", "label_vi": "  "}))
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("label_vi")),
        "{b}"
    );
    let (st, b) = s
        .add_reference(admin, json!({"list": "nonsense", "label_vi": "x"}))
        .await;
    assert!(
        (400..500).contains(&st),
        "an unknown list is the client's error: {st} {b}"
    );
}

/// The administrator's item gets a key from its name, their province, and a place after
/// the built-in ones; the same name again (diacritics and case aside) is refused.
async fn the_item_is_added_after_the_built_in_ones_and_only_once(s: &TestServer, admin: &str) {
    let (st, added) = s.add_reference(admin, new_item()).await;
    assert_eq!(st, 201, "{added}");
    assert_eq!(added["key"], "vay_von_uu_dai");
    assert_eq!(added["area_path"], "NB/");
    assert_eq!(
        added["position"], 6,
        "after the six built-in kinds of support"
    );
    // The same name again (diacritics and case aside) is refused.
    let (st, b) = s
        .add_reference(
            admin,
            json!({"list": "support_kind", "label_vi": "vay von UU DAI"}),
        )
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("label_vi")),
        "{b}"
    );
}

/// The officer's tablet receives it at its next pull; the list answers it too.
async fn the_officers_tablet_and_the_list_receive_it(s: &TestServer, officer: &str) {
    let pulled = items(&s.pull_all(officer, "tab-ref", 500).await);
    assert!(pulled
        .iter()
        .any(|i| i.key == "vay_von_uu_dai" && i.label_vi == "Vay vốn ưu đãi"));
    let (_, listed) = s.reference(officer).await;
    assert_eq!(listed.as_array().unwrap().len(), 21);
}

/// A report chooses it; a key no list has is refused with its field (that report alone).
async fn a_report_chooses_it_and_a_key_no_list_has_is_refused(s: &TestServer, officer: &str) {
    let mut v = visit("v-ref-1", "coop-001", "Khảo sát có vay vốn");
    v.findings.support.received = vec!["vay_von_uu_dai".into(), "training".into()];
    let mut bad = visit("v-ref-2", "coop-002", "Khóa không có");
    bad.findings.support.received = vec!["made_up_kind".into()];
    bad.findings.value_chain.programme = Some("no_such_programme".into());
    let (st, b) = s
        .push(officer, "tab-ref", &[submit(1, v), submit(2, bad)])
        .await;
    assert_eq!(st, 200, "{b}");
    let rejected = &b["rejected"];
    assert_eq!(rejected.as_array().unwrap().len(), 1, "{b}");
    assert_eq!(rejected[0]["record_id"], "v-ref-2");
    let fields: Vec<&str> = rejected[0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "findings.support.received",
            "findings.value_chain.programme"
        ]
    );
}

/// Once the report is approved, the review counts the new kind of support by its name.
async fn the_review_counts_it_once_approved(s: &TestServer, supervisor: &str) {
    let (st, b) = s.decide(supervisor, "v-ref-1", "approve", "").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(
        review_support(s, supervisor).await,
        [
            ("training".to_string(), "Đào tạo, bồi dưỡng".to_string(), 1),
            (
                "vay_von_uu_dai".to_string(),
                "Vay vốn ưu đãi".to_string(),
                1
            )
        ]
    );
}

/// Renamed: the report keeps its key, the review shows the corrected name.
async fn renamed_the_report_keeps_its_key_and_the_review_the_new_name(
    s: &TestServer,
    admin: &str,
    supervisor: &str,
) {
    let (st, b) = s
        .update_reference(
            admin,
            "support_kind",
            "vay_von_uu_dai",
            put("Vay vốn ưu đãi (NHCSXH)", false),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(
        review_support(s, supervisor).await[1].1,
        "Vay vốn ưu đãi (NHCSXH)"
    );
}

/// Retired: no longer offered, still counted, and a report written before on a tablet
/// that had not heard is still accepted; the tablet learns it is retired.
async fn retired_it_is_still_counted_and_a_late_report_still_accepted(
    s: &TestServer,
    admin: &str,
    supervisor: &str,
    officer: &str,
) {
    let (st, b) = s
        .update_reference(
            admin,
            "support_kind",
            "vay_von_uu_dai",
            put("Vay vốn ưu đãi (NHCSXH)", true),
        )
        .await;
    assert_eq!((st, b["retired"].clone()), (200, json!(true)), "{b}");
    assert_eq!(review_support(s, supervisor).await[1].2, 1);
    let mut late = visit("v-ref-3", "coop-003", "Viết trước khi ngừng dùng");
    late.findings.support.requested = vec!["vay_von_uu_dai".into()];
    let (st, b) = s.push(officer, "tab-ref", &[submit(3, late)]).await;
    assert_eq!(
        (st, b["rejected"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{b}"
    );
    let pulled = items(&s.pull_all(officer, "tab-ref", 500).await);
    assert!(pulled
        .iter()
        .any(|i| i.key == "vay_von_uu_dai" && i.retired));
}

/// A change sends only what changes: restoring leaves the names alone, renaming leaves it
/// in use or retired (a page loaded earlier does not undo another change).
async fn a_change_sends_only_what_changes(s: &TestServer, admin: &str) {
    let (st, b) = s
        .update_reference(
            admin,
            "support_kind",
            "vay_von_uu_dai",
            json!({"retired": false}),
        )
        .await;
    assert_eq!(
        (
            st,
            b["retired"].clone(),
            b["label_vi"].clone(),
            b["label_en"].clone()
        ),
        (
            200,
            json!(false),
            json!("Vay vốn ưu đãi (NHCSXH)"),
            json!("Preferential loans")
        ),
        "{b}"
    );
    let (st, b) = s
        .update_reference(
            admin,
            "support_kind",
            "vay_von_uu_dai",
            json!({"retired": true}),
        )
        .await;
    assert_eq!((st, b["retired"].clone()), (200, json!(true)));
    let (st, b) = s
        .update_reference(
            admin,
            "support_kind",
            "vay_von_uu_dai",
            json!({"label_en": "Preferential credit"}),
        )
        .await;
    assert_eq!(
        (st, b["retired"].clone(), b["label_vi"].clone()),
        (200, json!(true), json!("Vay vốn ưu đãi (NHCSXH)")),
        "{b}"
    );
}

/// A name the list has is refused: renamed to another item's name, or a second "Other"
/// (the built-in item with its description box).
async fn a_name_the_list_has_is_refused(s: &TestServer, admin: &str) {
    // Renamed to a name the list has: refused.
    let (st, b) = s
        .update_reference(
            admin,
            "support_kind",
            "vay_von_uu_dai",
            json!({"label_vi": "Tín dụng"}),
        )
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("label_vi")),
        "{b}"
    );
    // "Other" is the built-in item with its description box: not a second one.
    let (st, b) = s
        .add_reference(admin, json!({"list": "difficulty", "label_vi": "Khác"}))
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("label_vi")),
        "{b}"
    );
}

/// Unknown items and lists are 404; nobody else changes them.
async fn unknown_items_are_404_and_nobody_else_changes_them(
    s: &TestServer,
    admin: &str,
    supervisor: &str,
) {
    assert_eq!(
        s.update_reference(admin, "support_kind", "nothing_here", put("x", false))
            .await
            .0,
        404
    );
    assert_eq!(
        s.update_reference(supervisor, "support_kind", "training", put("x", false))
            .await
            .0,
        403
    );
}

/// Every change is in the audit trail, in order.
async fn every_change_is_in_the_audit_trail(s: &TestServer, admin: &str) {
    let (st, trail) = s
        .audit(admin, "reference", "support_kind:vay_von_uu_dai")
        .await;
    assert_eq!(st, 200, "{trail}");
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["add", "rename", "retire", "restore", "retire", "rename"]
    );
}

on_both!(an_item_reaches_only_the_area_it_was_added_for);
async fn an_item_reaches_only_the_area_it_was_added_for(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    // An administrator of Kim Sơn district.
    let (st, made) = s
        .create_user(&admin, json!({
            "username": "quantri.kimson", "display_name": "Quản trị Kim Sơn", "role": "admin", "areas": ["NB-KS"]}))
        .await;
    assert_eq!(st, 201, "{made}");
    let temp = made["temporary_password"].as_str().unwrap();
    let ks = s.login("quantri.kimson", temp).await;
    let (st, b) = s.change_password(&ks, temp, "kim-son-2025-quan-tri").await;
    assert_eq!(st, 200, "{b}");

    let (st, item) = s
        .add_reference(
            &ks,
            json!({"list": "programme", "label_vi": "Đề án cói Kim Sơn"}),
        )
        .await;
    assert_eq!(st, 201, "{item}");
    assert_eq!(item["area_path"], "NB/NB-KS/");
    // Not for an area outside theirs.
    let (st, _) = s
        .add_reference(
            &ks,
            json!({"list": "programme", "label_vi": "Khác", "area_id": "NB-HL"}),
        )
        .await;
    assert_eq!(st, 403);
    // Nor the national items or the province's.
    let put = json!({"label_vi": "Đổi tên", "label_en": "", "retired": true});
    assert_eq!(
        s.update_reference(&ks, "programme", "resolution113", put.clone())
            .await
            .0,
        403
    );

    let kimson = s.login("canbo.kimson", "hoptac-kimson").await;
    let hoalu = s.officer().await;
    let has = |changes: &[Change]| items(changes).iter().any(|i| i.key == "de_an_coi_kim_son");
    assert!(
        has(&s.pull_all(&kimson, "tab-ks", 500).await),
        "Kim Sơn's officer receives it"
    );
    let hl = s.pull_all(&hoalu, "tab-hl", 500).await;
    assert!(!has(&hl), "Hoa Lư's officer does not");
    assert_eq!(items(&hl).len(), 20, "but receives the national lists");
    let (_, listed) = s.reference(&hoalu).await;
    assert!(!listed
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["key"] == "de_an_coi_kim_son"));
    // Kim Sơn's programme is not one of Hoa Lư's: a report of a Hoa Lư cooperative naming
    // it is refused (the same as a key no list has: no telling other districts' lists).
    let mut v = visit("v-ks-1", "coop-001", "Chương trình của huyện khác");
    v.findings.value_chain.programme = Some("de_an_coi_kim_son".into());
    let (st, b) = s.push(&hoalu, "tab-hl", &[submit(1, v)]).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(
        b["rejected"][0]["fields"][0]["field"], "findings.value_chain.programme",
        "{b}"
    );
    // Another district may have an item of the same name; the same line (the province's
    // own list and Kim Sơn's) may not.
    let (st, b) = s
        .add_reference(
            &admin,
            json!({"list": "programme", "label_vi": "Đề án cói Kim Sơn", "area_id": "NB-HL"}),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["key"], "de_an_coi_kim_son_2");
    let (st, _) = s
        .add_reference(
            &admin,
            json!({"list": "programme", "label_vi": "Đề án cói Kim Sơn"}),
        )
        .await;
    assert_eq!(st, 422, "the province's list would show it twice");
    // The province's administrator sees and may change it.
    let (_, listed) = s.reference(&admin).await;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|i: &Value| i["key"] == "de_an_coi_kim_son"));
    assert_eq!(
        s.update_reference(&admin, "programme", "de_an_coi_kim_son", put)
            .await
            .0,
        200
    );
}

on_both!(two_administrators_adding_at_once_get_two_items);
async fn two_administrators_adding_at_once_get_two_items(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    // Four adds of one name for two sibling districts, all at once: each district gets
    // it once, with its own key (PostgreSQL serialises them by an advisory lock).
    let add = |area: &'static str| {
        s.add_reference(
            &admin,
            json!({"list": "support_kind", "label_vi": "Vay vốn", "area_id": area}),
        )
    };
    let (a, b, c, d) = tokio::join!(add("NB-HL"), add("NB-KS"), add("NB-HL"), add("NB-KS"));
    let answers = [a, b, c, d];
    let made: Vec<&Value> = answers
        .iter()
        .filter(|(st, _)| *st == 201)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(made.len(), 2, "one per district: {answers:?}");
    assert!(
        answers.iter().all(|(st, _)| *st == 201 || *st == 422),
        "{answers:?}"
    );
    let mut keys: Vec<(&str, &str)> = made
        .iter()
        .map(|b| (b["key"].as_str().unwrap(), b["area_path"].as_str().unwrap()))
        .collect();
    keys.sort();
    assert_eq!(keys[0].0, "vay_von");
    assert_eq!(keys[1].0, "vay_von_2");
    assert_ne!(keys[0].1, keys[1].1);
    // What tablets receive is what the table holds.
    let (_, listed) = s.reference(&admin).await;
    for (key, path) in &keys {
        assert!(listed
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["key"] == *key && i["area_path"] == *path));
    }
    let kimson = s.login("canbo.kimson", "hoptac-kimson").await;
    let got: Vec<ReferenceItem> = items(&s.pull_all(&kimson, "tab-ks", 500).await)
        .into_iter()
        .filter(|i| i.label_vi == "Vay vốn")
        .collect();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].area_path, "NB/NB-KS/");
}
