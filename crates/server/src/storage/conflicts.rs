//! `conflicts`: a profile field changed to two values, and its resolution. The whole
//! conflict is in `body` as JSON; nothing is deleted.

use super::WriteTx;
use hoptac_core::keyed::Keyed;
use hoptac_core::merge::Conflict;
use sqlx::Row;

/// The conflict `id`, locked until commit (PostgreSQL: the first choice wins).
pub async fn lock(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<Conflict>, sqlx::Error> {
    let sql = format!(
        "SELECT body FROM conflicts WHERE id = $1{}",
        tx.for_update()
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?;
    row.map(|r| {
        serde_json::from_str(&r.try_get::<String, _>(0)?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    })
    .transpose()
}

/// Stores a new conflict.
pub async fn insert(tx: &mut WriteTx<'_>, c: &Conflict, body: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO conflicts (id, cooperative_id, area_path, field, author_id, created_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&c.id)
    .bind(&c.cooperative_id)
    .bind(&c.area_path)
    .bind(c.field.key())
    .bind(&c.author_id)
    .bind(c.created_at)
    .bind(body)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes a conflict's resolution.
pub async fn resolve(tx: &mut WriteTx<'_>, c: &Conflict, body: &str) -> Result<(), sqlx::Error> {
    let r = c.resolution.as_ref();
    sqlx::query("UPDATE conflicts SET resolved_at = $1, resolved_by = $2, body = $3 WHERE id = $4")
        .bind(r.map(|r| r.at))
        .bind(r.map(|r| r.by_id.clone()))
        .bind(body)
        .bind(&c.id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// How many conflicts of cooperative `id` wait for a choice.
pub async fn open_count(tx: &mut WriteTx<'_>, cooperative_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM conflicts WHERE cooperative_id = $1 AND resolved_at IS NULL",
    )
    .bind(cooperative_id)
    .fetch_one(tx.conn())
    .await
}

/// Files the (resolved) conflicts of a merged cooperative under the record kept; their
/// JSON keeps the id they were made on.
pub async fn repoint(tx: &mut WriteTx<'_>, removed: &str, kept: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE conflicts SET cooperative_id = $1 WHERE cooperative_id = $2")
        .bind(kept)
        .bind(removed)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Every conflict of the cooperatives `ids`, locked until commit (a move carries them),
/// 500 cooperatives to a statement.
pub async fn of_cooperatives_locked(
    tx: &mut WriteTx<'_>,
    ids: &[&str],
) -> Result<Vec<Conflict>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT body FROM conflicts WHERE cooperative_id IN {} ORDER BY id{}",
            super::values(1, chunk.len()),
            tx.for_update()
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(tx.conn()).await? {
            out.push(
                serde_json::from_str(&r.try_get::<String, _>(0)?)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            );
        }
    }
    Ok(out)
}

/// Writes a conflict moved to another area (`c.area_path` already set).
pub async fn set_area(tx: &mut WriteTx<'_>, c: &Conflict, body: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE conflicts SET area_path = $1, body = $2 WHERE id = $3")
        .bind(&c.area_path)
        .bind(body)
        .bind(&c.id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
