//! Push throughput and latency (issue 4). Not a test: it reports.
//!
//! 1. One tablet pushes N visit reports in batches of 100 to the real server (in-process,
//!    real loopback HTTP, a fresh SQLite file with the demo data): mutations per second.
//!    Baseline, same run: the same rows (visit_reports + sync_log + the counter) inserted by
//!    the `sqlite3` command line in one transaction into a copy of the same database.
//! 2. 100 simulated tablets push at once (each 10 batches of 20): p50/p99 request latency.
//!
//! Run: `cargo bench -p hoptac-server --bench push`.

mod common;

use hoptac_core::model::{ReportStatus, VisitReport};
use hoptac_core::sync::{Mutation, MutationOp};
use hoptac_server::{app, demo, storage::Db, AppState};
use serde_json::json;
use std::time::{Duration, Instant};

const N: u64 = 20_000;
const BATCH: u64 = 100;
const TABLETS: usize = 100;
const TABLET_BATCHES: u64 = 10;
const TABLET_BATCH: u64 = 20;
const COOPS: [&str; 4] = ["coop-001", "coop-002", "coop-009", "coop-010"];

fn visit(id: &str, i: u64) -> VisitReport {
    VisitReport {
        id: id.into(),
        cooperative_id: COOPS[(i % 4) as usize].into(),
        author_id: String::new(),
        visit_date: "2021-06-11".into(),
        note: format!(
            "Báo cáo số {i}: doanh thu 6 tháng ổn định; cần hỗ trợ xúc tiến thương mại và đào tạo."
        ),
        findings: Default::default(),
        status: ReportStatus::Submitted,
        revision: 1,
        created_at: 1_700_000_000_000 + i as i64,
        area_path: String::new(),
        author_name: String::new(),
        received_at: None,
        events: Vec::new(),
        author_left_area_at: None,
        written_area_path: None,
    }
}

fn batch(prefix: &str, from: u64, count: u64) -> Vec<Mutation> {
    (from..from + count)
        .map(|i| Mutation {
            id: i,
            created_at: 1,
            op: MutationOp::SubmitVisit(visit(&format!("{prefix}-{i}"), i)),
        })
        .collect()
}

async fn push(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    client: &str,
    m: &[Mutation],
) -> Duration {
    let t = Instant::now();
    let r = http
        .post(format!("{url}/api/sync/push"))
        .bearer_auth(token)
        .json(&json!({"client_id": client, "mutations": m}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["rejected"], json!([]), "{body}");
    t.elapsed()
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bench.db");
    let db = Db::connect(&format!("sqlite://{}", db_path.display()))
        .await
        .unwrap();
    demo::load_if_empty(&db).await.unwrap();
    // The baseline's database: a copy of the demo database before any push.
    let base_path = dir.path().join("baseline.db");
    sqlx::query(&format!("VACUUM INTO '{}'", base_path.display()))
        .execute(&db.pool)
        .await
        .unwrap();
    let photos =
        hoptac_server::photos::PhotoStore::open(&dir.path().join("photos").display().to_string())
            .unwrap();
    let router = app(AppState::new(db, photos), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http = reqwest::Client::new();
    let token = common::login(&http, &url, "canbo.hoalu", "hoptac-hoalu").await;

    // 1. Throughput, one tablet, batches of 100.
    let t = Instant::now();
    let mut next = 1;
    while next <= N {
        push(&http, &url, &token, "bench-1", &batch("v", next, BATCH)).await;
        next += BATCH;
    }
    let secs = t.elapsed().as_secs_f64();
    let rate = N as f64 / secs;

    // Baseline: the same rows through sqlite3 in one transaction.
    let mut sql = String::from("BEGIN;\n");
    for i in 1..=N {
        let v = VisitReport {
            author_id: "u-officer-hoalu".into(),
            area_path: "NB/NB-HL/".into(),
            received_at: Some(1),
            ..visit(&format!("b-{i}"), i)
        };
        let body = serde_json::to_string(&v).unwrap().replace('\'', "''");
        sql.push_str(&format!(
            "INSERT INTO visit_reports (id, cooperative_id, author_id, client_id, area_path, visit_date, status, revision, received_at, body) VALUES ('b-{i}', '{}', 'u-officer-hoalu', 'bench-b', 'NB/NB-HL/', '2021-06-11', 'submitted', 1, 1, '{body}');\n\
             UPDATE sync_counter SET last_seq = last_seq + 1 WHERE id = 1;\n\
             INSERT INTO sync_log (entity, id, seq, scope_path, body) VALUES ('visit', 'b-{i}', (SELECT last_seq FROM sync_counter WHERE id = 1), 'NB/NB-HL/', '{body}');\n",
            v.cooperative_id
        ));
    }
    sql.push_str("COMMIT;\n");
    let sql_path = dir.path().join("baseline.sql");
    std::fs::write(&sql_path, sql).unwrap();
    let t = Instant::now();
    let out = std::process::Command::new("sqlite3")
        .arg(&base_path)
        .arg(format!(".read {}", sql_path.display()))
        .output()
        .expect("sqlite3 command line (Debian package sqlite3)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base_secs = t.elapsed().as_secs_f64();
    let base_rate = N as f64 / base_secs;

    // 2. 100 tablets at once.
    let t = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..TABLETS {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for b in 0..TABLET_BATCHES {
                let from = 1 + b * TABLET_BATCH;
                lat.push(
                    push(
                        &http,
                        &url,
                        &token,
                        &format!("tablet-{k}"),
                        &batch(&format!("t{k}"), from, TABLET_BATCH),
                    )
                    .await,
                );
            }
            lat
        }));
    }
    let mut lat: Vec<Duration> = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let conc_secs = t.elapsed().as_secs_f64();
    lat.sort();
    let total = (TABLETS as u64 * TABLET_BATCHES * TABLET_BATCH) as f64;

    println!("push throughput, 1 tablet, batches of {BATCH}: {N} mutations in {secs:.2} s = {rate:.0} mutations/s");
    println!("baseline sqlite3 CLI, same rows, one transaction: {base_secs:.2} s = {base_rate:.0} rows/s");
    println!("server / baseline (time): {:.2}", secs / base_secs);
    println!(
        "{TABLETS} tablets at once, {TABLET_BATCHES} pushes of {TABLET_BATCH} each: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} mutations/s overall",
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        pct(&lat, 1.0),
        total / conc_secs
    );
}
