//! Operations (issue 18): `hoptac-server backup FILE` and `hoptac-server restore FILE`.
//!
//! - SQLite: the backup is `VACUUM INTO` (SQLite's online, consistent copy, taken while the
//!   server runs); the restore puts the copy in the database file's place (server stopped)
//!   through a temporary file and a rename, and drops the old write-ahead log.
//! - PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists --no-owner`
//!   (the programs of the `postgresql-client` package, found on PATH or in
//!   /usr/lib/postgresql/*/bin).
//!
//! A restored database gets a new identity (migration 0008, [`crate::storage::Db::renew_epoch`]):
//! tablets that see it pull from the start and re-send what the server lacks. Photos are
//! not in the database: back up the photo folder (or the bucket) alongside (docs/DEPLOY.md);
//! a photo a restored database names but the store lacks is asked of the tablets again.

use crate::storage::{redact_url, Db};
use std::path::{Path, PathBuf};

/// The SQLite file a `sqlite://PATH` URL names.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// A PostgreSQL client program: on PATH, else the newest in /usr/lib/postgresql/*/bin.
fn pg_program(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false);
    if on_path {
        return PathBuf::from(name);
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.last()
        .map(|d| d.join("bin").join(name))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// `url` without its password, and the password (given to the PostgreSQL programs in
/// PGPASSWORD: a command line is readable by every user of the machine).
fn split_password(url: &str) -> (String, Option<String>) {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let password = u.password().map(|p| {
                percent_encoding::percent_decode_str(p)
                    .decode_utf8_lossy()
                    .into_owned()
            });
            if password.is_some() {
                let _ = u.set_password(None);
            }
            (u.to_string(), password)
        }
        Err(_) => (url.to_string(), None),
    }
}

fn run(program: &Path, args: &[&str], password: Option<&str>) -> Result<(), String> {
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().map_err(|e| {
        format!(
            "cannot run {}: {e} (install postgresql-client)",
            program.display()
        )
    })?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(format!("{} failed: {}", program.display(), err.trim()))
    }
}

/// Writes a consistent copy of the database at `db_url` to `to` (a new file), while the
/// server may run; reads only (no migration runs: a newer binary's backup leaves the
/// database as it was). Errors: the file exists, the folder cannot be written, the
/// database cannot be read.
pub async fn backup(db_url: &str, to: &Path) -> Result<(), String> {
    if to.exists() {
        return Err(format!(
            "{} exists already: choose a new file (a backup never overwrites one)",
            to.display()
        ));
    }
    if let Some(path) = sqlite_path(db_url) {
        if !path.is_file() {
            return Err(format!("{}: no such database", path.display()));
        }
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&format!("sqlite://{}?mode=ro", path.display()))
            .await
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let target = to.display().to_string();
        let done = sqlx::query("VACUUM INTO $1")
            .bind(&target)
            .execute(&pool)
            .await
            .map(|_| ())
            .map_err(|e| format!("cannot write {target}: {e}"));
        pool.close().await;
        done
    } else if db_url.starts_with("postgres:") || db_url.starts_with("postgresql:") {
        let (url, password) = split_password(db_url);
        let file = to.display().to_string();
        run(
            &pg_program("pg_dump"),
            &["--format=custom", "--file", &file, &url],
            password.as_deref(),
        )
    } else {
        Err(format!("bad database URL {:?}", redact_url(db_url)))
    }
}

/// Replaces the database at `db_url` with the backup `from` (stop the server first), then
/// brings it to this version's schema and gives it a new identity. The file is checked
/// before anything is replaced. SQLite: the replaced database is kept beside it as
/// `NAME.before-restore`. PostgreSQL: the schema is emptied, then the dump restored in one
/// transaction (a dump older than this version leaves no newer table behind for the
/// migrations to meet). Errors: the file is not a backup of this kind of database, the
/// database cannot be written.
pub async fn restore(db_url: &str, from: &Path) -> Result<(), String> {
    if !from.is_file() {
        return Err(format!("{}: no such backup file", from.display()));
    }
    sqlx::any::install_default_drivers();
    if let Some(path) = sqlite_path(db_url) {
        // Check it is a hoptac database before anything is replaced.
        let probe = format!("sqlite://{}?mode=ro", from.display());
        let ok: Result<String, _> = async {
            let pool = sqlx::any::AnyPoolOptions::new()
                .max_connections(1)
                .connect(&probe)
                .await?;
            let epoch = sqlx::query_scalar("SELECT epoch FROM server_identity WHERE id = 1")
                .fetch_one(&pool)
                .await;
            pool.close().await;
            epoch
        }
        .await;
        if ok.is_err() {
            return Err(format!(
                "{} is not a backup of a hoptac SQLite database",
                from.display()
            ));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let with = |p: &Path, suffix: &str| {
            let mut s = p.as_os_str().to_owned();
            s.push(suffix);
            PathBuf::from(s)
        };
        let tmp = with(&path, ".restoring");
        std::fs::copy(from, &tmp).map_err(|e| format!("cannot copy the backup: {e}"))?;
        if path.exists() {
            let kept = with(&path, ".before-restore");
            std::fs::rename(&path, &kept)
                .map_err(|e| format!("cannot set the current database aside: {e}"))?;
            for suffix in ["-wal", "-shm"] {
                let live = with(&path, suffix);
                if live.exists() {
                    let _ = std::fs::rename(&live, with(&kept, suffix));
                }
            }
        }
        std::fs::rename(&tmp, &path).map_err(|e| format!("cannot put the backup in place: {e}"))?;
    } else {
        let (url, password) = split_password(db_url);
        let file = from.display().to_string();
        run(&pg_program("pg_restore"), &["--list", &file], None).map_err(|_| {
            format!(
                "{} is not a PostgreSQL backup (pg_dump --format=custom)",
                from.display()
            )
        })?;
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(db_url)
            .await
            .map_err(|e| format!("cannot open {}: {e}", redact_url(db_url)))?;
        sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            .execute(&mut conn)
            .await
            .map_err(|e| format!("cannot empty the database: {e}"))?;
        let _ = sqlx::Connection::close(conn).await;
        run(
            &pg_program("pg_restore"),
            &["--no-owner", "--single-transaction", "-d", &url, &file],
            password.as_deref(),
        )?;
    }
    let mut db = Db::connect(db_url).await.map_err(|e| e.to_string())?;
    let renewed = db.renew_epoch().await.map_err(|e| e.to_string());
    db.pool.close().await;
    renewed
}

/// An nginx configuration that listens on `listen` (plain HTTP: TLS is added as
/// docs/DEPLOY.md shows) and spreads requests round robin over the instances on
/// `upstreams` (ports on 127.0.0.1), with its files under `dir`. The app's files are
/// asked of the other instance when one answers 404: while instances of two releases
/// serve side by side (a rolling upgrade), a page from one names files (their names
/// carry the build's hash) that only it has; as the tests and load
/// benchmarks run nginx (`nginx -c FILE -p DIR`, in the foreground). `as_root`: run the
/// workers as root (nginx started by root would switch to a user that cannot write `dir`).
pub fn nginx_config(dir: &Path, listen: u16, upstreams: &[u16], as_root: bool) -> String {
    let servers: String = upstreams
        .iter()
        .map(|p| format!("    server 127.0.0.1:{p};\n"))
        .collect();
    let d = dir.display();
    let user = if as_root { "user root;\n" } else { "" };
    let proxied = "      proxy_pass http://hoptac;\n      proxy_http_version 1.1;\n\
                   proxy_set_header Connection \"\";\n      proxy_set_header Host $host;\n\
                   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                   proxy_set_header X-Forwarded-Proto $scheme;\n";
    format!(
        "{user}worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 4096; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
           upstream hoptac {{\n{servers}    keepalive 64;\n  }}\n\
           server {{\n    listen 127.0.0.1:{listen} backlog=4096;\n    client_max_body_size 20m;\n\
             location = /metrics {{ return 404; }}\n\
             location /api/ {{\n{proxied}    }}\n\
             location / {{\n{proxied}      proxy_next_upstream error timeout http_404;\n    }}\n  }}\n}}\n"
    )
}
