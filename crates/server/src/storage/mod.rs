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

pub use dialect::DbKind;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
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
        Ok(WriteTx {
            tx,
            kind: self.kind,
            pending: Vec::new(),
            _guard: guard,
            commit_delay: self.commit_delay,
            read_only: false,
            batches: 0,
        })
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
        Ok(WriteTx {
            tx,
            kind: self.kind,
            pending: Vec::new(),
            _guard: None,
            commit_delay: None,
            read_only: true,
            batches: 0,
        })
    }
}

/// The connection a storage function runs on inside a write transaction.
pub type Conn = sqlx::AnyConnection;

pub struct WriteTx<'a> {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    kind: DbKind,
    /// Change-log and audit rows, written with their sequence numbers at commit.
    pending: Vec<Pending>,
    _guard: Option<tokio::sync::MutexGuard<'a, ()>>,
    commit_delay: Option<std::time::Duration>,
    /// Made by [`Db::begin_read`]: locks nothing, writes nothing.
    read_only: bool,
    /// Batches put in temporary tables so far ([`Self::next_batch`]).
    batches: i64,
}

/// One audit-trail row waiting for its sequence number.
struct AuditRow {
    entity: String,
    record_id: String,
    action: String,
    actor_id: String,
    actor_name: String,
    client_id: Option<String>,
    at: i64,
    old: Option<String>,
    new: String,
}

enum Pending {
    /// A record's new state for pull (and, with `audit`, its audit entry).
    Change {
        entity: String,
        id: String,
        scope_path: String,
        body: String,
        for_user: Option<String>,
        audit: Option<AuditRow>,
    },
    /// An audit entry alone (records tablets do not pull: targets, assignments).
    Audit(AuditRow),
    /// Every logged record under an area path, logged again.
    Relog { path: String },
    /// The reports of cooperatives that moved, logged again at their new path and audited
    /// ([`visits::follow`]): read at commit from the table, so a million reports are never
    /// carried through the server.
    Followed {
        /// Their rows of the temporary table `moving_reports`.
        batch: i64,
        /// How many reports.
        count: u64,
        /// The audit row every report's entry copies (its record id, old and new set per report).
        audit: AuditRow,
    },
}

/// Who makes a change, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// The tablet (client id) the change came from; None for an online action.
    pub client_id: Option<&'a str>,
}

impl<'a> Who<'a> {
    /// `user` acting online (a page of the app, not a tablet's mutation).
    pub fn online(user: &'a hoptac_core::model::UserInfo) -> Who<'a> {
        Who {
            id: &user.id,
            name: &user.display_name,
            client_id: None,
        }
    }
}

impl WriteTx<'_> {
    /// The transaction's connection, for the storage modules' queries.
    pub(crate) fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// `" FOR UPDATE"` on PostgreSQL (a row lock held to commit); nothing on SQLite, whose
    /// writers are already serialised by `write_lock`.
    pub(crate) fn for_update(&self) -> &'static str {
        self.kind.for_update(self.read_only)
    }

    /// Waits for any other registry import to finish (PostgreSQL: a transaction-scoped
    /// advisory lock; SQLite's writers are serialised already).
    pub async fn wait_for_other_imports(&mut self) -> Result<(), sqlx::Error> {
        if let Some(sql) = self.kind.exclusive_lock(1501500) {
            sqlx::query(&sql).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Undoes everything this transaction wrote (a dry run).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }

    /// Waits for any other change of the reference lists to finish (PostgreSQL: a
    /// transaction-scoped advisory lock, so two administrators adding at once do not both
    /// pick one key or both fill the last place; SQLite's writers are serialised already).
    pub async fn wait_for_other_reference_changes(&mut self) -> Result<(), sqlx::Error> {
        if let Some(sql) = self.kind.exclusive_lock(1501501) {
            sqlx::query(&sql).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Writes the change log and audit rows this transaction made, numbering them from the
    /// counter (the counter row stays locked until commit, so numbers follow commit
    /// order), then commits. The numbers of a run of changes are reserved at once and the
    /// rows written many to a statement (a reorganisation logs 100,000 records: one
    /// statement per row cost a round trip each; docs/BENCHMARKS.md).
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        if self.read_only {
            debug_assert!(
                self.pending.is_empty(),
                "a read-only transaction logged changes"
            );
            return self.tx.rollback().await;
        }
        let mut run: Vec<Pending> = Vec::new();
        for p in std::mem::take(&mut self.pending) {
            match p {
                Pending::Relog { path } => {
                    self.write_run(std::mem::take(&mut run)).await?;
                    self.relog(&path).await?;
                }
                Pending::Followed {
                    batch,
                    count,
                    audit,
                } => {
                    self.write_run(std::mem::take(&mut run)).await?;
                    self.log_followed(batch, count, &audit).await?;
                }
                other => run.push(other),
            }
        }
        self.write_run(run).await?;
        if let Some(d) = self.commit_delay {
            tokio::time::sleep(d).await;
        }
        self.tx.commit().await
    }

    /// Numbers and writes a run of changes and audit rows, in their order.
    async fn write_run(&mut self, run: Vec<Pending>) -> Result<(), sqlx::Error> {
        if run.is_empty() {
            return Ok(());
        }
        let last: i64 = sqlx::query(
            "UPDATE sync_counter SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq",
        )
        .bind(run.len() as i64)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        let mut seq = last - run.len() as i64;
        // The last state of each record (a record logged twice in one transaction keeps
        // its later number; the earlier one is a gap pulls skip, as audit rows leave).
        let mut logs: Vec<(String, String, i64, String, String, Option<String>)> = Vec::new();
        let mut at: std::collections::HashMap<(String, String), usize> = Default::default();
        let mut audits: Vec<(i64, AuditRow)> = Vec::new();
        for p in run {
            seq += 1;
            match p {
                Pending::Change {
                    entity,
                    id,
                    scope_path,
                    body,
                    for_user,
                    audit,
                } => {
                    let row = (entity.clone(), id.clone(), seq, scope_path, body, for_user);
                    match at.get(&(entity.clone(), id.clone())) {
                        Some(&i) => logs[i] = row,
                        None => {
                            at.insert((entity, id), logs.len());
                            logs.push(row);
                        }
                    }
                    if let Some(a) = audit {
                        audits.push((seq, a));
                    }
                }
                // A number from the same counter keeps the trail in commit order.
                Pending::Audit(a) => audits.push((seq, a)),
                Pending::Relog { .. } | Pending::Followed { .. } => {
                    unreachable!("a run holds no relog")
                }
            }
        }
        for chunk in logs.chunks(500) {
            let marks = values(chunk.len(), 6);
            let sql = format!(
                "INSERT INTO sync_log (entity, id, seq, scope_path, body, for_user) VALUES {marks}
                 ON CONFLICT (entity, id) DO UPDATE SET seq = excluded.seq, scope_path = excluded.scope_path,
                   body = excluded.body, for_user = excluded.for_user"
            );
            let mut q = sqlx::query(&sql);
            for (entity, id, seq, scope_path, body, for_user) in chunk {
                q = q
                    .bind(entity)
                    .bind(id)
                    .bind(*seq)
                    .bind(scope_path)
                    .bind(body)
                    .bind(for_user);
            }
            q.execute(&mut *self.tx).await?;
        }
        for chunk in audits.chunks(500) {
            let marks = values(chunk.len(), 10);
            let sql = format!(
                "INSERT INTO audit_log (seq, entity, record_id, action, actor_id, actor_name, client_id, at, old_body, new_body) VALUES {marks}"
            );
            let mut q = sqlx::query(&sql);
            for (seq, a) in chunk {
                q = q
                    .bind(*seq)
                    .bind(&a.entity)
                    .bind(&a.record_id)
                    .bind(&a.action)
                    .bind(&a.actor_id)
                    .bind(&a.actor_name)
                    .bind(&a.client_id)
                    .bind(a.at)
                    .bind(&a.old)
                    .bind(&a.new);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Gives every logged record under `path` (and the areas above it and their reference
    /// items, visible to its users: storage::changes) a new number.
    async fn relog(&mut self, path: &str) -> Result<(), sqlx::Error> {
        // Every logged record under `path` (and the areas and reference items above it),
        // renumbered after all others in its order, with one reservation of numbers and
        // one statement (a country's records are a million rows).
        const UNDER: &str = "for_user IS NULL AND (substr(scope_path, 1, length($1)) = $1 OR (entity IN ('reference', 'area') AND substr($1, 1, length(scope_path)) = scope_path))";
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM sync_log WHERE {UNDER}"))
            .bind(path)
            .fetch_one(&mut *self.tx)
            .await?
            .try_get(0)?;
        if n == 0 {
            return Ok(());
        }
        let last: i64 = sqlx::query(
            "UPDATE sync_counter SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq",
        )
        .bind(n)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        sqlx::query(&format!(
            "UPDATE sync_log SET seq = $2 + r.rn FROM (SELECT entity AS e, id AS i, ROW_NUMBER() OVER (ORDER BY seq) AS rn FROM sync_log WHERE {UNDER}) AS r WHERE sync_log.entity = r.e AND sync_log.id = r.i"
        ))
        .bind(path)
        .bind(last - n)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Logs for pull (at a new number, with the body as stored now) and audits the `count`
    /// reports of the cooperatives of batch `batch` of `moving_reports`; numbers in order
    /// of report id, each report's audit row under its log entry's number, as
    /// [`Self::write_run`] numbers them.
    async fn log_followed(
        &mut self,
        batch: i64,
        count: u64,
        audit: &AuditRow,
    ) -> Result<(), sqlx::Error> {
        if count == 0 {
            return Ok(());
        }
        let last: i64 = sqlx::query(
            "UPDATE sync_counter SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq",
        )
        .bind(count as i64)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        let first = last - count as i64;
        // The same rows in the same order in both statements: a report's audit row takes
        // its log entry's number.
        const NUMBERED: &str = "SELECT r.id AS i, r.area_path AS p, r.body AS b, m.old_json AS o, m.new_json AS w, \
             ROW_NUMBER() OVER (ORDER BY r.id) AS rn \
             FROM visit_reports r JOIN moving_reports m ON r.cooperative_id = m.cooperative_id WHERE m.batch = $1";
        let logged = sqlx::query(&format!(
            "INSERT INTO sync_log (entity, id, seq, scope_path, body, for_user) \
             SELECT 'visit', x.i, $2 + x.rn, x.p, '{{\"type\":\"visit\",\"data\":' || x.b || '}}', NULL FROM ({NUMBERED}) AS x WHERE true \
             ON CONFLICT (entity, id) DO UPDATE SET seq = excluded.seq, scope_path = excluded.scope_path, body = excluded.body, for_user = excluded.for_user"
        ))
        .bind(batch)
        .bind(first)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        debug_assert_eq!(logged, count, "the reports moved are the reports logged");
        sqlx::query(&format!(
            "INSERT INTO audit_log (seq, entity, record_id, action, actor_id, actor_name, client_id, at, old_body, new_body) \
             SELECT $2 + x.rn, 'visit', x.i, $3, $4, $5, $6, $7, x.o, x.w FROM ({NUMBERED}) AS x"
        ))
        .bind(batch)
        .bind(first)
        .bind(&audit.action)
        .bind(&audit.actor_id)
        .bind(&audit.actor_name)
        .bind(&audit.client_id)
        .bind(audit.at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    fn audit_row(
        entity: &str,
        id: &str,
        who: Who<'_>,
        action: &str,
        old: Option<&str>,
        new: &str,
    ) -> AuditRow {
        AuditRow {
            entity: entity.into(),
            record_id: id.into(),
            action: action.into(),
            actor_id: who.id.into(),
            actor_name: who.name.into(),
            client_id: who.client_id.map(str::to_string),
            at: now_ms(),
            old: old.map(str::to_string),
            new: new.into(),
        }
    }

    /// Logs a record's new state for pull, without an audit entry (reference data).
    pub fn log_change(&mut self, entity: &str, id: &str, scope_path: &str, body: &str) {
        self.pending.push(Pending::Change {
            entity: entity.into(),
            id: id.into(),
            scope_path: scope_path.into(),
            body: body.into(),
            for_user: None,
            audit: None,
        });
    }

    /// Logs a record's new state for pull AND keeps it in the audit trail with the state
    /// before (`old`, JSON) and who did it. Every write of a record goes through here.
    #[allow(clippy::too_many_arguments)]
    pub fn record_change(
        &mut self,
        entity: &str,
        id: &str,
        scope_path: &str,
        change_body: &str,
        who: Who<'_>,
        action: &str,
        old: Option<&str>,
        new: &str,
    ) {
        self.pending.push(Pending::Change {
            entity: entity.into(),
            id: id.into(),
            scope_path: scope_path.into(),
            body: change_body.into(),
            for_user: None,
            audit: Some(Self::audit_row(entity, id, who, action, old, new)),
        });
    }

    /// Keeps a change in the audit trail alone, for records tablets do not pull (targets,
    /// a user's areas).
    pub fn audit_only(
        &mut self,
        entity: &str,
        id: &str,
        who: Who<'_>,
        action: &str,
        old: Option<&str>,
        new: &str,
    ) {
        self.pending.push(Pending::Audit(Self::audit_row(
            entity, id, who, action, old, new,
        )));
    }

    /// Logs a change addressed to one user (see migration 0004), whatever their scope.
    pub fn log_change_for_user(&mut self, entity: &str, id: &str, user_id: &str, body: &str) {
        self.pending.push(Pending::Change {
            entity: entity.into(),
            id: id.into(),
            scope_path: String::new(),
            body: body.into(),
            for_user: Some(user_id.into()),
            audit: None,
        });
    }

    /// Gives every logged record under `path` a new sequence number at commit, so users who
    /// just gained the area receive it at their next pull (others receive it again:
    /// harmless, records are stored by id).
    pub fn relog_area(&mut self, path: &str) {
        self.pending.push(Pending::Relog { path: path.into() });
    }

    /// At commit, logs for pull and audits the `count` reports that batch `batch` of the
    /// temporary table `moving_reports` moved ([`visits::follow`]), as they are stored then.
    pub(crate) fn log_reports_followed(
        &mut self,
        batch: i64,
        count: u64,
        who: Who<'_>,
        action: &str,
    ) {
        let audit = Self::audit_row("visit", "", who, action, None, "");
        self.pending.push(Pending::Followed {
            batch,
            count,
            audit,
        });
    }

    /// A number for a batch of rows this transaction puts in a temporary table: 1, 2, …
    pub(crate) fn next_batch(&mut self) -> i64 {
        self.batches += 1;
        self.batches
    }

    /// Which database the transaction runs on (for the few statements written per database).
    pub(crate) fn kind(&self) -> DbKind {
        self.kind
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
