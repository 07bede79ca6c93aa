//! National scale on PostgreSQL (issue 18). Not a test: it reports.
//!
//! The dataset of `hoptac-server demo --national` (crate::national; 100,000 cooperatives,
//! 1,000,000 reports at scale 1) in a PostgreSQL database of its own, generated once and
//! reused by later runs. Timed, through the real HTTP API on loopback (so "server time"
//! here includes JSON and HTTP; median of 7 after a warm-up):
//!
//! - the review queue's first page (`GET /api/visits`, 50 reports) with each filter, as
//!   the national supervisor (34 provinces) and as a province's;
//! - the six-monthly review (`GET /api/review`) of one province for one period, and of
//!   the whole country.
//!
//! Baseline, same run, same database: the same page, and the same aggregate written as
//! one SQL query, run by `psql` with `\timing` (the server's execution and transfer
//! alone: no HTTP, no JSON parsing).
//!
//! Run: `bash bench/national.sh [SCALE]` (starts PostgreSQL, then
//! `cargo bench -p hoptac-server --bench national`; SCALE defaults to 1).

mod common;

use hoptac_server::{national, photos::PhotoStore, storage::Db, AppState};
use std::time::Instant;

const RUNS: usize = 7;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Runs `sql` RUNS + 1 times in psql with \timing; the median of the last RUNS, in ms.
fn psql_ms(url: &str, sql: &str) -> f64 {
    let mut script = String::from("\\timing on\n\\o /dev/null\n");
    for _ in 0..=RUNS {
        script.push_str(sql.trim().trim_end_matches(';'));
        script.push_str(";\n");
    }
    let file = std::env::temp_dir().join("hoptac-national-bench.sql");
    std::fs::write(&file, script).unwrap();
    let out = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-f"])
        .arg(&file)
        .output()
        .expect("psql (Debian package postgresql-client)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let times: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("Time: "))
        .filter_map(|l| l.split(' ').next()?.parse().ok())
        .collect();
    assert_eq!(
        times.len(),
        RUNS + 1,
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    median(times[1..].to_vec())
}

/// GET `path` RUNS + 1 times; the median of the last RUNS, in ms, and the last body.
async fn http_ms(http: &reqwest::Client, base: &str, token: &str, path: &str) -> (f64, String) {
    let mut times = Vec::new();
    let mut body = String::new();
    for _ in 0..=RUNS {
        let t = Instant::now();
        let r = http
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        body = r.text().await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(status.is_success(), "{path}: {status} {body}");
    }
    (median(times[1..].to_vec()), body)
}

/// The six-monthly review's figures as one SQL query: the standing report (latest
/// approved in the period) of each cooperative under `prefix`, this period and the same
/// one last year, then counts, sums, averages and tallies.
fn review_sql(prefix: &str, from: &str, to: &str, ly_from: &str, ly_to: &str) -> String {
    format!(
        "WITH latest AS (
           SELECT body::jsonb AS b FROM (SELECT body, ROW_NUMBER() OVER (PARTITION BY cooperative_id
               ORDER BY visit_date DESC, revision DESC, id DESC) AS n
             FROM visit_reports WHERE status = 'approved' AND visit_date BETWEEN '{from}' AND '{to}'
               AND area_path LIKE '{prefix}%') t WHERE n = 1),
         last_year AS (
           SELECT body::jsonb AS b FROM (SELECT body, ROW_NUMBER() OVER (PARTITION BY cooperative_id
               ORDER BY visit_date DESC, revision DESC, id DESC) AS n
             FROM visit_reports WHERE status = 'approved' AND visit_date BETWEEN '{ly_from}' AND '{ly_to}'
               AND area_path LIKE '{prefix}%') t WHERE n = 1)
         SELECT
           (SELECT COUNT(*) FROM cooperatives WHERE area_path LIKE '{prefix}%' AND kind = 'htx'),
           (SELECT COUNT(*) FROM cooperatives WHERE area_path LIKE '{prefix}%' AND kind = 'tht'
              AND body::jsonb->>'established_on' BETWEEN '{from}' AND '{to}'),
           (SELECT COUNT(*) FROM latest WHERE b->'findings'->>'operating_status' = 'standstill'),
           (SELECT SUM((b->'findings'->'finances'->>'revenue_vnd')::bigint) FROM latest),
           (SELECT SUM((b->'findings'->'finances'->>'revenue_vnd')::bigint) FROM last_year),
           (SELECT AVG((b->'findings'->'finances'->>'member_income_vnd')::bigint) FROM latest),
           (SELECT AVG((b->'findings'->'finances'->>'member_income_vnd')::bigint) FROM last_year),
           (SELECT COUNT(*) FROM latest WHERE (b->'findings'->'value_chain'->>'in_value_chain')::boolean),
           (SELECT SUM((b->'findings'->'support'->>'works_handed_over')::bigint) FROM latest),
           (SELECT json_agg(x) FROM (SELECT d, COUNT(*) FROM latest, jsonb_array_elements_text(b->'findings'->'difficulties') d GROUP BY d) x),
           (SELECT json_agg(x) FROM (SELECT s, COUNT(*) FROM latest, jsonb_array_elements_text(b->'findings'->'support'->'received') s GROUP BY s) x),
           (SELECT COUNT(*) FILTER (WHERE (b->'findings'->'compliance'->>'tax_registered')::boolean) FROM latest)"
    )
}

#[tokio::main]
async fn main() {
    let scale: f64 = std::env::var("HOPTAC_NATIONAL_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let admin = std::env::var("HOPTAC_TEST_PG_URL")
        .expect("HOPTAC_TEST_PG_URL: run bash bench/national.sh (it starts PostgreSQL)");
    let name = format!("hoptac_national_{}", (scale * 1000.0).round() as u64);
    {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
            .await
            .unwrap();
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_optional(&mut conn)
                .await
                .unwrap();
        if exists.is_none() {
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let db = Db::connect(&url).await.unwrap();
    let size = national::sizes(scale);
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visit_reports")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    if have == 0 {
        let t = Instant::now();
        national::generate(&db, scale, |what, n, of| {
            if n == of || n % 100_000 == 0 {
                eprintln!("  {what}: {n} / {of} ({:.0} s)", t.elapsed().as_secs_f64());
            }
        })
        .await
        .unwrap();
        println!(
            "generated {} cooperatives, {} reports in {:.0} s",
            size.cooperatives,
            size.reports,
            t.elapsed().as_secs_f64()
        );
    } else {
        assert_eq!(
            have as usize, size.reports,
            "a database of another size: drop {name}"
        );
        println!("reusing {name}: {} reports", have);
    }
    let db_size: String =
        sqlx::query_scalar("SELECT pg_size_pretty(pg_database_size(current_database()))")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    println!("database size: {db_size}");

    let photos = tempfile::tempdir().unwrap();
    let state = AppState::new(
        db,
        PhotoStore::open(&photos.path().display().to_string()).unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = hoptac_server::app(state, None)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http = reqwest::Client::new();
    let country = common::login(&http, &base, "giamsat.quocgia", national::PASSWORD).await;
    let hcm = common::login(&http, &base, "giamsat.hcm", national::PASSWORD).await;

    // HOPTAC_BENCH_PART=queue or review runs only that part.
    let part = std::env::var("HOPTAC_BENCH_PART").unwrap_or_default();
    if part.is_empty() || part == "queue" {
        queue(&http, &base, &url, &country, &hcm).await;
    }
    if part.is_empty() || part == "review" {
        review(&http, &base, &url, &country, &hcm).await;
    }
}

async fn queue(http: &reqwest::Client, base: &str, url: &str, country: &str, hcm: &str) {
    println!("\nreview queue, first page of 50 (ms, median of {RUNS}): ours (HTTP) | psql | ratio");
    let page_sql = |cond: &str| {
        format!(
            "SELECT v.body, c.name FROM visit_reports v JOIN cooperatives c ON c.id = v.cooperative_id
             WHERE {cond} ORDER BY v.received_at DESC, v.id LIMIT 51"
        )
    };
    let cases: [(&str, &str, &str, &str); 8] = [
        ("country, no filter", "country", "", "true"),
        (
            "country, waiting (submitted)",
            "country",
            "status=submitted",
            "v.status = 'submitted'",
        ),
        (
            "country, one province",
            "country",
            "area=HCM/",
            "v.area_path LIKE 'HCM/%'",
        ),
        (
            "country, one officer",
            "country",
            "author=u-qg-0007",
            "v.author_id = 'u-qg-0007'",
        ),
        (
            "country, one period",
            "country",
            "period=2024-H1",
            "v.period = '2024-H1'",
        ),
        (
            "country, search \"che\"",
            "country",
            "q=che",
            "(c.name_search || ' ' || v.search) LIKE '%che%'",
        ),
        (
            "country, province + waiting + period",
            "country",
            "area=HCM/&status=submitted&period=2026-H1",
            "v.area_path LIKE 'HCM/%' AND v.status = 'submitted' AND v.period = '2026-H1'",
        ),
        (
            "province supervisor (HCM), no filter",
            "hcm",
            "",
            "v.area_path LIKE 'HCM/%'",
        ),
    ];
    for (label, who, query, cond) in cases {
        let token = if who == "country" { country } else { hcm };
        let (ours, body) =
            http_ms(http, base, token, &format!("/api/visits?limit=50&{query}")).await;
        let page: hoptac_core::queue::QueuePage = serde_json::from_str(&body).unwrap();
        let base_ms = psql_ms(url, &page_sql(cond));
        println!(
            "  {label:<40} {ours:>8.1} | {base_ms:>8.1} | {:>5.1}x  ({} rows, more: {})",
            ours / base_ms,
            page.reports.len(),
            page.next.is_some()
        );
    }
}

async fn review(http: &reqwest::Client, base: &str, url: &str, country: &str, hcm: &str) {
    println!(
        "\nsix-monthly review 2026-H1 (ms, median of {RUNS}): ours (HTTP) | psql one query | ratio"
    );
    for (label, token, path, prefix) in [
        (
            "one province (HCM)",
            hcm,
            "/api/review?period=2026-H1&area=HCM",
            "HCM/",
        ),
        (
            "the whole country",
            country,
            "/api/review?period=2026-H1",
            "",
        ),
    ] {
        let (ours, _) = http_ms(http, base, token, path).await;
        let base_ms = psql_ms(
            url,
            &review_sql(
                prefix,
                "2026-01-01",
                "2026-06-30",
                "2025-01-01",
                "2025-06-30",
            ),
        );
        println!(
            "  {label:<40} {ours:>8.1} | {base_ms:>8.1} | {:>5.1}x",
            ours / base_ms
        );
    }

    println!(
        "\nthe records behind a figure, first page of 100 (ms, median of {RUNS}): ours (HTTP) | psql | ratio"
    );
    for (label, token, path, prefix) in [
        (
            "one province (HCM), approved reports",
            hcm,
            "/api/review/records?period=2026-H1&area=HCM&figure=reports&limit=100",
            "HCM/",
        ),
        (
            "the whole country, approved reports",
            country,
            "/api/review/records?period=2026-H1&figure=reports&limit=100",
            "",
        ),
    ] {
        let (ours, body) = http_ms(http, base, token, path).await;
        let page: hoptac_core::six_month::RecordsPage = serde_json::from_str(&body).unwrap();
        // The baseline: the same list, named, as one query (standing reports by id).
        let base_ms = psql_ms(
            url,
            &format!(
                "SELECT t.id, c.name, t.visit_date FROM (SELECT id, cooperative_id, visit_date, ROW_NUMBER() OVER (PARTITION BY cooperative_id
                   ORDER BY visit_date DESC, revision DESC, id DESC) AS n
                 FROM visit_reports WHERE status = 'approved' AND visit_date BETWEEN '2026-01-01' AND '2026-06-30'
                   AND area_path LIKE '{prefix}%') t JOIN cooperatives c ON c.id = t.cooperative_id
                 WHERE n = 1 ORDER BY t.id LIMIT 100"
            ),
        );
        println!(
            "  {label:<40} {ours:>8.1} | {base_ms:>8.1} | {:>5.1}x  ({} of {})",
            ours / base_ms,
            page.records.len(),
            page.total
        );
    }
}
