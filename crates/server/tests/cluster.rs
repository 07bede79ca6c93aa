//! Issue 18: past one machine. Two `hoptac-server` processes on one PostgreSQL database
//! behind nginx (Debian's package) as a round-robin proxy, with simulated tablets syncing
//! through both: nothing lost, nothing duplicated, every tablet's pull cursor complete.
//! And the pull cursor against transactions committing out of order across instances,
//! with the interleaving forced (one instance holds its commit open).

mod common;

use common::*;
use hoptac_core::sync::{Mutation, PullResponse};
use hoptac_server::storage::Db;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hoptac-server");

#[path = "common/procs.rs"]
mod procs;
use procs::{free_port, wait_for, Proc};

fn nginx_binary() -> Option<String> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())
        .map(str::to_string)
}

/// nginx on `port` in front of `upstreams`, round robin, as docs/DEPLOY.md configures it
/// (without TLS: the test is on loopback).
fn start_nginx(dir: &std::path::Path, port: u16, upstreams: &[u16]) -> Option<Proc> {
    let Some(bin) = nginx_binary() else {
        if std::env::var("HOPTAC_SKIP_NGINX").as_deref() == Ok("1") {
            eprintln!("HOPTAC_SKIP_NGINX=1: the test of two instances behind nginx is skipped");
            return None;
        }
        panic!("nginx is not installed: run `bash scripts/setup.sh` (it installs Debian's nginx), or set HOPTAC_SKIP_NGINX=1 to skip this test");
    };
    let conf = hoptac_server::ops::nginx_config(dir, port, upstreams, unsafe_is_root());
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new(bin)
        .args(["-c", path.to_str().unwrap(), "-p", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    wait_for(port, "nginx");
    Some(Proc(child))
}

fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn start_instance(db_url: &str, photos: &std::path::Path, port: u16) -> Proc {
    let child = Command::new(BIN)
        .args([
            "--db",
            db_url,
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--photos",
            photos.to_str().unwrap(),
            "--trusted-proxies",
            "127.0.0.1",
        ])
        .env("RUST_LOG", "warn")
        .env_remove("HOPTAC_METRICS_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    wait_for(port, "hoptac-server");
    Proc(child)
}

async fn call(http: &reqwest::Client, url: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut r = http.post(url).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(Value::Null))
}

async fn login(http: &reqwest::Client, base: &str, user: &str, password: &str) -> String {
    let (st, b) = call(
        http,
        &format!("{base}/api/auth/login"),
        None,
        json!({"username": user, "password": password}),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    b["token"].as_str().unwrap().to_string()
}

/// Pulls from `cursor` until nothing more waits; the visit ids received, and the cursor.
async fn pull_from(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    client: &str,
    mut cursor: i64,
    seen: &mut BTreeSet<String>,
) -> i64 {
    loop {
        let (st, b) = call(
            http,
            &format!("{base}/api/sync/pull"),
            Some(token),
            json!({"client_id": client, "cursor": cursor, "limit": 50}),
        )
        .await;
        assert_eq!(st, 200, "{b}");
        let page: PullResponse = serde_json::from_value(b).unwrap();
        for c in page.changes {
            if let hoptac_core::sync::Change::Visit(v) = c.change {
                seen.insert(v.id);
            }
        }
        cursor = page.cursor;
        if !page.has_more {
            return cursor;
        }
    }
}

/// The ids of every report `token` may see, through `GET /api/visits` pages.
async fn server_reports(http: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let (mut out, mut after) = (Vec::new(), String::new());
    loop {
        let r = http
            .get(format!("{base}/api/visits?limit=200&after={after}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let page: hoptac_core::queue::QueuePage = r.json().await.unwrap();
        out.extend(page.reports.into_iter().map(|i| i.report.id));
        match page.next {
            Some(n) => after = n,
            None => return out,
        }
    }
}

/// 12 tablets (4 for each of the demo's three officers), each 5 rounds of: push 3 new
/// reports (every other round sent twice, as after a lost answer), then pull on from its
/// cursor; all at once, through nginx to two instances.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_behind_nginx_lose_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = fresh_db_url(Backend::Postgres, dir.path()).await else {
        return;
    };
    let db = Db::connect(&url).await.unwrap();
    assert!(hoptac_server::demo::load_if_empty(&db).await.unwrap());
    db.pool.close().await;
    let photos = dir.path().join("photos");
    let (p1, p2, front) = (free_port(), free_port(), free_port());
    let _a = start_instance(&url, &photos, p1);
    let _b = start_instance(&url, &photos, p2);
    let Some(_nginx) = start_nginx(dir.path(), front, &[p1, p2]) else {
        return;
    };
    let base = format!("http://127.0.0.1:{front}");
    let http = reqwest::Client::new();

    let officers = [
        (
            "canbo.hoalu",
            "hoptac-hoalu",
            ["coop-001", "coop-002", "coop-003"],
        ),
        (
            "canbo.kimson",
            "hoptac-kimson",
            ["coop-016", "coop-017", "coop-018"],
        ),
        (
            "canbo.giavien",
            "hoptac-giavien",
            ["coop-010", "coop-011", "coop-012"],
        ),
    ];
    let mut tasks = Vec::new();
    for (o, (user, password, coops)) in officers.iter().enumerate() {
        for t in 0..4 {
            let (http, base) = (http.clone(), base.clone());
            let (user, password, coops) = (user.to_string(), password.to_string(), *coops);
            tasks.push(tokio::spawn(async move {
                let token = login(&http, &base, &user, &password).await;
                let client = format!("tab-{o}-{t}");
                let (mut cursor, mut seen, mut next_id) = (0i64, BTreeSet::new(), 1u64);
                for round in 0..5 {
                    let batch: Vec<Mutation> = (0..3)
                        .map(|k| {
                            let id = next_id + k;
                            submit(
                                id,
                                visit(
                                    &format!("c-{o}-{t}-{id}"),
                                    coops[k as usize],
                                    "Qua hai máy chủ",
                                ),
                            )
                        })
                        .collect();
                    next_id += 3;
                    let sends = if round % 2 == 0 { 2 } else { 1 };
                    for _ in 0..sends {
                        let (st, b) = call(
                            &http,
                            &format!("{base}/api/sync/push"),
                            Some(&token),
                            json!({"client_id": client, "mutations": batch}),
                        )
                        .await;
                        assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
                        assert_eq!(b["last_mutation_id"], next_id - 1);
                    }
                    cursor = pull_from(&http, &base, &token, &client, cursor, &mut seen).await;
                }
                (user, token, client, cursor, seen)
            }));
        }
    }
    let mut tablets = Vec::new();
    for t in tasks {
        tablets.push(t.await.unwrap());
    }

    // Every report once on the server: 12 tablets × 5 rounds × 3.
    let sup = login(&http, &base, "giamsat", "hoptac-giamsat").await;
    let all = server_reports(&http, &base, &sup).await;
    let unique: BTreeSet<&String> = all.iter().collect();
    assert_eq!(
        (all.len(), unique.len()),
        (180, 180),
        "none lost, none twice"
    );
    // Each tablet, pulling on from its own cursor, has exactly what its officer may see:
    // a cursor never passed a change committed late on the other instance.
    let mut by_officer: HashMap<String, Vec<String>> = HashMap::new();
    for (user, token, client, cursor, mut seen) in tablets {
        pull_from(&http, &base, &token, &client, cursor, &mut seen).await;
        let expected = match by_officer.get(&user) {
            Some(e) => e.clone(),
            None => {
                let e = server_reports(&http, &base, &token).await;
                by_officer.insert(user.clone(), e.clone());
                e
            }
        };
        let expected: BTreeSet<String> = expected.into_iter().collect();
        // Its four tablets' 60 reports, and those of the areas it covers besides (canbo.hoalu
        // covers Gia Viễn too: 120).
        let own = client.rsplit_once('-').unwrap().0.replacen("tab", "c", 1);
        let own_count = expected
            .iter()
            .filter(|id| id.starts_with(&format!("{own}-")))
            .count();
        assert_eq!(own_count, 60, "{user}: its four tablets' reports");
        assert_eq!(seen, expected, "{client}: everything, through its cursor");
    }
    // Both instances answered: each counted pushes (read directly, on loopback).
    for p in [p1, p2] {
        let text = http
            .get(format!("http://127.0.0.1:{p}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let pushes: u64 = text
            .lines()
            .filter(|l| l.starts_with(r#"hoptac_http_requests_total{method="POST",route="/api/sync/push",status="200"}"#))
            .filter_map(|l| l.rsplit(" ").next()?.parse::<u64>().ok())
            .sum();
        assert!(
            pushes > 10,
            "instance on {p} took a share of the pushes: {pushes}"
        );
    }
}

/// Instance A holds its commit open after taking its sequence number; instance B commits
/// a change meanwhile. A tablet pulling from B in between must not receive B's change
/// with a cursor past A's (it would never receive A's): B's number waits for A's commit,
/// and the pull sees both once both are in.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_pull_cursor_never_passes_a_commit_still_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = fresh_db_url(Backend::Postgres, dir.path()).await else {
        return;
    };
    let mut slow_db = Db::connect(&url).await.unwrap();
    assert!(hoptac_server::demo::load_if_empty(&slow_db).await.unwrap());
    slow_db.commit_delay = Some(Duration::from_millis(1500));
    let a = serve(
        slow_db,
        url.clone(),
        Backend::Postgres,
        tempfile::tempdir().unwrap(),
    )
    .await;
    let b = serve(
        Db::connect(&url).await.unwrap(),
        url.clone(),
        Backend::Postgres,
        tempfile::tempdir().unwrap(),
    )
    .await;
    let hoa = b.officer().await;
    // Another tablet of the same officer reads what arrives; it is up to date before.
    let reader = b.officer().await;
    let mut seen = BTreeSet::new();
    let http = reqwest::Client::new();
    let cursor = pull_from(&http, &b.url, &reader, "reader-tab", 0, &mut seen).await;

    let started = Instant::now();
    let slow = {
        let (url, hoa) = (a.url.clone(), hoa.clone());
        let http = http.clone();
        tokio::spawn(async move {
            let r = call(
                &http,
                &format!("{url}/api/sync/push"),
                Some(&hoa),
                json!({"client_id": "tab-slow", "mutations": [submit(1, visit("slow", "coop-001", "chậm"))]}),
            )
            .await;
            (r, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let fast = {
        let (url, hoa) = (b.url.clone(), hoa.clone());
        let http = http.clone();
        tokio::spawn(async move {
            let r = call(
                &http,
                &format!("{url}/api/sync/push"),
                Some(&hoa),
                json!({"client_id": "tab-fast", "mutations": [submit(1, visit("fast", "coop-002", "nhanh"))]}),
            )
            .await;
            (r, started.elapsed())
        })
    };
    // While A's commit is open: a pull from B gets neither (never "fast" alone).
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut during = BTreeSet::new();
    let cursor_during = pull_from(&http, &b.url, &reader, "reader-tab", cursor, &mut during).await;
    assert!(
        !(during.contains("fast") && !during.contains("slow")),
        "a cursor past a commit still in flight: {during:?}"
    );
    let ((slow_answer, slow_done), (fast_answer, fast_done)) =
        (slow.await.unwrap(), fast.await.unwrap());
    assert_eq!(slow_answer.0, 200, "{:?}", slow_answer.1);
    assert_eq!(fast_answer.0, 200, "{:?}", fast_answer.1);
    assert!(
        fast_done >= slow_done - Duration::from_millis(50),
        "the interleaving happened: B's commit waited for A's ({fast_done:?} vs {slow_done:?})"
    );
    // Both arrive, through the cursor the tablet held.
    pull_from(
        &http,
        &b.url,
        &reader,
        "reader-tab",
        cursor_during,
        &mut during,
    )
    .await;
    assert!(
        during.contains("slow") && during.contains("fast"),
        "{during:?}"
    );
}
