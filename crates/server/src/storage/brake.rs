//! `sign_in_failures` (migration 0016): the sign-in brake's counts, shared by every
//! server instance (crate::rules::accounts::LoginLimiter).

use super::{Db, WriteTx};
use sqlx::Row;

/// The failures counted under `key` and when their window began (ms since epoch).
pub async fn get(db: &Db, key: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query("SELECT failures, since FROM sign_in_failures WHERE key = $1")
        .bind(key)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// Counts one attempt under `key` at `now` and returns the count of its window: a window
/// older than `window_ms` starts again at 1. One statement, so attempts made at the same
/// moment (on any instance) each get their own count: there is no reading the count and
/// then adding to it, between which parallel guesses could all pass.
pub async fn count(
    tx: &mut WriteTx<'_>,
    key: &str,
    now: i64,
    window_ms: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO sign_in_failures (key, failures, since) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN $2 - sign_in_failures.since >= $3 THEN 1 ELSE sign_in_failures.failures + 1 END,
           since = CASE WHEN $2 - sign_in_failures.since >= $3 THEN $2 ELSE sign_in_failures.since END
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .bind(window_ms)
    .fetch_one(tx.conn())
    .await?
    .try_get(0)
}

/// Forgets `key`'s failures.
pub async fn forget(tx: &mut WriteTx<'_>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
        .bind(key)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Deletes every count whose window began before `before`; returns how many.
pub async fn forget_before(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sign_in_failures WHERE since < $1")
        .bind(before)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected())
}
