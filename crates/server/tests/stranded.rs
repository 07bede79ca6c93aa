//! Issue 13, the server's half: nothing an officer wrote is stranded. A report refused
//! alone while the ones behind it apply; the server's clock and identity on every answer;
//! work written before a reassignment accepted and marked; a narrowed area leaving the
//! tablet; a restore from a backup noticed by the tablet, which pulls from the start and
//! re-sends what the server lacks, nothing duplicated; sign-out revoking the session.
//! Every test runs on SQLite and PostgreSQL (`on_both!`, see common/mod.rs).

mod common;

use common::*;
use hoptac_core::keyed::Keyed;
use hoptac_core::model::VisitReport;
use hoptac_core::sync::{
    Change, Mutation, MutationOp, PullResponse, PushResponse, SERVER_EPOCH_HEADER,
    SERVER_TIME_HEADER,
};
use hoptac_server::storage::Db;
use serde_json::{json, Value};

const ADMIN: (&str, &str) = ("quantri", "hoptac-quantri");
const SUPERVISOR: (&str, &str) = ("giamsat", "hoptac-giamsat");

impl TestServer {
    async fn push_ok(&self, token: &str, client: &str, ms: &[Mutation]) -> PushResponse {
        let (st, b) = self.push(token, client, ms).await;
        assert_eq!(st, 200, "{b}");
        serde_json::from_value(b).unwrap()
    }

    async fn pull_page(&self, token: &str, client: &str, cursor: i64) -> (u16, Value) {
        self.pull(token, client, cursor, Some(2000)).await
    }

    async fn set_areas(&self, user: &str, areas: &[&str]) {
        let admin = self.login(ADMIN.0, ADMIN.1).await;
        let (st, b) = self.set_user_areas(&admin, user, areas).await;
        assert_eq!(st, 200, "{b}");
    }

    async fn submits_of(&self, id: &str) -> usize {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'visit' AND record_id = $1 AND action = 'submit'",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .unwrap() as usize
    }
}

// ---------------------------------------------------------------------------------------
// Case 3: one bad mutation never blocks the ones behind it.

on_both!(a_report_with_a_huge_note_is_refused_alone_and_the_next_one_applies);
async fn a_report_with_a_huge_note_is_refused_alone_and_the_next_one_applies(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    let huge = "Ghi chép dài. ".repeat(160_000); // 2.2 MB of text
    assert!(huge.len() > 2_200_000);
    let r = s
        .push_ok(
            &t,
            "tab",
            &[
                submit(1, visit("huge", "coop-001", &huge)),
                submit(2, visit("after", "coop-001", "Làm việc với ban giám đốc")),
            ],
        )
        .await;
    assert_eq!(
        r.last_mutation_id, 2,
        "both are done with: the outbox moves on"
    );
    assert_eq!(r.rejected.len(), 1);
    let rej = &r.rejected[0];
    assert_eq!(
        (rej.mutation_id, rej.record_id.as_str(), rej.code.key()),
        (1, "huge", "invalid")
    );
    assert_eq!(
        rej.fields[0].field, "note",
        "the reason names the field: {rej:?}"
    );
    assert!(
        rej.fields[0].message.vi.contains("tối đa 5000"),
        "{:?}",
        rej.fields[0].message
    );
    let ids: Vec<String> = s.visits(&t).await.into_iter().map(|v| v.id).collect();
    assert!(ids.contains(&"after".to_string()) && !ids.contains(&"huge".to_string()));

    // Every free-text field has its limit, on the server as on the tablet.
    let mut long = visit("long", "coop-001", "x");
    long.findings.support.note = "y".repeat(hoptac_core::limits::LONG_TEXT + 1);
    let mut coop: hoptac_core::model::Cooperative = serde_json::from_value(json!({
        "id": "new-long", "kind": "tht", "name": "THT Dài", "sector": "agriculture",
        "area_id": "NB-HL-NINHHAI", "area_path": "", "status": "active",
        "chair_name": "z".repeat(hoptac_core::limits::PERSON_NAME + 1)
    }))
    .unwrap();
    coop.main_products = Some("ok".into());
    let r = s
        .push_ok(
            &t,
            "tab",
            &[
                submit(3, long),
                Mutation {
                    id: 4,
                    created_at: 1,
                    op: MutationOp::RegisterCooperative(coop),
                },
            ],
        )
        .await;
    let fields: Vec<&str> = r
        .rejected
        .iter()
        .map(|r| r.fields[0].field.as_str())
        .collect();
    assert_eq!(fields, vec!["findings.support.note", "chair_name"]);
}

// ---------------------------------------------------------------------------------------
// Case 2 and 6: the server states its time and identity.

on_both!(every_answer_states_the_servers_time_and_identity);
async fn every_answer_states_the_servers_time_and_identity(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let mut epochs = Vec::new();
    for (method, path) in [
        ("GET", "/api/health"),
        ("GET", "/api/me"),
        ("GET", "/api/nothing"),
        ("POST", "/api/sync/pull"),
    ] {
        let before = hoptac_server::storage::now_ms();
        let resp = s
            .http
            .request(method.parse().unwrap(), format!("{}{path}", s.url))
            .send()
            .await
            .unwrap();
        let after = hoptac_server::storage::now_ms();
        let time: i64 = resp.headers()[SERVER_TIME_HEADER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (before..=after).contains(&time),
            "{path}: {before} <= {time} <= {after}"
        );
        epochs.push(
            resp.headers()[SERVER_EPOCH_HEADER]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    assert!(epochs[0].len() >= 16, "{epochs:?}");
    assert!(
        epochs.iter().all(|e| *e == epochs[0]),
        "one identity: {epochs:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Case 6: after the server is restored from a backup.

/// A backup of the server's database, as `hoptac-server backup` writes it: a SQLite file
/// (`VACUUM INTO`, SQLite's online backup) or a PostgreSQL dump (`pg_dump -Fc`).
async fn backup(s: &TestServer, dir: &std::path::Path) -> std::path::PathBuf {
    let file = dir.join("backup");
    hoptac_server::ops::backup(&s.db_url, &file).await.unwrap();
    assert!(
        hoptac_server::ops::backup(&s.db_url, &file)
            .await
            .unwrap_err()
            .contains("exists"),
        "a backup never overwrites a file"
    );
    file
}

/// A new server on the backup, restored as `hoptac-server restore` does (with the new
/// identity a restore gives).
async fn restore(backend: Backend, file: &std::path::Path) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_db_url(backend, dir.path()).await.unwrap();
    hoptac_server::ops::restore(&url, file).await.unwrap();
    let db = Db::connect(&url).await.unwrap();
    serve(db, url, backend, dir).await
}

async fn epoch_of(s: &TestServer) -> String {
    let resp = s
        .http
        .get(format!("{}/api/health", s.url))
        .send()
        .await
        .unwrap();
    resp.headers()[SERVER_EPOCH_HEADER]
        .to_str()
        .unwrap()
        .to_string()
}

on_both!(after_a_restore_the_tablet_pulls_from_the_start_and_resends_what_the_server_lacks);
async fn after_a_restore_the_tablet_pulls_from_the_start_and_resends_what_the_server_lacks(
    backend: Backend,
) {
    let Some(s) = start(backend).await else {
        return;
    };
    let files = tempfile::tempdir().unwrap();
    let t = s.officer().await;
    let report = |id: &str| visit(id, "coop-001", "Làm việc với ban giám đốc");
    s.push_ok(&t, "tab", &[submit(1, report("a"))]).await;
    let file = backup(&s, files.path()).await;
    s.push_ok(&t, "tab", &[submit(2, report("b")), submit(3, report("c"))])
        .await;
    let (st, page) = s.pull_page(&t, "tab", 0).await;
    assert_eq!(st, 200);
    let cursor = page["cursor"].as_i64().unwrap();

    // The server goes back to the backup: it holds "a" and the client's last id 1.
    let r = restore(backend, &file).await;
    assert_ne!(
        epoch_of(&s).await,
        epoch_of(&r).await,
        "a restore changes the identity"
    );
    // A session from the backup still signs in; the tablet's token was made before it.
    let t = r.officer().await;
    let (st, b) = r.pull_page(&t, "tab", cursor).await;
    assert_eq!(
        (st, b["code"].as_str()),
        (409, Some("cursor_unknown")),
        "never an empty page: {b}"
    );
    let (st, b) = r.pull_page(&t, "tab", 0).await;
    assert_eq!(st, 200, "{b}");
    let page: PullResponse = serde_json::from_value(b).unwrap();
    assert_eq!(page.last_mutation_id, 1, "the server says where it stands");
    // Pushing on from where the tablet was is a gap...
    let (st, b) = r.push(&t, "tab", &[submit(4, report("d"))]).await;
    assert_eq!((st, b["code"].as_str()), (409, Some("mutation_gap")));
    // ...so the tablet re-sends all of its own work numbered from the server's last id.
    let resent = r
        .push_ok(
            &t,
            "tab",
            &[
                submit(2, report("a")),
                submit(3, report("b")),
                submit(4, report("c")),
                submit(5, report("d")),
            ],
        )
        .await;
    assert_eq!((resent.last_mutation_id, resent.rejected.len()), (5, 0));
    for id in ["a", "b", "c", "d"] {
        assert_eq!(r.submits_of(id).await, 1, "{id}: once, never twice");
    }
    let mut ids: Vec<String> = r.visits(&t).await.into_iter().map(|v| v.id).collect();
    ids.sort();
    assert_eq!(ids, vec!["a", "b", "c", "d"]);
}

// ---------------------------------------------------------------------------------------
// Case 4: work written while the officer held an area.

on_both!(work_written_before_a_reassignment_is_accepted_and_marked);
async fn work_written_before_a_reassignment_is_accepted_and_marked(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    // Written yesterday in Gia Viễn (coop-009), offline; today Gia Viễn is taken away.
    s.set_areas("u-officer-hoalu", &["NB-HL"]).await;
    let r = s
        .push_ok(
            &t,
            "tab",
            &[
                submit(
                    1,
                    visit("gv", "coop-009", "Viết khi còn phụ trách Gia Viễn"),
                ),
                submit(2, visit("ks", "coop-016", "Kim Sơn chưa bao giờ được giao")),
            ],
        )
        .await;
    assert_eq!(r.rejected.len(), 1, "{:?}", r.rejected);
    assert_eq!(
        (r.rejected[0].record_id.as_str(), r.rejected[0].code.key()),
        ("ks", "not_found")
    );
    let sup = s.login(SUPERVISOR.0, SUPERVISOR.1).await;
    let visits: Vec<VisitReport> = s.visits(&sup).await;
    let gv = visits.iter().find(|v| v.id == "gv").expect("accepted");
    let left = gv
        .author_left_area_at
        .expect("marked as written before the reassignment");
    assert!(left <= gv.received_at.unwrap());
    assert_eq!(gv.area_path, "NB/NB-GV/NB-GV-GIASINH/");
    // More than a session's lifetime after the change: refused.
    sqlx::query("UPDATE assignment_history SET until_ms = until_ms - $1 WHERE user_id = 'u-officer-hoalu' AND until_ms IS NOT NULL")
        .bind(hoptac_server::rules::accounts::SESSION_TTL_MS + 1)
        .execute(&s.pool)
        .await
        .unwrap();
    let r = s
        .push_ok(
            &t,
            "tab",
            &[submit(3, visit("late", "coop-009", "Quá muộn"))],
        )
        .await;
    assert_eq!(r.rejected.len(), 1, "{:?}", r.rejected);
    assert_eq!(r.rejected[0].code.key(), "not_found");
}

// ---------------------------------------------------------------------------------------
// Case 7: narrowing an officer's areas.

on_both!(narrowing_a_district_to_one_commune_removes_the_other_communes_from_the_tablet);
async fn narrowing_a_district_to_one_commune_removes_the_other_communes_from_the_tablet(
    backend: Backend,
) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    let first = s.pull_all(&t, "tab", 2000).await;
    let (_, page) = s.pull_page(&t, "tab", 0).await;
    let cursor = page["cursor"].as_i64().unwrap();
    s.set_areas("u-officer-hoalu", &["NB-HL-NINHHAI", "NB-GV"])
        .await;
    let (st, page) = s.pull_page(&t, "tab", cursor).await;
    assert_eq!(st, 200);
    let page: PullResponse = serde_json::from_value(page).unwrap();
    let mut removed: Vec<String> = page
        .changes
        .iter()
        .filter_map(|c| match &c.change {
            Change::AreaUnassigned { path } => Some(path.clone()),
            _ => None,
        })
        .collect();
    removed.sort();
    assert_eq!(
        removed,
        vec![
            "NB/NB-HL/NB-HL-NINHGIANG/",
            "NB/NB-HL/NB-HL-NINHMY/",
            "NB/NB-HL/NB-HL-NINHVAN/",
            "NB/NB-HL/NB-HL-NINHXUAN/",
            "NB/NB-HL/NB-HL-TRUONGYEN/",
        ]
    );
    // Applied as the tablet applies them, Ninh Hải and Gia Viễn stay, the rest of Hoa Lư goes.
    let kept: Vec<String> = first
        .iter()
        .filter_map(|c| match c {
            Change::Cooperative(c) if !removed.iter().any(|p| c.area_path.starts_with(p)) => {
                Some(c.area_path.clone())
            }
            _ => None,
        })
        .collect();
    assert!(kept
        .iter()
        .all(|p| p.starts_with("NB/NB-HL/NB-HL-NINHHAI/") || p.starts_with("NB/NB-GV/")));
    assert!(kept
        .iter()
        .any(|p| p.starts_with("NB/NB-HL/NB-HL-NINHHAI/")));
}

// ---------------------------------------------------------------------------------------
// Case 8: signing out revokes the session on the server.

on_both!(signing_out_revokes_the_session_and_only_that_one);
async fn signing_out_revokes_the_session_and_only_that_one(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let (a, b) = (s.officer().await, s.officer().await);
    let (st, _) = s.logout(&a).await;
    assert_eq!(st, 204);
    let (st, body) = s.pull_page(&a, "tab", 0).await;
    assert_eq!((st, body["code"].as_str()), (401, Some("unauthenticated")));
    assert_eq!(
        s.pull_page(&b, "tab2", 0).await.0,
        200,
        "the other session stays"
    );
}

// ---------------------------------------------------------------------------------------
// Case 3, again: a mutation the server cannot read (a control character, an unknown
// shape) is refused alone; the ones before and after it apply.

on_both!(an_unreadable_mutation_is_refused_alone);
async fn an_unreadable_mutation_is_refused_alone(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    let good = |id: u64, rid: &str| {
        serde_json::to_value(submit(id, visit(rid, "coop-001", "Họp ban quản trị"))).unwrap()
    };
    let mut vt = good(2, "vt");
    vt["op"]["data"]["note"] = json!("Dòng từ Word\u{b}ngắt dòng mềm");
    let unknown =
        json!({"id": 3, "created_at": 1, "op": {"type": "teleport", "data": {"id": "x"}}});
    let (st, b) = s
        .call("POST", "/api/sync/push", Some(&t), Some(json!({"client_id": "tab", "mutations": [good(1, "before"), vt, unknown, good(4, "after")]})))
        .await;
    assert_eq!(st, 200, "{b}");
    let r: PushResponse = serde_json::from_value(b).unwrap();
    assert_eq!(r.last_mutation_id, 4, "the outbox moves on");
    let refused: Vec<(u64, &str, &str)> = r
        .rejected
        .iter()
        .map(|r| (r.mutation_id, r.record_id.as_str(), r.code.key()))
        .collect();
    assert_eq!(refused, vec![(2, "vt", "invalid"), (3, "x", "bad_request")]);
    assert_eq!(r.rejected[0].fields[0].field, "note");
    assert!(r.rejected[0].fields[0].message.vi.contains("U+000B"));
    let ids: Vec<String> = s.visits(&t).await.into_iter().map(|v| v.id).collect();
    assert!(
        ids.contains(&"before".into())
            && ids.contains(&"after".into())
            && !ids.contains(&"vt".into())
    );
}

// Case 4, the other side: work written after the reassignment, or a correction of a report
// in an area no longer covered, is refused (as not found there).
on_both!(work_written_after_a_reassignment_is_refused_whatever_its_kind);
async fn work_written_after_a_reassignment_is_refused_whatever_its_kind(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    s.push_ok(
        &t,
        "tab",
        &[submit(1, visit("gv-1", "coop-009", "Gia Sinh"))],
    )
    .await;
    let sup = s.login(SUPERVISOR.0, SUPERVISOR.1).await;
    let (st, _) = s.decide(&sup, "gv-1", "return", "Bổ sung").await;
    assert_eq!(st, 200);
    s.set_areas("u-officer-hoalu", &["NB-HL"]).await;
    let later = hoptac_server::storage::now_ms() + 60_000;
    let mut coop: hoptac_core::model::Cooperative = serde_json::from_value(json!({
        "id": "gv-new", "kind": "tht", "name": "THT Mới", "sector": "agriculture",
        "area_id": "NB-GV-GIAHOA", "area_path": "", "status": "active"
    }))
    .unwrap();
    coop.members = Some(7);
    let mut fixed = visit("gv-1", "coop-009", "Đã bổ sung");
    fixed.revision = 2;
    let ms = [
        Mutation {
            id: 2,
            created_at: later,
            op: MutationOp::SubmitVisit(visit("gv-2", "coop-009", "Sau khi chuyển")),
        },
        Mutation {
            id: 3,
            created_at: later,
            op: MutationOp::RegisterCooperative(coop),
        },
        Mutation {
            id: 4,
            created_at: later,
            op: MutationOp::ResubmitVisit(fixed.clone()),
        },
    ];
    let r = s.push_ok(&t, "tab", &ms).await;
    let codes: Vec<(&str, &str)> = r
        .rejected
        .iter()
        .map(|r| (r.record_id.as_str(), r.code.key()))
        .collect();
    // (A commune is reference data, not a secret: registering in one not covered is
    // "forbidden".)
    assert_eq!(
        codes,
        vec![
            ("gv-2", "not_found"),
            ("gv-new", "forbidden"),
            ("gv-1", "not_found")
        ]
    );
    // The correction written before the change is accepted, and marked.
    let r = s
        .push_ok(
            &t,
            "tab",
            &[Mutation {
                id: 5,
                created_at: 1,
                op: MutationOp::ResubmitVisit(fixed),
            }],
        )
        .await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    let v = s
        .visits(&sup)
        .await
        .into_iter()
        .find(|v| v.id == "gv-1")
        .unwrap();
    assert_eq!((v.revision, v.author_left_area_at.is_some()), (2, true));
}
