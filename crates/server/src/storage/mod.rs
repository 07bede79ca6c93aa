//! Storage: every SQL statement of the server, behind named functions, one module per
//! table or group of tables (each says which). Handlers and rules hold no SQL; the SQL
//! written differently for SQLite and PostgreSQL is chosen in [`dialect`].
//!
//! One sqlx `AnyPool` over SQLite (the embedded default) or PostgreSQL, chosen by the
//! database URL. Queries are written in the SQL both understand, with `$1` parameters.
//!
//! Writers and locking (issue 14): SQLite allows one writer at a time, so write
//! transactions take `write_lock` first (no SQLITE_BUSY from two deferred transactions
//! upgrading at once). On PostgreSQL every read-modify-write reads its record with
//! `SELECT … FOR UPDATE` (the `lock` functions of each module), so two writers of one
//! record are serialised as SQLite's single writer serialises them. The change log's
//! sequence numbers are taken at commit ([`WriteTx::commit`]), after every row lock, so
//! the counter row is always the last lock a transaction takes (no deadlock between a
//! record's lock and the counter's) and numbers still follow commit order.

pub mod areas;
pub mod audit;
pub mod brake;
pub mod changes;
pub mod clients;
pub mod conflicts;
pub mod cooperatives;
pub mod dialect;
pub mod photos;
pub mod reference;
pub mod reorg;
pub mod targets;
pub mod users;
pub mod visits;
mod write;

pub use dialect::DbKind;
pub use write::{Conn, Who, WriteTx};

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use std::path::Path;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    /// The server's identity, read at start: it changes when the database is restored
    /// from a backup (migration 0008).
    pub epoch: String,
    write_lock: tokio::sync::Mutex<()>,
    /// For tests that force an interleaving of commits (issue 18): each write waits this
    /// long after taking its sequence numbers and before committing. None in service.
    pub commit_delay: Option<std::time::Duration>,
}

/// A problem with the database URL or the database itself, said in one line.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("bad database URL {0:?}: use sqlite://PATH (for example sqlite://data/hoptac.db) or postgres://USER@HOST/DB")]
    BadUrl(String),
    #[error(
        "cannot create the data folder {0}: {1}. Choose a writable place with --db sqlite://PATH"
    )]
    Folder(String, std::io::Error),
    #[error("cannot open the database {0}: {1}. Check the path or URL given with --db")]
    Open(String, sqlx::Error),
    #[error("cannot create the schema: {0}")]
    Migrate(String),
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// How long a request waits for a database connection (while the pool's are all in use,
/// or while PostgreSQL refuses new ones: restarting, or out of connections) before it is
/// refused with 503 `unavailable` and the tablet retries at its next sync. sqlx's default
/// is 30 s; a load balancer's readiness check (`/api/ready`, 2 s) has moved traffic away
/// long before either.
pub const POOL_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Db {
    /// Opens (creating a SQLite file if missing) and migrates the database at `url`
    /// (`sqlite://PATH` or `postgres://…`) with the default pool: 4 connections for SQLite,
    /// 10 for PostgreSQL.
    pub async fn connect(url: &str) -> Result<Db, DbSetupError> {
        Db::connect_with(url, None).await
    }

    /// [`Db::connect`] with at most `pool` connections (`hoptac-server --db-pool`); `None`
    /// is the default.
    pub async fn connect_with(url: &str, pool: Option<u32>) -> Result<Db, DbSetupError> {
        sqlx::any::install_default_drivers();
        let kind = if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or("");
            if path.is_empty() {
                return Err(DbSetupError::BadUrl(redact_url(url)));
            }
            if path != ":memory:" {
                if let Some(dir) = Path::new(path)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| DbSetupError::Folder(dir.display().to_string(), e))?;
                    // create_dir_all succeeds on an existing read-only folder: check we can write.
                    let probe = dir.join(".hoptac-write-test");
                    std::fs::write(&probe, b"")
                        .map_err(|e| DbSetupError::Folder(dir.display().to_string(), e))?;
                    let _ = std::fs::remove_file(probe);
                }
            }
            DbKind::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            DbKind::Postgres
        } else {
            return Err(DbSetupError::BadUrl(redact_url(url)));
        };
        let full_url = match kind {
            DbKind::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_string(),
        };
        sqlx::any::AnyConnectOptions::from_str(&full_url)
            .map_err(|_| DbSetupError::BadUrl(redact_url(url)))?;
        let pool = AnyPoolOptions::new()
            .max_connections(pool.unwrap_or(if kind == DbKind::Sqlite { 4 } else { 10 }))
            .acquire_timeout(POOL_WAIT)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 5000")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&full_url)
            .await
            .map_err(|e| DbSetupError::Open(redact_url(url), e))?;
        if kind == DbKind::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(|e| DbSetupError::Open(redact_url(url), e))?;
        }
        let mut db = Db {
            pool,
            kind,
            epoch: String::new(),
            write_lock: tokio::sync::Mutex::new(()),
            commit_delay: None,
        };
        db.migrate().await?;
        db.run_pending_backfills().await?;
        reference::ensure_built_ins(&db)
            .await
            .map_err(|e| DbSetupError::Migrate(format!("built-in reference lists: {e}")))?;
        db.epoch = sqlx::query_scalar("SELECT epoch FROM server_identity WHERE id = 1")
            .fetch_one(&db.pool)
            .await
            .map_err(|e| DbSetupError::Migrate(format!("no server identity: {e}")))?;
        Ok(db)
    }

    /// The fills a migration left to do in Rust (migration 0015: the folded search text of
    /// older reports and cooperatives; 0018: the review's part of older reports), once: each is deleted from `pending_backfills` when
    /// done, so later starts do not scan the tables again.
    async fn run_pending_backfills(&self) -> Result<(), DbSetupError> {
        let pending: Vec<String> = sqlx::query_scalar("SELECT name FROM pending_backfills")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| DbSetupError::Migrate(format!("pending backfills: {e}")))?;
        if pending.iter().any(|p| p == "search") {
            for (what, n) in [
                ("visit reports", visits::backfill_search(self).await),
                ("cooperatives", cooperatives::backfill_search(self).await),
            ] {
                match n {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(rows = n, "search text filled for {what}"),
                    Err(e) => {
                        return Err(DbSetupError::Migrate(format!("search text of {what}: {e}")))
                    }
                }
            }
            sqlx::query("DELETE FROM pending_backfills WHERE name = 'search'")
                .execute(&self.pool)
                .await
                .map_err(|e| DbSetupError::Migrate(format!("pending backfills: {e}")))?;
        }
        if pending.iter().any(|p| p == "review_part") {
            let n = visits::backfill_review_part(self)
                .await
                .map_err(|e| DbSetupError::Migrate(format!("the review's part of reports: {e}")))?;
            if n > 0 {
                tracing::info!(rows = n, "the review's part filled for visit reports");
            }
            sqlx::query("DELETE FROM pending_backfills WHERE name = 'review_part'")
                .execute(&self.pool)
                .await
                .map_err(|e| DbSetupError::Migrate(format!("pending backfills: {e}")))?;
        }
        Ok(())
    }

    async fn migrate(&self) -> Result<(), DbSetupError> {
        let migrator = match self.kind {
            DbKind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            DbKind::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| DbSetupError::Migrate(e.to_string()))
    }

    /// Refreshes the query planner's statistics of `tables` after a bulk change (a
    /// reorganisation re-logs 100,000 records: with stale statistics PostgreSQL planned
    /// the next pulls as scans, 3.5 times slower; docs/BENCHMARKS.md).
    pub async fn refresh_statistics(&self, tables: &[&str]) -> Result<(), sqlx::Error> {
        for t in tables {
            sqlx::query(&format!("ANALYZE {t}"))
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Gives the database a new identity, as a restore from a backup must (tablets that see
    /// it pull from the start and re-send their work; see migration 0008).
    pub async fn renew_epoch(&mut self) -> Result<(), sqlx::Error> {
        let mut bytes = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let epoch = hex::encode(bytes);
        sqlx::query("UPDATE server_identity SET epoch = $1 WHERE id = 1")
            .bind(&epoch)
            .execute(&self.pool)
            .await?;
        self.epoch = epoch;
        Ok(())
    }

    /// Starts a write transaction (serialised on SQLite, see the module comment).
    pub async fn begin_write(&self) -> Result<WriteTx<'_>, sqlx::Error> {
        let guard = match self.kind {
            DbKind::Sqlite => Some(self.write_lock.lock().await),
            DbKind::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx::new(tx, self.kind, guard, self.commit_delay, false))
    }

    /// A transaction that only reads, for a preview that must not hold up writers: no
    /// `write_lock` (SQLite's writers go on; in WAL mode a reader does not stop them), no
    /// row locks (the `lock` functions read without `FOR UPDATE`), and on PostgreSQL one
    /// snapshot (REPEATABLE READ) that refuses any write. It is never committed: dropped or
    /// rolled back, and `commit` rolls it back.
    pub async fn begin_read(&self) -> Result<WriteTx<'_>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if let Some(sql) = self.kind.read_only_snapshot() {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        Ok(WriteTx::new(tx, self.kind, None, None, true))
    }
}

/// `($1, $2), ($3, $4)…`: the placeholders of `rows` rows of `width` values (one row of
/// `n` is the list of `IN ($1, …, $n)`).
pub(crate) fn values(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let marks: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", marks.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the database cannot take any work now, when that is what `e` says (the request
/// then fails with 503 and the tablet retries later); None for an error of the request
/// itself. PostgreSQL: class 08 (connection), 53 (insufficient resources: 53100 disk
/// full, 53300 too many connections), 57P01–57P03 (shutting down or starting up);
/// SQLite: SQLITE_FULL (13) and SQLITE_IOERR (10, with its extended codes); and a pool
/// that found no connection within [`POOL_WAIT`] (sqlx keeps trying to connect meanwhile:
/// PostgreSQL restarting, unreachable or out of connections all end so) or a connection
/// cut. Not 08P01 (protocol violation): a bug, not a store gone away.
pub fn unavailable(e: &sqlx::Error) -> Option<&'static str> {
    const NO_CONNECTION: &str =
        "the database gave no connection within 10 s (restarting, unreachable or out of connections)";
    const UNREACHABLE: &str = "the database cannot be reached";
    match e {
        sqlx::Error::PoolTimedOut => Some(NO_CONNECTION),
        sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => Some(UNREACHABLE),
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLite's extended result code; its low byte is the primary code.
                return match code.parse::<u32>().unwrap_or(0) & 0xff {
                    13 => Some("the database's disk is full"),
                    10 => Some("the database's disk cannot be written"),
                    _ => None,
                };
            }
            match code.as_ref() {
                "53100" => Some("the database's disk is full"),
                "53300" => Some(NO_CONNECTION),
                "57P01" | "57P02" | "57P03" => Some(UNREACHABLE),
                "08P01" => None,
                c if c.starts_with("08") => Some(UNREACHABLE),
                c if c.starts_with("53") => Some("the database is out of resources"),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a database error is a PostgreSQL deadlock or serialization failure: the
/// transaction did nothing and may be run again.
pub fn is_retryable(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40001") | Some("40P01")))
}

/// A database URL as it may be printed or logged: any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            // A password may also come as a query parameter (postgres://host/db?password=x).
            if u.query_pairs()
                .any(|(k, _)| k.eq_ignore_ascii_case("password"))
            {
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if k.eq_ignore_ascii_case("password") {
                            "***".to_string()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                u.query_pairs_mut().clear().extend_pairs(pairs);
            }
            u.to_string()
        }
        // Not a URL we can read: print only its scheme.
        Err(_) => format!("{}://…", url.split(':').next().unwrap_or("")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_never_leaves_redact_url() {
        for url in [
            "postgres://hop:S3cretPW@db.example/hop",
            "postgres://db.example/hop?user=hop&password=S3cretPW",
            "postgres://db.example/hop?PASSWORD=S3cretPW&sslmode=require",
        ] {
            let shown = super::redact_url(url);
            assert!(!shown.contains("S3cretPW"), "{shown}");
            assert!(shown.contains("db.example"), "{shown}");
        }
        assert_eq!(
            super::redact_url("sqlite://data/hoptac.db"),
            "sqlite://data/hoptac.db"
        );
    }
}

/// SQL that keeps rows whose `column` path starts with one of `n` scopes, with parameters
/// numbered from `first`: "(substr(c, 1, length($2)) = $2 OR ...)". Never empty: no scope
/// means a clause that is false.
/// As [`scope_clause`], written as index ranges (issue 18: a province's reports read from
/// an index, not every report of the country filtered): `column` between each path and
/// the path followed by U+10FFFF, compared byte by byte (`COLLATE "C"` on PostgreSQL,
/// whose indexes on paths are built so; SQLite compares bytes already). Takes two
/// parameters per path from `$first`: bind [`scope_bounds`].
pub fn scope_range(kind: DbKind, column: &str, first: usize, n: usize) -> String {
    if n == 0 {
        return "(1 = 0)".into();
    }
    let col = kind.bytewise(column);
    let parts: Vec<String> = (0..n)
        .map(|i| {
            let (lo, hi) = (first + 2 * i, first + 2 * i + 1);
            format!("({col} >= ${lo} AND {col} < ${hi})")
        })
        .collect();
    format!("({})", parts.join(" OR "))
}

/// The parameters of [`scope_range`] for `paths`: each path and its upper bound.
pub fn scope_bounds(paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .flat_map(|p| [p.clone(), format!("{p}\u{10FFFF}")])
        .collect()
}

pub fn scope_clause(column: &str, first: usize, n: usize) -> String {
    if n == 0 {
        return "(1 = 0)".into();
    }
    let parts: Vec<String> = (first..first + n)
        .map(|i| format!("substr({column}, 1, length(${i})) = ${i}"))
        .collect();
    format!("({})", parts.join(" OR "))
}
