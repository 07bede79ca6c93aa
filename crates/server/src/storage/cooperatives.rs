//! `cooperatives`: each cooperative's current profile (full JSON in `body`, with its
//! version and the columns lists filter on) and who registered it from the field.

use super::{scope_clause, Db, WriteTx};
use hoptac_core::keyed::Keyed;
use hoptac_core::model::Cooperative;
use sqlx::Row;

fn decode(body: &str) -> Result<Cooperative, sqlx::Error> {
    serde_json::from_str(body).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn encode(c: &Cooperative) -> String {
    serde_json::to_string(c).expect("a cooperative serialises")
}

/// The cooperative `id` with its current version, locked until commit (PostgreSQL).
pub async fn lock(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<Cooperative>, sqlx::Error> {
    let sql = format!(
        "SELECT body FROM cooperatives WHERE id = $1{}",
        tx.for_update()
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?;
    row.map(|r| decode(&r.try_get::<String, _>(0)?)).transpose()
}

/// The area path of cooperative `id`, if it exists.
pub async fn area_path(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT area_path FROM cooperatives WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// Who registered cooperative `id` from the field: None when there is no such record,
/// Some(None) for reference data loaded by an administrator.
pub async fn creator_of(
    tx: &mut WriteTx<'_>,
    id: &str,
) -> Result<Option<Option<String>>, sqlx::Error> {
    let row = sqlx::query("SELECT created_by FROM cooperatives WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// Stores a new cooperative; false when one with its id exists already.
pub async fn insert(
    tx: &mut WriteTx<'_>,
    c: &Cooperative,
    created_by: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO cooperatives (id, area_id, area_path, kind, name, status, version, body, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&c.id)
    .bind(&c.area_id)
    .bind(&c.area_path)
    .bind(c.kind.key())
    .bind(&c.name)
    .bind(c.status.key())
    .bind(c.version)
    .bind(encode(c))
    .bind(created_by)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes a changed profile (its version already bumped by the caller).
pub async fn update(tx: &mut WriteTx<'_>, c: &Cooperative) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cooperatives SET name = $1, status = $2, kind = $3, version = $4, body = $5 WHERE id = $6")
        .bind(&c.name)
        .bind(c.status.key())
        .bind(c.kind.key())
        .bind(c.version)
        .bind(encode(c))
        .bind(&c.id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Every cooperative under any of `paths`.
pub async fn in_paths(db: &Db, paths: &[String]) -> Result<Vec<Cooperative>, sqlx::Error> {
    let sql = format!(
        "SELECT body FROM cooperatives WHERE {}",
        scope_clause("area_path", 1, paths.len())
    );
    let mut q = sqlx::query(&sql);
    for p in paths {
        q = q.bind(p);
    }
    q.fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| decode(&r.try_get::<String, _>(0)?))
        .collect()
}
