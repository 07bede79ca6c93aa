//! `photos`, `photo_uploads`, `photo_links` (migration 0013): the facts about each photo
//! whose bytes are in the photo store (crate::photos), uploads sent in pieces, and which
//! records name which photo.

use super::{now_ms, Db, WriteTx};
use sqlx::Row;

/// A stored photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    pub hash: String,
    pub mime: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub uploaded_by: String,
}

/// The photo `hash`, if stored.
pub async fn get(db: &Db, hash: &str) -> Result<Option<Photo>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT hash, mime, bytes, width, height, uploaded_by FROM photos WHERE hash = $1",
    )
    .bind(hash)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(Photo {
            hash: r.try_get(0)?,
            mime: r.try_get(1)?,
            bytes: r.try_get(2)?,
            width: r.try_get(3)?,
            height: r.try_get(4)?,
            uploaded_by: r.try_get(5)?,
        })
    })
    .transpose()
}

/// Records a stored photo; false when it was already (another upload of the same bytes).
pub async fn insert(tx: &mut WriteTx<'_>, p: &Photo) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO photos (hash, mime, bytes, width, height, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (hash) DO NOTHING",
    )
    .bind(&p.hash)
    .bind(&p.mime)
    .bind(p.bytes)
    .bind(p.width)
    .bind(p.height)
    .bind(&p.uploaded_by)
    .bind(now_ms())
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How far `user`'s upload of `hash` in pieces has come: (total, received) bytes.
pub async fn progress(db: &Db, hash: &str, user: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row =
        sqlx::query("SELECT total, received FROM photo_uploads WHERE hash = $1 AND user_id = $2")
            .bind(hash)
            .bind(user)
            .fetch_optional(&db.pool)
            .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// Sets how far `user`'s upload of `hash` has come.
pub async fn set_progress(
    tx: &mut WriteTx<'_>,
    hash: &str,
    user: &str,
    total: i64,
    received: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO photo_uploads (hash, user_id, total, received, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (hash, user_id) DO UPDATE SET total = excluded.total, received = excluded.received, updated_at = excluded.updated_at",
    )
    .bind(hash)
    .bind(user)
    .bind(total)
    .bind(received)
    .bind(now_ms())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Forgets `user`'s upload of `hash` (finished, or started again).
pub async fn clear_progress(
    tx: &mut WriteTx<'_>,
    hash: &str,
    user: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM photo_uploads WHERE hash = $1 AND user_id = $2")
        .bind(hash)
        .bind(user)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Records that `user` sent the bytes of photo `hash`.
pub async fn add_uploader(tx: &mut WriteTx<'_>, hash: &str, user: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO photo_uploaders (hash, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(hash)
    .bind(user)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Whether `user` sent the bytes of photo `hash`.
pub async fn is_uploader(db: &Db, hash: &str, user: &str) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("SELECT 1 FROM photo_uploaders WHERE hash = $1 AND user_id = $2")
            .bind(hash)
            .bind(user)
            .fetch_optional(&db.pool)
            .await?
            .is_some(),
    )
}

/// Makes `hashes` the photos record `record_id` of `entity` ("visit", "cooperative")
/// names; a photo it named already keeps who named it, a new one is named by `by`.
pub async fn relink(
    tx: &mut WriteTx<'_>,
    entity: &str,
    record_id: &str,
    hashes: &[&str],
    by: &str,
) -> Result<(), sqlx::Error> {
    let held: Vec<String> =
        sqlx::query_scalar("SELECT hash FROM photo_links WHERE entity = $1 AND record_id = $2")
            .bind(entity)
            .bind(record_id)
            .fetch_all(tx.conn())
            .await?;
    for gone in held.iter().filter(|h| !hashes.contains(&h.as_str())) {
        sqlx::query("DELETE FROM photo_links WHERE hash = $1 AND entity = $2 AND record_id = $3")
            .bind(gone)
            .bind(entity)
            .bind(record_id)
            .execute(tx.conn())
            .await?;
    }
    for h in hashes.iter().filter(|h| !held.iter().any(|x| x == *h)) {
        sqlx::query(
            "INSERT INTO photo_links (hash, entity, record_id, linked_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(h)
        .bind(entity)
        .bind(record_id)
        .bind(by)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// Forgets photo `hash` (its bytes are gone from the store: it is to be sent again).
pub async fn forget(db: &Db, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM photos WHERE hash = $1")
        .bind(hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Links visit report `r`'s photos to it, as named by user `by`.
pub async fn link_report(
    tx: &mut WriteTx<'_>,
    r: &hoptac_core::model::VisitReport,
    by: &str,
) -> Result<(), sqlx::Error> {
    let hashes: Vec<&str> = r.findings.photos.iter().map(|p| p.hash.as_str()).collect();
    relink(tx, "visit", &r.id, &hashes, by).await
}

/// Links cooperative `c`'s main photo to it, as named by user `by`.
pub async fn link_cooperative(
    tx: &mut WriteTx<'_>,
    c: &hoptac_core::model::Cooperative,
    by: &str,
) -> Result<(), sqlx::Error> {
    let hashes: Vec<&str> = c.main_photo.iter().map(|p| p.hash.as_str()).collect();
    relink(tx, "cooperative", &c.id, &hashes, by).await
}

/// The area paths of the records that name photo `hash`, whoever named it there (for a
/// photo not on the server yet: a record the caller may see waits for it).
pub async fn named_paths(db: &Db, hash: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT v.area_path FROM photo_links l JOIN visit_reports v ON v.id = l.record_id WHERE l.hash = $1 AND l.entity = 'visit'
         UNION
         SELECT c.area_path FROM photo_links l JOIN cooperatives c ON c.id = l.record_id WHERE l.hash = $1 AND l.entity = 'cooperative'",
    )
    .bind(hash)
    .fetch_all(&db.pool)
    .await
}

/// The area paths of the records that name photo `hash`, named there by someone who sent
/// its bytes (a user who may see one of them may see the photo).
pub async fn linked_paths(db: &Db, hash: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT v.area_path FROM photo_links l JOIN photo_uploaders u ON u.hash = l.hash AND u.user_id = l.linked_by
           JOIN visit_reports v ON v.id = l.record_id WHERE l.hash = $1 AND l.entity = 'visit'
         UNION
         SELECT c.area_path FROM photo_links l JOIN photo_uploaders u ON u.hash = l.hash AND u.user_id = l.linked_by
           JOIN cooperatives c ON c.id = l.record_id WHERE l.hash = $1 AND l.entity = 'cooperative'",
    )
    .bind(hash)
    .fetch_all(&db.pool)
    .await
}

/// Reports waiting for review (submitted or resubmitted) that arrived before
/// `received_before` (ms since epoch) and name a photo whose bytes their author never sent
/// (no upload of it by whoever named it there): at most `limit`, by id, after id `after`
/// ("" for the first page), so a caller goes through them all page by page whatever it
/// does with each.
pub async fn reports_missing_photos(
    db: &Db,
    received_before: i64,
    after: &str,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT v.id FROM visit_reports v
           JOIN photo_links l ON l.entity = 'visit' AND l.record_id = v.id
           LEFT JOIN photo_uploaders u ON u.hash = l.hash AND u.user_id = l.linked_by
         WHERE u.hash IS NULL AND v.status IN ('submitted', 'resubmitted') AND v.received_at < $1
           AND v.id > $2
         ORDER BY v.id LIMIT $3",
    )
    .bind(received_before)
    .bind(after)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

/// The photos visit report `id` names whose bytes were never sent by whoever named them.
pub async fn missing_of_report(tx: &mut WriteTx<'_>, id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT l.hash FROM photo_links l
           LEFT JOIN photo_uploaders u ON u.hash = l.hash AND u.user_id = l.linked_by
         WHERE l.entity = 'visit' AND l.record_id = $1 AND u.hash IS NULL ORDER BY l.hash",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await
}
