//! `visit_reports` and `report_revisions`: a report's current revision (its full JSON in
//! `body`, with the columns queries filter on) and the revisions before it.

use super::{scope_clause, Db, WriteTx};
use hoptac_core::keyed::Keyed;
use hoptac_core::model::VisitReport;
use hoptac_core::six_month::ReviewPart;
use sqlx::Row;

/// A stored report with its JSON exactly as stored (the audit trail's "before").
#[derive(Debug, Clone)]
pub struct Stored {
    pub report: VisitReport,
    pub body: String,
}

/// The columns [`stored_row`] reads, in its order.
pub const STORED: &str = "body, area_path, written_area_path";

/// The report of a row read with [`STORED`] from column `at` on (`v.`-prefixed or not).
/// Its area is the columns': a report that followed its cooperative to another area
/// (`follow`) had only its columns rewritten, and its body says where it was before.
pub fn stored_row(row: &sqlx::any::AnyRow, at: usize) -> Result<Stored, sqlx::Error> {
    let body: String = row.try_get(at)?;
    let area_path: String = row.try_get(at + 1)?;
    let written: Option<String> = row.try_get(at + 2)?;
    let mut report: VisitReport =
        serde_json::from_str(&body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    if report.area_path == area_path && (written.is_none() || report.written_area_path == written) {
        return Ok(Stored { report, body });
    }
    report.area_path = area_path;
    if written.is_some() {
        report.written_area_path = written;
    }
    let body = serde_json::to_string(&report).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    Ok(Stored { report, body })
}

/// The report `id`, locked until commit (PostgreSQL).
pub async fn lock(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<Stored>, sqlx::Error> {
    let sql = format!(
        "SELECT {STORED} FROM visit_reports WHERE id = $1{}",
        tx.for_update()
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?;
    row.map(|r| stored_row(&r, 0)).transpose()
}

/// The report `id`, read outside a write.
pub async fn get(db: &Db, id: &str) -> Result<Option<Stored>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {STORED} FROM visit_reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| stored_row(&r, 0)).transpose()
}

/// Stores a new report sent from `client_id`; false when a report with its id exists
/// (a retry racing itself from another tablet: nothing is written twice).
pub async fn insert(
    tx: &mut WriteTx<'_>,
    r: &VisitReport,
    client_id: &str,
    body: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO visit_reports (id, cooperative_id, author_id, client_id, area_path, visit_date, status, revision, received_at, body, written_area_path, search, period, review_part)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&r.id)
    .bind(&r.cooperative_id)
    .bind(&r.author_id)
    .bind(client_id)
    .bind(&r.area_path)
    .bind(&r.visit_date)
    .bind(r.status.key())
    .bind(r.revision as i64)
    .bind(r.received_at.unwrap_or_default())
    .bind(body)
    .bind(&r.written_area_path)
    .bind(search_text(r))
    .bind(period_of(r))
    .bind(review_part(r)?)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores many new reports at once, as sent from `client_id` (a generated dataset: no
/// checks, ids must be new), a few hundred to a statement.
pub async fn insert_many(
    tx: &mut WriteTx<'_>,
    reports: &[VisitReport],
    client_id: &str,
) -> Result<(), sqlx::Error> {
    for chunk in reports.chunks(400) {
        let sql = format!(
            "INSERT INTO visit_reports (id, cooperative_id, author_id, client_id, area_path, visit_date, status, revision, received_at, body, written_area_path, search, period, review_part) VALUES {}",
            super::values(chunk.len(), 14)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            let body = serde_json::to_string(r).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            q = q
                .bind(r.id.clone())
                .bind(r.cooperative_id.clone())
                .bind(r.author_id.clone())
                .bind(client_id.to_string())
                .bind(r.area_path.clone())
                .bind(r.visit_date.clone())
                .bind(r.status.key())
                .bind(r.revision as i64)
                .bind(r.received_at.unwrap_or_default())
                .bind(body)
                .bind(r.written_area_path.clone())
                .bind(search_text(r))
                .bind(period_of(r))
                .bind(review_part(r)?);
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

/// The longest review part stored, in bytes: it is also in the index
/// `visit_reports_standing`, whose rows PostgreSQL limits to ~2,700 bytes. A longer one
/// (many long photo captions) is stored empty and the review reads that report's body.
pub const REVIEW_PART_MAX: usize = 1_500;

/// What the six-monthly review reads of `r` (hoptac_core::six_month::ReviewPart), as
/// JSON: the column `review_part` (migration 0018), written with every body; "" when
/// longer than [`REVIEW_PART_MAX`].
pub fn review_part(r: &VisitReport) -> Result<String, sqlx::Error> {
    let json = serde_json::to_string(&hoptac_core::six_month::ReviewPart::of(r))
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    Ok(if json.len() > REVIEW_PART_MAX {
        String::new()
    } else {
        json
    })
}

/// The six-month period of a report's visit date ("2026-H1"; "" for a date that is not
/// one, which validation refuses before anything is stored).
pub fn period_of(r: &VisitReport) -> String {
    hoptac_core::report::period_of(&r.visit_date).unwrap_or_default()
}

/// What the review queue's search looks in, besides the cooperative's name: the officer's
/// name, the note and the report's id, folded (hoptac_core::text::normalize).
pub fn search_text(r: &VisitReport) -> String {
    hoptac_core::text::normalize(&format!("{} {} {}", r.author_name, r.note, r.id))
}

/// The author of report `id`, if it exists.
pub async fn author_of(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT author_id FROM visit_reports WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// Writes a report's new state (decision, comment, new revision).
pub async fn update(tx: &mut WriteTx<'_>, r: &VisitReport, body: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE visit_reports SET status = $1, revision = $2, received_at = $3, visit_date = $4, body = $5, search = $6, period = $8, review_part = $9 WHERE id = $7")
        .bind(r.status.key())
        .bind(r.revision as i64)
        .bind(r.received_at.unwrap_or_default())
        .bind(&r.visit_date)
        .bind(body)
        .bind(search_text(r))
        .bind(&r.id)
        .bind(period_of(r))
        .bind(review_part(r)?)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Keeps revision `revision` of a report (its JSON) before a new one replaces it.
pub async fn keep_revision(
    tx: &mut WriteTx<'_>,
    report_id: &str,
    revision: u32,
    body: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO report_revisions (report_id, revision, body, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (report_id, revision) DO NOTHING")
        .bind(report_id)
        .bind(revision as i64)
        .bind(body)
        .bind(at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The JSON of an earlier revision of a report.
pub async fn revision(
    db: &Db,
    report_id: &str,
    revision: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row =
        sqlx::query("SELECT body FROM report_revisions WHERE report_id = $1 AND revision = $2")
            .bind(report_id)
            .bind(revision)
            .fetch_optional(&db.pool)
            .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// The reports of rows read with [`STORED`] first.
pub(super) fn decode(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<VisitReport>, sqlx::Error> {
    rows.iter().map(|r| Ok(stored_row(r, 0)?.report)).collect()
}

mod backfill;
mod moves;
mod queue;
mod standing;
pub use backfill::*;
pub use moves::*;
pub use queue::*;
pub use standing::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_part_too_long_for_the_index_is_left_empty() {
        let mut r: VisitReport = serde_json::from_value(serde_json::json!({
            "id": "v-1", "cooperative_id": "c-1", "author_id": "u-1", "visit_date": "2026-03-02",
            "note": "", "status": "approved", "created_at": 1
        }))
        .unwrap();
        r.findings.finances.revenue_vnd = Some(1_000_000);
        let part = review_part(&r).unwrap();
        assert!(!part.is_empty() && part.len() < 300, "{part}");
        // Twelve photos of the works with long captions: more than the index takes.
        r.findings.photos = (0..12)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "hash": format!("{i:064}"), "section": "works",
                    "caption": "Kênh mương nội đồng ".repeat(10), "bytes": 1
                }))
                .unwrap()
            })
            .collect();
        assert_eq!(review_part(&r).unwrap(), "");
    }
}
