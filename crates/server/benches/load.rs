//! Load (issue 18). Not a test: it reports.
//!
//! 500 simulated tablets (30 officers of the national dataset at 1/100 scale, about 17
//! tablets each), all at once, each pushing one new report and then pulling until it is
//! up to date, through nginx (Debian's, round robin) to one and then two `hoptac-server`
//! processes, on SQLite and on PostgreSQL. Three rounds per configuration; reported:
//! the rounds' wall time, sync cycles per second, and push and pull latency p50/p99 over
//! every request of the three rounds. Before the rounds each tablet pulls once from the
//! start (not timed), as a tablet in service is up to date.
//!
//! `HOPTAC_SOAK_MINUTES=10`: instead, the memory soak: 500 tablets connected to one
//! instance on PostgreSQL through nginx for that long, each pulling every 10 s and pushing
//! a report every 60 s; the instance's resident memory (VmRSS) sampled every 30 s.
//!
//! Run: `bash bench/load.sh` (starts PostgreSQL; nginx from `scripts/setup.sh`), or
//! `HOPTAC_SOAK_MINUTES=10 bash bench/load.sh`.

use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hoptac-server");
const TABLETS: usize = 500;
const OFFICERS: usize = 30;
const ROUNDS: usize = 3;

#[path = "../tests/common/procs.rs"]
mod procs;
use procs::{free_port, wait_for, Proc};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A fresh database of `backend` with the 1/100 national dataset.
async fn prepare(backend: &str, dir: &std::path::Path) -> String {
    let url = match backend {
        "sqlite" => format!("sqlite://{}", dir.join("load.db").display()),
        _ => {
            let admin = std::env::var("HOPTAC_TEST_PG_URL")
                .expect("HOPTAC_TEST_PG_URL: run bash bench/load.sh (it starts PostgreSQL)");
            let name = format!("load_{}", uuid::Uuid::new_v4().simple());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
        }
    };
    let out = Command::new(BIN)
        .args(["--db", &url, "demo", "--national", "--scale", "0.01"])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    url
}

fn start_instances(url: &str, dir: &std::path::Path, n: usize) -> (Vec<Proc>, Vec<u16>) {
    let mut procs = Vec::new();
    let mut ports = Vec::new();
    for _ in 0..n {
        let port = free_port();
        let child = Command::new(BIN)
            .args([
                "--db",
                url,
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--photos",
                dir.join("photos").to_str().unwrap(),
                "--trusted-proxies",
                "127.0.0.1",
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        wait_for(port, "hoptac-server");
        procs.push(Proc(child));
        ports.push(port);
    }
    (procs, ports)
}

fn start_nginx(dir: &std::path::Path, upstreams: &[u16]) -> (Proc, u16) {
    let port = free_port();
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let ngx = dir.join("nginx");
    std::fs::create_dir_all(&ngx).unwrap();
    let conf = ngx.join("nginx.conf");
    std::fs::write(
        &conf,
        hoptac_server::ops::nginx_config(&ngx, port, upstreams, root),
    )
    .unwrap();
    let child = Command::new("/usr/sbin/nginx")
        .args(["-c", conf.to_str().unwrap(), "-p", ngx.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx (Debian package; scripts/setup.sh installs it)");
    wait_for(port, "nginx");
    (Proc(child), port)
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let mut r = http.post(url).json(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    match r.send().await {
        Ok(r) => {
            let st = r.status().as_u16();
            (st, r.json().await.unwrap_or(Value::Null))
        }
        Err(e) => (0, json!(e.to_string())),
    }
}

struct Tablet {
    client: String,
    token: String,
    officer: usize,
    cursor: i64,
    next_id: u64,
}

/// Pulls from the tablet's cursor until up to date; each request's latency in ms.
async fn pull(http: &reqwest::Client, base: &str, t: &mut Tablet, times: &mut Vec<f64>) {
    loop {
        let started = Instant::now();
        let (st, b) = post(
            http,
            &format!("{base}/api/sync/pull"),
            Some(&t.token),
            &json!({"client_id": t.client, "cursor": t.cursor, "limit": 500}),
        )
        .await;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(st, 200, "pull: {b}");
        t.cursor = b["cursor"].as_i64().unwrap();
        if !b["has_more"].as_bool().unwrap() {
            return;
        }
    }
}

async fn push(http: &reqwest::Client, base: &str, t: &mut Tablet, coop: &str) -> f64 {
    let id = t.next_id;
    t.next_id += 1;
    let report = json!({
        "id": format!("load-{}-{id}", t.client), "cooperative_id": coop, "author_id": "x",
        "visit_date": "2026-05-20", "note": "Khảo sát tải", "status": "submitted", "created_at": 1,
    });
    let started = Instant::now();
    let (st, b) = post(
        http,
        &format!("{base}/api/sync/push"),
        Some(&t.token),
        &json!({"client_id": t.client, "mutations": [{"id": id, "created_at": 1, "op": {"type": "submit_visit", "data": report}}]}),
    )
    .await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!((st, b["rejected"].clone()), (200, json!([])), "push: {b}");
    ms
}

/// The officers' tokens and a cooperative of each officer's area.
async fn officers(http: &reqwest::Client, base: &str, url: &str) -> Vec<(String, String)> {
    let db = hoptac_server::storage::Db::connect(url).await.unwrap();
    let mut out = Vec::new();
    for o in 0..OFFICERS {
        let (st, b) = post(
            http,
            &format!("{base}/api/auth/login"),
            None,
            &json!({"username": format!("canbo.{o:04}"), "password": hoptac_server::national::PASSWORD}),
        )
        .await;
        assert_eq!(st, 200, "{b}");
        let coop: String = sqlx::query_scalar(
            "SELECT c.id FROM cooperatives c JOIN assignments a ON a.user_id = $1 JOIN areas r ON r.id = a.area_id WHERE c.area_path = r.path LIMIT 1",
        )
        .bind(format!("u-qg-{o:04}"))
        .fetch_one(&db.pool)
        .await
        .unwrap();
        out.push((b["token"].as_str().unwrap().to_string(), coop));
    }
    db.pool.close().await;
    out
}

async fn tablets(http: &reqwest::Client, base: &str, officers: &[(String, String)]) -> Vec<Tablet> {
    let mut out = Vec::new();
    for i in 0..TABLETS {
        let o = i % OFFICERS;
        out.push(Tablet {
            client: format!("load-tab-{i}"),
            token: officers[o].0.clone(),
            officer: o,
            cursor: 0,
            next_id: 1,
        });
    }
    // Up to date before the rounds (not timed), 50 at a time.
    for chunk in out.chunks_mut(50) {
        let mut jobs = Vec::new();
        for t in chunk.iter_mut() {
            let (http, base) = (http.clone(), base.to_string());
            let mut mine = Tablet {
                client: t.client.clone(),
                token: t.token.clone(),
                officer: t.officer,
                cursor: 0,
                next_id: 1,
            };
            jobs.push(tokio::spawn(async move {
                pull(&http, &base, &mut mine, &mut Vec::new()).await;
                mine.cursor
            }));
        }
        for (t, j) in chunk.iter_mut().zip(jobs) {
            t.cursor = j.await.unwrap();
        }
    }
    out
}

/// A running deployment with its tablets: `instances` servers on a fresh `backend`
/// database behind nginx, a client for all the tablets' connections, the officers signed
/// in (token, a cooperative of theirs) and every tablet up to date. Dropped, nginx stops,
/// then the servers, then their folder goes.
struct Cluster {
    _nginx: Proc,
    procs: Vec<Proc>,
    _dir: tempfile::TempDir,
    base: String,
    http: reqwest::Client,
    officers: Arc<Vec<(String, String)>>,
    tablets: Vec<Tablet>,
}

async fn cluster(backend: &str, instances: usize) -> Cluster {
    let dir = tempfile::tempdir().unwrap();
    let url = prepare(backend, dir.path()).await;
    let (procs, ports) = start_instances(&url, dir.path(), instances);
    let (nginx, front) = start_nginx(dir.path(), &ports);
    let base = format!("http://127.0.0.1:{front}");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(TABLETS)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let officers = Arc::new(officers(&http, &base, &url).await);
    let tablets = tablets(&http, &base, &officers).await;
    Cluster {
        _nginx: nginx,
        procs,
        _dir: dir,
        base,
        http,
        officers,
        tablets,
    }
}

async fn load(backend: &str, instances: usize) {
    let c = cluster(backend, instances).await;
    let (http, base, officers) = (&c.http, &c.base, &c.officers);
    let mut all = c.tablets;
    let (mut pushes, mut pulls, mut walls) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let mut jobs = Vec::new();
        for mut t in all.drain(..) {
            let (http, base, officers) = (http.clone(), base.clone(), officers.clone());
            jobs.push(tokio::spawn(async move {
                let coop = officers[t.officer].1.clone();
                let p = push(&http, &base, &mut t, &coop).await;
                let mut pl = Vec::new();
                pull(&http, &base, &mut t, &mut pl).await;
                (t, p, pl)
            }));
        }
        for j in jobs {
            let (t, p, pl) = j.await.unwrap();
            pushes.push(p);
            pulls.extend(pl);
            all.push(t);
        }
        walls.push(started.elapsed().as_secs_f64());
    }
    pushes.sort_by(|a, b| a.partial_cmp(b).unwrap());
    pulls.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let wall: f64 = walls.iter().sum::<f64>() / walls.len() as f64;
    println!(
        "  {backend:<10} {instances} instance(s)  rounds {}  {:>6.0} syncs/s  push p50 {:>6.1} p99 {:>7.1}  pull p50 {:>6.1} p99 {:>7.1} ms",
        walls.iter().map(|w| format!("{w:.2}s")).collect::<Vec<_>>().join(" "),
        TABLETS as f64 / wall,
        percentile(&pushes, 0.5),
        percentile(&pushes, 0.99),
        percentile(&pulls, 0.5),
        percentile(&pulls, 0.99),
    );
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn soak(minutes: u64) {
    let c = cluster("postgres", 1).await;
    let pid = c.procs[0].0.id();
    let (http, base, officers) = (&c.http, &c.base, &c.officers);
    let all = c.tablets;
    println!("memory soak: {TABLETS} tablets, {minutes} min, one instance on PostgreSQL");
    println!("  after the first pulls: VmRSS {} KB", rss_kb(pid));
    let end = Instant::now() + Duration::from_secs(minutes * 60);
    let mut jobs = Vec::new();
    for (i, mut t) in all.into_iter().enumerate() {
        let (http, base, officers) = (http.clone(), base.clone(), officers.clone());
        jobs.push(tokio::spawn(async move {
            // Spread over the first 10 s.
            tokio::time::sleep(Duration::from_millis((i as u64 * 10_000) / TABLETS as u64)).await;
            let mut n = 0u64;
            while Instant::now() < end {
                if n % 6 == 0 {
                    let coop = officers[t.officer].1.clone();
                    push(&http, &base, &mut t, &coop).await;
                }
                pull(&http, &base, &mut t, &mut Vec::new()).await;
                n += 1;
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
            n
        }));
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    while Instant::now() < end {
        tokio::time::sleep(Duration::from_secs(30)).await;
        let kb = rss_kb(pid);
        samples.push(kb);
        println!(
            "  {:>4.0} s  VmRSS {kb} KB",
            started.elapsed().as_secs_f64()
        );
    }
    let mut syncs = 0;
    for j in jobs {
        syncs += j.await.unwrap();
    }
    let first = samples.first().copied().unwrap_or(0);
    let last = samples.last().copied().unwrap_or(0);
    let max = samples.iter().copied().max().unwrap_or(0);
    println!(
        "  {syncs} syncs; VmRSS first sample {first} KB, last {last} KB ({:+.1}%), highest {max} KB",
        (last as f64 - first as f64) * 100.0 / first.max(1) as f64
    );
}

#[tokio::main]
async fn main() {
    if let Some(m) = std::env::var("HOPTAC_SOAK_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
    {
        soak(m).await;
        return;
    }
    // HOPTAC_LOAD_BACKENDS=postgres measures one database only; HOPTAC_DB_POOL (inherited
    // by the instances) sets their pool size (`hoptac-server --db-pool`).
    let only = std::env::var("HOPTAC_LOAD_BACKENDS").unwrap_or_default();
    let pool = std::env::var("HOPTAC_DB_POOL").unwrap_or_else(|_| "default".into());
    println!("load: {TABLETS} tablets at once, each pushing a report then pulling, through nginx (pool: {pool})");
    for backend in ["sqlite", "postgres"] {
        if !only.is_empty() && !only.split(',').any(|b| b == backend) {
            continue;
        }
        for instances in [1, 2] {
            load(backend, instances).await;
        }
    }
}
