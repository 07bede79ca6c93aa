//! Reports that follow their cooperatives: read for a move, moved one by one or a
//! reorganisation's at once (`follow`), and counted.

use super::*;

/// Every report of the cooperatives of area `area_id` (exactly that area), locked until
/// commit (a reorganisation moves them).
pub async fn of_area_locked(
    tx: &mut WriteTx<'_>,
    area_id: &str,
) -> Result<Vec<Stored>, sqlx::Error> {
    let sql = format!(
        "SELECT {STORED} FROM visit_reports WHERE cooperative_id IN (SELECT id FROM cooperatives WHERE area_id = $1) ORDER BY id{}",
        tx.for_update()
    );
    sqlx::query(&sql)
        .bind(area_id)
        .fetch_all(tx.conn())
        .await?
        .into_iter()
        .map(|r| stored_row(&r, 0))
        .collect()
}

/// Every report of cooperative `id`, locked until commit (a merge re-points them).
pub async fn of_cooperative(tx: &mut WriteTx<'_>, id: &str) -> Result<Vec<Stored>, sqlx::Error> {
    let sql = format!(
        "SELECT {STORED} FROM visit_reports WHERE cooperative_id = $1 ORDER BY id{}",
        tx.for_update()
    );
    sqlx::query(&sql)
        .bind(id)
        .fetch_all(tx.conn())
        .await?
        .into_iter()
        .map(|r| stored_row(&r, 0))
        .collect()
}

/// Moves a report to another cooperative or area (`r.cooperative_id`, `r.area_path`,
/// `r.written_area_path` already set).
pub async fn move_to(tx: &mut WriteTx<'_>, r: &VisitReport, body: &str) -> Result<(), sqlx::Error> {
    move_many(tx, &[(r.clone(), body.to_string())]).await
}

/// Moves many reports as [`move_to`] does, 400 to a statement: (report, its body).
pub async fn move_many(
    tx: &mut WriteTx<'_>,
    reports: &[(VisitReport, String)],
) -> Result<(), sqlx::Error> {
    for chunk in reports.chunks(400) {
        let sql = format!(
            "UPDATE visit_reports SET cooperative_id = v.column2, area_path = v.column3, body = v.column4, written_area_path = v.column5, review_part = v.column6 FROM (VALUES {}) AS v WHERE visit_reports.id = v.column1",
            crate::storage::values(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for (r, body) in chunk {
            q = q
                .bind(r.id.clone())
                .bind(r.cooperative_id.clone())
                .bind(r.area_path.clone())
                .bind(body.clone())
                .bind(r.written_area_path.clone())
                .bind(review_part(r)?);
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

/// The reports of cooperatives that moved follow them: every report of each cooperative
/// of `moves` (cooperative id, area path after) takes the new path in its column
/// `area_path` and keeps where it was written (`written_area_path`, set once).
/// Only those two columns are written: a body or review part read back takes its area
/// from them ([`super::stored_row`], [`super::standing`]), so a country's reform, which
/// moves a million reports the server never reads, rewrites no JSON. Each report is
/// logged for pull by reference (its current row read at pull: `storage::changes`); the
/// cooperative's own audit entry of the move stands for its reports' (`rules::audit`
/// shows it in each report's trail). Returns how many reports moved.
pub async fn follow(tx: &mut WriteTx<'_>, moves: &[(&str, &str)]) -> Result<u64, sqlx::Error> {
    if moves.is_empty() {
        return Ok(0);
    }
    let batch = tx.next_batch();
    if batch == 1 {
        // One per connection, made again by each transaction that moves reports.
        let (drop, on_commit) = tx.kind().temp_table("moving_reports");
        sqlx::query(&drop).execute(tx.conn()).await?;
        sqlx::query(&format!(
            "CREATE TEMP TABLE moving_reports (batch BIGINT NOT NULL, cooperative_id TEXT NOT NULL, to_path TEXT NOT NULL, \
             PRIMARY KEY (batch, cooperative_id)){on_commit}"
        ))
        .execute(tx.conn())
        .await?;
    }
    for chunk in moves.chunks(500) {
        let sql = format!(
            "INSERT INTO moving_reports (batch, cooperative_id, to_path) VALUES {}",
            crate::storage::values(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (coop, to) in chunk {
            q = q.bind(batch).bind(*coop).bind(*to);
        }
        q.execute(tx.conn()).await?;
    }
    if let Some(sql) = tx.kind().analyse_temp_table("moving_reports") {
        sqlx::query(&sql).execute(tx.conn()).await?;
    }
    let moved = sqlx::query(
        "UPDATE visit_reports SET area_path = m.to_path, written_area_path = COALESCE(written_area_path, area_path) \
         FROM moving_reports m WHERE m.batch = $1 AND visit_reports.cooperative_id = m.cooperative_id",
    )
    .bind(batch)
    .execute(tx.conn())
    .await?
    .rows_affected();
    tx.log_reports_followed(batch, moved);
    Ok(moved)
}

/// How many reports the cooperatives of each area of `area_ids` have (exactly that area),
/// 500 areas to a statement; areas without reports are absent.
pub async fn count_by_area(
    tx: &mut WriteTx<'_>,
    area_ids: &[String],
) -> Result<std::collections::HashMap<String, u64>, sqlx::Error> {
    let mut out = std::collections::HashMap::new();
    for chunk in area_ids.chunks(500) {
        let sql = format!(
            "SELECT c.area_id, COUNT(*) FROM visit_reports r JOIN cooperatives c ON c.id = r.cooperative_id WHERE c.area_id IN {} GROUP BY c.area_id",
            crate::storage::values(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for row in q.fetch_all(tx.conn()).await? {
            out.insert(row.try_get(0)?, row.try_get::<i64, _>(1)?.max(0) as u64);
        }
    }
    Ok(out)
}

/// How many reports cooperative `id` has.
pub async fn count_of_cooperative(db: &Db, id: &str) -> Result<u32, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visit_reports WHERE cooperative_id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await?;
    Ok(n.max(0) as u32)
}
