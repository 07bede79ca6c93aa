//! `areas`: the area tree (reference data the server owns).

use super::{Db, WriteTx};
use hoptac_core::keyed::Keyed;
use hoptac_core::model::Area;
use sqlx::Row;

/// An area as scope checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRef {
    pub id: String,
    pub name: String,
    /// "NB/HLU/NHAI/": ids from the root, each followed by '/'.
    pub path: String,
    /// "province", "district", "commune" or "village".
    pub level: String,
}

const SELECT: &str = "SELECT id, name, path, level FROM areas WHERE id = $1";

fn area_ref(r: &sqlx::any::AnyRow) -> Result<AreaRef, sqlx::Error> {
    Ok(AreaRef {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        path: r.try_get(2)?,
        level: r.try_get(3)?,
    })
}

/// The area `id`, read outside a write.
pub async fn get(db: &Db, id: &str) -> Result<Option<AreaRef>, sqlx::Error> {
    let row = sqlx::query(SELECT)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(area_ref).transpose()
}

/// The area `id`, read inside a write.
pub async fn get_in(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<AreaRef>, sqlx::Error> {
    let row = sqlx::query(SELECT)
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    row.as_ref().map(area_ref).transpose()
}

/// Stores a new area (reference data).
pub async fn insert(tx: &mut WriteTx<'_>, a: &Area) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO areas (id, parent_id, level, name, path) VALUES ($1, $2, $3, $4, $5)")
        .bind(&a.id)
        .bind(&a.parent_id)
        .bind(a.level.key())
        .bind(&a.name)
        .bind(&a.path)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The paths of the areas directly under the area at `path`.
pub async fn children(tx: &mut WriteTx<'_>, path: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT c.path FROM areas c JOIN areas p ON c.parent_id = p.id WHERE p.path = $1 ORDER BY c.path")
        .bind(path)
        .fetch_all(tx.conn())
        .await
}

/// The id of the root area (the province), if the tree has one.
pub async fn root_id(tx: &mut WriteTx<'_>) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM areas WHERE parent_id IS NULL ORDER BY path LIMIT 1")
        .fetch_optional(tx.conn())
        .await
}

/// The paths of the root areas (provinces), read inside a write.
pub async fn root_paths(tx: &mut WriteTx<'_>) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT path FROM areas WHERE parent_id IS NULL ORDER BY path")
        .fetch_all(tx.conn())
        .await
}

/// Every area, by path (the registry import finds communes by name in it).
pub async fn all(db: &Db) -> Result<Vec<Area>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, parent_id, level, name, path FROM areas ORDER BY path")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let level: String = r.try_get(2)?;
            Ok(Area {
                id: r.try_get(0)?,
                parent_id: r.try_get(1)?,
                level: hoptac_core::model::AreaLevel::from_key(&level).ok_or_else(|| {
                    sqlx::Error::Decode(format!("unknown area level '{level}'").into())
                })?,
                name: r.try_get(2 + 1)?,
                path: r.try_get(4)?,
            })
        })
        .collect()
}
