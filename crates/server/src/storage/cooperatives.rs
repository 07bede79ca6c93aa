//! `cooperatives`: each cooperative's current profile (full JSON in `body`, with its
//! version and the columns lists filter on) and who registered it from the field.

use super::{scope_clause, Db, WriteTx};
use hoptac_core::keyed::Keyed;
use hoptac_core::model::Cooperative;
use hoptac_core::registry::identifier_key;
use sqlx::Row;

fn decode(body: &str) -> Result<Cooperative, sqlx::Error> {
    serde_json::from_str(body).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn encode(c: &Cooperative) -> String {
    serde_json::to_string(c).expect("a cooperative serialises")
}

/// The tax code as compared for duplicates ([`hoptac_core::registry::identifier_key`]).
pub fn tax_key(c: &Cooperative) -> Option<String> {
    c.tax_code.as_deref().and_then(identifier_key)
}

/// The business registration number as compared for duplicates.
pub fn registration_key(c: &Cooperative) -> Option<String> {
    c.registration_no.as_deref().and_then(identifier_key)
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

/// Every cooperative of the areas `area_ids` (exactly those areas), locked until commit,
/// 500 areas to a statement; in order of area, then id: (the area it is filed under, the
/// cooperative).
pub async fn of_areas_locked(
    tx: &mut WriteTx<'_>,
    area_ids: &[String],
) -> Result<Vec<(String, Cooperative)>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in area_ids.chunks(500) {
        let sql = format!(
            "SELECT area_id, body FROM cooperatives WHERE area_id IN {} ORDER BY area_id, id{}",
            super::values(1, chunk.len()),
            tx.for_update()
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(tx.conn()).await? {
            out.push((r.try_get(0)?, decode(&r.try_get::<String, _>(1)?)?));
        }
    }
    Ok(out)
}

/// The area path of cooperative `id`, if it exists.
pub async fn area_path(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<String>, sqlx::Error> {
    column_of(tx, "area_path", id).await
}

/// Who registered cooperative `id` from the field: None when there is no such record,
/// Some(None) for reference data loaded by an administrator.
pub async fn creator_of(
    tx: &mut WriteTx<'_>,
    id: &str,
) -> Result<Option<Option<String>>, sqlx::Error> {
    column_of(tx, "created_by", id).await
}

/// The value of `column` (a column name written in this module, never user input) on
/// cooperative `id`; None when there is no such record.
async fn column_of<T>(
    tx: &mut WriteTx<'_>,
    column: &'static str,
    id: &str,
) -> Result<Option<T>, sqlx::Error>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + Unpin,
{
    sqlx::query_scalar(&format!("SELECT {column} FROM cooperatives WHERE id = $1"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await
}

/// Stores a new cooperative; false when one with its id exists already.
pub async fn insert(
    tx: &mut WriteTx<'_>,
    c: &Cooperative,
    created_by: Option<&str>,
) -> Result<bool, sqlx::Error> {
    Ok(insert_many(tx, std::slice::from_ref(c), created_by).await? == 1)
}

/// Stores new cooperatives, 500 to a statement; returns how many were stored (fewer than
/// given when an id exists already: those are left as they are).
pub async fn insert_many(
    tx: &mut WriteTx<'_>,
    records: &[Cooperative],
    created_by: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let mut stored = 0;
    for chunk in records.chunks(500) {
        let sql = format!(
            "INSERT INTO cooperatives (id, area_id, area_path, kind, name, status, version, body, created_by, tax_code_key, registration_key, name_search, founded_on, founded_version) VALUES {} ON CONFLICT (id) DO NOTHING",
            super::values(chunk.len(), 14)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q
                .bind(c.id.clone())
                .bind(c.area_id.clone())
                .bind(c.area_path.clone())
                .bind(c.kind.key())
                .bind(c.name.clone())
                .bind(c.status.key())
                .bind(c.version)
                .bind(encode(c))
                .bind(created_by.map(str::to_string))
                .bind(tax_key(c))
                .bind(registration_key(c))
                .bind(hoptac_core::text::normalize(&c.name))
                .bind(c.established_on.clone())
                // founded_version: the version (the record is new).
                .bind(c.version);
        }
        stored += q.execute(tx.conn()).await?.rows_affected();
    }
    Ok(stored)
}

/// Writes many cooperatives moved to another area (their area, path, version and body),
/// 500 to a statement.
pub async fn move_many(tx: &mut WriteTx<'_>, records: &[Cooperative]) -> Result<(), sqlx::Error> {
    for chunk in records.chunks(500) {
        let sql = format!(
            "UPDATE cooperatives SET area_id = v.column2, area_path = v.column3, version = v.column4, founded_version = v.column4, body = v.column5 FROM (VALUES {}) AS v WHERE cooperatives.id = v.column1",
            super::values(chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q
                .bind(c.id.clone())
                .bind(c.area_id.clone())
                .bind(c.area_path.clone())
                .bind(c.version)
                .bind(encode(c));
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

/// A cooperative's identifying keys, as the duplicate checks compare them.
#[derive(Debug, Clone)]
pub struct Identifiers {
    pub id: String,
    pub tax_code_key: Option<String>,
    pub registration_key: Option<String>,
    pub area_id: String,
    pub name: String,
}

/// The identifying keys of every cooperative (an import compares a whole file with them
/// at once instead of asking row by row).
pub async fn identifiers(tx: &mut WriteTx<'_>) -> Result<Vec<Identifiers>, sqlx::Error> {
    let rows: Vec<(String, Option<String>, Option<String>, String, String)> = sqlx::query_as(
        "SELECT id, tax_code_key, registration_key, area_id, name FROM cooperatives",
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, tax_code_key, registration_key, area_id, name)| Identifiers {
                id,
                tax_code_key,
                registration_key,
                area_id,
                name,
            },
        )
        .collect())
}

/// Writes a changed profile (its version already bumped by the caller).
pub async fn update(tx: &mut WriteTx<'_>, c: &Cooperative) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cooperatives SET name = $1, status = $2, kind = $3, version = $4, body = $5, tax_code_key = $6, registration_key = $7, area_id = $8, area_path = $9, name_search = $11, founded_on = $12, founded_version = $4 WHERE id = $10")
        .bind(&c.name)
        .bind(c.status.key())
        .bind(c.kind.key())
        .bind(c.version)
        .bind(encode(c))
        .bind(tax_key(c))
        .bind(registration_key(c))
        .bind(&c.area_id)
        .bind(&c.area_path)
        .bind(&c.id)
        .bind(hoptac_core::text::normalize(&c.name))
        .bind(&c.established_on)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Every cooperative that was under any of `paths` before a reorganisation moved it
/// (`cooperative_moves`), as it is today, with the path it had then: for a review in the
/// areas of a period before it.
pub async fn moved_from_paths(
    db: &Db,
    paths: &[String],
) -> Result<Vec<(Cooperative, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT c.body, m.from_path FROM cooperative_moves m JOIN cooperatives c ON c.id = m.cooperative_id WHERE {}",
        scope_clause("m.from_path", 1, paths.len())
    );
    rows_in_paths(db, &sql, paths)
        .await?
        .iter()
        .map(|r| Ok((decode(&r.try_get::<String, _>(0)?)?, r.try_get(1)?)))
        .collect()
}

/// What the six-monthly review reads of every cooperative under any of `paths`
/// (hoptac_core::six_month::CoopPart), from columns (migration 0018), not 100,000 bodies
/// decoded here; the date of establishment of a row an older server changed (its
/// `founded_version` behind its `version`) from its body by the database's JSON function.
pub async fn review_parts_in_paths(
    db: &Db,
    paths: &[String],
) -> Result<Vec<hoptac_core::six_month::CoopPart>, sqlx::Error> {
    use hoptac_core::keyed::Keyed;
    let from_body = db.kind.json_text("body", "established_on");
    let founded =
        format!("CASE WHEN founded_version = version THEN founded_on ELSE {from_body} END");
    let sql = format!(
        "SELECT id, kind, name, area_path, {founded} FROM cooperatives WHERE {}",
        scope_clause("area_path", 1, paths.len())
    );
    rows_in_paths(db, &sql, paths)
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get(1)?;
            Ok(hoptac_core::six_month::CoopPart {
                id: r.try_get(0)?,
                kind: hoptac_core::model::CoopKind::from_key(&kind).ok_or_else(|| {
                    sqlx::Error::Decode(format!("unknown kind of cooperative {kind:?}").into())
                })?,
                name: r.try_get(2)?,
                area_path: r.try_get(3)?,
                established_on: r.try_get(4)?,
            })
        })
        .collect()
}

/// The rows `sql` reads with `paths` bound from its first parameter on, in order (a
/// statement whose scope clause is [`scope_clause`] over `paths`).
async fn rows_in_paths(
    db: &Db,
    sql: &str,
    paths: &[String],
) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
    let mut q = sqlx::query(sql);
    for p in paths {
        q = q.bind(p);
    }
    q.fetch_all(&db.pool).await
}

/// Every cooperative under any of `paths`.
pub async fn in_paths(db: &Db, paths: &[String]) -> Result<Vec<Cooperative>, sqlx::Error> {
    let sql = format!(
        "SELECT body FROM cooperatives WHERE {}",
        scope_clause("area_path", 1, paths.len())
    );
    rows_in_paths(db, &sql, paths)
        .await?
        .iter()
        .map(|r| decode(&r.try_get::<String, _>(0)?))
        .collect()
}

/// Other cooperatives sharing `c`'s tax code or registration number: (their id, the field
/// shared: "tax_code" or "registration_no", the value as stored on `c`).
pub async fn same_identifiers(
    tx: &mut WriteTx<'_>,
    c: &Cooperative,
) -> Result<Vec<(String, &'static str, String)>, sqlx::Error> {
    let mut out = Vec::new();
    let checks = [
        ("tax_code", "tax_code_key", tax_key(c), c.tax_code.clone()),
        (
            "registration_no",
            "registration_key",
            registration_key(c),
            c.registration_no.clone(),
        ),
    ];
    for (field, column, key, value) in checks {
        let Some(key) = key else { continue };
        let sql =
            format!("SELECT id FROM cooperatives WHERE {column} = $1 AND id <> $2 ORDER BY id");
        let ids: Vec<String> = sqlx::query_scalar(&sql)
            .bind(&key)
            .bind(&c.id)
            .fetch_all(tx.conn())
            .await?;
        for id in ids {
            out.push((id, field, value.clone().unwrap_or_default()));
        }
    }
    Ok(out)
}

/// Flags `id` and `other` as one cooperative recorded twice (kept until merged or
/// dismissed; flagging again changes nothing).
pub async fn flag_duplicate(
    tx: &mut WriteTx<'_>,
    id: &str,
    other: &str,
    field: &str,
    value: &str,
) -> Result<(), sqlx::Error> {
    let (a, b) = if id < other { (id, other) } else { (other, id) };
    sqlx::query("INSERT INTO cooperative_duplicates (cooperative_id, other_id, field, value, found_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
        .bind(a)
        .bind(b)
        .bind(field)
        .bind(value)
        .bind(super::now_ms())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// One flagged pair.
#[derive(Debug, Clone)]
pub struct DuplicatePair {
    pub a: Cooperative,
    pub b: Cooperative,
    pub field: String,
    pub value: String,
    pub found_at: i64,
}

/// Flagged pairs whose two records both lie under `paths`, oldest first.
pub async fn duplicates(db: &Db, paths: &[String]) -> Result<Vec<DuplicatePair>, sqlx::Error> {
    let sql = format!(
        "SELECT a.body, b.body, d.field, d.value, d.found_at FROM cooperative_duplicates d
         JOIN cooperatives a ON a.id = d.cooperative_id JOIN cooperatives b ON b.id = d.other_id
         WHERE d.dismissed_at IS NULL AND {} AND {} ORDER BY d.found_at, d.cooperative_id",
        scope_clause("a.area_path", 1, paths.len()),
        scope_clause("b.area_path", 1, paths.len())
    );
    rows_in_paths(db, &sql, paths)
        .await?
        .iter()
        .map(|r| {
            Ok(DuplicatePair {
                a: decode(&r.try_get::<String, _>(0)?)?,
                b: decode(&r.try_get::<String, _>(1)?)?,
                field: r.try_get(2)?,
                value: r.try_get(3)?,
                found_at: r.try_get(4)?,
            })
        })
        .collect()
}

/// Drops the flags between `a` and `b` (dismissed: two cooperatives after all).
/// The flag is kept, marked dismissed: flagging the pair again changes nothing.
pub async fn dismiss_duplicate(tx: &mut WriteTx<'_>, a: &str, b: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE cooperative_duplicates SET dismissed_at = $3 WHERE dismissed_at IS NULL AND ((cooperative_id = $1 AND other_id = $2) OR (cooperative_id = $2 AND other_id = $1))")
        .bind(a)
        .bind(b)
        .bind(super::now_ms())
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected())
}

/// Removes cooperative `removed` in favour of `kept`: its flags go, its id is kept in
/// `cooperative_merges` (work still on a tablet for it lands on `kept`).
pub async fn record_merge(
    tx: &mut WriteTx<'_>,
    removed: &str,
    removed_area_path: &str,
    kept: &str,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM cooperative_duplicates WHERE cooperative_id = $1 OR other_id = $1")
        .bind(removed)
        .execute(tx.conn())
        .await?;
    // Records merged into `removed` earlier now point to `kept`.
    sqlx::query("UPDATE cooperative_merges SET kept_id = $1 WHERE kept_id = $2")
        .bind(kept)
        .bind(removed)
        .execute(tx.conn())
        .await?;
    sqlx::query("INSERT INTO cooperative_merges (removed_id, kept_id, merged_at, merged_by, removed_area_path) VALUES ($1, $2, $3, $4, $5)")
        .bind(removed)
        .bind(kept)
        .bind(super::now_ms())
        .bind(by)
        .bind(removed_area_path)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM cooperatives WHERE id = $1")
        .bind(removed)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// What a removed id became: the record it was merged into and the removed record's area
/// path (None for a merge recorded before the path was kept).
pub struct Merged {
    pub kept_id: String,
    pub removed_area_path: Option<String>,
}

/// The cooperative a removed id was merged into, if it was.
pub async fn merged_into(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<Merged>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT kept_id, removed_area_path FROM cooperative_merges WHERE removed_id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    row.map(|r| {
        Ok(Merged {
            kept_id: r.try_get(0)?,
            removed_area_path: r.try_get(1)?,
        })
    })
    .transpose()
}

/// The record work written for `id` lands on, locked until commit: `id` itself, or the
/// record it was merged into (with the removed record's area path). Read again once when
/// the record is gone by the time its lock is granted (a merge committed meanwhile).
pub async fn lock_landing(
    tx: &mut WriteTx<'_>,
    id: &str,
) -> Result<Option<(Cooperative, Option<String>)>, sqlx::Error> {
    for _ in 0..2 {
        let merged = merged_into(tx, id).await?;
        let target = merged
            .as_ref()
            .map(|m| m.kept_id.clone())
            .unwrap_or_else(|| id.to_string());
        if let Some(c) = lock(tx, &target).await? {
            return Ok(Some((c, merged.and_then(|m| m.removed_area_path))));
        }
    }
    Ok(None)
}

/// A record already in the registry that a new one (`c`, made by an import) would repeat:
/// the same tax code, registration number, or name in the same commune. Read inside the
/// import's write, after it waited for any other import (two imports of one file at once
/// create each record once).
pub async fn same_record(
    tx: &mut WriteTx<'_>,
    c: &Cooperative,
) -> Result<Option<String>, sqlx::Error> {
    for (column, key) in [
        ("tax_code_key", tax_key(c)),
        ("registration_key", registration_key(c)),
    ] {
        let Some(k) = key else { continue };
        let sql = format!("SELECT id FROM cooperatives WHERE {column} = $1 LIMIT 1");
        if let Some(id) = sqlx::query_scalar(&sql)
            .bind(k)
            .fetch_optional(tx.conn())
            .await?
        {
            return Ok(Some(id));
        }
    }
    sqlx::query_scalar("SELECT id FROM cooperatives WHERE area_id = $1 AND name = $2 LIMIT 1")
        .bind(&c.area_id)
        .bind(&c.name)
        .fetch_optional(tx.conn())
        .await
}

/// Fills the folded name of cooperatives stored before migration 0015 (or written by a
/// tool that left it empty), 500 at a time; returns how many.
pub async fn backfill_search(db: &Db) -> Result<u64, sqlx::Error> {
    let mut done = 0;
    loop {
        let rows =
            sqlx::query("SELECT id, name FROM cooperatives WHERE name_search = '' LIMIT 500")
                .fetch_all(&db.pool)
                .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let mut tx = db.begin_write().await?;
        for r in rows {
            let (id, name): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            // A name that folds to nothing still gets a value, so it is not met again.
            let folded = Some(hoptac_core::text::normalize(&name))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| " ".into());
            sqlx::query("UPDATE cooperatives SET name_search = $1 WHERE id = $2")
                .bind(folded)
                .bind(&id)
                .execute(tx.conn())
                .await?;
            done += 1;
        }
        tx.commit().await?;
    }
}
