//! The six-monthly review's speed (issue 5). Not a test: it reports.
//!
//! A province of 5,000 cooperatives and 50,000 visit reports (10 per cooperative, all in
//! the reviewed half-year: the worst case; 90% approved) in a fresh SQLite file. Timed:
//! `six_month::load_review` for the whole province (what `GET /api/review` does: read,
//! parse, compute, name the records), median of 7 runs after one warm-up.
//! Baseline, same data: the equivalent aggregate SQL (latest approved report per
//! cooperative, then the sums and tallies with json_extract/json_each) run by the `sqlite3`
//! command line on the same file, median of 7 runs.
//!
//! Run: `cargo bench -p hoptac-server --bench review`.

use hoptac_core::six_month::Ids;
use hoptac_server::{demo, rules::six_month::load_review, storage::Db};
use serde_json::json;
use std::time::Instant;

const COOPS: usize = 5_000;
const PER_COOP: usize = 10;
const RUNS: usize = 7;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

const DIFFICULTIES: [&str; 5] = [
    "weak_finances",
    "finding_markets",
    "low_competitiveness",
    "tax_registration",
    "very_small_scale",
];
const SUPPORT: [&str; 4] = ["training", "credit", "trade_promotion", "infrastructure"];

/// The baseline: the same figures as compute() in one sqlite3 script.
const BASELINE_SQL: &str = "
CREATE TEMP TABLE latest AS
  SELECT body FROM (SELECT body, ROW_NUMBER() OVER (PARTITION BY cooperative_id
      ORDER BY visit_date DESC, revision DESC, id DESC) AS n
    FROM visit_reports WHERE status = 'approved' AND visit_date >= '2021-01-01'
      AND visit_date <= '2021-06-30' AND substr(area_path, 1, 3) = 'NB/') WHERE n = 1;
SELECT COUNT(*) FROM cooperatives WHERE kind = 'htx' AND json_extract(body, '$.established_on') BETWEEN '2021-01-01' AND '2021-06-30';
SELECT COUNT(*) FROM cooperatives WHERE kind = 'tht' AND json_extract(body, '$.established_on') BETWEEN '2021-01-01' AND '2021-06-30';
SELECT COUNT(*) FROM latest WHERE json_extract(body, '$.findings.operating_status') = 'standstill';
SELECT SUM(json_extract(body, '$.findings.finances.revenue_vnd')), SUM(json_extract(body, '$.findings.finances.revenue_last_year_vnd'))
  FROM latest WHERE json_extract(body, '$.findings.finances.revenue_vnd') IS NOT NULL AND json_extract(body, '$.findings.finances.revenue_last_year_vnd') IS NOT NULL;
SELECT AVG(json_extract(body, '$.findings.finances.member_income_vnd')), AVG(json_extract(body, '$.findings.finances.member_income_last_year_vnd'))
  FROM latest WHERE json_extract(body, '$.findings.finances.member_income_vnd') IS NOT NULL AND json_extract(body, '$.findings.finances.member_income_last_year_vnd') IS NOT NULL;
SELECT json_extract(body, '$.findings.value_chain.programme'), COUNT(*) FROM latest
  WHERE json_extract(body, '$.findings.value_chain.in_value_chain') GROUP BY 1;
SELECT SUM(json_extract(body, '$.findings.support.works_handed_over')) FROM latest;
SELECT d.value, COUNT(DISTINCT latest.rowid) FROM latest, json_each(latest.body, '$.findings.difficulties') d GROUP BY 1;
SELECT COUNT(*), SUM(json_extract(body, '$.findings.compliance.tax_registered')) FROM latest;
SELECT s.value, COUNT(DISTINCT latest.rowid) FROM latest, json_each(latest.body, '$.findings.support.received') s GROUP BY 1;
";

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.db");
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    demo::load_if_empty(&db).await.unwrap();
    let communes: Vec<(String, String)> =
        sqlx::query_as("SELECT id, path FROM areas WHERE level = 'commune'")
            .fetch_all(&db.pool)
            .await
            .unwrap();

    // The generated province.
    let t = Instant::now();
    let mut tx = db.pool.begin().await.unwrap();
    for i in 0..COOPS {
        let (area, path) = &communes[i % communes.len()];
        let kind = if i % 5 == 0 { "tht" } else { "htx" };
        let status = if i % 11 == 0 { "standstill" } else { "active" };
        let founded = format!("{}-0{}-15", 2000 + i % 22, 1 + i % 9);
        let body = json!({
            "id": format!("g-{i}"), "kind": kind, "name": format!("HTX Thử nghiệm số {i}"),
            "sector": "agriculture", "area_id": area, "area_path": path, "status": status,
            "established_on": founded, "newly_established": i % 22 == 21, "members": 20 + i % 50,
            "version": 1
        });
        sqlx::query("INSERT INTO cooperatives (id, area_id, area_path, kind, name, status, version, body) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)")
            .bind(format!("g-{i}"))
            .bind(area)
            .bind(path)
            .bind(kind)
            .bind(format!("HTX Thử nghiệm số {i}"))
            .bind(status)
            .bind(body.to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
        for k in 0..PER_COOP {
            let n = i * PER_COOP + k;
            let id = format!("v-{n}");
            let date = format!("2021-0{}-{:02}", 1 + k % 6, 1 + n % 28);
            let status = if n % 10 == 9 { "submitted" } else { "approved" };
            let body = json!({
                "id": id, "cooperative_id": format!("g-{i}"), "author_id": "u-officer-hoalu",
                "author_name": "Phạm Văn Hùng", "visit_date": date,
                "note": "Khảo sát định kỳ: sản xuất ổn định, cần hỗ trợ tìm thị trường.",
                "status": status, "revision": 1, "created_at": 1, "area_path": path,
                "findings": {
                    "operating_status": if n % 11 == 0 { "standstill" } else { "active" },
                    "finances": {"revenue_vnd": 1_000_000_000 + n as i64 * 1_000,
                                 "revenue_last_year_vnd": 900_000_000 + n as i64 * 900,
                                 "profit_vnd": 50_000_000, "member_income_vnd": 4_500_000,
                                 "member_income_last_year_vnd": 4_200_000},
                    "value_chain": {"in_value_chain": n.is_multiple_of(3), "stages": ["production"],
                                    "programme": if n.is_multiple_of(2) { json!("resolution113") } else { json!(null) }},
                    "difficulties": [DIFFICULTIES[n % 5], DIFFICULTIES[(n / 5) % 5]],
                    "support": {"received": [SUPPORT[n % 4]], "works_handed_over": n % 3},
                    "digital": {"accounting_software": true},
                    "compliance": {"tax_registered": !n.is_multiple_of(4)},
                    "follow_ups": [{"action": "Hỗ trợ hồ sơ OCOP", "due": "2021-09-30"}]
                }
            });
            sqlx::query("INSERT INTO visit_reports (id, cooperative_id, author_id, client_id, area_path, visit_date, status, revision, received_at, body, period) VALUES ($1, $2, 'u-officer-hoalu', 'bench', $3, $4, $5, 1, 1, $6, '2021-H1')")
                .bind(&id)
                .bind(format!("g-{i}"))
                .bind(path)
                .bind(&date)
                .bind(status)
                .bind(body.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&db.pool).await.unwrap();
    println!(
        "generated {COOPS} cooperatives and {} reports in {:.1} s",
        COOPS * PER_COOP,
        t.elapsed().as_secs_f64()
    );

    let scopes = vec!["NB/".to_string()];
    let first = load_review(&db, &scopes, "2021-H1", None, Ids::None)
        .await
        .unwrap();
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = load_review(&db, &scopes, "2021-H1", None, Ids::None)
            .await
            .unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(r.review, first.review);
    }
    let ours = median(times);

    let mut base = Vec::new();
    let mut out = String::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let o = std::process::Command::new("sqlite3")
            .arg(&path)
            .arg(BASELINE_SQL)
            .output()
            .expect("sqlite3 command line (Debian package sqlite3)");
        base.push(t.elapsed().as_secs_f64());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out = String::from_utf8_lossy(&o.stdout).to_string();
    }
    let baseline = median(base);
    let v = &first.review;
    // Both computed the same figures.
    let expect = format!(
        "{}\n{}\n{}\n{}|{}",
        v.new_htx.value,
        v.new_tht.value,
        v.standstill.value,
        v.revenue_vnd.now,
        v.revenue_vnd.last_year
    );
    assert!(
        out.starts_with(&expect),
        "baseline disagrees:\n{out}\nours starts:\n{expect}"
    );
    println!(
        "review of the province, 2021-H1: {} reports stand for their cooperatives; revenue {} vs {}; tax {}/{}",
        v.reports.len(),
        v.revenue_vnd.now,
        v.revenue_vnd.last_year,
        v.tax_registered.value,
        v.tax_of
    );
    println!(
        "baseline's answer (first lines): {}",
        out.lines().take(5).collect::<Vec<_>>().join(" | ")
    );
    println!(
        "GET /api/review work (load_review), median of {RUNS}: {:.0} ms",
        ours * 1000.0
    );
    println!(
        "baseline sqlite3 CLI, equivalent aggregate SQL, median of {RUNS}: {:.0} ms",
        baseline * 1000.0
    );
    println!("review / baseline (time): {:.2}", ours / baseline);
}
