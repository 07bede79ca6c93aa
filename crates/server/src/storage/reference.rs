//! `reference_items`: the reference lists reports choose from (hoptac_core::reference),
//! logged for pull as entity "reference" at the item's area path.

use super::{now_ms, Db, WriteTx};
use hoptac_core::keyed::Keyed;
use hoptac_core::reference::{built_in, ListKind, ReferenceItem};
use hoptac_core::sync::Change;
use sqlx::Row;

const COLUMNS: &str = "list, key, label_vi, label_en, position, retired_at, area_path";

fn item(r: &sqlx::any::AnyRow) -> Result<ReferenceItem, sqlx::Error> {
    let list: String = r.try_get(0)?;
    let key: String = r.try_get(1)?;
    let list = ListKind::from_key(&list)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown reference list '{list}'").into()))?;
    Ok(ReferenceItem {
        id: ReferenceItem::id_of(list, &key),
        list,
        key,
        label_vi: r.try_get(2)?,
        label_en: r.try_get(3)?,
        position: i32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(i32::MAX),
        retired: r.try_get::<Option<i64>, _>(5)?.is_some(),
        area_path: r.try_get(6)?,
    })
}

/// Every item of every list, by list, position and key.
pub async fn all(db: &Db) -> Result<Vec<ReferenceItem>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reference_items ORDER BY list, position, key"
    ))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(item)
    .collect()
}

/// Every item, read inside a write (a push checks the keys of a report against them).
pub async fn all_in(tx: &mut WriteTx<'_>) -> Result<Vec<ReferenceItem>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reference_items ORDER BY list, position, key"
    ))
    .fetch_all(tx.conn())
    .await?
    .iter()
    .map(item)
    .collect()
}

/// The items administrators added for any of the areas at `paths` (exactly), locked until
/// commit (PostgreSQL), 500 paths to a statement.
pub async fn of_areas_locked(
    tx: &mut WriteTx<'_>,
    paths: &[&str],
) -> Result<Vec<ReferenceItem>, sqlx::Error> {
    let lock = tx.for_update();
    let mut out = Vec::new();
    for chunk in paths.chunks(500) {
        let sql = format!(
            "SELECT {COLUMNS} FROM reference_items WHERE area_path IN {} ORDER BY area_path, list, position, key{lock}",
            super::values(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q.bind(*p);
        }
        for r in q.fetch_all(tx.conn()).await? {
            out.push(item(&r)?);
        }
    }
    Ok(out)
}

/// The item `key` of `list`, locked until commit (PostgreSQL).
pub async fn lock(
    tx: &mut WriteTx<'_>,
    list: ListKind,
    key: &str,
) -> Result<Option<ReferenceItem>, sqlx::Error> {
    let lock = tx.for_update();
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reference_items WHERE list = $1 AND key = $2{lock}"
    ))
    .bind(list.key())
    .bind(key)
    .fetch_optional(tx.conn())
    .await?
    .as_ref()
    .map(item)
    .transpose()
}

/// The keys `list` already uses and the next free position in it.
pub async fn keys_and_next_position(
    tx: &mut WriteTx<'_>,
    list: ListKind,
) -> Result<(Vec<String>, i32), sqlx::Error> {
    let rows = sqlx::query("SELECT key, position FROM reference_items WHERE list = $1")
        .bind(list.key())
        .fetch_all(tx.conn())
        .await?;
    let mut keys = Vec::with_capacity(rows.len());
    let mut next = 0i64;
    for r in &rows {
        keys.push(r.try_get::<String, _>(0)?);
        next = next.max(r.try_get::<i64, _>(1)? + 1);
    }
    Ok((keys, i32::try_from(next).unwrap_or(i32::MAX)))
}

/// Inserts `item` unless its list already has its key; true when inserted. The caller
/// logs it ([`log`]).
pub async fn insert(
    tx: &mut WriteTx<'_>,
    item: &ReferenceItem,
    by: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO reference_items (list, key, label_vi, label_en, position, retired_at, area_path, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (list, key) DO NOTHING",
    )
    .bind(item.list.key())
    .bind(&item.key)
    .bind(&item.label_vi)
    .bind(&item.label_en)
    .bind(i64::from(item.position))
    .bind(item.retired.then(now_ms))
    .bind(&item.area_path)
    .bind(by)
    .bind(now_ms())
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores new labels and the retired flag of an existing item.
pub async fn update(
    tx: &mut WriteTx<'_>,
    item: &ReferenceItem,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE reference_items SET label_vi = $1, label_en = $2,
           retired_at = CASE WHEN $3 = 1 THEN COALESCE(retired_at, $4) ELSE NULL END,
           updated_by = $5, updated_at = $4
         WHERE list = $6 AND key = $7",
    )
    .bind(&item.label_vi)
    .bind(&item.label_en)
    .bind(i64::from(item.retired))
    .bind(now_ms())
    .bind(by)
    .bind(item.list.key())
    .bind(&item.key)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Logs `item` for pull: every user whose areas lie under its area or contain it receives
/// it (storage::changes).
pub fn log(tx: &mut WriteTx<'_>, item: &ReferenceItem) -> Result<(), serde_json::Error> {
    let body = serde_json::to_string(&Change::Reference(item.clone()))?;
    tx.log_change("reference", &item.id, &item.area_path, &body);
    Ok(())
}

/// Inserts the built-in items a database does not have yet (a new database, or one made
/// before a built-in was added) and logs them for pull. Safe when several server instances
/// start at once: an item another instance inserted first is skipped. Returns how many
/// were added.
pub async fn ensure_built_ins(db: &Db) -> Result<usize, sqlx::Error> {
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reference_items WHERE area_path = ''")
        .fetch_one(&db.pool)
        .await?;
    let items = built_in();
    if have >= items.len() as i64 {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let mut added = 0;
    for i in &items {
        if insert(&mut tx, i, None).await? {
            log(&mut tx, i).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            added += 1;
        }
    }
    tx.commit().await?;
    Ok(added)
}
