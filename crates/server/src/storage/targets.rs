//! `targets`: a period's targets per area (new HTX, new THT, works handed over).

use super::{now_ms, Db, WriteTx};
use hoptac_core::six_month::Targets;
use sqlx::Row;

/// Targets from three columns of `row` starting at `first`.
fn targets_at(row: &sqlx::any::AnyRow, first: usize) -> Result<Targets, sqlx::Error> {
    let get = |i: usize| -> Result<Option<u32>, sqlx::Error> {
        Ok(row
            .try_get::<Option<i64>, _>(first + i)?
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX)))
    };
    Ok(Targets {
        new_htx: get(0)?,
        new_tht: get(1)?,
        works_handed_over: get(2)?,
    })
}

/// Every area's targets for `period`: (area id, area path, targets).
pub async fn for_period(
    db: &Db,
    period: &str,
) -> Result<Vec<(String, String, Targets)>, sqlx::Error> {
    sqlx::query("SELECT t.area_id, a.path, t.new_htx, t.new_tht, t.works_handed_over FROM targets t JOIN areas a ON a.id = t.area_id WHERE t.period = $1")
        .bind(period)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, targets_at(r, 2)?)))
        .collect()
}

/// The targets of one area and period, locked until commit (PostgreSQL).
pub async fn lock(
    tx: &mut WriteTx<'_>,
    period: &str,
    area_id: &str,
) -> Result<Option<Targets>, sqlx::Error> {
    let sql = format!(
        "SELECT new_htx, new_tht, works_handed_over FROM targets WHERE period = $1 AND area_id = $2{}",
        tx.for_update()
    );
    let row = sqlx::query(&sql)
        .bind(period)
        .bind(area_id)
        .fetch_optional(tx.conn())
        .await?;
    row.map(|r| targets_at(&r, 0)).transpose()
}

/// Sets the targets of one area and period, by user `by`.
pub async fn upsert(
    tx: &mut WriteTx<'_>,
    period: &str,
    area_id: &str,
    t: &Targets,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO targets (period, area_id, new_htx, new_tht, works_handed_over, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (period, area_id) DO UPDATE SET new_htx = excluded.new_htx, new_tht = excluded.new_tht,
           works_handed_over = excluded.works_handed_over, set_by = excluded.set_by, set_at = excluded.set_at",
    )
    .bind(period)
    .bind(area_id)
    .bind(t.new_htx.map(i64::from))
    .bind(t.new_tht.map(i64::from))
    .bind(t.works_handed_over.map(i64::from))
    .bind(by)
    .bind(now_ms())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Every target of every period: (area id, period, targets), read inside a write.
pub async fn all_in(tx: &mut WriteTx<'_>) -> Result<Vec<(String, String, Targets)>, sqlx::Error> {
    sqlx::query("SELECT area_id, period, new_htx, new_tht, works_handed_over FROM targets ORDER BY area_id, period")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, targets_at(r, 2)?)))
        .collect()
}

/// Removes the targets of `area_id` for `period`.
pub async fn delete(tx: &mut WriteTx<'_>, period: &str, area_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM targets WHERE period = $1 AND area_id = $2")
        .bind(period)
        .bind(area_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
