//! Issue 14: the server cannot be fooled. Fields only the server decides (a property test
//! over every mutation type), an administrator's scope, writes racing on PostgreSQL, no
//! 5xx for any input, the sign-in brake, what health and the log reveal. Every test runs
//! on SQLite and PostgreSQL (`on_both!`, see common/mod.rs).

mod common;

use common::*;
use hoptac_core::decisions::{Action, ReviewEvent};
use hoptac_core::keyed::Keyed;
use hoptac_core::model::{Cooperative, ReportStatus, VisitReport};
use hoptac_core::sync::{Change, Mutation, MutationOp, PullResponse, PushResponse};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

const SUPERVISOR: (&str, &str) = ("giamsat", "hoptac-giamsat");
const ADMIN: (&str, &str) = ("quantri", "hoptac-quantri");
const OFFICER_GV: (&str, &str) = ("canbo.giavien", "hoptac-giavien");

fn mutation(id: u64, op: MutationOp) -> Mutation {
    Mutation {
        id,
        created_at: 1_700_000_000_000,
        op,
    }
}

fn coop(id: &str, area: &str) -> Cooperative {
    serde_json::from_value(json!({
        "id": id, "kind": "htx", "name": "HTX Thử", "sector": "agriculture", "area_id": area,
        "area_path": "", "status": "active", "members": 9, "established_on": "2021-05-20",
        "chair_phone": "0912345678", "version": 0
    }))
    .unwrap()
}

impl TestServer {
    async fn push_ok(&self, token: &str, client: &str, ms: &[Mutation]) -> PushResponse {
        let (st, b) = self.push(token, client, ms).await;
        assert_eq!(st, 200, "{b}");
        serde_json::from_value(b).unwrap()
    }

    async fn sync_log_rows(&self) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sync_log")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    async fn audit_actions(&self, entity: &str, id: &str) -> Vec<String> {
        let t = self.login(ADMIN.0, ADMIN.1).await;
        let (st, b) = self.audit(&t, entity, id).await;
        assert_eq!(st, 200, "{b}");
        b.as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// 1. Fields only the server decides.

/// What a dishonest tablet puts in the fields only the server decides.
#[derive(Debug, Clone)]
struct Forged {
    author_id: String,
    author_name: String,
    area_path: String,
    area_id: String,
    status: ReportStatus,
    revision: u32,
    received_at: Option<i64>,
    version: i64,
    events: Vec<ReviewEvent>,
}

fn forged() -> impl Strategy<Value = Forged> {
    let text = "\\PC{0,12}";
    let event = (
        proptest::sample::select(Action::VALUES.to_vec()),
        text,
        text,
        any::<i64>(),
        text,
        any::<u32>(),
    )
        .prop_map(|(action, by_id, by_name, at, text, revision)| ReviewEvent {
            action,
            by_id,
            by_name,
            at,
            text,
            revision,
        });
    (
        (
            text,
            text,
            text,
            proptest::sample::select(vec!["NB-KS-KIMDONG", "NB", "nowhere", ""]),
        ),
        proptest::sample::select(ReportStatus::VALUES.to_vec()),
        any::<u32>(),
        proptest::option::of(any::<i64>()),
        any::<i64>(),
        proptest::collection::vec(event, 0..3),
    )
        .prop_map(
            |(
                (author_id, author_name, area_path, area_id),
                status,
                revision,
                received_at,
                version,
                events,
            )| Forged {
                author_id,
                author_name,
                area_path,
                area_id: area_id.to_string(),
                status,
                revision,
                received_at,
                version,
                events,
            },
        )
}

impl Forged {
    fn visit(&self, v: &VisitReport) -> VisitReport {
        VisitReport {
            author_id: self.author_id.clone(),
            author_name: self.author_name.clone(),
            area_path: self.area_path.clone(),
            status: self.status,
            revision: self.revision,
            received_at: self.received_at,
            events: self.events.clone(),
            ..v.clone()
        }
    }

    fn coop(&self, c: &Cooperative) -> Cooperative {
        Cooperative {
            area_path: self.area_path.clone(),
            version: self.version,
            ..c.clone()
        }
    }

    /// A profile edit may also claim to move the cooperative elsewhere.
    fn edit(&self, c: &Cooperative) -> Cooperative {
        Cooperative {
            area_id: self.area_id.clone(),
            ..self.coop(c)
        }
    }
}

struct Tokens {
    officer: String,
    officer_gv: String,
    supervisor: String,
}

/// Every mutation type, as an honest tablet sends it (`f` None) or with forged
/// server-owned fields: register, submit, two profile edits (one a conflict), the
/// conflict's resolution, a resubmission after a return. Ids carry `key`.
async fn every_mutation(s: &TestServer, t: &Tokens, key: &str, f: Option<&Forged>) {
    let coop_id = format!("coop-{key}");
    let visit_id = format!("visit-{key}");
    let (c1, c2) = (format!("c1-{key}"), format!("c2-{key}"));
    let registered = coop(&coop_id, "NB-GV-GIASINH");
    let mut v = visit(&visit_id, &coop_id, "Làm việc với ban giám đốc");
    v.author_id = "u-officer-hoalu".into();
    // What the tablet holds after its pull: the server's record.
    let base = Cooperative {
        area_path: "NB/NB-GV/NB-GV-GIASINH/".into(),
        version: 1,
        ..registered.clone()
    };
    let edit_gv = Cooperative {
        chair_name: Some("Nguyễn Văn An".into()),
        members: Some(20),
        ..base.clone()
    };
    let edit_hl = Cooperative {
        chair_name: Some("Trần Thị Bình".into()),
        ..base.clone()
    };
    let (reg, sub, eb, eg, eh) = match f {
        None => (
            registered.clone(),
            v.clone(),
            base.clone(),
            edit_gv,
            edit_hl,
        ),
        Some(f) => (
            f.coop(&registered),
            f.visit(&v),
            f.coop(&base),
            f.edit(&edit_gv),
            f.edit(&edit_hl),
        ),
    };
    let r = s
        .push_ok(
            &t.officer,
            &c1,
            &[
                mutation(1, MutationOp::RegisterCooperative(reg)),
                mutation(2, MutationOp::SubmitVisit(sub)),
            ],
        )
        .await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    let r = s
        .push_ok(
            &t.officer_gv,
            &c2,
            &[mutation(
                1,
                MutationOp::UpdateCooperative {
                    base: eb.clone(),
                    record: eg,
                },
            )],
        )
        .await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    let r = s
        .push_ok(
            &t.officer,
            &c1,
            &[
                mutation(
                    3,
                    MutationOp::UpdateCooperative {
                        base: eb,
                        record: eh,
                    },
                ),
                mutation(
                    4,
                    MutationOp::ResolveConflict {
                        conflict_id: format!("{c1}-3-chair_name"),
                        choice: hoptac_core::merge::Choice::Mine,
                    },
                ),
            ],
        )
        .await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    let (st, b) = s
        .decide(&t.supervisor, &visit_id, "return", "Bổ sung doanh thu")
        .await;
    assert_eq!(st, 200, "{b}");
    let mut fixed = VisitReport {
        note: "Đã bổ sung doanh thu".into(),
        revision: 2,
        status: ReportStatus::Resubmitted,
        ..v
    };
    fixed.findings.finances.revenue_vnd = Some(1_250_000_000);
    let fixed = match f {
        None => fixed,
        Some(f) => f.visit(&fixed),
    };
    let r = s
        .push_ok(
            &t.officer,
            &c1,
            &[mutation(5, MutationOp::ResubmitVisit(fixed))],
        )
        .await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
}

/// The server's clock readings set to null, so two runs compare.
fn without_times(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if matches!(k.as_str(), "received_at" | "at" | "created_at") {
                    *x = Value::Null;
                } else {
                    without_times(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(without_times),
        _ => {}
    }
}

/// What tablets and the supervisor see of case `key`: every change naming it that the
/// supervisor pulls (the cooperative, the conflict) and the report as the officer's
/// tablet pulls it (a supervisor's pull carries no reports since issue 18), and the
/// report's detail (with its previous revision).
async fn seen(s: &TestServer, t: &Tokens, key: &str) -> Vec<Value> {
    let mut out: Vec<Value> = s
        .pull_all(&t.supervisor, &format!("sup-{key}"), 500)
        .await
        .into_iter()
        .chain(
            s.pull_all(&t.officer, &format!("reader-{key}"), 500)
                .await
                .into_iter()
                .filter(|c| matches!(c, Change::Visit(_))),
        )
        .map(|c| serde_json::to_value(c).unwrap())
        .filter(|c| c.to_string().contains(key))
        .collect();
    let (st, detail) = s.try_report(&t.supervisor, &format!("visit-{key}")).await;
    assert_eq!(st, 200, "{detail}");
    out.push(detail);
    out.iter_mut().for_each(without_times);
    out
}

async fn tokens(s: &TestServer) -> Tokens {
    Tokens {
        officer: s.officer().await,
        officer_gv: s.login(OFFICER_GV.0, OFFICER_GV.1).await,
        supervisor: s.login(SUPERVISOR.0, SUPERVISOR.1).await,
    }
}

on_both!(what_only_the_server_decides_cannot_be_forged_by_any_mutation);
async fn what_only_the_server_decides_cannot_be_forged_by_any_mutation(backend: Backend) {
    let (Some(honest), Some(forging)) = (start(backend).await, start(backend).await) else {
        return;
    };
    let (th, tf) = (tokens(&honest).await, tokens(&forging).await);
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(12);
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..Default::default()
    });
    let counter = AtomicU32::new(0);
    let rt = tokio::runtime::Handle::current();
    let result = runner.run(&forged(), |f| {
        let key = format!("k{}", counter.fetch_add(1, Ordering::Relaxed));
        let (h, g) = tokio::task::block_in_place(|| {
            rt.block_on(async {
                every_mutation(&honest, &th, &key, None).await;
                every_mutation(&forging, &tf, &key, Some(&f)).await;
                (
                    seen(&honest, &th, &key).await,
                    seen(&forging, &tf, &key).await,
                )
            })
        });
        prop_assert_eq!(
            h.len(),
            4,
            "the cooperative, the conflict, the report, its detail: {:?}",
            h
        );
        prop_assert_eq!(h, g);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // What the honest run stored is what an honest run should store.
    let changes = honest.pull_all(&th.officer, "officer-check", 500).await;
    let report = changes
        .iter()
        .find_map(|c| match c {
            Change::Visit(v) if v.id == "visit-k0" => Some(v.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(report.author_id, "u-officer-hoalu");
    assert_eq!(report.status, ReportStatus::Resubmitted);
    assert_eq!(report.revision, 2);
    let actions: Vec<Action> = report.events.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        vec![Action::Return, Action::Resubmit],
        "only the thread the server wrote"
    );
}

// ---------------------------------------------------------------------------------------
// 2. An administrator grants only areas inside their own scope; every change is audited.

async fn add_user(
    s: &TestServer,
    id: &str,
    username: &str,
    password: &str,
    role: &str,
    areas: &[&str],
) {
    let hash = hoptac_server::rules::accounts::hash_password(password).await;
    sqlx::query("INSERT INTO users (id, username, password_hash, display_name, role, created_at) VALUES ($1, $2, $3, $4, $5, 0)")
        .bind(id)
        .bind(username)
        .bind(hash)
        .bind(username)
        .bind(role)
        .execute(&s.pool)
        .await
        .unwrap();
    for a in areas {
        sqlx::query("INSERT INTO assignments (user_id, area_id) VALUES ($1, $2)")
            .bind(id)
            .bind(a)
            .execute(&s.pool)
            .await
            .unwrap();
    }
}

on_both!(an_administrator_grants_only_areas_inside_their_own_scope);
async fn an_administrator_grants_only_areas_inside_their_own_scope(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    add_user(
        &s,
        "u-admin-hl",
        "quantri.hoalu",
        "hoptac-qthl",
        "admin",
        &["NB-HL"],
    )
    .await;
    add_user(&s, "u-new", "canbo.moi", "hoptac-moi", "officer", &[]).await;
    let district_admin = s.login("quantri.hoalu", "hoptac-qthl").await;
    let put = |token: String, user: &'static str, areas: &'static [&'static str]| {
        let s = &s;
        async move { s.set_user_areas(&token, user, areas).await }
    };
    // Inside: a commune of Hoa Lư.
    let (st, b) = put(district_admin.clone(), "u-new", &["NB-HL-NINHHAI"]).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["scopes"], json!(["NB/NB-HL/NB-HL-NINHHAI/"]));
    // Outside: Gia Viễn, or the whole province.
    let outside: [&'static [&'static str]; 3] =
        [&["NB-GV"], &["NB-HL-NINHHAI", "NB"], &["NB-GV-GIASINH"]];
    for areas in outside {
        let (st, b) = put(district_admin.clone(), "u-new", areas).await;
        assert_eq!(
            (st, b["code"].as_str()),
            (403, Some("forbidden")),
            "{areas:?}: {b}"
        );
    }
    // A user holding an area outside the administrator's scope cannot be changed by them,
    // and is not named (issue 15: it was a 403 saying which areas the user covers).
    let (st, b) = put(district_admin.clone(), "u-officer-hoalu", &["NB-HL"]).await;
    assert_eq!(st, 404, "{b}");
    assert!(!b.to_string().contains("NB-GV"), "{b}");
    // The provincial administrator may; their change is audited with who, old → new.
    let admin = s.login(ADMIN.0, ADMIN.1).await;
    let (st, b) = put(admin.clone(), "u-new", &["NB-HL-NINHHAI", "NB-GV"]).await;
    assert_eq!(st, 200, "{b}");
    let (st, trail) = s.audit(&admin, "user_areas", "u-new").await;
    assert_eq!(st, 200, "{trail}");
    let trail = trail.as_array().unwrap();
    assert_eq!(trail.len(), 2, "two changes: {trail:?}");
    assert_eq!(trail[0]["actor_id"], "u-admin-hl");
    assert_eq!(trail[1]["actor_id"], "u-admin");
    let change = &trail[1]["changes"][0];
    assert_eq!(change["path"], "areas");
    assert_eq!(
        change["old"],
        json!(["NB/NB-HL/NB-HL-NINHHAI/"]).to_string()
    );
    assert_eq!(
        change["new"],
        json!(["NB/NB-GV/", "NB/NB-HL/NB-HL-NINHHAI/"]).to_string()
    );
    // A supervisor may not read account changes; the history says from when.
    let sup = s.login(SUPERVISOR.0, SUPERVISOR.1).await;
    assert_eq!(s.audit(&sup, "user_areas", "u-new").await.0, 403);
    let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT area_path, until_ms FROM assignment_history WHERE user_id = 'u-new' ORDER BY area_path",
    )
    .fetch_all(&s.pool)
    .await
    .unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.0.as_str(), r.1.is_some()))
            .collect::<Vec<_>>(),
        vec![("NB/NB-GV/", false), ("NB/NB-HL/NB-HL-NINHHAI/", false)]
    );
}

// ---------------------------------------------------------------------------------------
// 3. Writes racing (on PostgreSQL above all: SQLite serialises writers by itself).

const ROUNDS: usize = 20;

/// A fresh report of canbo.hoalu's, submitted from its own client.
async fn fresh_report(s: &TestServer, officer: &str, key: &str) -> String {
    let id = format!("race-{key}");
    let r = s
        .push_ok(
            officer,
            &format!("cl-{key}"),
            &[submit(1, visit(&id, "coop-009", "Họp ban quản trị"))],
        )
        .await;
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    id
}

on_both!(two_reviewers_commenting_at_once_keep_every_comment);
async fn two_reviewers_commenting_at_once_keep_every_comment(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let officer = s.officer().await;
    let (sup, admin) = (
        s.login(SUPERVISOR.0, SUPERVISOR.1).await,
        s.login(ADMIN.0, ADMIN.1).await,
    );
    let id = fresh_report(&s, &officer, "comments").await;
    for round in 0..ROUNDS {
        let (ta, tb) = (format!("Giám sát {round}"), format!("Quản trị {round}"));
        let (a, b) = tokio::join!(
            s.decide(&sup, &id, "comment", &ta),
            s.decide(&admin, &id, "comment", &tb),
        );
        assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    }
    let (_, detail) = s.try_report(&sup, &id).await;
    let comments = detail["report"]["events"].as_array().unwrap();
    assert_eq!(comments.len(), 2 * ROUNDS, "every comment kept");
    let actions = s.audit_actions("visit", &id).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "comment").count(),
        2 * ROUNDS
    );
}

on_both!(two_officers_changing_different_fields_at_once_both_keep_their_change);
async fn two_officers_changing_different_fields_at_once_both_keep_their_change(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let (hl, gv) = (s.officer().await, s.login(OFFICER_GV.0, OFFICER_GV.1).await);
    for round in 0..ROUNDS as u64 {
        let current = coop_now(&s, &hl, "coop-010").await;
        let phone = format!("09123{round:05}");
        let a = Cooperative {
            chair_phone: Some(phone.clone()),
            ..current.clone()
        };
        let b = Cooperative {
            members: Some(100 + round as u32),
            ..current.clone()
        };
        let ma = [mutation(
            round + 1,
            MutationOp::UpdateCooperative {
                base: current.clone(),
                record: a,
            },
        )];
        let mb = [mutation(
            round + 1,
            MutationOp::UpdateCooperative {
                base: current.clone(),
                record: b,
            },
        )];
        let (ra, rb) = tokio::join!(s.push(&hl, "race-hl", &ma), s.push(&gv, "race-gv", &mb));
        assert_eq!((ra.0, rb.0), (200, 200), "{ra:?} {rb:?}");
        let after = coop_now(&s, &hl, "coop-010").await;
        assert_eq!(
            after.chair_phone.as_deref(),
            Some(phone.as_str()),
            "round {round}"
        );
        assert_eq!(after.members, Some(100 + round as u32), "round {round}");
        assert_eq!(
            after.version,
            current.version + 2,
            "two changes, two versions"
        );
    }
}

async fn coop_now(s: &TestServer, token: &str, id: &str) -> Cooperative {
    let changes = s
        .pull_all(
            token,
            &format!("reader-{}", uuid::Uuid::new_v4().simple()),
            2000,
        )
        .await;
    changes
        .into_iter()
        .rev()
        .find_map(|c| match c {
            Change::Cooperative(c) if c.id == id => Some(c),
            _ => None,
        })
        .unwrap()
}

on_both!(the_same_outbox_pushed_from_two_tabs_at_once_applies_once);
async fn the_same_outbox_pushed_from_two_tabs_at_once_applies_once(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let officer = s.officer().await;
    let mut outbox = Vec::new();
    for round in 0..ROUNDS as u64 {
        let id = format!("tabs-{round}");
        outbox.push(submit(round + 1, visit(&id, "coop-009", "Cùng hàng đợi")));
        let batch = outbox[round as usize..].to_vec();
        let (a, b) = tokio::join!(
            s.push(&officer, "two-tabs", &batch),
            s.push(&officer, "two-tabs", &batch)
        );
        assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
        for r in [&a.1, &b.1] {
            assert_eq!(r["last_mutation_id"], round + 1);
            assert_eq!(r["rejected"], json!([]));
        }
        assert_eq!(
            s.audit_actions("visit", &id).await,
            vec!["submit"],
            "applied once"
        );
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visit_reports WHERE id LIKE 'tabs-%'")
        .fetch_one(&s.pool)
        .await
        .unwrap();
    assert_eq!(n, ROUNDS as i64);
}

on_both!(an_approval_racing_a_return_leaves_exactly_one);
async fn an_approval_racing_a_return_leaves_exactly_one(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let officer = s.officer().await;
    let (sup, admin) = (
        s.login(SUPERVISOR.0, SUPERVISOR.1).await,
        s.login(ADMIN.0, ADMIN.1).await,
    );
    for round in 0..ROUNDS {
        let id = fresh_report(&s, &officer, &format!("decide-{round}")).await;
        let (a, r) = tokio::join!(
            s.decide(&sup, &id, "approve", ""),
            s.decide(&admin, &id, "return", "Thiếu số liệu"),
        );
        let mut statuses = [a.0, r.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [200, 422],
            "one wins, the other is told the report moved on: {a:?} {r:?}"
        );
        let loser = if a.0 == 422 { &a.1 } else { &r.1 };
        assert_eq!(loser["code"], "invalid");
        let (_, detail) = s.try_report(&sup, &id).await;
        let events = detail["report"]["events"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        let winner = events[0]["action"].as_str().unwrap();
        let status = detail["report"]["status"].as_str().unwrap();
        assert_eq!(
            status,
            if winner == "approve" {
                "approved"
            } else {
                "returned"
            }
        );
        assert_eq!(s.audit_actions("visit", &id).await, vec!["submit", winner]);
    }
}

// ---------------------------------------------------------------------------------------
// 4. No input gets a 5xx, and bad input changes nothing.

on_both!(bad_input_at_every_boundary_is_a_4xx_that_changes_nothing);
async fn bad_input_at_every_boundary_is_a_4xx_that_changes_nothing(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let officer = s.officer().await;
    let admin = s.login(ADMIN.0, ADMIN.1).await;
    let before = s.sync_log_rows().await;

    text_with_a_control_character_is_refused_naming_the_field(&s, &officer, &admin, before).await;
    let after_good = tabs_and_line_breaks_are_text(&s, &officer, before).await;
    a_control_character_in_a_name_path_or_query_is_refused(&s, &admin).await;
    json_nested_5000_deep_is_a_400(&s, &officer).await;
    cursors_and_limits_at_the_integer_extremes_are_answered_or_refused(&s, &officer, &admin).await;
    impossible_dates_amounts_and_counts_are_refused_each_alone(&s, &officer, &admin).await;
    a_megabyte_name_or_password_is_refused_before_hashing(&s).await;

    // Nothing of the above changed anything.
    assert_eq!(s.sync_log_rows().await, after_good);
    let (st, _) = s.health(None).await;
    assert_eq!(st, 200);
}

/// Text holding NUL or another control character: refused, naming the field; in a push,
/// that mutation alone (the ones after it still apply, issue 13). Nothing is stored.
async fn text_with_a_control_character_is_refused_naming_the_field(
    s: &TestServer,
    officer: &str,
    admin: &str,
    before: i64,
) {
    for (i, bad) in ["Ghi chú\u{0}", "Ghi chú\u{1b}[31m", "\u{7f}", "a\u{85}b"]
        .into_iter()
        .enumerate()
    {
        let id = format!("ctl-{i}");
        let r = s
            .push_ok(
                officer,
                "ctl",
                &[submit(i as u64 + 1, visit(&id, "coop-009", bad))],
            )
            .await;
        assert_eq!(r.rejected.len(), 1, "{bad:?}");
        assert_eq!(
            (
                r.rejected[0].code.key(),
                r.rejected[0].fields[0].field.as_str()
            ),
            ("invalid", "note")
        );
        assert!(r.rejected[0].fields[0]
            .message
            .vi
            .contains("ký tự điều khiển"));
        let (st, b) = s
            .set_targets(
                admin,
                json!({"period": "2021-H2", "area_id": "NB", "targets": {}, "note": bad}),
            )
            .await;
        assert_eq!(
            (st, b["code"].as_str()),
            (422, Some("invalid")),
            "{bad:?}: {b}"
        );
    }
    assert_eq!(s.sync_log_rows().await, before, "nothing stored");
}

/// Tabs and line breaks are text: a note holding them is stored (one row more than
/// `before`, the count it returns).
async fn tabs_and_line_breaks_are_text(s: &TestServer, officer: &str, before: i64) -> i64 {
    let r = s
        .push_ok(
            officer,
            "ctl",
            &[submit(
                5,
                visit("ctl-ok", "coop-009", "Dòng 1\nDòng 2\tcột"),
            )],
        )
        .await;
    assert!(r.rejected.is_empty());
    let after_good = s.sync_log_rows().await;
    assert_eq!(after_good, before + 1);
    after_good
}

/// A control character in a user name, in a path, in a query string: a 4xx.
async fn a_control_character_in_a_name_path_or_query_is_refused(s: &TestServer, admin: &str) {
    let (st, _) = s
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "canbo\u{0}", "password": "x"})),
        )
        .await;
    assert_eq!(st, 422);
    for path in [
        "/api/visits/%00",
        "/api/audit/visit/a%00b",
        "/api/review?period=2021-H2&area=NB%00",
    ] {
        let (st, b) = s.call("GET", path, Some(admin), None).await;
        assert_eq!(
            (st, b["code"].as_str()),
            (400, Some("bad_request")),
            "{path}: {b}"
        );
    }
    let (st, _) = s
        .call(
            "PUT",
            "/api/users/%00/areas",
            Some(admin),
            Some(json!({"areas": []})),
        )
        .await;
    assert_eq!(st, 400);
}

/// JSON nested 5,000 deep is a 400 wherever JSON is read (no stack overflow).
async fn json_nested_5000_deep_is_a_400(s: &TestServer, officer: &str) {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    for path in ["/api/sync/push", "/api/sync/pull", "/api/auth/login"] {
        let resp = s
            .http
            .post(format!("{}{path}", s.url))
            .bearer_auth(officer)
            .header("content-type", "application/json")
            .body(deep.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{path}");
    }
}

/// Cursors and limits at the integer extremes: the ones that fit are answered, a cursor
/// never issued is a 409, the ones that do not fit a 400; so is a year beyond any.
async fn cursors_and_limits_at_the_integer_extremes_are_answered_or_refused(
    s: &TestServer,
    officer: &str,
    admin: &str,
) {
    for (cursor, limit) in [
        (json!(0), json!(u32::MAX)),
        (json!(0), json!(0)),
        (json!(1), json!(1)),
    ] {
        let (st, b) = s
            .call(
                "POST",
                "/api/sync/pull",
                Some(officer),
                Some(json!({"client_id": "x", "cursor": cursor, "limit": limit})),
            )
            .await;
        assert_eq!(st, 200, "{b}");
        let _: PullResponse = serde_json::from_value(b).unwrap();
    }
    for cursor in [json!(i64::MAX), json!(i64::MAX - 1)] {
        let (st, b) = s
            .call(
                "POST",
                "/api/sync/pull",
                Some(officer),
                Some(json!({"client_id": "x", "cursor": cursor})),
            )
            .await;
        assert_eq!(
            (st, b["code"].as_str()),
            (409, Some("cursor_unknown")),
            "a cursor never issued: {b}"
        );
    }
    for (cursor, limit) in [
        (json!(i64::MIN), json!(1)),
        (json!(u64::MAX), json!(1)),
        (json!(1e300), json!(1)),
        (json!(0), json!(-1)),
        (json!(0), json!(u64::MAX)),
    ] {
        let (st, b) = s
            .call(
                "POST",
                "/api/sync/pull",
                Some(officer),
                Some(json!({"client_id": "x", "cursor": cursor, "limit": limit})),
            )
            .await;
        assert_eq!(
            (st, b["code"].as_str()),
            (400, Some("bad_request")),
            "{cursor} {limit}: {b}"
        );
    }
    let (st, _) = s
        .call(
            "GET",
            "/api/review?period=99999999999999999999-H1",
            Some(admin),
            None,
        )
        .await;
    assert_eq!(st, 422);
}

/// Dates that do not exist, years out of range, amounts beyond what is stored, negative
/// counts: refused, each alone, with the field named (or as unreadable when the number
/// cannot be held); targets likewise.
async fn impossible_dates_amounts_and_counts_are_refused_each_alone(
    s: &TestServer,
    officer: &str,
    admin: &str,
) {
    let mut bad_date = visit("d-1", "coop-009", "x");
    bad_date.visit_date = "2021-02-30".into();
    let mut far_year = visit("d-2", "coop-009", "x");
    far_year.visit_date = "99999-01-01".into();
    let mut huge = visit("d-3", "coop-009", "x");
    huge.findings.finances.revenue_vnd = Some(i64::MAX);
    let r = s
        .push_ok(
            officer,
            "dates",
            &[submit(1, bad_date), submit(2, far_year), submit(3, huge)],
        )
        .await;
    assert_eq!(r.rejected.len(), 3, "{:?}", r.rejected);
    for rej in &r.rejected {
        assert_eq!(rej.code.key(), "invalid");
        assert!(!rej.fields.is_empty(), "names the field: {rej:?}");
    }
    let mut beyond = serde_json::to_value(submit(4, visit("d-4", "coop-009", "x"))).unwrap();
    beyond["op"]["data"]["findings"] = json!({"finances": {"revenue_vnd": 1e20}});
    let mut negative = serde_json::to_value(MutationOp::RegisterCooperative(coop(
        "n-1",
        "NB-GV-GIASINH",
    )))
    .unwrap();
    negative["data"]["members"] = json!(-3);
    // Numbers a mutation's fields cannot hold: that mutation alone is refused (it cannot be
    // read), with a reason.
    let (st, b) = s
        .call(
            "POST",
            "/api/sync/push",
            Some(officer),
            Some(json!({"client_id": "dates", "mutations": [beyond, {"id": 5, "created_at": 1, "op": negative}]})),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let codes: Vec<&str> = b["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["bad_request", "bad_request"], "{b}");
    for targets in [
        json!({"new_htx": -1}),
        json!({"new_htx": 1u64 << 40}),
        json!({"works_handed_over": 1.5}),
    ] {
        let (st, b) = s
            .set_targets(
                admin,
                json!({"period": "2021-H2", "area_id": "NB", "targets": targets}),
            )
            .await;
        assert!(st == 400 || st == 422, "{targets}: {st} {b}");
    }
}

/// A user name or password of a megabyte: refused before hashing, at once.
async fn a_megabyte_name_or_password_is_refused_before_hashing(s: &TestServer) {
    let mb = "x".repeat(1 << 20);
    for body in [
        json!({"username": mb, "password": "x"}),
        json!({"username": "canbo.hoalu", "password": mb}),
    ] {
        let t0 = std::time::Instant::now();
        let (st, b) = s.call("POST", "/api/auth/login", None, Some(body)).await;
        assert_eq!((st, b["code"].as_str()), (422, Some("invalid")), "{b}");
        assert!(t0.elapsed() < std::time::Duration::from_secs(2));
    }
}

on_both!(text_is_stored_composed_so_two_spellings_are_one_value);
async fn text_is_stored_composed_so_two_spellings_are_one_value(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let (hl, gv) = (s.officer().await, s.login(OFFICER_GV.0, OFFICER_GV.1).await);
    let base = coop_now(&s, &hl, "coop-011").await;
    let nfc = "Vũ Thị Ánh";
    let nfd = "Vu\u{303} Thi\u{323} A\u{301}nh";
    assert_ne!(nfc, nfd);
    let a = Cooperative {
        chair_name: Some(nfc.into()),
        ..base.clone()
    };
    let b = Cooperative {
        chair_name: Some(nfd.into()),
        ..base.clone()
    };
    s.push_ok(
        &hl,
        "nfc-a",
        &[mutation(
            1,
            MutationOp::UpdateCooperative {
                base: base.clone(),
                record: a,
            },
        )],
    )
    .await;
    s.push_ok(
        &gv,
        "nfc-b",
        &[mutation(
            1,
            MutationOp::UpdateCooperative { base, record: b },
        )],
    )
    .await;
    let changes = s.pull_all(&hl, "nfc-reader", 2000).await;
    assert!(
        !changes.iter().any(|c| matches!(c, Change::Conflict(_))),
        "one name typed two ways is not a conflict"
    );
    assert_eq!(
        coop_now(&s, &hl, "coop-011").await.chair_name.as_deref(),
        Some(nfc)
    );
}

// ---------------------------------------------------------------------------------------
// 5. The sign-in brake.

on_both!(the_sign_in_brake_counts_addresses_and_hides_which_names_exist);
async fn the_sign_in_brake_counts_addresses_and_hides_which_names_exist(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let login = |name: String, password: &'static str| {
        let s = &s;
        async move {
            let t0 = std::time::Instant::now();
            let (st, _) = s.try_login(&name, password).await;
            (st, t0.elapsed())
        }
    };
    // An unknown name costs what a wrong password costs.
    let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
    for i in 0..4 {
        let (st, t) = login(format!("khong-co-{i}"), "sai").await;
        assert_eq!(st, 401);
        unknown.push(t);
        let (st, t) = login(
            ["canbo.kimson", "canbo.giavien", "giamsat", "quantri"][i].into(),
            "sai",
        )
        .await;
        assert_eq!(st, 401);
        wrong.push(t);
    }
    unknown.sort();
    wrong.sort();
    let (u, w) = (unknown[1].as_secs_f64(), wrong[1].as_secs_f64());
    assert!(
        u > w * 0.5 && u < w * 2.0,
        "unknown name {u:.3}s vs wrong password {w:.3}s"
    );
    // Many names from one address: the address is braked, whatever the next name.
    for i in 8..hoptac_server::rules::accounts::MAX_FAILURES_PER_ADDRESS {
        assert_eq!(
            login(format!("doan-{i}"), "sai").await.0,
            401,
            "each name fails once"
        );
    }
    assert_eq!(
        login("canbo.hoalu".into(), "hoptac-hoalu").await.0,
        429,
        "this address waits a minute"
    );
    // What a braked address sends counts nothing: no name is pushed towards its own
    // brake, and no row is written for it.
    for _ in 0..10 {
        assert_eq!(login("canbo.hoalu".into(), "sai").await.0, 429);
    }
    let rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE key = 'name:canbo.hoalu'")
            .fetch_one(&s.pool)
            .await
            .unwrap();
    assert_eq!(rows, 0);
}

on_both!(guesses_sent_all_at_once_are_braked_like_guesses_sent_one_by_one);
async fn guesses_sent_all_at_once_are_braked_like_guesses_sent_one_by_one(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    use hoptac_server::rules::accounts::{MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_NAME};
    let login = |name: &'static str, password: String| {
        let s = &s;
        async move { s.try_login(name, &password).await.0 }
    };
    // Sign-ins that succeed are not failures: more of them from one address than the
    // address's brake allows all go through, one after another and all at once (an
    // office behind one address, its officers signing in together at a training).
    for _ in 0..=MAX_FAILURES_PER_ADDRESS {
        assert_eq!(login("canbo.kimson", "hoptac-kimson".into()).await, 200);
    }
    let n = MAX_FAILURES_PER_ADDRESS + 5;
    for i in 0..n {
        add_user(
            &s,
            &format!("u-office-{i}"),
            &format!("canbo.vanphong{i}"),
            "mat-khau-van-phong",
            "officer",
            &["NB-HL"],
        )
        .await;
    }
    let names: Vec<&'static str> = (0..n)
        .map(|i| &*Box::leak(format!("canbo.vanphong{i}").into_boxed_str()))
        .collect();
    let answers = futures::future::join_all(
        names
            .iter()
            .map(|name| login(name, "mat-khau-van-phong".into())),
    )
    .await;
    assert!(answers.iter().all(|&st| st == 200), "{answers:?}");
    // Twenty guesses at one name at the same moment: only as many as the brake allows are
    // checked (401); the others wait (429), and so does the right password after them.
    let answers =
        futures::future::join_all((0..20).map(|i| login("canbo.giavien", format!("doan-{i}"))))
            .await;
    let checked = answers.iter().filter(|&&st| st == 401).count();
    assert_eq!(
        checked, MAX_FAILURES_PER_NAME as usize,
        "answers: {answers:?}"
    );
    assert!(
        answers.iter().all(|&st| st == 401 || st == 429),
        "{answers:?}"
    );
    assert_eq!(login("canbo.giavien", "hoptac-giavien".into()).await, 429);
    // The answer says how long to wait (at most the brake's minute).
    let resp = s
        .http
        .post(format!("{}/api/auth/login", s.url))
        .json(&json!({"username": "canbo.giavien", "password": "hoptac-giavien"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("60")
    );
}

// ---------------------------------------------------------------------------------------
// 6. What the log reveals.

#[test]
fn the_log_never_prints_a_database_password() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hoptac-server"))
        .args([
            "--db",
            "postgres://hoptac:mat-khau-bi-mat@127.0.0.1:1/hoptac",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("127.0.0.1:1"), "says which database: {all}");
    assert!(!all.contains("mat-khau-bi-mat"), "{all}");
}

// ---------------------------------------------------------------------------------------
// Found by trying the server as an attacker after the first round of fixes.

on_both!(a_comment_has_a_length_and_a_merge_never_stores_an_invalid_profile);
async fn a_comment_has_a_length_and_a_merge_never_stores_an_invalid_profile(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let officer = s.officer().await;
    let sup = s.login(SUPERVISOR.0, SUPERVISOR.1).await;
    let id = fresh_report(&s, &officer, "long-comment").await;
    let (st, b) = s
        .decide(
            &sup,
            &id,
            "comment",
            &"x".repeat(hoptac_core::limits::COMMENT + 1),
        )
        .await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("text")),
        "{b}"
    );
    // Two valid edits from one base: a sector changed away from agriculture, and a
    // cultivated area added. The second would make a profile no one may store.
    let gv = s.login(OFFICER_GV.0, OFFICER_GV.1).await;
    let first = coop_now(&s, &officer, "coop-012").await;
    assert_eq!(first.sector.key(), "agriculture");
    let cleared = Cooperative {
        cultivated_area_ha: None,
        ..first.clone()
    };
    s.push_ok(
        &gv,
        "m1",
        &[mutation(
            1,
            MutationOp::UpdateCooperative {
                base: first,
                record: cleared,
            },
        )],
    )
    .await;
    let base = coop_now(&s, &officer, "coop-012").await;
    let trade = Cooperative {
        sector: hoptac_core::model::Sector::TradeServices,
        ..base.clone()
    };
    s.push_ok(
        &gv,
        "m1",
        &[mutation(
            2,
            MutationOp::UpdateCooperative {
                base: base.clone(),
                record: trade,
            },
        )],
    )
    .await;
    let area = Cooperative {
        cultivated_area_ha: Some(5.0),
        ..base.clone()
    };
    let r = s
        .push_ok(
            &officer,
            "m2",
            &[mutation(
                1,
                MutationOp::UpdateCooperative { base, record: area },
            )],
        )
        .await;
    assert_eq!(r.rejected.len(), 1, "{:?}", r.rejected);
    assert_eq!(r.rejected[0].fields[0].field, "cultivated_area_ha");
    let now = coop_now(&s, &officer, "coop-012").await;
    assert_eq!(
        (now.sector.key(), now.cultivated_area_ha),
        ("trade_services", None)
    );
}

on_both!(an_administrator_reads_the_account_history_of_users_in_their_areas_only);
async fn an_administrator_reads_the_account_history_of_users_in_their_areas_only(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    add_user(
        &s,
        "u-admin-hl",
        "quantri.hoalu",
        "hoptac-qthl",
        "admin",
        &["NB-HL"],
    )
    .await;
    let admin = s.login(ADMIN.0, ADMIN.1).await;
    let (st, _) = s
        .set_user_areas(&admin, "u-officer-kimson", &["NB-KS"])
        .await;
    assert_eq!(st, 200);
    assert_eq!(
        s.audit(&admin, "user_areas", "u-officer-kimson").await.0,
        200
    );
    let district = s.login("quantri.hoalu", "hoptac-qthl").await;
    assert_eq!(
        s.audit(&district, "user_areas", "u-officer-kimson").await.0,
        404,
        "Kim Sơn's officer is outside Hoa Lư"
    );
}

#[test]
fn help_never_prints_the_database_url_from_the_environment() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hoptac-server"))
        .arg("--help")
        .env("HOPTAC_DB", "postgres://hop:S3cretPW@db.example/hop")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--db"), "{text}");
    assert!(!text.contains("S3cretPW"), "{text}");
}
