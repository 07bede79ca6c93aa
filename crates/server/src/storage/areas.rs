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
    /// ISO date from which it no longer exists (a reorganisation closed it).
    pub closed_on: Option<String>,
    /// The area that replaced it, when merged into one.
    pub successor_id: Option<String>,
}

const SELECT: &str =
    "SELECT id, name, path, level, closed_on, successor_id FROM areas WHERE id = $1";

fn area_ref(r: &sqlx::any::AnyRow) -> Result<AreaRef, sqlx::Error> {
    Ok(AreaRef {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        path: r.try_get(2)?,
        level: r.try_get(3)?,
        closed_on: r.try_get(4)?,
        successor_id: r.try_get(5)?,
    })
}

/// The area a record written for area `id` belongs in today: itself while open, else the
/// area that replaced it (following reorganisations one after another). None: unknown, or
/// closed with no single successor (a dissolved district), returned as `Err` with it.
pub async fn current_in(
    tx: &mut WriteTx<'_>,
    id: &str,
) -> Result<Option<Result<AreaRef, AreaRef>>, sqlx::Error> {
    // PostgreSQL: the area row held shared until commit, so a reorganisation closing it
    // waits for this write (and sees what it wrote) or has committed (and this follows
    // it): a record never lands in an area closed under it.
    if tx.for_update().is_empty() {
        // SQLite: writers are serialised already.
    } else {
        sqlx::query("SELECT id FROM areas WHERE id = $1 FOR SHARE")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
    }
    let Some(mut a) = get_in(tx, id).await? else {
        return Ok(None);
    };
    // A chain is at most a few reforms long; the bound stops a cycle a bad row could make.
    for _ in 0..16 {
        if a.closed_on.is_none() {
            return Ok(Some(Ok(a)));
        }
        let Some(next) = a.successor_id.clone() else {
            return Ok(Some(Err(a)));
        };
        match get_in(tx, &next).await? {
            Some(n) => a = n,
            None => return Ok(Some(Err(a))),
        }
    }
    Ok(Some(Err(a)))
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
    sqlx::query("INSERT INTO areas (id, parent_id, level, name, path, code, opened_on, closed_on, successor_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(&a.id)
        .bind(&a.parent_id)
        .bind(a.level.key())
        .bind(&a.name)
        .bind(&a.path)
        .bind(&a.code)
        .bind(&a.opened_on)
        .bind(&a.closed_on)
        .bind(&a.successor_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Writes area `a.id`'s name and national code.
pub async fn rename(tx: &mut WriteTx<'_>, a: &Area) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE areas SET name = $1, code = $2 WHERE id = $3")
        .bind(&a.name)
        .bind(&a.code)
        .bind(&a.id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Marks each area of `areas` closed from its `closed_on`, replaced by its
/// `successor_id`, 500 to a statement (a country's reform closes ten thousand).
pub async fn close_many(tx: &mut WriteTx<'_>, areas: &[Area]) -> Result<(), sqlx::Error> {
    for chunk in areas.chunks(500) {
        let sql = format!(
            "UPDATE areas SET closed_on = v.column2, successor_id = v.column3 FROM (VALUES {}) AS v WHERE areas.id = v.column1",
            super::values(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for a in chunk {
            q = q
                .bind(a.id.clone())
                .bind(a.closed_on.clone())
                .bind(a.successor_id.clone());
        }
        q.execute(tx.conn()).await?;
    }
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

const ALL: &str = "SELECT id, parent_id, level, name, path, code, opened_on, closed_on, successor_id FROM areas ORDER BY path";

fn area(r: &sqlx::any::AnyRow) -> Result<Area, sqlx::Error> {
    let level: String = r.try_get(2)?;
    Ok(Area {
        id: r.try_get(0)?,
        parent_id: r.try_get(1)?,
        level: hoptac_core::model::AreaLevel::from_key(&level)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown area level '{level}'").into()))?,
        name: r.try_get(3)?,
        path: r.try_get(4)?,
        code: r.try_get(5)?,
        opened_on: r.try_get(6)?,
        closed_on: r.try_get(7)?,
        successor_id: r.try_get(8)?,
    })
}

/// Every area, closed ones included, by path (the registry import finds communes by name
/// in it).
pub async fn all(db: &Db) -> Result<Vec<Area>, sqlx::Error> {
    sqlx::query(ALL)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(area)
        .collect()
}

/// Every area, read inside a write (a reorganisation plans against it).
pub async fn all_in(tx: &mut WriteTx<'_>) -> Result<Vec<Area>, sqlx::Error> {
    sqlx::query(ALL)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(area)
        .collect()
}
