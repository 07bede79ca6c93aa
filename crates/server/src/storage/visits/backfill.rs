//! Columns added to `visit_reports` after reports existed, filled in at start for the
//! rows written before them.

use super::*;

/// Fills the review's part of reports stored before migration 0018, 500 at a time in
/// order of id (each batch one index range: a million reports take minutes, not a scan
/// per batch); returns how many.
pub async fn backfill_review_part(db: &Db) -> Result<u64, sqlx::Error> {
    let (mut done, mut after) = (0, String::new());
    loop {
        let rows = sqlx::query(
            &format!("SELECT id, review_part, {STORED} FROM visit_reports WHERE id > $1 ORDER BY id LIMIT 500"),
        )
        .bind(&after)
        .fetch_all(&db.pool)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(done);
        };
        after = last.try_get(0)?;
        let mut tx = db.begin_write().await?;
        for row in &rows {
            if !row.try_get::<String, _>(1)?.is_empty() {
                continue;
            }
            let r = stored_row(row, 2)?.report;
            // Only if still without one: a report written meanwhile has its own.
            let ok = sqlx::query(
                "UPDATE visit_reports SET review_part = $1 WHERE id = $2 AND review_part = ''",
            )
            .bind(review_part(&r)?)
            .bind(&r.id)
            .execute(tx.conn())
            .await?;
            done += ok.rows_affected();
        }
        tx.commit().await?;
    }
}

/// Fills the search text of reports stored before migration 0015 (or written by a tool
/// that left it empty), 500 at a time; returns how many.
pub async fn backfill_search(db: &Db) -> Result<u64, sqlx::Error> {
    let mut done = 0;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {STORED} FROM visit_reports WHERE search = '' LIMIT 500"
        ))
        .fetch_all(&db.pool)
        .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let mut tx = db.begin_write().await?;
        for r in decode(rows)? {
            sqlx::query("UPDATE visit_reports SET search = $1 WHERE id = $2")
                .bind(search_text(&r))
                .bind(&r.id)
                .execute(tx.conn())
                .await?;
            done += 1;
        }
        tx.commit().await?;
    }
}
