//! The server binary's start-up errors: one line saying what to change, exit code 2; and a
//! clean stop on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hoptac-server");

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

fn tmp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    (dir, url)
}

#[test]
fn a_bad_database_url_says_what_to_write() {
    let (code, err) = run(&["--db", "mysql://x", "--listen", "127.0.0.1:0"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("sqlite://PATH"), "{err}");
}

#[test]
fn a_pool_size_out_of_range_is_refused_by_name() {
    let (_dir, db) = tmp_db();
    for n in ["0", "201", "many"] {
        let (code, err) = run(&["--db", &db, "--db-pool", n, "--listen", "127.0.0.1:0"]);
        assert_eq!(code, 2, "{n}: {err}");
        assert!(err.contains("--db-pool"), "{n}: {err}");
    }
}

#[test]
fn an_unwritable_data_folder_is_named() {
    let (code, err) = run(&[
        "--db",
        "sqlite:///proc/hoptac-test/h.db",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/proc/hoptac-test") && err.contains("--db"),
        "{err}"
    );
}

#[test]
fn a_port_in_use_says_to_choose_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (_dir, db) = tmp_db();
    let (code, err) = run(&["--db", &db, "--listen", &addr]);
    assert_eq!(code, 2);
    assert!(
        err.contains("already in use") && err.contains("--listen"),
        "{err}"
    );
    let (code, err) = run(&["--db", &db, "--listen", "not-an-address"]);
    assert_eq!(code, 2);
    assert!(err.contains("HOST:PORT"), "{err}");
}

#[test]
fn a_missing_app_folder_is_named() {
    let (_dir, db) = tmp_db();
    let (code, err) = run(&[
        "--db",
        &db,
        "--listen",
        "127.0.0.1:0",
        "--static-dir",
        "/nonexistent-dist",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent-dist") && err.contains("index.html"),
        "{err}"
    );
}

#[test]
fn demo_accounts_are_printed_and_sigterm_stops_cleanly() {
    let (_dir, db) = tmp_db();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(BIN)
        .args(["--db", &db, "--listen", &listen, "--demo"])
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while std::net::TcpStream::connect(&listen).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    send_sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for account in [
        "canbo.hoalu",
        "hoptac-hoalu",
        "canbo.kimson",
        "giamsat",
        "quantri",
    ] {
        assert!(stdout.contains(account), "{account} not printed:\n{stdout}");
    }
}

fn send_sigterm(pid: u32) {
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
}

fn admin_create(db: &str, username: &str, stdin: &str) -> (i32, String, String) {
    admin_create_with(db, username, &["--province", "37"], stdin)
}

fn admin_create_with(
    db: &str,
    username: &str,
    extra: &[&str],
    stdin: &str,
) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(["--db", db, "admin", "create", "--username", username])
        .args(extra)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

/// The first administrator, on an empty database, without demo data: the province the
/// alliance covers is given by its official code and loaded from the bundled units of
/// today (Ninh Bình since 1 July 2025: 129 communes and wards of the former Hà Nam, Nam
/// Định and Ninh Bình); the password comes from stdin (never the command line) and never
/// shows in the output.
#[test]
fn the_first_administrator_from_the_command_line() {
    let (_dir, db) = tmp_db();
    // Without a province, an empty database says what to give.
    let (code, _, err) = admin_create_with(&db, "quantri.tinh", &[], "mot-mat-khau-dai\n");
    assert_eq!(code, 2);
    assert!(
        err.contains("--province") && err.contains("37 Tỉnh Ninh Bình"),
        "{err}"
    );
    let (code, _, err) = admin_create_with(
        &db,
        "quantri.tinh",
        &["--province", "35"],
        "mot-mat-khau-dai\n",
    );
    assert_eq!(code, 2, "Hà Nam closed on 1 July 2025");
    assert!(err.contains("'35'"), "{err}");
    // A province named twice is loaded once.
    let (code, out, err) = admin_create_with(
        &db,
        "QuanTri.Tinh",
        &["--province", "37,37", "--province", "37"],
        "mot-mat-khau-dai\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("quantri.tinh")
            && out.contains("Tỉnh Ninh Bình")
            && out.contains("129 communes"),
        "{out}"
    );
    assert!(!out.contains("mot-mat-khau-dai") && !err.contains("mot-mat-khau-dai"));
    let (code, _, err) = admin_create(&db, "quantri.tinh", "mot-mat-khau-dai\n");
    assert_eq!(code, 2);
    assert!(err.contains("taken"), "{err}");
    let (code, _, err) = admin_create(&db, "quantri2", "ngan\n");
    assert_eq!(
        (code, err.contains("8")),
        (2, true),
        "a short password is refused: {err}"
    );
    // No demo data came with it: no cooperative, one person's account (besides the
    // server's own, migration 0014).
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let d = hoptac_server::storage::Db::connect(&db).await.unwrap();
        let coops: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cooperatives")
            .fetch_one(&d.pool)
            .await
            .unwrap();
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id <> 'system'")
            .fetch_one(&d.pool)
            .await
            .unwrap();
        assert_eq!((coops, users), (0, 1));
        // Today's units, with their official codes: Phường Hoa Lư carries 14329.
        let (n, districts): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), SUM(CASE WHEN level = 'district' THEN 1 ELSE 0 END) FROM areas",
        )
        .fetch_one(&d.pool)
        .await
        .unwrap();
        assert_eq!((n, districts), (130, 0));
        let hoa_lu: (String, String) =
            sqlx::query_as("SELECT name, path FROM areas WHERE code = '14329'")
                .fetch_one(&d.pool)
                .await
                .unwrap();
        assert_eq!(
            hoa_lu,
            ("Phường Hoa Lư".to_string(), "37/14329/".to_string())
        );
    });
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

/// Issue 18: `backup` and `restore` on SQLite from the command line: the backup is a
/// working copy, never overwrites a file; a restore of something that is not a backup is
/// refused and changes nothing; a restore puts the copy back with a new identity.
#[test]
fn backup_and_restore_from_the_command_line() {
    let (dir, db) = tmp_db();
    let (code, _, err) = admin_create(&db, "quantri", "mot-mat-khau-dai\n");
    assert_eq!(code, 0, "{err}");
    let file = dir.path().join("backup.db");
    let f = file.to_str().unwrap();
    let (code, out, err) = cli(&["--db", &db, "backup", f]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("backup written"), "{out}");
    let (code, _, err) = cli(&["--db", &db, "backup", f]);
    assert_eq!((code, err.contains("exists already")), (2, true), "{err}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let read = |url: &str| {
        let url = url.to_string();
        rt.block_on(async move {
            let d = hoptac_server::storage::Db::connect(&url).await.unwrap();
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id <> 'system'")
                .fetch_one(&d.pool)
                .await
                .unwrap();
            let e = d.epoch.clone();
            d.pool.close().await;
            (n, e)
        })
    };
    let (n0, epoch0) = read(&db);
    // A second account after the backup.
    let (code, _, err) = admin_create(&db, "quantri2", "mot-mat-khau-dai\n");
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(&db).0, n0 + 1);

    // Not a backup: refused, nothing changed.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let (code, _, err) = cli(&["--db", &db, "restore", junk.to_str().unwrap()]);
    assert_eq!((code, err.contains("not a backup")), (2, true), "{err}");
    assert_eq!(read(&db).0, n0 + 1);

    // The backup restored: the account made after it is gone, the identity is new.
    let (code, out, err) = cli(&["--db", &db, "restore", f]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("new identity"), "{out}");
    let (n, epoch) = read(&db);
    assert_eq!(n, n0);
    assert_ne!(epoch, epoch0);
}

/// Issue 18: operations on a running server: liveness and readiness apart; /metrics in
/// Prometheus' text format, only with HOPTAC_METRICS_TOKEN when it is set; the log as
/// one JSON object per line with --log-format json, never holding the token.
#[test]
fn readiness_metrics_and_json_logs() {
    let (_dir, db) = tmp_db();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(BIN)
        .args([
            "--db",
            &db,
            "--listen",
            &listen,
            "--demo-seed",
            "--log-format",
            "json",
            "--db-pool",
            "3",
        ])
        .env("RUST_LOG", "info")
        .env("HOPTAC_METRICS_TOKEN", "metrics-secret-1234")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while std::net::TcpStream::connect(&listen).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let base = format!("http://{listen}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let get = |path: &str, bearer: Option<&str>| {
            let mut r = http.get(format!("{base}{path}"));
            if let Some(b) = bearer {
                r = r.bearer_auth(b);
            }
            async move {
                let r = r.send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        assert_eq!(get("/api/health", None).await.0, 200);
        let (st, body) = get("/api/ready", None).await;
        assert_eq!((st, body.as_str()), (200, r#"{"status":"ready"}"#));
        assert_eq!(get("/api/visits", None).await.0, 401);
        assert_eq!(
            get("/metrics", None).await.0,
            404,
            "a token is set: none, no metrics"
        );
        assert_eq!(get("/metrics", Some("wrong")).await.0, 404);
        let (st, text) = get("/metrics", Some("metrics-secret-1234")).await;
        assert_eq!(st, 200);
        assert!(
            text.contains(
                r#"hoptac_http_requests_total{method="GET",route="/api/visits",status="401"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"hoptac_http_request_duration_seconds_count{method="GET",route="/api/ready"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains("hoptac_db_pool_connections "), "{text}");
        assert!(
            text.contains("hoptac_db_pool_max_connections 3\n"),
            "--db-pool 3: {text}"
        );
    });
    send_sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains("metrics-secret-1234"),
        "the token is never logged"
    );
    let logs: Vec<serde_json::Value> = all
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(logs.len() >= 2, "{all}");
    assert!(
        logs.iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string()),
        "{all}"
    );
    assert!(
        logs.iter().any(|l| l["fields"]["message"] == "stopped"),
        "{all}"
    );
}

/// Issue 18: the national dataset generator at 1/100 scale: the counts it says, the
/// two-tier areas, every report logged for pull and searchable; a second run refuses a
/// database that is not empty.
#[test]
fn the_national_dataset_at_a_hundredth() {
    let (_dir, db) = tmp_db();
    let (code, out, err) = cli(&["--db", &db, "demo", "--national", "--scale", "0.01"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("34 provinces, 34 communes, 1000 cooperatives, 30 officers, 10000 reports"),
        "{out}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let d = hoptac_server::storage::Db::connect(&db).await.unwrap();
        let one = |sql: &'static str| {
            let pool = d.pool.clone();
            async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
        };
        assert_eq!(one("SELECT COUNT(*) FROM visit_reports").await, 10_000);
        assert_eq!(one("SELECT COUNT(*) FROM cooperatives").await, 1_000);
        assert_eq!(one("SELECT COUNT(*) FROM areas WHERE level = 'district'").await, 0, "two tiers");
        assert_eq!(one("SELECT COUNT(*) FROM sync_log WHERE entity = 'visit'").await, 10_000);
        assert_eq!(one("SELECT COUNT(*) FROM visit_reports WHERE search = ''").await, 0);
        assert!(one("SELECT COUNT(*) FROM visit_reports WHERE status = 'submitted'").await > 100);
        assert_eq!(
            one("SELECT COUNT(*) FROM visit_reports v JOIN users u ON u.id = v.author_id JOIN assignments a ON a.user_id = u.id JOIN areas c ON c.id = a.area_id WHERE v.area_path = c.path").await,
            10_000,
            "each report written by an officer of its commune"
        );
        d.pool.close().await;
    });
    let (code, _, err) = cli(&["--db", &db, "demo", "--national", "--scale", "0.01"]);
    assert_eq!((code, err.contains("not empty")), (2, true), "{err}");
    let (code, _, err) = cli(&["--db", &db, "demo"]);
    assert_eq!((code, err.contains("--national")), (2, true), "{err}");
}
