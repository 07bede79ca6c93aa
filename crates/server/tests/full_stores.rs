//! Issue 29 (build 2): stores that fill up or go away. The photo directory out of space (a
//! 16 MiB tmpfs filled to its last byte), the S3 store out of reach (a loopback proxy in
//! front of the S3-compatible server stops answering), PostgreSQL out of connections
//! (every slot taken by other clients): `/api/ready` says which (503 for the database;
//! 200 with `"photos"` for the photo store, which reports do not need), the write is
//! refused with 503 `unavailable` and Retry-After, nothing half-written is left behind, and the same
//! write sent again once the store is back is kept once.

mod common;

use common::*;
use hoptac_server::photos::PhotoStore;
use hoptac_server::{demo, storage::Db};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One test of this file at a time: one of them takes every PostgreSQL connection.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A tmpfs of `size` mounted on a new folder, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            if std::env::var("HOPTAC_SKIP_MOUNT").as_deref() == Ok("1") {
                eprintln!("HOPTAC_SKIP_MOUNT=1: the full-disk test is skipped");
                return None;
            }
            panic!("cannot mount a small tmpfs (needs root, as CI runs): run as root, or set HOPTAC_SKIP_MOUNT=1 to skip the full-disk test");
        }
        Some(Tmpfs { dir })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            eprintln!("could not unmount the test's tmpfs at {}", self.dir.path().display());
        }
    }
}

/// Every file under `dir` (relative paths, sorted), but `except`.
fn files(dir: &std::path::Path, except: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                if rel != except {
                    out.push(rel);
                }
            }
        }
    }
    out.sort();
    out
}

async fn photo_rows(s: &TestServer, hash: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(&format!(
        "SELECT COUNT(*) FROM photos WHERE hash = '{hash}'"
    ))
    .fetch_one(&s.pool)
    .await
    .unwrap()
}

async fn get_photo(s: &TestServer, token: &str, hash: &str) -> (u16, Vec<u8>) {
    let r = s
        .http
        .get(format!("{}/api/photos/{hash}", s.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

/// A refusal because a store is full or out of reach: 503, code `unavailable`, the reason
/// in the message, a Retry-After.
fn assert_unavailable(st: u16, body: &Value, headers: &reqwest::header::HeaderMap, reason: &str) {
    assert_eq!(st, 503, "{body}");
    assert_eq!(body["code"], "unavailable", "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(reason), "{message}");
    assert_eq!(headers.get("retry-after").map(|v| v.to_str().unwrap()), Some("30"));
}

async fn photo_directory_full(backend: Backend) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(disk) = Tmpfs::mount("16m") else { return };
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = fresh_db_url(backend, dir.path()).await else { return };
    let db = Db::connect(&url).await.unwrap();
    assert!(demo::load_if_empty(&db).await.unwrap());
    let photos = PhotoStore::open(&disk.dir.path().display().to_string()).unwrap();
    let s = serve_with(db, url, backend, dir, photos).await;
    assert_eq!(s.ready().await, (200, json!({"status": "ready"})));
    let officer = s.officer().await;
    let (first, first_hash) = jpeg(320, 240, 1);
    let (st, b, _) = put_raw(&s, &officer, &format!("/api/photos/{first_hash}"), first).await;
    assert_eq!(st, 200, "{b}");

    // The disk fills up (another program's files, a backup left behind).
    let filler = disk.dir.path().join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![7u8; 1 << 20];
    let err = loop {
        if let Err(e) = std::io::Write::write_all(&mut f, &chunk) {
            break e;
        }
    };
    assert_eq!(err.kind(), std::io::ErrorKind::StorageFull, "{err}");
    drop(f);
    // Ready still (reports need no photo store), and saying what is wrong.
    let (st, b) = s.ready().await;
    assert_eq!((st, b), (200, json!({"status": "ready", "photos": "the photo store is full"})));

    // A photo sent now is refused, and nothing of it stays: no file, no row.
    let before = files(disk.dir.path(), "filler");
    let (bytes, hash) = jpeg(1600, 1200, 2);
    let (st, b, headers) = put_raw(&s, &officer, &format!("/api/photos/{hash}"), bytes.clone()).await;
    assert_unavailable(st, &b, &headers, "the photo store is full");
    assert_eq!(files(disk.dir.path(), "filler"), before, "nothing half-written");
    assert_eq!(photo_rows(&s, &hash).await, 0);
    // Its report is not held back: the database is elsewhere.
    let (st, b) = s
        .push(&officer, "tablet-full-disk", &[submit(1, visit("r-full-disk", "coop-001", "Ảnh gửi sau."))])
        .await;
    assert_eq!(st, 200, "{b}");

    // Room again: ready, and the same photo sent again is kept once.
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(s.ready().await, (200, json!({"status": "ready"})));
    let (st, b, _) = put_raw(&s, &officer, &format!("/api/photos/{hash}"), bytes.clone()).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(photo_rows(&s, &hash).await, 1);
    assert_eq!(get_photo(&s, &officer, &hash).await, (200, bytes));
    drop(s);
    drop(disk);
}
on_both!(photo_directory_full);

/// A loopback TCP proxy in front of `target`; `down()` cuts every connection and refuses
/// new ones (the S3 store out of reach), `up()` lets them through again.
struct Cable {
    port: u16,
    open: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Cable {
    async fn to(target: String) -> Cable {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (o, l) = (open.clone(), links.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else { return };
                if !o.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is reset
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut upstream) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                });
                l.lock().unwrap().push(task.abort_handle());
            }
        });
        Cable { port, open, links }
    }
    fn down(&self) {
        self.open.store(false, Ordering::SeqCst);
        for t in self.links.lock().unwrap().drain(..) {
            t.abort();
        }
    }
    fn up(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_store_out_of_reach() {
    let _one = ONE_AT_A_TIME.lock().await;
    let (Ok(bucket), Ok(endpoint)) = (std::env::var("HOPTAC_TEST_S3"), std::env::var("AWS_ENDPOINT")) else {
        if std::env::var("HOPTAC_SKIP_S3").as_deref() == Ok("1") {
            eprintln!("HOPTAC_SKIP_S3=1: the S3 test is skipped");
            return;
        }
        panic!("HOPTAC_TEST_S3 and AWS_ENDPOINT are not set: run `bash scripts/test.sh` (it starts an S3-compatible server), or eval \"$(bash scripts/s3.sh start)\" first, or set HOPTAC_SKIP_S3=1");
    };
    let cable = Cable::to(endpoint.trim_start_matches("http://").to_string()).await;
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().file_name().unwrap().to_string_lossy().to_string();
    let builder = object_store::aws::AmazonS3Builder::from_env()
        .with_endpoint(format!("http://127.0.0.1:{}", cable.port));
    let photos = PhotoStore::open_s3(
        &format!("{}/{prefix}", bucket.trim_start_matches("s3://")),
        builder,
    )
    .unwrap();
    let url = fresh_db_url(Backend::Sqlite, dir.path()).await.unwrap();
    let db = Db::connect(&url).await.unwrap();
    assert!(demo::load_if_empty(&db).await.unwrap());
    let s = serve_with(db, url, Backend::Sqlite, dir, photos).await;
    assert_eq!(s.ready().await, (200, json!({"status": "ready"})));
    let officer = s.officer().await;

    cable.down();
    let (st, b) = s.ready().await;
    assert_eq!((st, b), (200, json!({"status": "ready", "photos": "the photo store cannot be reached"})));
    let (bytes, hash) = jpeg(800, 600, 3);
    let started = Instant::now();
    let (st, b, headers) = put_raw(&s, &officer, &format!("/api/photos/{hash}"), bytes.clone()).await;
    assert_unavailable(st, &b, &headers, "the photo store cannot be reached");
    // Refused within the store's retries (8 s), not after object_store's default 3 minutes.
    eprintln!("S3 out of reach: the upload was refused after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(15), "{:?}", started.elapsed());
    assert_eq!(photo_rows(&s, &hash).await, 0, "no row for a photo the store never took");

    cable.up();
    assert_eq!(s.ready().await, (200, json!({"status": "ready"})));
    let (st, b, _) = put_raw(&s, &officer, &format!("/api/photos/{hash}"), bytes.clone()).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(photo_rows(&s, &hash).await, 1);
    assert_eq!(get_photo(&s, &officer, &hash).await, (200, bytes));
}

/// Connections to the test server until it refuses one with "too many clients"
/// (SQLSTATE 53300).
async fn take_every_slot(admin: &str, hogs: &mut Vec<sqlx::PgConnection>) {
    use sqlx::Connection;
    for _ in 0..1000 {
        match sqlx::PgConnection::connect(admin).await {
            Ok(c) => hogs.push(c),
            Err(sqlx::Error::Database(d)) => {
                assert_eq!(d.code().as_deref(), Some("53300"), "{d}");
                return;
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("PostgreSQL took 1000 connections and asked for more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_out_of_connections() {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(s) = start(Backend::Postgres).await else { return };
    let admin = std::env::var("HOPTAC_TEST_PG_URL").unwrap();
    let officer = s.officer().await;
    let tablet = "tablet-no-connection";
    let (st, b) = s.push(&officer, tablet, &[submit(1, visit("r-conn-1", "coop-001", "Trước."))]).await;
    assert_eq!(st, 200, "{b}");

    // Other clients take every slot; the server's own connections are cut (an
    // administrator's pg_terminate_backend, a failover) and their slots taken too.
    let mut hogs = Vec::new();
    take_every_slot(&admin, &mut hogs).await;
    let db_name = s.db_url.rsplit('/').next().unwrap().to_string();
    // Each terminated and waited for (5 s at most), so its slot is free before it is taken.
    sqlx::query("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1")
        .bind(&db_name)
        .execute(&mut hogs[0])
        .await
        .unwrap();
    take_every_slot(&admin, &mut hogs).await;

    let (st, b) = s.ready().await;
    assert_eq!(st, 503, "{b}");
    assert!(b["reason"].as_str().unwrap().contains("database"), "{b}");
    let started = Instant::now();
    let r = s
        .http
        .post(format!("{}/api/sync/push", s.url))
        .bearer_auth(&officer)
        .json(&json!({"client_id": tablet, "mutations": [submit(2, visit("r-conn-2", "coop-001", "Trong lúc hết kết nối."))]}))
        .send()
        .await
        .unwrap();
    let (st, headers) = (r.status().as_u16(), r.headers().clone());
    let b: Value = r.json().await.unwrap();
    assert_unavailable(st, &b, &headers, "the database gave no connection within 10 s");
    eprintln!("PostgreSQL out of connections: the push was refused after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());

    // The other clients leave: nothing of the refused push was kept; sent again, it is
    // applied once.
    drop(hogs);
    let count = |id: &'static str| {
        let pool = s.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM visit_reports WHERE id = '{id}'"))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("r-conn-2").await, 0);
    assert_eq!(s.ready().await, (200, json!({"status": "ready"})));
    let (st, b) = s
        .push(&officer, tablet, &[submit(2, visit("r-conn-2", "coop-001", "Trong lúc hết kết nối."))])
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!((count("r-conn-1").await, count("r-conn-2").await), (1, 1));
}
