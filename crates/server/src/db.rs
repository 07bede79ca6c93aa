//! Storage: one sqlx `AnyPool` over SQLite (the embedded default) or PostgreSQL, chosen by
//! the database URL. Queries are written in the SQL both understand, with `$1` parameters.
//!
//! Writers: SQLite allows one writer at a time, so write transactions take `write_lock`
//! first (no SQLITE_BUSY from two deferred transactions upgrading at once).

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::path::Path;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn name(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }
}

pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    write_lock: tokio::sync::Mutex<()>,
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

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbSetupError> {
        sqlx::any::install_default_drivers();
        let kind = if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or("");
            if path.is_empty() {
                return Err(DbSetupError::BadUrl(url.into()));
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
            return Err(DbSetupError::BadUrl(url.into()));
        };
        let full_url = match kind {
            DbKind::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_string(),
        };
        sqlx::any::AnyConnectOptions::from_str(&full_url)
            .map_err(|_| DbSetupError::BadUrl(url.into()))?;
        let pool = AnyPoolOptions::new()
            .max_connections(if kind == DbKind::Sqlite { 4 } else { 10 })
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
            .map_err(|e| DbSetupError::Open(url.into(), e))?;
        if kind == DbKind::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(|e| DbSetupError::Open(url.into(), e))?;
        }
        let db = Db {
            pool,
            kind,
            write_lock: tokio::sync::Mutex::new(()),
        };
        db.migrate().await?;
        Ok(db)
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

    /// Starts a write transaction (serialised on SQLite, see the module comment).
    pub async fn begin_write(&self) -> Result<WriteTx<'_>, sqlx::Error> {
        let guard = match self.kind {
            DbKind::Sqlite => Some(self.write_lock.lock().await),
            DbKind::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _guard: guard })
    }
}

pub struct WriteTx<'a> {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl WriteTx<'_> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// The next change sequence number, taken inside this transaction (so numbers follow
    /// commit order: the counter row stays locked until commit).
    async fn next_seq(&mut self) -> Result<i64, sqlx::Error> {
        let row: AnyRow = sqlx::query(
            "UPDATE sync_counter SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq",
        )
        .fetch_one(&mut *self.tx)
        .await?;
        row.try_get(0)
    }

    /// Records the new state of a record for pull: takes the next sequence number (inside
    /// this transaction, so numbers follow commit order) and upserts the sync_log row.
    pub async fn log_change(
        &mut self,
        entity: &str,
        id: &str,
        scope_path: &str,
        body: &str,
    ) -> Result<i64, sqlx::Error> {
        let seq = self.next_seq().await?;
        sqlx::query(
            "INSERT INTO sync_log (entity, id, seq, scope_path, body) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (entity, id) DO UPDATE SET seq = excluded.seq, scope_path = excluded.scope_path, body = excluded.body",
        )
        .bind(entity)
        .bind(id)
        .bind(seq)
        .bind(scope_path)
        .bind(body)
        .execute(&mut *self.tx)
        .await?;
        Ok(seq)
    }
}

/// Who makes a change, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// The tablet (client id) the change came from; None for an online action.
    pub client_id: Option<&'a str>,
}

impl WriteTx<'_> {
    /// Logs a record's new state for pull AND keeps it in the audit trail with the state
    /// before (`old`, JSON) and who did it. Every write of a record goes through here.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_change(
        &mut self,
        entity: &str,
        id: &str,
        scope_path: &str,
        change_body: &str,
        who: Who<'_>,
        action: &str,
        old: Option<&str>,
        new: &str,
    ) -> Result<i64, sqlx::Error> {
        let seq = self.log_change(entity, id, scope_path, change_body).await?;
        self.audit(seq, entity, id, who, action, old, new).await?;
        Ok(seq)
    }

    /// Keeps a change in the audit trail alone, for records tablets do not pull (targets).
    pub async fn audit_only(
        &mut self,
        entity: &str,
        id: &str,
        who: Who<'_>,
        action: &str,
        old: Option<&str>,
        new: &str,
    ) -> Result<i64, sqlx::Error> {
        // A sequence number from the same counter keeps the trail in commit order; pulls
        // skip the gap it leaves.
        let seq = self.next_seq().await?;
        self.audit(seq, entity, id, who, action, old, new).await?;
        Ok(seq)
    }

    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &mut self,
        seq: i64,
        entity: &str,
        id: &str,
        who: Who<'_>,
        action: &str,
        old: Option<&str>,
        new: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO audit_log (seq, entity, record_id, action, actor_id, actor_name, client_id, at, old_body, new_body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(seq)
        .bind(entity)
        .bind(id)
        .bind(action)
        .bind(who.id)
        .bind(who.name)
        .bind(who.client_id)
        .bind(now_ms())
        .bind(old)
        .bind(new)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Logs a change addressed to one user (see migration 0004), whatever their scope.
    pub async fn log_change_for_user(
        &mut self,
        entity: &str,
        id: &str,
        user_id: &str,
        body: &str,
    ) -> Result<i64, sqlx::Error> {
        let seq = self.log_change(entity, id, "", body).await?;
        sqlx::query("UPDATE sync_log SET for_user = $1 WHERE seq = $2")
            .bind(user_id)
            .bind(seq)
            .execute(&mut *self.tx)
            .await?;
        Ok(seq)
    }

    /// Gives every logged record under `path` a new sequence number, so users who just
    /// gained the area receive it at their next pull (others receive it again: harmless,
    /// records are stored by id).
    pub async fn relog_area(&mut self, path: &str) -> Result<(), sqlx::Error> {
        let rows = sqlx::query("SELECT entity, id FROM sync_log WHERE for_user IS NULL AND substr(scope_path, 1, length($1)) = $1 ORDER BY seq")
            .bind(path)
            .fetch_all(&mut *self.tx)
            .await?;
        for r in rows {
            let (entity, id): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            let seq = self.next_seq().await?;
            sqlx::query("UPDATE sync_log SET seq = $1 WHERE entity = $2 AND id = $3")
                .bind(seq)
                .bind(&entity)
                .bind(&id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }
}

/// SQL that keeps rows whose `column` path starts with one of `n` scopes, with parameters
/// numbered from `first`: "(substr(c, 1, length($2)) = $2 OR ...)". Never empty: no scope
/// means a clause that is false.
pub fn scope_clause(column: &str, first: usize, n: usize) -> String {
    if n == 0 {
        return "(1 = 0)".into();
    }
    let parts: Vec<String> = (first..first + n)
        .map(|i| format!("substr({column}, 1, length(${i})) = ${i}"))
        .collect();
    format!("({})", parts.join(" OR "))
}
