//! The write transaction ([`WriteTx`]): every write of a record goes through it, and at
//! commit it numbers and writes what the transaction changed — the change log tablets pull
//! (`sync_log`: a record's latest state by sequence number) and the audit trail
//! (`audit_log`: who, when, from which device, before and after) — from the one counter,
//! so numbers follow commit order.

use super::{now_ms, values, DbKind};
use sqlx::Row;

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
    /// The reports of cooperatives that moved, logged again at their new path
    /// ([`visits::follow`]): read at commit from the table, so a million reports are never
    /// carried through the server.
    Followed {
        /// Their rows of the temporary table `moving_reports`.
        batch: i64,
        /// How many reports.
        count: u64,
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

impl<'a> WriteTx<'a> {
    /// A transaction on `tx` (made by [`super::Db::begin`] and [`super::Db::begin_read`]).
    pub(super) fn new(
        tx: sqlx::Transaction<'static, sqlx::Any>,
        kind: DbKind,
        guard: Option<tokio::sync::MutexGuard<'a, ()>>,
        commit_delay: Option<std::time::Duration>,
        read_only: bool,
    ) -> WriteTx<'a> {
        WriteTx {
            tx,
            kind,
            pending: Vec::new(),
            _guard: guard,
            commit_delay,
            read_only,
            batches: 0,
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
                Pending::Followed { batch, count } => {
                    self.write_run(std::mem::take(&mut run)).await?;
                    self.log_followed(batch, count).await?;
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

    /// Reserves the next `n` sequence numbers from the single counter row `sync_counter`
    /// and returns the one before them (the rows take `first + 1 ..= first + n`). The row
    /// stays locked until commit, which is why numbers follow commit order
    /// (docs/ARCHITECTURE.md, "Why the cursor never skips a late commit").
    async fn reserve(&mut self, n: i64) -> Result<i64, sqlx::Error> {
        let last: i64 = sqlx::query(
            "UPDATE sync_counter SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq",
        )
        .bind(n)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        Ok(last - n)
    }

    /// Numbers and writes a run of changes and audit rows, in their order.
    async fn write_run(&mut self, run: Vec<Pending>) -> Result<(), sqlx::Error> {
        if run.is_empty() {
            return Ok(());
        }
        let mut seq = self.reserve(run.len() as i64).await?;
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
        let first = self.reserve(n).await?;
        sqlx::query(&format!(
            "UPDATE sync_log SET seq = $2 + r.rn FROM (SELECT entity AS e, id AS i, ROW_NUMBER() OVER (ORDER BY seq) AS rn FROM sync_log WHERE {UNDER}) AS r WHERE sync_log.entity = r.e AND sync_log.id = r.i"
        ))
        .bind(path)
        .bind(first)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Logs for pull, at new numbers in order of report id, the `count` reports of the
    /// cooperatives of batch `batch` of `moving_reports`. Each entry refers to its report
    /// (body [`FOLLOWED`]) rather than copying it: a pull reads the row as it is then
    /// (`storage::changes::page`), and a reform's million bodies are not copied.
    async fn log_followed(&mut self, batch: i64, count: u64) -> Result<(), sqlx::Error> {
        if count == 0 {
            return Ok(());
        }
        let first = self.reserve(count as i64).await?;
        let logged = sqlx::query(
            "INSERT INTO sync_log (entity, id, seq, scope_path, body, for_user) \
             SELECT 'visit', x.i, $2 + x.rn, x.p, '', NULL FROM ( \
               SELECT r.id AS i, r.area_path AS p, ROW_NUMBER() OVER (ORDER BY r.id) AS rn \
               FROM visit_reports r JOIN moving_reports m ON r.cooperative_id = m.cooperative_id WHERE m.batch = $1 \
             ) AS x WHERE true \
             ON CONFLICT (entity, id) DO UPDATE SET seq = excluded.seq, scope_path = excluded.scope_path, body = excluded.body, for_user = excluded.for_user",
        )
        .bind(batch)
        .bind(first)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        debug_assert_eq!(logged, count, "the reports moved are the reports logged");
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

    /// Queues a record's new state for the change log (numbered at commit): `scope_path`
    /// decides who pulls it, or `for_user` alone with an empty path; `audit`, its entry in
    /// the audit trail, takes the same number.
    fn push_change(
        &mut self,
        entity: &str,
        id: &str,
        scope_path: &str,
        body: &str,
        for_user: Option<&str>,
        audit: Option<AuditRow>,
    ) {
        self.pending.push(Pending::Change {
            entity: entity.into(),
            id: id.into(),
            scope_path: scope_path.into(),
            body: body.into(),
            for_user: for_user.map(str::to_string),
            audit,
        });
    }

    /// Logs a record's new state for pull, without an audit entry (reference data).
    pub fn log_change(&mut self, entity: &str, id: &str, scope_path: &str, body: &str) {
        self.push_change(entity, id, scope_path, body, None, None);
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
        let audit = Self::audit_row(entity, id, who, action, old, new);
        self.push_change(entity, id, scope_path, change_body, None, Some(audit));
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
        self.push_change(entity, id, "", body, Some(user_id), None);
    }

    /// Gives every logged record under `path` a new sequence number at commit, so users who
    /// just gained the area receive it at their next pull (others receive it again:
    /// harmless, records are stored by id).
    pub fn relog_area(&mut self, path: &str) {
        self.pending.push(Pending::Relog { path: path.into() });
    }

    /// At commit, logs for pull the `count` reports that batch `batch` of the temporary
    /// table `moving_reports` moved ([`visits::follow`]), by reference ([`FOLLOWED`]).
    pub(crate) fn log_reports_followed(&mut self, batch: i64, count: u64) {
        self.pending.push(Pending::Followed { batch, count });
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
