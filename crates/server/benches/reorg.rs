//! Applying a reorganisation at national scale (issue 16). Not a test: it reports.
//!
//! On PostgreSQL (a fresh database on `HOPTAC_TEST_PG_URL`, as `eval "$(bash
//! scripts/pg.sh start)"` sets it): a province of 50 districts and 1,000 communes,
//! 100,000 cooperatives (100 per commune, each logged for pull) and 10,000 approved visit
//! reports. The reorganisation merges every three communes into one (334 new communes)
//! and dissolves the districts; one officer covers the province. Timed:
//!
//! - `rules::reorg::reorganise(…, apply = true)`, as `POST /api/reorganisations?apply=true`
//!   runs it (target: ≤ 30 s);
//! - the officer's pull after it (every page, 2,000 changes each, from the cursor before),
//!   against the baseline of the same officer pulling the same number of changed records
//!   after an ordinary change (the province's records re-logged, as a new assignment
//!   does), same run (target: ≤ 2×).
//!
//! Run: `eval "$(bash scripts/pg.sh start)"; cargo bench -p hoptac-server --bench reorg`.
//! `REORG_COMMUNES` (default 1,000) scales it down for a quick look.
//!
//! `REORG_NATIONAL=1`: the whole country's 2025 reform as published instead (issue 27):
//! today's 34 provinces and 3,321 units, the 10,035 communes before it under them, 10
//! cooperatives in every former commune (about 100,000) and `REORG_REPORTS` approved
//! reports spread over them (default 1,000,000); one reorganisation made of every
//! province's bundled correspondence (`rules::reorg::official_2025`). Timed: its preview
//! (target ≤ 10 s, and a tablet's push of a report on one of the cooperatives it names
//! answered meanwhile), its apply (target ≤ 60 s), and a province officer's pull after it
//! against the same officer's pull of as many records re-logged (target ≤ 2×); each pull
//! timed three times, the median kept.

use hoptac_core::keyed::Keyed;
use hoptac_core::reorg::{Merge, NewArea, Reorganisation};
use hoptac_server::storage::{self, Db};
use std::time::Instant;

async fn fresh_pg() -> String {
    let admin = std::env::var("HOPTAC_TEST_PG_URL")
        .expect("HOPTAC_TEST_PG_URL: run eval \"$(bash scripts/pg.sh start)\" first");
    let name = format!("bench_reorg_{}", std::process::id());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
    format!("{base}/{name}")
}

/// Rows inserted many at a time: `INSERT INTO t (cols) VALUES (…), (…)…`; `row` is each
/// row's template, a `?` for each value of `rows` (text), literals as they are.
async fn insert_many(db: &Db, table_and_cols: &str, row: &str, rows: &[Vec<String>]) {
    for chunk in rows.chunks(500) {
        let mut sql = format!("INSERT INTO {table_and_cols} VALUES ");
        let mut n = 1;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let mut one = String::new();
            for ch in row.chars() {
                if ch == '?' {
                    one.push_str(&format!("${n}"));
                    n += 1;
                } else {
                    one.push(ch);
                }
            }
            sql.push_str(&one);
        }
        let mut q = sqlx::query(&sql);
        for r in chunk {
            for v in r {
                q = q.bind(v.clone());
            }
        }
        q.execute(&db.pool).await.unwrap();
    }
}

/// A generated registry as rows of the tables the bench fills directly: cooperatives and
/// approved reports, each logged for pull under its area path at the next sequence number
/// (from 1,001).
struct Dataset {
    coops: Vec<Vec<String>>,
    visits: Vec<Vec<String>>,
    log: Vec<Vec<String>>,
    seq: i64,
}

impl Dataset {
    fn new() -> Dataset {
        Dataset {
            coops: Vec::new(),
            visits: Vec::new(),
            log: Vec::new(),
            seq: 1_000,
        }
    }

    /// HTX `id`, named `name`, active, founded 2015, in area `area_id` at `path`.
    fn coop(&mut self, id: &str, name: String, area_id: &str, path: &str) {
        let body = serde_json::json!({
            "id": id, "kind": "htx", "name": name, "sector": "agriculture",
            "area_id": area_id, "area_path": path, "status": "active", "version": 1,
            "established_on": "2015-05-01", "members": 20, "main_products": "Lúa gạo"
        });
        self.coops.push(vec![
            id.into(),
            area_id.into(),
            path.into(),
            "htx".into(),
            name,
            "active".into(),
            body.to_string(),
        ]);
        self.logged("cooperative", id, path, body);
    }

    /// Report `vid` on cooperative `id` at `path`, visited on `date`, approved; `period`
    /// its six-month period ("2021-H1"; "" for none, the column's default).
    fn visit(&mut self, vid: &str, id: &str, path: &str, date: &str, period: String) {
        let v = serde_json::json!({
            "id": vid, "cooperative_id": id, "author_id": "u-admin", "visit_date": date,
            "note": "Khảo sát", "status": "approved", "revision": 1, "created_at": 1, "area_path": path,
            "findings": {"finances": {"revenue_vnd": 1000, "revenue_last_year_vnd": 900}}
        });
        self.visits.push(vec![
            vid.into(),
            id.into(),
            path.into(),
            date.into(),
            v.to_string(),
            period,
        ]);
        self.logged("visit", vid, path, v);
    }

    fn logged(&mut self, entity: &str, id: &str, path: &str, data: serde_json::Value) {
        self.seq += 1;
        self.log.push(vec![
            entity.into(),
            id.into(),
            self.seq.to_string(),
            path.into(),
            serde_json::json!({"type": entity, "data": data}).to_string(),
        ]);
    }

    /// Writes the rows held so far and lets them go; the change-log counter then stands at
    /// the last number given.
    async fn write(&mut self, db: &Db) {
        let tables = [
            (
                "cooperatives (id, area_id, area_path, kind, name, status, body, version)",
                "(?, ?, ?, ?, ?, ?, ?, 1)",
                std::mem::take(&mut self.coops),
            ),
            (
                "visit_reports (id, cooperative_id, author_id, client_id, area_path, visit_date, status, revision, received_at, body, period)",
                "(?, ?, 'u-admin', 'bench', ?, ?, 'approved', 1, 1, ?, ?)",
                std::mem::take(&mut self.visits),
            ),
            (
                "sync_log (entity, id, seq, scope_path, body)",
                "(?, ?, CAST(? AS BIGINT), ?, ?)",
                std::mem::take(&mut self.log),
            ),
        ];
        for (table_and_cols, row, rows) in tables {
            insert_many(db, table_and_cols, row, &rows).await;
        }
        sqlx::query(&format!(
            "UPDATE sync_counter SET last_seq = {} WHERE id = 1",
            self.seq
        ))
        .execute(&db.pool)
        .await
        .unwrap();
    }
}

/// The officer's whole pull from `cursor`, three times (a pull only reads): how many
/// changes, and the median of the three times in seconds.
async fn median_pull(db: &Db, scopes: &[String], cursor: i64) -> (usize, f64) {
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..3 {
        let t = Instant::now();
        n = pull_all(db, scopes, "u-admin", cursor).await;
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (n, times[1])
}

async fn pull_all(db: &Db, scopes: &[String], user: &str, mut cursor: i64) -> usize {
    let mut n = 0;
    loop {
        let (page, more) = storage::changes::page(db, cursor, scopes, user, 2000, true)
            .await
            .unwrap();
        n += page.len();
        if let Some((seq, _)) = page.last() {
            cursor = *seq;
        }
        // What the server does with each row before answering: parse it.
        for (_, body) in &page {
            let _: serde_json::Value = serde_json::from_str(body).unwrap();
        }
        if !more {
            return n;
        }
    }
}

#[tokio::main]
async fn main() {
    if std::env::var("REORG_NATIONAL").is_ok_and(|v| v == "1") {
        return national().await;
    }
    let communes: usize = std::env::var("REORG_COMMUNES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let per_commune = 100;
    let districts = communes.div_ceil(20);
    let url = fresh_pg().await;
    let db = Db::connect(&url).await.unwrap();
    let t = Instant::now();

    // The tree, the cooperatives (logged for pull), the visits, an administrator.
    sqlx::query("INSERT INTO areas (id, parent_id, level, name, path) VALUES ('P', NULL, 'province', 'Tỉnh Thử', 'P/')")
        .execute(&db.pool)
        .await
        .unwrap();
    let mut areas: Vec<Vec<String>> = Vec::new();
    for d in 0..districts {
        areas.push(vec![
            format!("D{d}"),
            "P".into(),
            "district".into(),
            format!("Huyện {d}"),
            format!("P/D{d}/"),
        ]);
    }
    for c in 0..communes {
        let d = c / 20;
        areas.push(vec![
            format!("C{c}"),
            format!("D{d}"),
            "commune".into(),
            format!("Xã {c}"),
            format!("P/D{d}/C{c}/"),
        ]);
    }
    insert_many(
        &db,
        "areas (id, parent_id, level, name, path)",
        "(?, ?, ?, ?, ?)",
        &areas,
    )
    .await;
    let mut data = Dataset::new();
    for c in 0..communes {
        let d = c / 20;
        let path = format!("P/D{d}/C{c}/");
        for k in 0..per_commune {
            let id = format!("g-{c}-{k}");
            data.coop(&id, format!("HTX Thử {c}-{k}"), &format!("C{c}"), &path);
            if k % 10 == 0 {
                data.visit(
                    &format!("v-{c}-{k}"),
                    &id,
                    &path,
                    "2025-03-10",
                    String::new(),
                );
            }
        }
    }
    sqlx::query("INSERT INTO users (id, username, password_hash, display_name, role, created_at) VALUES ('u-admin', 'quantri', 'x', 'Quản trị', 'admin', 1)")
        .execute(&db.pool).await.unwrap();
    sqlx::query("INSERT INTO assignments (user_id, area_id) VALUES ('u-admin', 'P')")
        .execute(&db.pool)
        .await
        .unwrap();
    data.write(&db).await;
    println!(
        "dataset: {communes} communes in {districts} districts, {} cooperatives, {} visits (made in {:.1} s)",
        communes * per_commune,
        communes * per_commune / 10,
        t.elapsed().as_secs_f64()
    );

    // The reorganisation: every three communes into one; the districts dissolved.
    let mut r = Reorganisation {
        effective_on: "2025-07-01".into(),
        decision: "Nghị quyết thử".into(),
        new_areas: Vec::new(),
        merges: Vec::new(),
        dissolved: (0..districts).map(|d| format!("D{d}")).collect(),
        splits: Vec::new(),
        placements: Default::default(),
    };
    for (i, group) in (0..communes).collect::<Vec<_>>().chunks(3).enumerate() {
        r.new_areas.push(NewArea {
            id: format!("N{i}"),
            name: format!("Xã Mới {i}"),
            level: hoptac_core::model::AreaLevel::Commune,
            parent_id: "P".into(),
            code: None,
        });
        r.merges.push(Merge {
            from: group.iter().map(|c| format!("C{c}")).collect(),
            into: format!("N{i}"),
        });
    }
    let admin = storage::users::load(&db, "u-admin").await.unwrap().unwrap();
    let cursor = storage::changes::last_seq(&db).await.unwrap();
    let t = Instant::now();
    let done = hoptac_server::rules::reorg::reorganise(&db, &admin, &r, true)
        .await
        .unwrap();
    let apply = t.elapsed().as_secs_f64();
    assert!(done.applied, "{:?}", done.blocked);
    println!(
        "apply: {} cooperatives and {} visits moved, {} areas created, {} closed: {apply:.1} s (target 30 s: {})",
        done.cooperatives_total,
        done.visits_total,
        done.created.len(),
        done.closed.len(),
        if apply <= 30.0 { "met" } else { "NOT met" }
    );

    // The pull after it, against a pull of as many records changed the ordinary way.
    let scopes = vec!["P/".to_string()];
    let t = Instant::now();
    let after = pull_all(&db, &scopes, "u-admin", cursor).await;
    let pull_after = t.elapsed().as_secs_f64();

    let before_relog = storage::changes::last_seq(&db).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    tx.relog_area("P/");
    tx.commit().await.unwrap();
    let t = Instant::now();
    let ordinary = pull_all(&db, &scopes, "u-admin", before_relog).await;
    let pull_ordinary = t.elapsed().as_secs_f64();
    println!("pull after the reorganisation: {after} changes in {pull_after:.2} s");
    println!(
        "baseline, pull of the same records re-logged: {ordinary} changes in {pull_ordinary:.2} s"
    );
    println!(
        "per change: reorganisation {:.1} µs, baseline {:.1} µs, ratio {:.2} (target ≤ 2)",
        pull_after * 1e6 / after as f64,
        pull_ordinary * 1e6 / ordinary as f64,
        (pull_after / after as f64) / (pull_ordinary / ordinary as f64)
    );
}

/// The whole country's 2025 reform as published, over a registry of its former communes.
async fn national() {
    use hoptac_server::units;
    let reports: usize = std::env::var("REORG_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let url = fresh_pg().await;
    let db = Db::connect(&url).await.unwrap();
    let t = Instant::now();
    // Today's provinces and units, then each province's former districts and communes.
    let codes: Vec<String> = units::provinces().into_iter().map(|(c, _)| c).collect();
    let mut tree = units::areas_today(&codes, &Default::default()).unwrap();
    let provinces: Vec<hoptac_core::model::Area> = tree
        .iter()
        .filter(|a| a.parent_id.is_none())
        .cloned()
        .collect();
    for p in &provinces {
        let former = units::areas_before_2025(p, &tree);
        tree.extend(former);
    }
    let rows: Vec<Vec<String>> = tree
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.parent_id.clone().unwrap_or_default(),
                a.level.key().to_string(),
                a.name.clone(),
                a.path.clone(),
                a.code.clone().unwrap_or_default(),
                a.opened_on.clone().unwrap_or_default(),
            ]
        })
        .collect();
    insert_many(
        &db,
        "areas (id, parent_id, level, name, path, code, opened_on)",
        "(?, NULLIF(?, ''), ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''))",
        &rows,
    )
    .await;
    sqlx::query("INSERT INTO users (id, username, password_hash, display_name, role, created_at) VALUES ('u-admin', 'quantri', 'x', 'Quản trị', 'admin', 1)")
        .execute(&db.pool).await.unwrap();
    let former: Vec<&hoptac_core::model::Area> = tree
        .iter()
        .filter(|a| {
            a.level == hoptac_core::model::AreaLevel::Commune
                && a.opened_on.as_deref() != Some(units::REFORM_DATE)
        })
        .collect();
    let per_coop = reports.div_ceil(former.len() * 10).max(1);
    let mut data = Dataset::new();
    let mut written = 0usize;
    for (n, c) in former.iter().enumerate() {
        for k in 0..10 {
            let id = format!("g-{n}-{k}");
            data.coop(&id, format!("HTX Thử {n}-{k}"), &c.id, &c.path);
            for r in 0..per_coop {
                if written == reports {
                    break;
                }
                written += 1;
                let date = format!("{}-03-10", 2021 + r % 5);
                let period = format!("{}-H1", 2021 + r % 5);
                data.visit(&format!("v-{n}-{k}-{r}"), &id, &c.path, &date, period);
            }
        }
        // Written as it goes: a million reports do not sit in memory twice.
        if data.visits.len() >= 50_000 || n + 1 == former.len() {
            data.write(&db).await;
        }
    }
    let grants: Vec<Vec<String>> = provinces.iter().map(|p| vec![p.id.clone()]).collect();
    insert_many(
        &db,
        "assignments (user_id, area_id)",
        "('u-admin', ?)",
        &grants,
    )
    .await;
    sqlx::query("ANALYZE").execute(&db.pool).await.unwrap();
    println!(
        "dataset: {} former communes, {} cooperatives, {written} reports (made in {:.0} s)",
        former.len(),
        former.len() * 10,
        t.elapsed().as_secs_f64()
    );

    // One reorganisation: every province's correspondence.
    let admin = storage::users::load(&db, "u-admin").await.unwrap().unwrap();
    let mut r = Reorganisation {
        effective_on: units::REFORM_DATE.into(),
        decision: units::REFORM_DECISION.into(),
        new_areas: Vec::new(),
        merges: Vec::new(),
        dissolved: Vec::new(),
        splits: Vec::new(),
        placements: Default::default(),
    };
    for p in &provinces {
        let one = hoptac_server::rules::reorg::official_2025(&db, &admin, &p.id)
            .await
            .unwrap();
        r.new_areas.extend(one.new_areas);
        r.merges.extend(one.merges);
        r.dissolved.extend(one.dissolved);
        r.splits.extend(one.splits);
        r.placements.extend(one.placements);
    }
    println!(
        "reorganisation: {} merges, {} splits, {} dissolved",
        r.merges.len(),
        r.splits.len(),
        r.dissolved.len()
    );

    // The preview, while a tablet's report on a cooperative it names is pushed.
    let cursor = storage::changes::last_seq(&db).await.unwrap();
    let t = Instant::now();
    let preview = hoptac_server::rules::reorg::reorganise(&db, &admin, &r, false);
    // Meanwhile, twice a second, a writer (a task of its own, as a tablet's request is)
    // locks one cooperative in ten of the country, as tablets' pushes lock the records
    // they change: the longest it took, against the same writer alone before.
    async fn lock_some(pool: &sqlx::AnyPool) -> f64 {
        let t = Instant::now();
        let mut tx = pool.begin().await.unwrap();
        let locked: Vec<String> =
            sqlx::query_scalar("SELECT id FROM cooperatives WHERE id LIKE 'g-%-0' FOR UPDATE")
                .fetch_all(&mut *tx)
                .await
                .unwrap();
        tx.commit().await.unwrap();
        assert!(locked.len() > 9_000);
        t.elapsed().as_secs_f64()
    }
    let mut alone = 0f64;
    for _ in 0..3 {
        alone = alone.max(lock_some(&db.pool).await);
    }
    println!("a writer locking 10,000 cooperatives, alone: {alone:.2} s at most (3 times)");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers = tokio::spawn({
        let (pool, stop) = (db.pool.clone(), stop.clone());
        async move {
            let mut longest = 0f64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                longest = longest.max(lock_some(&pool).await);
            }
            longest
        }
    });
    let done = preview.await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let waited = writers.await.unwrap();
    let preview_s = t.elapsed().as_secs_f64();
    let done = done.unwrap();
    assert!(
        done.blocked.is_empty(),
        "{:?}",
        &done.blocked[..done.blocked.len().min(5)]
    );
    println!(
        "preview: {} cooperatives, {} reports named: {preview_s:.1} s (target 10 s: {}); a writer locking 10,000 of them meanwhile waited at most {waited:.2} s",
        done.cooperatives_total,
        done.visits_total,
        if preview_s <= 10.0 { "met" } else { "NOT met" }
    );

    let t = Instant::now();
    let done = hoptac_server::rules::reorg::reorganise(&db, &admin, &r, true)
        .await
        .unwrap();
    let apply = t.elapsed().as_secs_f64();
    assert!(done.applied, "{:?}", done.blocked);
    println!(
        "apply: {} cooperatives and {} reports moved, {} areas created, {} closed: {apply:.1} s (target 60 s: {})",
        done.cooperatives_total,
        done.visits_total,
        done.created.len(),
        done.closed.len(),
        if apply <= 60.0 { "met" } else { "NOT met" }
    );

    // A province officer's pull after it, against as many records re-logged.
    let ninh_binh = provinces
        .iter()
        .find(|p| p.code.as_deref() == Some("37"))
        .unwrap();
    let scopes = vec![ninh_binh.path.clone()];
    let (after, pull_after) = median_pull(&db, &scopes, cursor).await;
    // Baselines: the province's records changed the ordinary way (re-logged) alone, and
    // with every province's (as much change in the log as the reform made).
    let baseline = |relog: Vec<String>| {
        let (db, scopes) = (&db, &scopes);
        async move {
            let before = storage::changes::last_seq(db).await.unwrap();
            let mut tx = db.begin_write().await.unwrap();
            for path in &relog {
                tx.relog_area(path);
            }
            tx.commit().await.unwrap();
            median_pull(db, scopes, before).await
        }
    };
    let (alone, alone_s) = baseline(vec![ninh_binh.path.clone()]).await;
    let (country, country_s) = baseline(provinces.iter().map(|p| p.path.clone()).collect()).await;
    println!("pull of Ninh Bình after the reform: {after} changes in {pull_after:.2} s");
    let per = |n: usize, s: f64| s / n as f64;
    println!(
        "baseline, the country re-logged: {country} changes in {country_s:.2} s; ratio {:.2} (target ≤ 2)",
        per(after, pull_after) / per(country, country_s)
    );
    println!(
        "baseline, the province alone re-logged: {alone} changes in {alone_s:.2} s; ratio {:.2}",
        per(after, pull_after) / per(alone, alone_s)
    );
}
