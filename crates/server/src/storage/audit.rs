//! `audit_log` read back: a record's changes in commit order.

use super::Db;
use sqlx::Row;

/// One stored audit entry; `old` and `new` are the record's JSON before and after.
pub struct Entry {
    pub seq: i64,
    pub action: String,
    pub actor_id: String,
    pub actor_name: String,
    pub client_id: Option<String>,
    /// Unix ms.
    pub at: i64,
    pub old: Option<String>,
    pub new: String,
}

/// Every audit entry of (`entity`, `id`), oldest first.
pub async fn entries(db: &Db, entity: &str, id: &str) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query("SELECT seq, action, actor_id, actor_name, client_id, at, old_body, new_body FROM audit_log WHERE entity = $1 AND record_id = $2 ORDER BY seq")
        .bind(entity)
        .bind(id)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Entry {
                seq: r.try_get(0)?,
                action: r.try_get(1)?,
                actor_id: r.try_get(2)?,
                actor_name: r.try_get(3)?,
                client_id: r.try_get(4)?,
                at: r.try_get(5)?,
                old: r.try_get(6)?,
                new: r.try_get(7)?,
            })
        })
        .collect()
}
