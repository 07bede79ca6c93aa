//! Server integration tests: the real router on a real loopback port, over a real SQLite
//! file AND a real PostgreSQL database, called with a real HTTP client. Every test runs
//! on both (`on_both!`); PostgreSQL comes from `HOPTAC_TEST_PG_URL` (scripts/pg.sh starts
//! a throwaway server; scripts/test.sh does it for you). Without it the PostgreSQL half
//! fails with a message saying so, unless `HOPTAC_SKIP_PG=1` is set.

mod common;

use common::*;
use hoptac_core::model::{ReportStatus, VisitReport};
use hoptac_core::sync::{Change, Mutation, MutationOp, PullResponse, PushResponse};
use serde_json::{json, Value};

on_both!(health_and_json_errors);
async fn health_and_json_errors(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    // Anyone learns that the server lives; only a signed-in caller what it runs.
    let (st, b) = s.health(None).await;
    assert_eq!(st, 200);
    assert_eq!(
        b,
        json!({"status": "ok"}),
        "nothing beyond ok to an anonymous caller"
    );
    let (st, b) = s
        .call("GET", "/api/health", Some("not-a-token"), None)
        .await;
    assert_eq!((st, b), (200, json!({"status": "ok"})));
    let token = s.officer().await;
    let (st, b) = s.health(Some(&token)).await;
    assert_eq!(st, 200);
    let kind = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(b["database"], kind);
    assert_eq!(b["version"], env!("CARGO_PKG_VERSION"));

    let (st, b) = s.call("GET", "/api/no-such-thing", None, None).await;
    assert_eq!((st, b["code"].as_str()), (404, Some("not_found")));

    // A malformed body: 400 naming the problem.
    let resp = s
        .http
        .post(format!("{}/api/auth/login", s.url))
        .header("content-type", "application/json")
        .body("{\"username\": 5")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["code"], "bad_request");
    assert!(b["message"].as_str().unwrap().contains("JSON"), "{b}");
    let (st, b) = s
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "x"})),
        )
        .await;
    assert_eq!(st, 400);
    assert!(
        b["message"].as_str().unwrap().contains("password"),
        "names the missing field: {b}"
    );

    // No token, a wrong token, an expired token: 401.
    let (st, b) = s.call("GET", "/api/me", None, None).await;
    assert_eq!((st, b["code"].as_str()), (401, Some("unauthenticated")));
    let (st, _) = s.call("GET", "/api/me", Some("not-a-token"), None).await;
    assert_eq!(st, 401);
    let token = s.officer().await;
    let (st, me) = s.me(&token).await;
    assert_eq!(st, 200);
    assert_eq!(me["role"], "officer");
    let pool = s.pool.clone();
    sqlx::query("UPDATE sessions SET expires_at = 0")
        .execute(&pool)
        .await
        .unwrap();
    let (st, _) = s.me(&token).await;
    assert_eq!(st, 401, "an expired session is refused");

    // Too large a body.
    let big = "x".repeat(hoptac_server::MAX_BODY_BYTES + 10);
    let token = s.officer().await;
    let (st, b) = s
        .call(
            "POST",
            "/api/sync/push",
            Some(&token),
            Some(json!({"client_id": "c", "mutations": [], "pad": big})),
        )
        .await;
    assert_eq!((st, b["code"].as_str()), (413, Some("payload_too_large")));
}

on_both!(passwords_are_argon2_and_failed_logins_are_limited);
async fn passwords_are_argon2_and_failed_logins_are_limited(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let pool = s.pool.clone();
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'giamsat'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(hash.starts_with("$argon2"), "{hash}");
    assert!(!hash.contains("hoptac-giamsat"));

    // Two server instances on one database brake together (issue 18): three failures on
    // one, two on the other, and then neither lets even the right password in.
    let other_dir = tempfile::tempdir().unwrap();
    let other = serve(
        hoptac_server::storage::Db::connect(&s.db_url)
            .await
            .unwrap(),
        s.db_url.clone(),
        backend,
        other_dir,
    )
    .await;
    for i in 0..5 {
        let on = if i % 2 == 0 { &s } else { &other };
        let (st, b) = on.try_login("giamsat", "wrong").await;
        assert_eq!((st, b["code"].as_str()), (401, Some("bad_credentials")));
    }
    for on in [&s, &other] {
        let (st, b) = on.try_login("giamsat", "hoptac-giamsat").await;
        assert_eq!(
            (st, b["code"].as_str()),
            (429, Some("rate_limited")),
            "even the right password waits after 5 failures, on every instance"
        );
    }
    // The window passes (the clock moved on): the brake lets go, and the sweep forgets.
    {
        use hoptac_server::rules::accounts::{
            forget_old_failures, LoginLimiter, FAILURE_WINDOW_MS,
        };
        let db = hoptac_server::storage::Db::connect(&s.db_url)
            .await
            .unwrap();
        let l = LoginLimiter;
        let now = hoptac_server::storage::now_ms();
        assert!(!l.attempt(&db, "giamsat", None, now).await.unwrap());
        assert!(l
            .attempt(&db, "giamsat", None, now + FAILURE_WINDOW_MS + 1)
            .await
            .unwrap());
        let rows = |db: &hoptac_server::storage::Db| {
            let pool = db.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sign_in_failures")
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert!(rows(&db).await >= 1);
        forget_old_failures(&db, now + 3 * FAILURE_WINDOW_MS)
            .await
            .unwrap();
        assert_eq!(rows(&db).await, 0, "nothing remembered past the window");
        db.pool.close().await;
    }
    // Other accounts are not affected.
    s.officer().await;
    // Logout ends the session.
    let t = s.officer().await;
    let (st, _) = s.logout(&t).await;
    assert_eq!(st, 204);
    let (st, _) = s.me(&t).await;
    assert_eq!(st, 401);
}

on_both!(the_same_push_three_times_applies_once);
async fn the_same_push_three_times_applies_once(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    let batch = vec![
        submit(1, visit("v-1", "coop-001", "một")),
        submit(2, visit("v-2", "coop-002", "hai")),
    ];
    for _ in 0..3 {
        let (st, b) = s.push(&t, "tablet-1", &batch).await;
        assert_eq!(st, 200, "{b}");
        let r: PushResponse = serde_json::from_value(b).unwrap();
        assert_eq!(r.last_mutation_id, 2);
        assert!(r.rejected.is_empty());
    }
    let v = s.visits(&t).await;
    assert_eq!(v.len(), 2);
    assert!(v
        .iter()
        .all(|v| v.author_name == "Đinh Thị Hoa" && v.author_id == "u-officer-hoalu"));

    // A batch cut off half-way (only 3 of 3..=5 arrived) and retried in full.
    let more: Vec<Mutation> = (3..=5)
        .map(|i| submit(i, visit(&format!("v-{i}"), "coop-003", "tiếp")))
        .collect();
    let (st, _) = s.push(&t, "tablet-1", &more[..1]).await;
    assert_eq!(st, 200);
    let (st, b) = s.push(&t, "tablet-1", &more).await;
    assert_eq!(st, 200);
    assert_eq!(b["last_mutation_id"], 5);
    assert_eq!(s.visits(&t).await.len(), 5);

    // The pull returns each report once and says what was applied.
    let (st, b) = s.pull(&t, "tablet-1", 0, None).await;
    assert_eq!(st, 200);
    assert_eq!(b["last_mutation_id"], 5);
    let changes = s.pull_all(&t, "tablet-1", 7).await;
    let visits = changes
        .iter()
        .filter(|c| matches!(c, Change::Visit(_)))
        .count();
    assert_eq!(visits, 5);
}

on_both!(gaps_and_disorder_are_refused_and_change_nothing);
async fn gaps_and_disorder_are_refused_and_change_nothing(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    let (st, b) = s
        .push(&t, "tablet-1", &[submit(2, visit("v-2", "coop-001", "x"))])
        .await;
    assert_eq!((st, b["code"].as_str()), (409, Some("mutation_gap")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("expected id 1"));
    let (st, b) = s
        .push(
            &t,
            "tablet-1",
            &[
                submit(1, visit("v-1", "coop-001", "x")),
                submit(3, visit("v-3", "coop-001", "y")),
            ],
        )
        .await;
    assert_eq!((st, b["code"].as_str()), (409, Some("mutation_gap")));
    assert!(
        s.visits(&t).await.is_empty(),
        "a refused batch applies nothing"
    );
}

on_both!(invalid_and_out_of_scope_mutations_are_rejected_without_blocking_the_rest);
async fn invalid_and_out_of_scope_mutations_are_rejected_without_blocking_the_rest(
    backend: Backend,
) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    let batch = vec![
        submit(1, visit("v-empty", "coop-001", "   ")),
        // coop-016 is in Kim Sơn, not one of this officer's districts.
        submit(2, visit("v-other", "coop-016", "ngoài địa bàn")),
        submit(3, visit("v-missing", "coop-999", "không có")),
        submit(4, visit("v-good", "coop-001", "hợp lệ")),
    ];
    let (st, b) = s.push(&t, "tablet-1", &batch).await;
    assert_eq!(st, 200, "{b}");
    let r: PushResponse = serde_json::from_value(b).unwrap();
    assert_eq!(r.last_mutation_id, 4);
    let codes: Vec<(u64, &str)> = r
        .rejected
        .iter()
        .map(|r| (r.mutation_id, r.code.as_str()))
        .collect();
    // Out of scope answers as not found: other districts' records are not revealed.
    assert_eq!(codes, [(1, "invalid"), (2, "not_found"), (3, "not_found")]);
    assert!(
        r.rejected[0].message.vi.contains("nội dung"),
        "the officer reads why, in Vietnamese"
    );
    let v = s.visits(&t).await;
    assert_eq!(
        v.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        ["v-good"]
    );
    // A retry does not report or apply them again.
    let (_, b) = s.push(&t, "tablet-1", &batch).await;
    assert_eq!(b["rejected"], json!([]));

    // A supervisor does not submit visit reports.
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let (_, b) = s
        .push(
            &sup,
            "sup-tablet",
            &[submit(1, visit("v-sup", "coop-001", "x"))],
        )
        .await;
    assert_eq!(b["rejected"][0]["code"], "forbidden");
}

on_both!(each_user_sees_only_their_scope);
async fn each_user_sees_only_their_scope(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let hoalu = s.officer().await;
    let kimson = s.login("canbo.kimson", "hoptac-kimson").await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;

    let coops = |changes: &[Change]| -> Vec<String> {
        changes
            .iter()
            .filter_map(|c| {
                if let Change::Cooperative(c) = c {
                    Some(c.area_path.clone())
                } else {
                    None
                }
            })
            .collect()
    };
    let a = s.pull_all(&hoalu, "t-hoalu", 10).await;
    let ca = coops(&a);
    assert_eq!(ca.len(), 15);
    assert!(ca
        .iter()
        .all(|p| p.starts_with("NB/NB-HL/") || p.starts_with("NB/NB-GV/")));
    let k = s.pull_all(&kimson, "t-kimson", 500).await;
    assert_eq!(coops(&k).len(), 13);
    assert!(coops(&k)
        .iter()
        .all(|p| p.starts_with("NB/NB-KS/") || p.starts_with("NB/NB-YK/")));
    assert_eq!(coops(&s.pull_all(&sup, "t-sup", 2000).await).len(), 50);

    // Paging returns everything exactly once.
    let ids = |ch: &[Change]| -> Vec<String> {
        let mut v: Vec<String> = ch
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&s.pull_all(&hoalu, "t-hoalu", 3).await), ids(&a));

    // A report written in Hoa Lư reaches the supervisor, not the Kim Sơn officer.
    s.push(
        &hoalu,
        "t-hoalu",
        &[submit(1, visit("v-hl", "coop-001", "Hoa Lư"))],
    )
    .await;
    assert_eq!(s.visits(&sup).await.len(), 1);
    assert!(s.visits(&kimson).await.is_empty());
    assert!(!s
        .pull_all(&kimson, "t-kimson", 500)
        .await
        .iter()
        .any(|c| matches!(c, Change::Visit(_))));

    // A client id belongs to its first user.
    let (st, b) = s.push(&kimson, "t-hoalu", &[]).await;
    assert_eq!((st, b["code"].as_str()), (409, Some("client_mismatch")));
    let (st, _) = s.pull(&kimson, "t-hoalu", 0, None).await;
    assert_eq!(st, 409);
}

on_both!(openapi_lists_every_endpoint);
async fn openapi_lists_every_endpoint(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let (st, doc) = s.openapi().await;
    assert_eq!(st, 200);
    for (method, path) in hoptac_server::ENDPOINTS {
        let op = &doc["paths"][*path][method.to_lowercase()];
        assert!(
            op.is_object(),
            "{method} {path} is missing from the OpenAPI document"
        );
        // And the endpoint really exists (it answers something other than our 404).
        let (st, b) = s
            .call(
                method,
                path,
                None,
                if *method == "POST" {
                    Some(json!({}))
                } else {
                    None
                },
            )
            .await;
        assert!(
            !(st == 404 && b["code"] == "not_found"),
            "{method} {path} is documented but not routed"
        );
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        hoptac_server::ENDPOINTS.len(),
        "the document lists no endpoint the server lacks"
    );
}

on_both!(no_input_makes_the_server_fail);
async fn no_input_makes_the_server_fail(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    let bodies = [
        "", "null", "[]", "{}", "\"x\"", "{\"client_id\": \"\"}", "{\"client_id\": \"a b\", \"mutations\": []}",
        "{\"client_id\": \"c\", \"cursor\": -1}", "{\"client_id\": \"c\", \"cursor\": 0, \"limit\": 0}",
        "{\"client_id\": \"c\", \"mutations\": [{\"id\": 1, \"created_at\": 0, \"op\": {\"type\": \"nope\"}}]}",
        "{\"client_id\": \"c\", \"mutations\": [{\"id\": 18446744073709551614, \"created_at\": 0, \"op\": {\"type\": \"submit_visit\", \"data\": {}}}, {\"id\": 18446744073709551615, \"created_at\": 0, \"op\": {\"type\": \"submit_visit\", \"data\": {}}}]}",
        "{\"username\": \"\u{0000}\", \"password\": \"\"}", "\u{FEFF}{}", "{\"a\":",
    ];
    for (method, path) in hoptac_server::ENDPOINTS {
        for body in bodies {
            for token in [None, Some(t.as_str())] {
                let mut req = s
                    .http
                    .request(method.parse().unwrap(), format!("{}{}", s.url, path))
                    .header("content-type", "application/json")
                    .body(body);
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let resp = req.send().await.unwrap();
                let status = resp.status().as_u16();
                assert!(status < 500, "{method} {path} with {body:?}: {status}");
                if status >= 400 {
                    let b: Value = resp.json().await.unwrap_or(Value::Null);
                    assert!(
                        b["code"].is_string() && b["message"].is_string(),
                        "{method} {path} {body:?}: {b}"
                    );
                }
            }
        }
    }
    // The server still answers.
    assert_eq!(s.health(None).await.0, 200);
}

fn new_coop(id: &str, area: &str, name: &str) -> hoptac_core::model::Cooperative {
    serde_json::from_value(json!({
        "id": id, "kind": "tht", "name": name, "sector": "agriculture", "area_id": area,
        "area_path": "", "status": "active", "newly_established": true, "members": 9,
        "established_on": "2021-05-20", "chair_phone": "0912345678", "version": 0
    }))
    .unwrap()
}

on_both!(an_officer_registers_a_new_group_in_their_area_once);
async fn an_officer_registers_a_new_group_in_their_area_once(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let t = s.officer().await;
    let m = |id: u64, c| Mutation {
        id,
        created_at: 1,
        op: MutationOp::RegisterCooperative(c),
    };
    let batch = vec![
        m(
            1,
            new_coop("c-new-1", "NB-HL-NINHHAI", "THT Trồng sen Ninh Hải"),
        ),
        // Another district: refused.
        m(
            2,
            new_coop("c-new-2", "NB-KS-KIMCHINH", "THT Cói Kim Chính"),
        ),
        // A district is not a commune.
        m(3, new_coop("c-new-3", "NB-HL", "THT Huyện")),
        // Invalid phone.
        m(4, {
            let mut c = new_coop("c-new-4", "NB-HL-NINHHAI", "THT Sai số");
            c.chair_phone = Some("123".into());
            c
        }),
    ];
    for _ in 0..2 {
        let (st, b) = s.push(&t, "tablet-1", &batch).await;
        assert_eq!(st, 200, "{b}");
    }
    let (_, b) = s
        .push(
            &t,
            "tablet-2",
            &batch[..1]
                .iter()
                .cloned()
                .map(|mut x| {
                    x.id = 1;
                    x
                })
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(
        b["rejected"],
        json!([]),
        "the same registration from a re-imported export is not a duplicate"
    );
    let changes = s.pull_all(&t, "tablet-1", 500).await;
    let coops: Vec<_> = changes
        .iter()
        .filter_map(|c| {
            if let Change::Cooperative(c) = c {
                Some(c)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(coops.len(), 16, "15 + the new group");
    let new = coops.iter().find(|c| c.id == "c-new-1").unwrap();
    assert_eq!(new.area_path, "NB/NB-HL/NB-HL-NINHHAI/");
    assert_eq!(new.version, 1);
    assert!(new.newly_established);
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let (_, b) = s
        .push(
            &sup,
            "sup",
            &[m(1, new_coop("c-sup", "NB-HL-NINHHAI", "THT X"))],
        )
        .await;
    assert_eq!(b["rejected"][0]["code"], "forbidden");
}

fn coop_of(changes: &[Change], id: &str) -> hoptac_core::model::Cooperative {
    changes
        .iter()
        .rev()
        .find_map(|c| match c {
            Change::Cooperative(c) if c.id == id => Some(c.clone()),
            _ => None,
        })
        .unwrap()
}

fn conflicts_in(changes: &[Change]) -> Vec<hoptac_core::merge::Conflict> {
    changes
        .iter()
        .filter_map(|c| {
            if let Change::Conflict(c) = c {
                Some(c.clone())
            } else {
                None
            }
        })
        .collect()
}

on_both!(two_officers_edit_a_profile_offline_and_merge_field_by_field);
async fn two_officers_edit_a_profile_offline_and_merge_field_by_field(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let hoa = s.officer().await;
    let giang = s.login("canbo.giavien", "hoptac-giavien").await;
    let kien = s.login("canbo.kimson", "hoptac-kimson").await;
    let base = coop_of(&s.pull_all(&hoa, "t-hoa", 500).await, "coop-010");
    assert_eq!(base.version, 1);

    let now = edits_of_different_fields_from_one_base_both_stay(&s, &hoa, &giang, &base).await;
    let (sup, k) =
        one_field_set_to_two_values_is_one_conflict_keeping_both(&s, &hoa, &giang, &kien, &now)
            .await;
    only_someone_of_its_areas_resolves_the_conflict_and_only_once(&s, &hoa, &kien, &sup, &k).await;
    // An edit outside one's areas is refused and changes nothing.
    let (_, b) = s
        .push(
            &kien,
            "t-kien",
            &[Mutation {
                id: 2,
                ..edit(&base, 1, &|c| c.name = "X".into())
            }],
        )
        .await;
    assert_eq!(
        b["rejected"][0]["code"], "not_found",
        "as if it did not exist there"
    );
    assert_eq!(
        coop_of(&s.pull_all(&sup, "t-sup", 500).await, "coop-010").name,
        base.name
    );
}

/// An edit of the cooperative `base` made by `f`, as mutation `id`.
fn edit(
    base: &hoptac_core::model::Cooperative,
    id: u64,
    f: &dyn Fn(&mut hoptac_core::model::Cooperative),
) -> Mutation {
    let mut record = base.clone();
    f(&mut record);
    Mutation {
        id,
        created_at: 1,
        op: MutationOp::UpdateCooperative {
            base: base.clone(),
            record,
        },
    }
}

/// Different fields, both from the same base: both stay, no conflict. The record after.
async fn edits_of_different_fields_from_one_base_both_stay(
    s: &TestServer,
    hoa: &str,
    giang: &str,
    base: &hoptac_core::model::Cooperative,
) -> hoptac_core::model::Cooperative {
    let (_, b) = s
        .push(hoa, "t-hoa", &[edit(base, 1, &|c| c.members = Some(560))])
        .await;
    assert_eq!(b["rejected"], json!([]), "{b}");
    let (_, b) = s
        .push(
            giang,
            "t-giang",
            &[edit(base, 1, &|c| {
                c.chair_phone = Some("0987654321".into())
            })],
        )
        .await;
    assert_eq!(b["rejected"], json!([]), "{b}");
    let now = coop_of(&s.pull_all(giang, "t-giang", 500).await, "coop-010");
    assert_eq!(
        (now.members, now.chair_phone.as_deref(), now.version),
        (Some(560), Some("0987654321"), 3)
    );
    assert!(conflicts_in(&s.pull_all(giang, "t-giang", 500).await).is_empty());
    now
}

/// The same field to two values: the first stays, the second is one conflict (however
/// often retried) with both, seen by the supervisor and the officers of the area, not
/// another district. The supervisor's token and the conflict.
async fn one_field_set_to_two_values_is_one_conflict_keeping_both(
    s: &TestServer,
    hoa: &str,
    giang: &str,
    kien: &str,
    now: &hoptac_core::model::Cooperative,
) -> (String, hoptac_core::merge::Conflict) {
    use hoptac_core::merge::CoopField;
    let same = |id: u64, workers: u32| edit(now, id, &|c| c.workers = Some(workers));
    s.push(hoa, "t-hoa", &[same(2, 25)]).await;
    // Retried three times: one conflict, not three.
    for _ in 0..3 {
        let (st, b) = s.push(giang, "t-giang", &[same(2, 30)]).await;
        assert_eq!((st, b["rejected"].clone()), (200, json!([])));
    }
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let seen_by_sup = s.pull_all(&sup, "t-sup", 500).await;
    let conflicts = conflicts_in(&seen_by_sup);
    assert_eq!(conflicts.len(), 1, "the supervisor sees the one conflict");
    let k = &conflicts[0];
    assert_eq!(k.field, CoopField::Workers);
    assert_eq!(
        (k.theirs.workers, k.mine.workers),
        (Some(25), Some(30)),
        "both values are recorded"
    );
    assert_eq!(k.author_name, "Trần Văn Giang");
    assert!(k.is_open());
    assert_eq!(
        coop_of(&seen_by_sup, "coop-010").workers,
        Some(25),
        "nothing overwritten silently"
    );
    assert_eq!(
        conflicts_in(&s.pull_all(hoa, "t-hoa", 500).await).len(),
        1,
        "the officers see it too"
    );
    assert!(
        conflicts_in(&s.pull_all(kien, "t-kien", 500).await).is_empty(),
        "another district does not"
    );
    (sup, k.clone())
}

/// Another district's officer cannot resolve it (nor learn it exists); the supervisor
/// can, once: a later, different choice is refused naming who chose. The record keeps
/// the chosen value and both other edits.
async fn only_someone_of_its_areas_resolves_the_conflict_and_only_once(
    s: &TestServer,
    hoa: &str,
    kien: &str,
    sup: &str,
    k: &hoptac_core::merge::Conflict,
) {
    use hoptac_core::merge::Choice;
    let resolve = |id: u64, choice| Mutation {
        id,
        created_at: 1,
        op: MutationOp::ResolveConflict {
            conflict_id: k.id.clone(),
            choice,
        },
    };
    let (_, b) = s.push(kien, "t-kien", &[resolve(1, Choice::Mine)]).await;
    assert_eq!(
        b["rejected"][0]["code"], "not_found",
        "another district's conflict is not revealed"
    );
    let (_, b) = s.push(sup, "t-sup", &[resolve(1, Choice::Mine)]).await;
    assert_eq!(b["rejected"], json!([]), "{b}");
    let (_, b) = s.push(hoa, "t-hoa", &[resolve(3, Choice::Theirs)]).await;
    assert_eq!(
        b["rejected"][0]["code"], "invalid",
        "a later, different choice is refused: {b}"
    );
    assert!(b["rejected"][0]["message"]["vi"]
        .as_str()
        .unwrap()
        .contains("Lê Thị Tâm"));
    let after = s.pull_all(hoa, "t-hoa", 500).await;
    let c = coop_of(&after, "coop-010");
    assert_eq!(
        (c.workers, c.members, c.chair_phone.as_deref()),
        (Some(30), Some(560), Some("0987654321"))
    );
    let k = &conflicts_in(&after)[0];
    assert_eq!(
        k.resolution
            .as_ref()
            .map(|r| (r.choice, r.by_name.as_str())),
        Some((Choice::Mine, "Lê Thị Tâm"))
    );
}

on_both!(an_area_taken_from_an_officer_leaves_their_tablet_and_a_new_one_arrives);
async fn an_area_taken_from_an_officer_leaves_their_tablet_and_a_new_one_arrives(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let hoa = s.officer().await;
    let admin = s.login("quantri", "hoptac-quantri").await;
    // First sync: Hoa Lư and Gia Viễn.
    let (_, b) = s.pull(&hoa, "t-hoa", 0, Some(2000)).await;
    let cursor = b["cursor"].as_i64().unwrap();
    assert!(!b["has_more"].as_bool().unwrap());

    // Only an administrator assigns areas; unknown ids are refused with the reason.
    let (st, _) = s.set_user_areas(&hoa, "u-officer-hoalu", &["NB-HL"]).await;
    assert_eq!(st, 403);
    let (st, b) = s
        .set_user_areas(&admin, "u-officer-hoalu", &["NB-XX"])
        .await;
    assert_eq!(st, 400);
    assert!(b["message"].as_str().unwrap().contains("NB-XX"), "{b}");
    let (st, _) = s.set_user_areas(&admin, "nobody", &[]).await;
    assert_eq!(st, 404);

    // Gia Viễn is taken away, Kim Sơn given.
    let (st, b) = s
        .set_user_areas(&admin, "u-officer-hoalu", &["NB-HL", "NB-KS"])
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["scopes"], json!(["NB/NB-HL/", "NB/NB-KS/"]));
    let (_, b) = s.pull(&hoa, "t-hoa", cursor, Some(2000)).await;
    let page: PullResponse = serde_json::from_value(b).unwrap();
    let changes: Vec<Change> = page.changes.into_iter().map(|c| c.change).collect();
    assert!(
        changes.contains(&Change::AreaUnassigned {
            path: "NB/NB-GV/".into()
        }),
        "the tablet is told to drop Gia Viễn"
    );
    let new_coops = changes
        .iter()
        .filter(|c| matches!(c, Change::Cooperative(c) if c.area_path.starts_with("NB/NB-KS/")))
        .count();
    assert!(
        new_coops > 0,
        "Kim Sơn's cooperatives arrive at the next pull, though logged before the cursor"
    );
    assert!(!changes
        .iter()
        .any(|c| matches!(c, Change::Cooperative(c) if c.area_path.starts_with("NB/NB-GV/"))));
    // Another officer is not told about Hoa's areas.
    let kien = s.login("canbo.kimson", "hoptac-kimson").await;
    assert!(!s
        .pull_all(&kien, "t-kien", 500)
        .await
        .iter()
        .any(|c| matches!(c, Change::AreaUnassigned { .. })));
    // Work written while Gia Viễn was hers still reaches the server (stranded.rs has the
    // details); an area she never held stays out of reach.
    let (_, b) = s
        .push(
            &hoa,
            "t-hoa",
            &[
                submit(1, visit("v-gv", "coop-010", "Gia Hòa")),
                submit(2, visit("v-yk", "coop-023", "Yên Khánh")),
            ],
        )
        .await;
    assert_eq!(b["rejected"].as_array().unwrap().len(), 1, "{b}");
    assert_eq!(b["rejected"][0]["record_id"], "v-yk");
    // As if it did not exist: other districts' records are not revealed.
    assert_eq!(b["rejected"][0]["code"], "not_found");
}

on_both!(a_pull_running_during_concurrent_pushes_never_skips_a_change);
/// Twenty tablets push at once while another tablet pulls incrementally with its cursor
/// the whole time: every report reaches the puller (a change committed late is never
/// behind a cursor that already moved past it).
async fn a_pull_running_during_concurrent_pushes_never_skips_a_change(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let s = std::sync::Arc::new(s);
    let token = s.officer().await;
    // Another tablet of the area's officer reads what arrives (a supervisor's pull carries
    // no reports since issue 18: their queue is the server's).
    let sup = s.officer().await;
    let mut pushers = Vec::new();
    for k in 0..20 {
        let (s, token) = (s.clone(), token.clone());
        pushers.push(tokio::spawn(async move {
            for b in 0..5u64 {
                let m: Vec<Mutation> = (1..=4u64)
                    .map(|i| {
                        submit(
                            b * 4 + i,
                            visit(&format!("cc-{k}-{}", b * 4 + i), "coop-001", "đồng thời"),
                        )
                    })
                    .collect();
                let (st, body) = s.push(&token, &format!("tab-{k}"), &m).await;
                assert_eq!(st, 200, "{body}");
            }
        }));
    }
    let puller = {
        let s = s.clone();
        tokio::spawn(async move {
            let mut cursor = 0i64;
            let mut seen = std::collections::HashSet::new();
            for _ in 0..2000 {
                let (_, b) = s.pull(&sup, "sup-pull", cursor, Some(50)).await;
                let page: PullResponse = serde_json::from_value(b).unwrap();
                for c in page.changes {
                    if let Change::Visit(v) = c.change {
                        seen.insert(v.id);
                    }
                }
                cursor = page.cursor;
                if seen.len() == 400 {
                    break;
                }
                tokio::task::yield_now().await;
            }
            seen
        })
    };
    for p in pushers {
        p.await.unwrap();
    }
    let seen = puller.await.unwrap();
    assert_eq!(seen.len(), 400, "the incremental puller saw every report");
}

on_both!(a_report_returned_for_correction_comes_back_as_a_new_revision_and_is_approved);
/// Issue 5's loop through the API: submit → return (a comment is required) → the author's
/// tablet receives the comment → resubmit (a new revision; the old one kept) → the
/// reviewer sees exactly which fields changed → approve. Officers decide nothing; a
/// rejected report cannot be resubmitted. Every step is in the audit trail.
async fn a_report_returned_for_correction_comes_back_as_a_new_revision_and_is_approved(
    backend: Backend,
) {
    let Some(s) = start(backend).await else {
        return;
    };
    let hoa = s.officer().await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let mut v = visit("v-loop", "coop-001", "Doanh thu giảm");
    v.findings.finances.revenue_vnd = Some(1_000_000_000);
    let (_, b) = s.push(&hoa, "t-hoa", &[submit(1, v.clone())]).await;
    assert_eq!(b["rejected"], json!([]), "{b}");

    only_a_reviewer_returns_and_only_with_a_comment(&s, &hoa, &sup).await;
    let on_tablet = the_authors_tablet_receives_the_return_with_its_comment(&s, &hoa).await;
    the_resubmission_is_a_new_revision_showing_its_one_change(&s, &hoa, &sup, &on_tablet).await;
    an_approved_report_cannot_be_returned_again(&s, &sup).await;
    a_rejected_report_cannot_be_resubmitted(&s, &hoa, &sup).await;
    another_district_neither_reads_nor_comments_the_author_comments(&s, &hoa).await;
    the_audit_trail_has_every_step_with_old_and_new_values(&s, &hoa, &sup).await;
}

/// An officer decides nothing; a return needs a comment, and with one the report is
/// returned.
async fn only_a_reviewer_returns_and_only_with_a_comment(s: &TestServer, hoa: &str, sup: &str) {
    let (st, _) = s.decide(hoa, "v-loop", "approve", "").await;
    assert_eq!(st, 403);
    let (st, b) = s.decide(sup, "v-loop", "return", "  ").await;
    assert_eq!(st, 422);
    assert!(
        b["fields"][0]["message"]["vi"]
            .as_str()
            .unwrap()
            .contains("nhận xét"),
        "{b}"
    );
    let (st, b) = s
        .decide(
            sup,
            "v-loop",
            "return",
            "Doanh thu chưa đúng: kiểm tra lại sổ sách.",
        )
        .await;
    assert_eq!((st, b["status"].as_str()), (200, Some("returned")), "{b}");
}

/// The author's tablet receives the return with its comment and its reviewer's name: the
/// report as the tablet holds it.
async fn the_authors_tablet_receives_the_return_with_its_comment(
    s: &TestServer,
    hoa: &str,
) -> VisitReport {
    let on_tablet = s
        .pull_all(hoa, "t-hoa", 500)
        .await
        .into_iter()
        .find_map(|c| match c {
            Change::Visit(v) if v.id == "v-loop" => Some(v),
            _ => None,
        })
        .unwrap();
    assert_eq!(on_tablet.status, ReportStatus::Returned);
    assert_eq!(
        on_tablet.events.last().unwrap().text,
        "Doanh thu chưa đúng: kiểm tra lại sổ sách."
    );
    assert_eq!(on_tablet.events.last().unwrap().by_name, "Lê Thị Tâm");
    on_tablet
}

/// The officer fixes the revenue and resubmits, offline, as a mutation (sent twice): the
/// reviewer reads revision 2 beside the kept revision 1, with exactly that field changed.
async fn the_resubmission_is_a_new_revision_showing_its_one_change(
    s: &TestServer,
    hoa: &str,
    sup: &str,
    on_tablet: &VisitReport,
) {
    let mut fixed = on_tablet.clone();
    fixed.findings.finances.revenue_vnd = Some(1_200_000_000);
    fixed.revision = 2;
    let resubmit = Mutation {
        id: 2,
        created_at: 2,
        op: MutationOp::ResubmitVisit(fixed.clone()),
    };
    for _ in 0..2 {
        let (_, b) = s.push(hoa, "t-hoa", std::slice::from_ref(&resubmit)).await;
        assert_eq!(b["rejected"], json!([]), "{b}");
    }
    let d = s.report(sup, "v-loop").await;
    assert_eq!(
        (d.report.status, d.report.revision),
        (ReportStatus::Resubmitted, 2)
    );
    assert_eq!(
        d.previous.as_ref().map(|p| p.revision),
        Some(1),
        "the old revision is kept"
    );
    let paths: Vec<&str> = d.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["findings.finances.revenue_vnd"],
        "exactly the field the officer changed"
    );
    assert_eq!(
        (d.changes[0].old.as_str(), d.changes[0].new.as_str()),
        ("1000000000", "1200000000")
    );
}

/// Approve; an approved report cannot be returned again.
async fn an_approved_report_cannot_be_returned_again(s: &TestServer, sup: &str) {
    let (st, b) = s.decide(sup, "v-loop", "approve", "").await;
    assert_eq!((st, b["status"].as_str()), (200, Some("approved")), "{b}");
    let (st, b) = s.decide(sup, "v-loop", "return", "x").await;
    assert_eq!(st, 422);
    assert!(
        b["fields"][0]["message"]["vi"]
            .as_str()
            .unwrap()
            .contains("Đã duyệt"),
        "{b}"
    );
}

/// A rejected report cannot be resubmitted: the resubmission is refused as invalid.
async fn a_rejected_report_cannot_be_resubmitted(s: &TestServer, hoa: &str, sup: &str) {
    s.push(
        hoa,
        "t-hoa",
        &[submit(3, visit("v-rej", "coop-001", "Ghi chú"))],
    )
    .await;
    let (st, _) = s
        .decide(sup, "v-rej", "reject", "Trùng với phiếu khác")
        .await;
    assert_eq!(st, 200);
    let mut again = visit("v-rej", "coop-001", "Ghi chú sửa");
    again.revision = 2;
    let (_, b) = s
        .push(
            hoa,
            "t-hoa",
            &[Mutation {
                id: 4,
                created_at: 4,
                op: MutationOp::ResubmitVisit(again),
            }],
        )
        .await;
    assert_eq!(b["rejected"][0]["code"], "invalid", "{b}");
}

/// Another district's officer cannot read it (nor learn it exists: 404, as for an id that
/// does not exist) nor comment on it; the author may comment, and the state stays.
async fn another_district_neither_reads_nor_comments_the_author_comments(
    s: &TestServer,
    hoa: &str,
) {
    let kien = s.login("canbo.kimson", "hoptac-kimson").await;
    assert_eq!(s.try_report(&kien, "v-loop").await.0, 404);
    assert_eq!(s.try_report(&kien, "no-such-report").await.0, 404);
    let (st, _) = s.decide(&kien, "v-loop", "comment", "x").await;
    assert_eq!(
        st, 404,
        "another district's officer cannot even comment (nor learn it exists)"
    );
    let (st, b) = s
        .decide(hoa, "v-loop", "comment", "Đã bổ sung sổ sách.")
        .await;
    assert_eq!(
        (st, b["status"].as_str()),
        (200, Some("approved")),
        "the author may comment; the state stays"
    );
}

/// The audit trail (which officers do not read) has every step, by whom and from which
/// tablet, with each change's old and new value.
async fn the_audit_trail_has_every_step_with_old_and_new_values(
    s: &TestServer,
    hoa: &str,
    sup: &str,
) {
    use hoptac_core::queue::AuditEntry;
    assert_eq!(
        s.audit(hoa, "visit", "v-loop").await.0,
        403,
        "officers do not read the audit trail"
    );
    let (st, b) = s.audit(sup, "visit", "v-loop").await;
    assert_eq!(st, 200, "{b}");
    let trail: Vec<AuditEntry> = serde_json::from_value(b).unwrap();
    let steps: Vec<(&str, &str, Option<&str>)> = trail
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.actor_name.as_str(),
                e.client_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("submit", "Đinh Thị Hoa", Some("t-hoa")),
            ("return", "Lê Thị Tâm", None),
            ("resubmit", "Đinh Thị Hoa", Some("t-hoa")),
            ("approve", "Lê Thị Tâm", None),
            ("comment", "Đinh Thị Hoa", None),
        ]
    );
    let revenue = trail[2]
        .changes
        .iter()
        .find(|c| c.path == "findings.finances.revenue_vnd")
        .unwrap();
    assert_eq!(
        (revenue.old.as_str(), revenue.new.as_str()),
        ("1000000000", "1200000000"),
        "old value → new value"
    );
    assert!(trail[3]
        .changes
        .iter()
        .any(|c| c.path == "status" && c.old == "\"resubmitted\"" && c.new == "\"approved\""));
}

on_both!(the_six_monthly_review_adds_up_approved_reports_as_worked_out_by_hand);
/// Issue 5's review through the API on the demo province: Hoa Lư (coop-001..008) in
/// 2021-H1. Expected numbers worked out by hand below; targets set by the supervisor;
/// officers see only their areas and set no targets; the review and the submissions
/// come out as CSV (BOM) and XLSX (read back).
async fn the_six_monthly_review_adds_up_approved_reports_as_worked_out_by_hand(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let hoa = s.officer().await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    reports_of_2021_submitted_and_decided(&s, &hoa, &sup).await;
    only_the_supervisor_sets_targets_and_only_sensible_ones(&s, &hoa, &sup).await;

    let r = s.review(&sup, "period=2021-H1&area=NB-HL").await;
    assert_eq!(r.area_name, "Huyện Hoa Lư");
    let v = &r.review;
    // The figures travel without the records behind them; the drill-down asks for those.
    assert_eq!((v.report_count, v.reports.len()), (3, 0));
    assert!(v.new_tht.ids.is_empty() && v.difficulties.iter().all(|t| t.ids.is_empty()));
    the_reports_behind_it_list_by_name_a_page_at_a_time(&s, &sup).await;
    new_groups_and_standstill_come_with_their_records(&s, &sup, v).await;
    a_figure_or_year_the_review_lacks_is_a_422(&s, &sup).await;
    hoa_lus_figures_are_those_worked_out_by_hand(v);
    the_province_adds_up_its_districts_and_keeps_its_own_target(&s, &sup).await;
    scope_and_input_errors_are_refused(&s, &hoa, &sup).await;
    the_targets_have_an_audit_trail(&s, &sup).await;
    the_review_and_the_submissions_export_as_csv_and_xlsx(&s, &sup).await;
}

/// A visit report of Hoa Lư's officer on `coop`, dated `date`, with `findings`.
fn review_report(id: &str, coop: &str, date: &str, findings: Value) -> VisitReport {
    let mut v = visit(id, coop, "Khảo sát định kỳ");
    v.visit_date = date.into();
    v.findings = serde_json::from_value(findings).unwrap();
    v
}

/// A value chain's findings under `programme`.
fn chain(programme: Value) -> Value {
    json!({"in_value_chain": true, "stages": ["production"], "programme": programme})
}

/// The reports of 2021 the review counts, or must not, submitted by Hoa Lư's officer; the
/// supervisor returns r-e and approves the rest.
async fn reports_of_2021_submitted_and_decided(s: &TestServer, hoa: &str, sup: &str) {
    let reports = vec![
        // coop-001: two visits in H1; the later one (r-b) stands for it.
        review_report(
            "r-a",
            "coop-001",
            "2021-03-10",
            json!({
            "finances": {"revenue_vnd": 2_000, "revenue_last_year_vnd": 1_600},
            "difficulties": ["low_competitiveness"], "support": {"works_handed_over": 9}}),
        ),
        review_report(
            "r-b",
            "coop-001",
            "2021-05-20",
            json!({
            "finances": {"revenue_vnd": 3_000, "revenue_last_year_vnd": 2_000,
                         "member_income_vnd": 6_000_000, "member_income_last_year_vnd": 5_000_000},
            "value_chain": chain(json!("resolution113")),
            "difficulties": ["finding_markets"],
            "support": {"received": ["training"], "works_handed_over": 2},
            "compliance": {"tax_registered": true}}),
        ),
        review_report(
            "r-c",
            "coop-002",
            "2021-04-01",
            json!({
            "finances": {"revenue_vnd": 1_000, "revenue_last_year_vnd": 1_500},
            "value_chain": chain(Value::Null),
            "support": {"received": ["credit", "training"], "works_handed_over": 1}}),
        ),
        review_report(
            "r-d",
            "coop-003",
            "2021-06-30",
            json!({
            "operating_status": "standstill",
            "finances": {"revenue_vnd": 700},
            "difficulties": ["weak_finances", "finding_markets"],
            "compliance": {"tax_registered": true}}),
        ),
        // Not counted: returned (r-e), the second half (r-f), another district (r-g).
        review_report(
            "r-e",
            "coop-004",
            "2021-02-01",
            json!({"finances": {"revenue_vnd": 99, "revenue_last_year_vnd": 1}}),
        ),
        review_report(
            "r-f",
            "coop-005",
            "2021-07-01",
            json!({"finances": {"revenue_vnd": 99, "revenue_last_year_vnd": 1}}),
        ),
        review_report(
            "r-g",
            "coop-009",
            "2021-03-01",
            json!({"finances": {"revenue_vnd": 500, "revenue_last_year_vnd": 500}}),
        ),
    ];
    let batch: Vec<Mutation> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| submit(i as u64 + 1, r.clone()))
        .collect();
    let (_, b) = s.push(hoa, "t-review", &batch).await;
    assert_eq!(b["rejected"], json!([]), "{b}");
    for r in &reports {
        let (action, text) = if r.id == "r-e" {
            ("return", "Thiếu số liệu")
        } else {
            ("approve", "")
        };
        let (st, b) = s.decide(sup, &r.id, action, text).await;
        assert_eq!(st, 200, "{b}");
    }
}

/// Targets: the supervisor sets Hoa Lư's; an officer may not; nonsense is refused.
async fn only_the_supervisor_sets_targets_and_only_sensible_ones(
    s: &TestServer,
    hoa: &str,
    sup: &str,
) {
    let targets = json!({"period": "2021-H1", "area_id": "NB-HL",
        "targets": {"new_htx": 2, "new_tht": 3, "works_handed_over": 5}});
    let (st, _) = s.set_targets(hoa, targets.clone()).await;
    assert_eq!(st, 403, "an officer sets no targets");
    let (st, b) = s
        .set_targets(
            sup,
            json!({"period": "2021-H1", "area_id": "NB-HL", "targets": {"new_htx": 1_000_000}}),
        )
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("new_htx")),
        "{b}"
    );
    let (st, b) = s.set_targets(sup, targets).await;
    assert_eq!(st, 200, "{b}");
}

/// The records behind one figure of Hoa Lư's 2021-H1 review (`query` adds to the address).
async fn records(
    s: &TestServer,
    sup: &str,
    figure: &str,
    query: &str,
) -> hoptac_core::six_month::RecordsPage {
    let (st, b) = s
        .try_review_records(
            sup,
            &format!("period=2021-H1&area=NB-HL&figure={figure}{query}"),
        )
        .await;
    assert_eq!(st, 200, "{figure}: {b}");
    serde_json::from_value::<hoptac_core::six_month::RecordsPage>(b).unwrap()
}

/// The ids of a page of records, in its order.
fn ids(p: &hoptac_core::six_month::RecordsPage) -> Vec<String> {
    p.records.iter().map(|x| x.id.clone()).collect()
}

/// The reports behind the review are listed by their cooperative's name, each named for
/// the drill-down, a page at a time.
async fn the_reports_behind_it_list_by_name_a_page_at_a_time(s: &TestServer, sup: &str) {
    let reports = records(s, sup, "reports", "").await;
    // Listed by the cooperative's name, as a supervisor looks one up ("Dịch vụ" before
    // "Du lịch": letters folded, as the registry sorts).
    assert_eq!(
        (ids(&reports), reports.total, reports.next),
        (vec!["r-c".into(), "r-d".into(), "r-b".into()], 3, None)
    );
    let names: Vec<&str> = reports.records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "HTX Dịch vụ nông nghiệp Ninh Giang",
            "HTX Du lịch Tràng An",
            "HTX Thêu ren Văn Lâm"
        ]
    );
    // Each named for the drill-down: a report by its cooperative, date and author.
    let b = &reports.records[2];
    assert_eq!(
        (b.entity.as_str(), b.name.as_str(), b.visit_date.is_empty()),
        ("visit", "HTX Thêu ren Văn Lâm", false)
    );
    // A page at a time: two, then the third from `next`.
    let first = records(s, sup, "reports", "&limit=2").await;
    assert_eq!(
        (ids(&first), first.next),
        (vec!["r-c".into(), "r-d".into()], Some(2))
    );
    let rest = records(s, sup, "reports", "&limit=2&offset=2").await;
    assert_eq!(
        (ids(&rest), rest.offset, rest.next),
        (vec!["r-b".into()], 2, None)
    );
    let past = records(s, sup, "reports", "&offset=99").await;
    assert_eq!((past.records.len(), past.total, past.next), (0, 3, None));
}

/// New THT (coop-006, coop-007; no HTX founded in H1), the one at a standstill and a
/// difficulty each come with the records behind them; last year's figure is its own list.
async fn new_groups_and_standstill_come_with_their_records(
    s: &TestServer,
    sup: &str,
    v: &hoptac_core::six_month::SixMonthReview,
) {
    // New: THT coop-006 (2021-03-23) and coop-007 (2021-05-05); no HTX founded in H1.
    assert_eq!((v.new_htx.value, v.new_htx.target), (0, Some(2)));
    assert_eq!((v.new_tht.value, v.new_tht.target), (2, Some(3)));
    let tht = records(s, sup, "new_tht", "").await;
    assert_eq!(ids(&tht), ["coop-007", "coop-006"]);
    assert_eq!(
        (tht.records[0].entity.as_str(), tht.records[0].name.as_str()),
        ("cooperative", "THT Du lịch cộng đồng Ninh Hải")
    );
    assert_eq!(v.standstill.value, 1);
    assert_eq!(ids(&records(s, sup, "standstill", "").await), ["coop-003"]);
    assert_eq!(
        records(s, sup, "difficulties:finding_markets", "")
            .await
            .total,
        2
    );
    assert_eq!(
        records(s, sup, "difficulties:no_such_item", "").await.total,
        0
    );
    // Last year's figure is its own list (2020-H1: nothing approved here).
    let ly = records(s, sup, "reports", "&last_year=true").await;
    assert_eq!((ly.period.as_str(), ly.total), ("2020-H1", 0));
}

/// A figure the review does not have, a year before the first, or another province's
/// area: a clear 422, nothing computed.
async fn a_figure_or_year_the_review_lacks_is_a_422(s: &TestServer, sup: &str) {
    // A figure the review does not have: a clear 422 in Vietnamese, nothing computed.
    for bad in ["colour", "ids_of", "reports:x", ""] {
        let (st, b) = s
            .try_review_records(sup, &format!("period=2021-H1&area=NB-HL&figure={bad}"))
            .await;
        assert_eq!(st, 422, "{bad}: {b}");
        assert!(b.to_string().contains("chỉ tiêu"), "{b}");
    }
    // The first year there is has no year before it: said so, not "no such figure".
    let (st, b) = s
        .try_review_records(
            sup,
            "period=0000-H1&area=NB-HL&figure=reports&last_year=true",
        )
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("last_year")),
        "{b}"
    );
    assert!(b.to_string().contains("năm trước"), "{b}");
    // Another province's area: refused like the review itself.
    let (st, _) = s
        .try_review_records(sup, "period=2021-H1&area=NOWHERE&figure=reports")
        .await;
    assert_eq!(st, 422);
}

/// Hoa Lư's revenue, income, value chains, works, difficulties, tax and support are the
/// numbers worked out by hand from r-b, r-c and r-d.
fn hoa_lus_figures_are_those_worked_out_by_hand(v: &hoptac_core::six_month::SixMonthReview) {
    // Revenue over r-b and r-c (r-d gives no last-year figure): 4,000 against 3,500.
    assert_eq!((v.revenue_vnd.now, v.revenue_vnd.last_year), (4_000, 3_500));
    assert!((v.revenue_vnd.change_pct.unwrap() - 500.0 * 100.0 / 3_500.0).abs() < 1e-9);
    assert_eq!(
        (v.member_income_vnd.now, v.member_income_vnd.last_year),
        (6_000_000, 5_000_000)
    );
    let chains: Vec<(&str, &str, i64)> = v
        .value_chains
        .iter()
        .map(|t| (t.key.as_str(), t.label.vi.as_str(), t.count))
        .collect();
    assert_eq!(
        chains,
        vec![
            ("resolution113", "Nghị quyết 113 của HĐND tỉnh", 1),
            ("", "Không rõ chương trình", 1)
        ]
    );
    assert_eq!(
        (v.works_handed_over.value, v.works_handed_over.target),
        (3, Some(5))
    );
    let d: Vec<(&str, i64)> = v
        .difficulties
        .iter()
        .map(|t| (t.key.as_str(), t.count))
        .collect();
    assert_eq!(d, vec![("weak_finances", 1), ("finding_markets", 2)]);
    assert_eq!((v.tax_registered.value, v.tax_of), (2, 3));
    let sup_kinds: Vec<(&str, i64)> = v
        .support_received
        .iter()
        .map(|t| (t.key.as_str(), t.count))
        .collect();
    assert_eq!(sup_kinds, vec![("training", 2), ("credit", 1)]);
}

/// The province: Gia Viễn's r-g joins; the targets add up from the districts beneath,
/// and a target set for the province itself stands alone (issue 16).
async fn the_province_adds_up_its_districts_and_keeps_its_own_target(s: &TestServer, sup: &str) {
    // (`ids=true`: with the ids behind every figure.)
    let p = s.review(sup, "period=2021-H1&ids=true").await;
    assert_eq!(p.review.reports, vec!["r-b", "r-c", "r-d", "r-g"]);
    assert_eq!(
        (p.review.revenue_vnd.now, p.review.revenue_vnd.last_year),
        (4_500, 4_000)
    );
    assert_eq!(p.review.new_htx.target, Some(2));
    // The province's new HTX in 2021-H1: coop-012, 024, 033, 042, 048.
    assert_eq!(p.review.new_htx.value, 5);
    // A target set for the province itself stands alone: never added to its districts'
    // (issue 16); a figure it leaves unset still comes from the districts.
    let (st, b) = s
        .set_targets(
            sup,
            json!({"period": "2021-H1", "area_id": "NB",
            "targets": {"new_htx": 10}}),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let p = s.review(sup, "period=2021-H1").await;
    assert_eq!(
        (
            p.review.new_htx.target,
            p.review.new_tht.target,
            p.review.works_handed_over.target
        ),
        (Some(10), Some(3), Some(5))
    );
}

/// Scope and input errors: another district's review and records are refused to an
/// officer, an impossible half-year or unknown area to anyone.
async fn scope_and_input_errors_are_refused(s: &TestServer, hoa: &str, sup: &str) {
    let (st, _) = s.try_review(hoa, "period=2021-H1&area=NB-KS").await;
    assert_eq!(st, 403, "Kim Sơn is not Hoa Lư's officer's");
    let (st, _) = s
        .try_review_records(hoa, "period=2021-H1&area=NB-KS&figure=reports")
        .await;
    assert_eq!(st, 403, "nor the records behind its figures");
    let (st, b) = s.try_review(sup, "period=2021-H3").await;
    assert_eq!(st, 422);
    assert!(
        b["fields"][0]["message"]["vi"]
            .as_str()
            .unwrap()
            .contains("2021-H2"),
        "{b}"
    );
    let (st, _) = s.try_review(sup, "period=2021-H1&area=NOWHERE").await;
    assert_eq!(st, 422);
}

/// The targets' audit trail names who set them and what changed.
async fn the_targets_have_an_audit_trail(s: &TestServer, sup: &str) {
    let (st, b) = s.audit(sup, "targets", "2021-H1:NB-HL").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b[0]["actor_name"], "Lê Thị Tâm");
    assert!(
        b[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"] == "new_tht" && c["new"] == "3"),
        "{b}"
    );
}

/// `GET path` as `token`: status, content type and body.
async fn get_file(s: &TestServer, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let resp = s
        .http
        .get(format!("{}{}", s.url, path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let st = resp.status().as_u16();
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    (st, ct, resp.bytes().await.unwrap().to_vec())
}

/// The review comes out as CSV (with a BOM, so Excel reads UTF-8) and XLSX with the same
/// figures, the approved submissions as XLSX; an unknown status is refused.
async fn the_review_and_the_submissions_export_as_csv_and_xlsx(s: &TestServer, sup: &str) {
    let get = |path: &'static str| get_file(s, sup, path);
    let (st, ct, csv) = get("/api/review/export?period=2021-H1&area=NB-HL&format=csv").await;
    assert_eq!((st, ct.as_str()), (200, "text/csv; charset=utf-8"));
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
    assert!(csv.contains("\r\nTHT thành lập mới,2,3,\r\n"), "{csv}");
    assert!(
        csv.contains("\r\nTổng doanh thu (đồng),4000,3500,14.3\r\n"),
        "{csv}"
    );
    let (st, _, xlsx) = get("/api/review/export?period=2021-H1&area=NB-HL&format=xlsx").await;
    assert_eq!(st, 200);
    let rows = read_xlsx(xlsx);
    let revenue = rows
        .iter()
        .find(|r| r[0] == "Tổng doanh thu (đồng)")
        .expect("revenue row");
    assert_eq!((revenue[1].as_str(), revenue[2].as_str()), ("4000", "3500"));

    let (st, _, xlsx) =
        get("/api/visits/export?status=approved&period=2021-H1&area=NB/NB-HL/").await;
    assert_eq!(st, 200);
    let rows = read_xlsx(xlsx);
    assert_eq!(rows[0][0], "Mã phiếu");
    let mut ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    ids.sort();
    assert_eq!(ids, vec!["r-a", "r-b", "r-c", "r-d"]);
    let rb = rows.iter().find(|r| r[0] == "r-b").unwrap();
    assert_eq!(
        (rb[1].as_str(), rb[6].as_str(), rb[8].as_str()),
        ("HTX Thêu ren Văn Lâm", "Đã duyệt", "3000")
    );
    let (st, _, _) = get("/api/visits/export?status=lost").await;
    assert_eq!(st, 422);
}

/// The first sheet of an XLSX file as text cells (numbers without decimals when whole).
fn read_xlsx(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("a valid XLSX file");
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

on_both!(metrics_count_routes_and_refused_mutations);
/// Issue 18: /metrics counts answers by route pattern (never an id) and status, and the
/// mutations refused in pushes by code; without a token it answers only a request made
/// on this machine directly (not one a proxy forwards). Readiness says the database and
/// the photo store answer.
async fn metrics_count_routes_and_refused_mutations(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let (st, b) = s.ready().await;
    assert_eq!((st, b), (200, json!({"status": "ready"})));
    // A supervisor's report is refused (only officers submit).
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let (st, b) = s
        .push(&sup, "tab-sup", &[submit(1, visit("m-1", "coop-001", "x"))])
        .await;
    assert_eq!(
        (st, b["rejected"][0]["code"].as_str()),
        (200, Some("forbidden")),
        "{b}"
    );
    let (st, _) = s.try_report(&sup, "no-such-report").await;
    assert_eq!(st, 404);
    let metrics = |forwarded: bool| {
        let mut r = s.http.get(format!("{}/metrics", s.url));
        if forwarded {
            r = r.header("x-forwarded-for", "203.0.113.9");
        }
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (st, text) = metrics(false).await;
    assert_eq!(st, 200, "{text}");
    for line in [
        r#"hoptac_sync_rejected_mutations_total{code="forbidden"} 1"#,
        r#"hoptac_http_requests_total{method="POST",route="/api/sync/push",status="200"} 1"#,
        r#"hoptac_http_requests_total{method="GET",route="/api/visits/{id}",status="404"} 1"#,
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    assert!(!text.contains("no-such-report"), "routes, never ids");
    assert_eq!(metrics(true).await.0, 404, "not through a proxy");
}
