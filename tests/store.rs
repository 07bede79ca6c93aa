//! The IndexedDB store, in headless Chromium (wasm-bindgen-test). Each test uses its own
//! database name, through a [`TestStore`] guard that deletes it at the end.
#![cfg(target_arch = "wasm32")]

use hoptac::store::{LocalSync, Store};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{
    CoopKind, Cooperative, LoginResponse, OperatingStatus, ReportStatus, Role, Sector, UserInfo,
    VisitReport,
};
use hoptac_core::sync::{Change, ChangeRow, MutationOp};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn visit(id: &str, note: &str) -> VisitReport {
    VisitReport {
        id: id.into(),
        cooperative_id: "coop-001".into(),
        author_id: "u1".into(),
        author_name: "Đinh Thị Hoa".into(),
        visit_date: "2021-06-11".into(),
        note: note.into(),
        status: ReportStatus::Draft,
        revision: 1,
        created_at: 1,
        area_path: String::new(),
        received_at: None,
        events: Vec::new(),
        findings: Default::default(),
        author_left_area_at: None,
        written_area_path: None,
    }
}

fn coop(id: &str, name: &str) -> Cooperative {
    serde_json::from_value(serde_json::json!({
        "id": id, "kind": "htx", "name": name, "sector": "agriculture",
        "area_id": "NB-HL-NINHHAI", "area_path": "NB/NB-HL/NB-HL-NINHHAI/", "status": "active"
    }))
    .unwrap()
}

fn login(user_id: &str) -> LoginResponse {
    LoginResponse {
        token: "t".into(),
        expires_at: 0,
        user: UserInfo {
            id: user_id.into(),
            username: user_id.into(),
            display_name: user_id.into(),
            role: Role::Officer,
            scopes: vec![],
            must_change_password: false,
        },
    }
}

/// A test's own store under `name`: new and empty (one an interrupted run left is deleted
/// first), closed and deleted when the guard is dropped at the test's end.
struct TestStore {
    store: Option<Store>,
    name: &'static str,
}

impl TestStore {
    async fn new(name: &'static str) -> Self {
        let _ = Store::delete_named(name).await;
        TestStore {
            store: Some(Store::open_named(name).await.unwrap()),
            name,
        }
    }

    /// The store `name` as it is (a test that wrote it with an older schema first).
    async fn existing(name: &'static str) -> Self {
        TestStore {
            store: Some(Store::open_named(name).await.unwrap()),
            name,
        }
    }

    /// Closes the store and opens it again, as the app does after a reload.
    async fn reopen(mut self) -> Self {
        if let Some(s) = self.store.take() {
            s.close();
        }
        self.store = Some(Store::open_named(self.name).await.unwrap());
        self
    }
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().expect("open")
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some(s) = self.store.take() {
            s.close();
        }
        let name = self.name;
        wasm_bindgen_futures::spawn_local(async move {
            let _ = Store::delete_named(name).await;
        });
    }
}

#[wasm_bindgen_test]
async fn a_saved_visit_and_its_mutation_survive_reopening() {
    let name = "test-save-reopen";
    let store = TestStore::new(name).await;
    store
        .save_visit(visit("v1", "một"), 10, None)
        .await
        .unwrap();
    store
        .save_visit(visit("v2", "hai"), 11, None)
        .await
        .unwrap();

    // As after a reload or a crash: open again and read.
    let store = store.reopen().await;
    let mut visits = store.visits().await.unwrap();
    visits.sort_by(|a, b| a.report.id.cmp(&b.report.id));
    assert_eq!(visits.len(), 2);
    assert_eq!(visits[0].report.note, "một");
    assert_eq!(
        visits[0].report.status,
        ReportStatus::Submitted,
        "saving submits"
    );
    assert_eq!(visits[0].sync, LocalSync::Pending);
    let outbox = store.outbox().await.unwrap();
    assert_eq!(
        outbox.iter().map(|m| m.id).collect::<Vec<_>>(),
        [1, 2],
        "mutation ids are sequential"
    );
    match &outbox[1].op {
        MutationOp::SubmitVisit(v) => assert_eq!(v.id, "v2"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(store.outbox_len().await.unwrap(), 2);
}

#[wasm_bindgen_test]
async fn acknowledged_mutations_leave_the_outbox_and_rejections_are_shown() {
    let name = "test-ack";
    let store = TestStore::new(name).await;
    for i in 1..=3 {
        store
            .save_visit(visit(&format!("v{i}"), "x"), i, None)
            .await
            .unwrap();
    }
    let why = Msg::new("Ngoài địa bàn", "Out of scope");
    let fields = vec![hoptac_core::validate::FieldError {
        field: "visit_date".into(),
        message: Msg::new(
            "Ngày khảo sát không được sau hôm nay.",
            "The visit date cannot be after today.",
        ),
    }];
    store
        .acknowledge(
            2,
            &[hoptac_core::sync::Rejection {
                mutation_id: 2,
                record_id: "v2".into(),
                code: hoptac_core::error::ErrorCode::Invalid,
                message: why.clone(),
                fields: fields.clone(),
            }],
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .outbox()
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        [3]
    );
    let v2 = store
        .visits()
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.report.id == "v2")
        .unwrap();
    assert_eq!(
        v2.sync,
        LocalSync::Rejected {
            message: why,
            fields
        }
    );
    assert_eq!(
        store.rejected_visits().await.unwrap().len(),
        1,
        "it stays, to be fixed"
    );
    assert_eq!(
        store.unsent_count().await.unwrap(),
        2,
        "one queued, one to fix"
    );
    // The next mutation id continues after the acknowledged ones.
    store.save_visit(visit("v4", "x"), 4, None).await.unwrap();
    assert_eq!(
        store
            .outbox()
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        [3, 4]
    );
}

#[wasm_bindgen_test]
async fn a_pulled_page_is_stored_with_its_cursor() {
    let name = "test-pull";
    let store = TestStore::new(name).await;
    store.save_visit(visit("v1", "chờ"), 1, None).await.unwrap();
    let mut from_server = visit("v1", "chờ");
    from_server.status = ReportStatus::Submitted;
    from_server.received_at = Some(99);
    let page = vec![
        ChangeRow {
            seq: 5,
            change: Change::Cooperative(coop("coop-001", "HTX Thêu ren Văn Lâm")),
        },
        ChangeRow {
            seq: 6,
            change: Change::Cooperative(coop("coop-002", "HTX Dịch vụ Ninh Giang")),
        },
        ChangeRow {
            seq: 7,
            change: Change::Visit(from_server),
        },
    ];
    store.apply_pull(&page, 7, 1).await.unwrap();
    assert_eq!(
        store
            .meta::<i64>(hoptac::store::keys::CURSOR)
            .await
            .unwrap(),
        Some(7)
    );
    assert_eq!(store.cooperatives().await.unwrap().len(), 2);
    let c = store.cooperative("coop-001").await.unwrap().unwrap();
    assert_eq!(
        (c.kind, c.sector, c.status),
        (CoopKind::Htx, Sector::Agriculture, OperatingStatus::Active)
    );
    let v = &store.visits().await.unwrap()[0];
    assert_eq!(v.sync, LocalSync::Synced);
    assert_eq!(v.report.received_at, Some(99));
    assert_eq!(
        store.outbox_len().await.unwrap(),
        0,
        "the server said mutation 1 is applied"
    );

    let removed = vec![ChangeRow {
        seq: 8,
        change: Change::Removed {
            entity: hoptac_core::sync::Entity::Cooperative,
            id: "coop-002".into(),
        },
    }];
    store.apply_pull(&removed, 8, 1).await.unwrap();
    assert!(store.cooperative("coop-002").await.unwrap().is_none());
}

#[wasm_bindgen_test]
async fn another_user_cannot_sign_in_over_unsent_work() {
    let name = "test-session";
    let store = TestStore::new(name).await;
    store.start_session(&login("u1")).await.unwrap();
    let client = store.client_id().await.unwrap();
    store.save_visit(visit("v1", "x"), 1, None).await.unwrap();
    store.end_session().await.unwrap();
    assert!(store.session().await.unwrap().is_none());

    assert_eq!(
        store.start_session(&login("u2")).await,
        Err(hoptac::store::StoreError::UnsentWorkOfAnotherUser { count: 1 }),
        "u1's unsent work blocks u2, and the error says so"
    );
    assert_eq!(store.outbox_len().await.unwrap(), 1, "and is kept");
    // The same user comes back: same client id, same outbox.
    store.start_session(&login("u1")).await.unwrap();
    assert_eq!(store.client_id().await.unwrap(), client);
    // Once sent, another user may sign in; the tablet starts clean with a new client id.
    store.acknowledge(1, &[]).await.unwrap();
    store.start_session(&login("u2")).await.unwrap();
    assert!(store.visits().await.unwrap().is_empty());
    assert_ne!(store.client_id().await.unwrap(), client);
}

#[wasm_bindgen_test]
async fn drafts_are_protected_like_unsent_work_and_travel_in_the_rescue_file() {
    use hoptac::store::{visit_draft_key, VisitDraft};
    let name = "test-drafts-protected";
    let store = TestStore::new(name).await;
    store.start_session(&login("u1")).await.unwrap();
    let key = visit_draft_key("coop-001");
    let draft = VisitDraft {
        visit_date: "2021-06-11".into(),
        note: "chưa viết xong".into(),
    };
    store.save_draft(&key, &draft).await.unwrap();
    // Another officer cannot sign in over a draft: it would be wiped.
    assert!(store.start_session(&login("u2")).await.is_err());
    assert_eq!(
        store.draft::<VisitDraft>(&key).await.unwrap(),
        Some(draft.clone())
    );
    // The rescue file carries it; imported on another tablet, it comes back once.
    let file = store.export_unsent("u1", 5).await.unwrap();
    assert_eq!(file.drafts.len(), 1);
    assert_eq!(file.drafts[0].key, key);
    let other = TestStore::new("test-drafts-protected-2").await;
    other.start_session(&login("u1")).await.unwrap();
    assert_eq!(other.import_unsent(&file, "u1", 6).await.unwrap(), (1, 0));
    assert_eq!(other.draft::<VisitDraft>(&key).await.unwrap(), Some(draft));
    assert_eq!(
        other.import_unsent(&file, "u1", 7).await.unwrap(),
        (0, 1),
        "not twice"
    );
    assert_eq!(other.drafts().await.unwrap().len(), 1);
}

#[wasm_bindgen_test]
async fn after_a_restore_the_outbox_is_rebuilt_from_the_officers_work() {
    use hoptac::store::LocalSync;
    let name = "test-restore";
    let store = TestStore::new(name).await;
    // Three reports sent and acknowledged (the server had ids 1-3), one still queued (4).
    for i in 1..=4 {
        store
            .save_visit(visit(&format!("v{i}"), "x"), i, None)
            .await
            .unwrap();
    }
    store.acknowledge(3, &[]).await.unwrap();
    // v1 and v2 came back by pull; v3 was only acknowledged (its pull was cut).
    let pulled: Vec<hoptac_core::sync::ChangeRow> = (1..=2)
        .map(|i| hoptac_core::sync::ChangeRow {
            seq: i,
            change: hoptac_core::sync::Change::Visit(visit(&format!("v{i}"), "x")),
        })
        .collect();
    store.apply_pull(&pulled, 2, 3).await.unwrap();
    // The server comes back from a backup holding only mutation 1.
    let queued = store.recover_after_restore(1, "u1", 10).await.unwrap();
    assert_eq!(
        queued, 4,
        "v1-v3 again (the server applies each once) and v4"
    );
    let outbox = store.outbox().await.unwrap();
    assert_eq!(
        outbox.iter().map(|m| m.id).collect::<Vec<_>>(),
        [2, 3, 4, 5],
        "numbered on from the server's last id"
    );
    let ids: Vec<String> = outbox.iter().map(|m| m.record_id().to_string()).collect();
    assert_eq!(ids, ["v1", "v2", "v3", "v4"]);
    assert_eq!(
        store
            .meta::<i64>(hoptac::store::keys::CURSOR)
            .await
            .unwrap(),
        Some(0)
    );
    assert!(store
        .visits()
        .await
        .unwrap()
        .iter()
        .all(|v| v.sync == LocalSync::Pending));
    // The next write continues the numbering.
    store.save_visit(visit("v5", "x"), 11, None).await.unwrap();
    assert_eq!(store.outbox().await.unwrap().last().unwrap().id, 6);
}

#[wasm_bindgen_test]
async fn a_draft_is_kept_until_its_visit_is_saved() {
    use hoptac::store::{visit_draft_key, VisitDraft};
    let name = "test-draft";
    let store = TestStore::new(name).await;
    let key = visit_draft_key("coop-001");
    let draft = VisitDraft {
        visit_date: "2021-06-11".into(),
        note: "đang viết".into(),
    };
    store.save_draft(&key, &draft).await.unwrap();
    let store = store.reopen().await;
    assert_eq!(store.draft::<VisitDraft>(&key).await.unwrap(), Some(draft));
    store
        .save_visit(visit("v1", "đang viết"), 1, Some(&key))
        .await
        .unwrap();
    assert_eq!(
        store.draft::<VisitDraft>(&key).await.unwrap(),
        None,
        "saving the visit removes its draft"
    );
    assert_eq!(store.outbox_len().await.unwrap(), 1);
}

/// The forms hand drafts to a worker (public/draft-worker.js), which this test page does not
/// serve: the page then writes each draft itself, the form's newest one last, and the
/// drafts are read back as written (src/drafts.rs).
#[wasm_bindgen_test]
async fn drafts_are_written_by_the_page_when_the_drafts_worker_cannot_start() {
    use hoptac::store::{visit_draft_key, VisitDraft};
    let name = "test-draft-fallback";
    let store = TestStore::new(name).await;
    let key = visit_draft_key("coop-001");
    let js = |note: &str| {
        serde_wasm_bindgen::to_value(&VisitDraft {
            visit_date: "2021-06-11".into(),
            note: note.into(),
        })
        .unwrap()
    };
    let (first, second) = (js("đang"), js("đang viết"));
    // Two keystrokes: both saves start before either is written; as in the forms, a save
    // that falls back writes the form's newest draft.
    let newest = || Some(js("đang viết"));
    futures::join!(
        hoptac::drafts::save(&store, &key, &first, 0.0, newest),
        hoptac::drafts::save(&store, &key, &second, 0.0, newest),
    );
    hoptac::drafts::settled().await;
    assert_eq!(
        store
            .draft::<VisitDraft>(&key)
            .await
            .unwrap()
            .map(|d| d.note),
        Some("đang viết".to_string())
    );
    // Later drafts go straight to the page's own write.
    hoptac::drafts::save(&store, &key, &js("đang viết tiếp"), 0.0, || None).await;
    assert_eq!(
        store
            .draft::<VisitDraft>(&key)
            .await
            .unwrap()
            .map(|d| d.note),
        Some("đang viết tiếp".to_string())
    );
}

#[wasm_bindgen_test]
async fn a_registered_cooperative_waits_in_the_outbox_with_the_next_id() {
    let name = "test-register";
    let store = TestStore::new(name).await;
    store.save_visit(visit("v1", "x"), 1, None).await.unwrap();
    let mut c = coop("c-new", "THT Trồng sen Ninh Hải");
    c.version = 7;
    store.save_new_cooperative(c, 2, None).await.unwrap();
    let saved = store.cooperative("c-new").await.unwrap().unwrap();
    assert_eq!(saved.version, 0, "not on the server yet");
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.iter().map(|m| m.id).collect::<Vec<_>>(), [1, 2]);
    assert!(
        matches!(&outbox[1].op, MutationOp::RegisterCooperative(c) if c.name == "THT Trồng sen Ninh Hải")
    );
}

#[wasm_bindgen_test]
fn search_folds_diacritics_in_the_browser_too() {
    assert!(hoptac_core::text::matches(
        &hoptac_core::text::normalize("HTX Dịch vụ Hoa Lư"),
        "dich vu hoa lu"
    ));
}

#[wasm_bindgen_test]
async fn an_upgrade_from_the_previous_schema_keeps_every_record() {
    let name = "test-upgrade";
    let _ = Store::delete_named(name).await;
    // A tablet still on schema v1, with data of every kind.
    let old = Store::open_at_version(name, 1).await.unwrap();
    old.apply_pull(
        &[ChangeRow {
            seq: 1,
            change: Change::Cooperative(coop("coop-001", "HTX Thêu ren Văn Lâm")),
        }],
        1,
        0,
    )
    .await
    .unwrap();
    old.save_visit(visit("v1", "trước khi nâng cấp"), 1, None)
        .await
        .unwrap();
    old.save_draft("draft:visit:coop-001", &serde_json::json!({"note": "nháp"}))
        .await
        .unwrap();
    old.start_session(&login("u1")).await.ok();
    old.close();

    // The new release opens it.
    let store = TestStore::existing(name).await;
    assert_eq!(hoptac::store::DB_VERSION, 5);
    assert_eq!(store.cooperatives().await.unwrap().len(), 1);
    assert_eq!(
        store.visits().await.unwrap()[0].report.note,
        "trước khi nâng cấp"
    );
    assert_eq!(
        store.outbox_len().await.unwrap(),
        1,
        "the unsent mutation survives"
    );
    assert_eq!(
        store
            .meta::<i64>(hoptac::store::keys::CURSOR)
            .await
            .unwrap(),
        Some(1)
    );
    assert!(store
        .draft::<serde_json::Value>("draft:visit:coop-001")
        .await
        .unwrap()
        .is_some());
    // The new index works on the old data.
    assert_eq!(store.visits_of("coop-001").await.unwrap().len(), 1);
    // The new store (v4) holds the reference lists as pulled.
    assert!(store.reference().await.unwrap().is_empty());
    let items = hoptac_core::reference::built_in();
    let rows: Vec<ChangeRow> = items
        .iter()
        .enumerate()
        .map(|(i, item)| ChangeRow {
            seq: 2 + i as i64,
            change: Change::Reference(item.clone()),
        })
        .collect();
    store.apply_pull(&rows, 30, 0).await.unwrap();
    let mut got = store.reference().await.unwrap();
    got.sort_by(|a, b| a.id.cmp(&b.id));
    let mut want = items.clone();
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, want);
    assert!(store.visits_of("coop-002").await.unwrap().is_empty());
    // And the next mutation id continues.
    store.save_visit(visit("v2", "sau"), 2, None).await.unwrap();
    assert_eq!(
        store
            .outbox()
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        [1, 2]
    );
}

#[wasm_bindgen_test]
async fn an_unassigned_area_leaves_the_tablet_except_unsent_work() {
    let name = "test-unassigned";
    let store = TestStore::new(name).await;
    let in_gv = |id: &str, name: &str| {
        let mut c = coop(id, name);
        c.area_id = "NB-GV-GIAHOA".into();
        c.area_path = "NB/NB-GV/NB-GV-GIAHOA/".into();
        c
    };
    let synced = VisitReport {
        cooperative_id: "coop-010".into(),
        area_path: "NB/NB-GV/NB-GV-GIAHOA/".into(),
        ..visit("v-synced", "đã gửi")
    };
    let page = vec![
        ChangeRow {
            seq: 1,
            change: Change::Cooperative(in_gv("coop-010", "HTX Gia Hòa")),
        },
        ChangeRow {
            seq: 2,
            change: Change::Cooperative(coop("coop-001", "HTX Thêu ren Văn Lâm")),
        },
        ChangeRow {
            seq: 3,
            change: Change::Visit(synced),
        },
    ];
    store.apply_pull(&page, 3, 0).await.unwrap();
    // Unsent work in Gia Viễn: a new group and a visit (its area path is filled by the server).
    store
        .save_new_cooperative(in_gv("coop-new", "THT mới"), 5, None)
        .await
        .unwrap();
    let pending = VisitReport {
        cooperative_id: "coop-010".into(),
        ..visit("v-pending", "chưa gửi")
    };
    store.save_visit(pending, 6, None).await.unwrap();

    let gone = vec![ChangeRow {
        seq: 4,
        change: Change::AreaUnassigned {
            path: "NB/NB-GV/".into(),
        },
    }];
    store.apply_pull(&gone, 4, 0).await.unwrap();
    let mut coops: Vec<String> = store
        .cooperatives()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    coops.sort();
    assert_eq!(
        coops,
        vec!["coop-001".to_string(), "coop-new".to_string()],
        "Gia Hòa left; Hoa Lư and the unsent group stayed"
    );
    let visits: Vec<String> = store
        .visits()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.report.id)
        .collect();
    assert_eq!(
        visits,
        vec!["v-pending".to_string()],
        "the synced visit left; the unsent one stayed"
    );
    assert_eq!(
        store.outbox_len().await.unwrap(),
        2,
        "the unsent work still waits to be sent"
    );
}

#[wasm_bindgen_test]
async fn a_malformed_pull_page_is_refused_whole_and_changes_nothing() {
    let name = "test-bad-page";
    let store = TestStore::new(name).await;
    let page = |json: &str| js_sys::JSON::parse(json).unwrap();
    let good = r#"[{"seq":1,"change":{"type":"cooperative","data":{"id":"coop-001","kind":"htx","name":"HTX A","sector":"agriculture","area_id":"X","area_path":"NB/X/","status":"active"}}}]"#;
    assert_eq!(store.apply_pull_js(&page(good), 1, 0).await.unwrap(), 1);
    for bad in [
        r#"[{"seq":2,"change":{"type":"cooperative","data":{"id":"coop-002","name":"B"}}},{"seq":3,"change":{"type":"spaceship","data":{}}}]"#,
        r#"[{"seq":2,"change":{"type":"cooperative","data":{"name":"no id"}}}]"#,
        r#"{"not":"a list"}"#,
    ] {
        let err = store.apply_pull_js(&page(bad), 3, 0).await.unwrap_err();
        assert!(
            matches!(&err, hoptac::store::StoreError::Database(m) if m.starts_with("pull:")),
            "{err:?}"
        );
    }
    assert_eq!(
        store.cooperatives().await.unwrap().len(),
        1,
        "nothing of a bad page is stored"
    );
    assert_eq!(
        store
            .meta::<i64>(hoptac::store::keys::CURSOR)
            .await
            .unwrap(),
        Some(1),
        "the cursor did not move"
    );
}

/// The registry's cached list is used only while no cooperative changed since it was
/// built: a pulled page, a registration, an edit each make it stale.
#[wasm_bindgen_test]
async fn the_registry_cache_goes_stale_with_any_cooperative_write() {
    let name = "test-registry-cache";
    let store = TestStore::new(name).await;
    let page = |seq: i64, id: &str| {
        vec![ChangeRow {
            seq,
            change: Change::Cooperative(coop(id, "HTX Thêu ren Văn Lâm")),
        }]
    };
    store.apply_pull(&page(1, "coop-001"), 1, 0).await.unwrap();
    assert_eq!(
        store.registry_cache().await.unwrap(),
        None,
        "nothing cached yet"
    );
    let (coops, stamp) = store.cooperatives_js_stamped().await.unwrap();
    assert_eq!(coops.len(), 1);
    store
        .save_registry_cache(stamp.clone(), "one line".into())
        .await
        .unwrap();
    assert_eq!(
        store.registry_cache().await.unwrap().as_deref(),
        Some("one line")
    );

    // A pulled page changes the content (even when the count stays the same).
    store.apply_pull(&page(2, "coop-001"), 2, 0).await.unwrap();
    assert_eq!(store.registry_cache().await.unwrap(), None);

    let (_, stamp) = store.cooperatives_js_stamped().await.unwrap();
    store
        .save_registry_cache(stamp, "two".into())
        .await
        .unwrap();
    // A list read early (at start-up) is checked against the stamp when it is used.
    let (early_stamp, _) = store.registry_cache_stamped().await.unwrap().unwrap();
    assert_eq!(store.cooperatives_stamp().await.unwrap(), early_stamp);
    // ... or, in the tab that wrote, by its count of cooperative writes.
    let writes = hoptac::store::coops_writes();
    store
        .save_new_cooperative(coop("c-new", "THT Trồng sen Ninh Hải"), 1, None)
        .await
        .unwrap();
    assert!(
        hoptac::store::coops_writes() > writes,
        "the tab counts its writes"
    );
    assert_eq!(
        store.registry_cache().await.unwrap(),
        None,
        "a registration"
    );
    assert_ne!(store.cooperatives_stamp().await.unwrap(), early_stamp);

    let (_, stamp) = store.cooperatives_js_stamped().await.unwrap();
    store
        .save_registry_cache(stamp, "three".into())
        .await
        .unwrap();
    let base = store.cooperative("coop-001").await.unwrap().unwrap();
    let mut edited = base.clone();
    edited.name = "HTX Thêu ren Văn Lâm mới".into();
    store
        .save_cooperative_edit(base, edited, 2, None)
        .await
        .unwrap();
    assert_eq!(store.registry_cache().await.unwrap(), None, "an edit");
}

/// A photo held by the tablet: `bytes` as a blob, named by their real SHA-256.
async fn photo(bytes: &[u8]) -> (web_sys::Blob, String) {
    let arr = js_sys::Uint8Array::from(bytes);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&arr)).unwrap();
    let b64 = hoptac::photos::to_base64(&blob).await.unwrap();
    hoptac::photos::from_base64(&b64).await.unwrap()
}

fn photo_ref(hash: &str, bytes: u64) -> hoptac_core::photo::PhotoRef {
    hoptac_core::photo::PhotoRef {
        hash: hash.into(),
        section: hoptac_core::photo::PhotoSection::Products,
        caption: String::new(),
        taken_at: None,
        position: None,
        bytes,
        width: 4,
        height: 3,
    }
}

#[wasm_bindgen_test]
async fn photos_wait_for_the_records_that_name_them_and_a_removed_one_is_gone_for_good() {
    let name = "test-photos";
    let store = TestStore::new(name).await;
    store.start_session(&login("u1")).await.unwrap();
    let (a, ha) = photo(b"\xFF\xD8\xFF photo a").await;
    let (b, hb) = photo(b"\xFF\xD8\xFF photo b, a little longer").await;
    let (c, hc) = photo(b"\xFF\xD8\xFF photo c").await;
    for (blob, h) in [(&a, &ha), (&b, &hb), (&c, &hc)] {
        store.put_photo(h, blob, 4, 3, 1).await.unwrap();
    }
    // The same photo taken twice is held once.
    store.put_photo(&ha, &a, 4, 3, 2).await.unwrap();
    assert_eq!(store.held_photos().await.unwrap().len(), 3);

    // In a draft, nothing is queued; a photo still in the draft is not deleted.
    let key = hoptac::store::visit_draft_key("coop-001");
    let mut report = visit("v-photos", "có ảnh");
    report.findings.photos = vec![
        photo_ref(&ha, a.size() as u64),
        photo_ref(&hb, b.size() as u64),
        photo_ref(&hc, 1),
    ];
    store.save_draft(&key, &report).await.unwrap();
    assert_eq!(store.queue_named_photos(10).await.unwrap(), 0);
    assert!(
        !store.forget_photo(&hc).await.unwrap(),
        "the draft still names it"
    );
    // Removed from the draft: gone for good.
    report.findings.photos.pop();
    store.save_draft(&key, &report).await.unwrap();
    assert!(store.forget_photo(&hc).await.unwrap());
    assert!(store.photo_blob(&hc).await.unwrap().is_none());

    // Submitted: its photos are queued, in the report's order, before the push.
    store
        .save_visit(report.clone(), 20, Some(&key))
        .await
        .unwrap();
    assert_eq!(store.queue_named_photos(30).await.unwrap(), 2);
    let held = store.held_photos().await.unwrap();
    let queued = |h: &str| held.iter().find(|p| p.hash == h).unwrap().queued_at;
    assert!(queued(&ha) < queued(&hb));
    assert!(held.iter().all(|p| p.waiting()));

    // The rescue file carries them; imported elsewhere, each comes back once, and a photo
    // whose bytes are not its name is left out.
    let mut file = store.export_unsent("u1", 40).await.unwrap();
    assert_eq!(file.photos.len(), 2);
    let other = TestStore::new("test-photos-2").await;
    other.start_session(&login("u1")).await.unwrap();
    other.import_unsent(&file, "u1", 41).await.unwrap();
    other.import_unsent(&file, "u1", 42).await.unwrap();
    assert_eq!(other.held_photos().await.unwrap().len(), 2);
    let back = other.photo_blob(&ha).await.unwrap().unwrap();
    assert_eq!(back.size(), a.size());
    file.photos[0].hash = hc.clone();
    let third = TestStore::new("test-photos-3").await;
    third.start_session(&login("u1")).await.unwrap();
    third.import_unsent(&file, "u1", 43).await.unwrap();
    assert!(
        third.photo_blob(&hc).await.unwrap().is_none(),
        "bytes that are not their name"
    );

    // Acknowledged: the report left the outbox, its photos still wait until uploaded.
    store.acknowledge(1, &[]).await.unwrap();
    assert!(store
        .held_photos()
        .await
        .unwrap()
        .iter()
        .all(|p| p.waiting()));
    store
        .set_photo_sent(&ha, a.size() as u64, true)
        .await
        .unwrap();
    // Freeing room removes what the server holds in full, nothing else.
    assert_eq!(
        store.free_sent_photos(&[]).await.unwrap(),
        (0, 0),
        "only what the server has just confirmed"
    );
    assert_eq!(
        store
            .free_sent_photos(&[ha.clone(), hb.clone()])
            .await
            .unwrap(),
        (1, a.size() as u64)
    );
    let left: Vec<String> = store
        .held_photos()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.hash)
        .collect();
    assert_eq!(left, vec![hb.clone()]);

    // A photo named by nothing (its form closed before the draft was saved) is swept after a
    // day; a queued one never is.
    let (d, hd) = photo(b"\xFF\xD8\xFF photo d").await;
    store.put_photo(&hd, &d, 4, 3, 100).await.unwrap();
    assert_eq!(
        store.sweep_photos(100 + 3600_000).await.unwrap(),
        0,
        "not yet"
    );
    assert_eq!(
        store.sweep_photos(100 + 2 * 24 * 3600_000).await.unwrap(),
        1
    );
    let left: Vec<String> = store
        .held_photos()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.hash)
        .collect();
    assert_eq!(left, vec![hb]);
}

#[wasm_bindgen_test]
async fn photos_of_a_refused_report_wait_for_its_fix_and_unsent_photos_protect_the_tablet() {
    let name = "test-photos-refused";
    let store = TestStore::new(name).await;
    store.start_session(&login("u1")).await.unwrap();
    let (f, hf) = photo(b"\xFF\xD8\xFF photo f").await;
    let (g, hg) = photo(b"\xFF\xD8\xFF photo g").await;
    store.put_photo(&hf, &f, 4, 3, 1).await.unwrap();
    store.put_photo(&hg, &g, 4, 3, 1).await.unwrap();
    let mut report = visit("v-refused", "có ảnh");
    report.findings.photos = vec![
        photo_ref(&hf, f.size() as u64),
        photo_ref(&hg, g.size() as u64),
    ];
    store.save_visit(report.clone(), 2, None).await.unwrap();
    store.queue_named_photos(3).await.unwrap();
    // The server refuses the report: its photos are held back, not uploaded, until fixed.
    store
        .acknowledge(
            1,
            &[hoptac_core::sync::Rejection {
                mutation_id: 1,
                record_id: "v-refused".into(),
                code: hoptac_core::error::ErrorCode::Invalid,
                message: Msg::new("sai", "wrong"),
                fields: Vec::new(),
            }],
        )
        .await
        .unwrap();
    let mut back = store.held_back_photos().await.unwrap();
    back.sort();
    let mut both = vec![hf.clone(), hg.clone()];
    both.sort();
    assert_eq!(back, both);
    // Unsent photos count as unsent work: another officer cannot sign in over them.
    assert!(store.unsent_count().await.unwrap() >= 2);
    assert!(store.start_session(&login("u2")).await.is_err());
    // The officer fixes it without photo g: g is deleted once the fix is saved (never
    // uploaded); f is sent with the fix.
    report.findings.photos.pop();
    report.revision = 2;
    store.save_resubmission(report, 4, None).await.unwrap();
    assert!(store.held_back_photos().await.unwrap().is_empty());
    assert!(store.forget_photo(&hg).await.unwrap());
    assert!(!store.forget_photo(&hf).await.unwrap(), "the fix names it");
    let left: Vec<String> = store
        .held_photos()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.hash)
        .collect();
    assert_eq!(left, vec![hf.clone()]);

    // A profile edit's draft ([base, record]) names its main photo: kept.
    let (m, hm) = photo(b"\xFF\xD8\xFF main photo").await;
    store.put_photo(&hm, &m, 4, 3, 5).await.unwrap();
    let base = coop("coop-001", "HTX Thêu ren Văn Lâm");
    let mut edited = base.clone();
    edited.main_photo = Some(photo_ref(&hm, m.size() as u64));
    store
        .save_draft("draft:cooperative:edit:coop-001", &(base, edited))
        .await
        .unwrap();
    assert!(
        !store.forget_photo(&hm).await.unwrap(),
        "the edit's draft names it"
    );
    assert_eq!(store.sweep_photos(5 + 3 * 24 * 3600_000).await.unwrap(), 0);
}
