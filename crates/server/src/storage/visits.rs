//! `visit_reports` and `report_revisions`: a report's current revision (its full JSON in
//! `body`, with the columns queries filter on) and the revisions before it.

use super::{scope_clause, Db, WriteTx};
use hoptac_core::keyed::Keyed;
use hoptac_core::model::VisitReport;
use sqlx::Row;

/// A stored report with its JSON exactly as stored (the audit trail's "before").
pub struct Stored {
    pub report: VisitReport,
    pub body: String,
}

fn stored(body: String) -> Result<Stored, sqlx::Error> {
    let report = serde_json::from_str(&body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Stored { report, body })
}

/// The report `id`, locked until commit (PostgreSQL).
pub async fn lock(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<Stored>, sqlx::Error> {
    let sql = format!(
        "SELECT body FROM visit_reports WHERE id = $1{}",
        tx.for_update()
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?;
    row.map(|r| stored(r.try_get(0)?)).transpose()
}

/// The report `id`, read outside a write.
pub async fn get(db: &Db, id: &str) -> Result<Option<Stored>, sqlx::Error> {
    let row = sqlx::query("SELECT body FROM visit_reports WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| stored(r.try_get(0)?)).transpose()
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
        "INSERT INTO visit_reports (id, cooperative_id, author_id, client_id, area_path, visit_date, status, revision, received_at, body, written_area_path)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
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
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
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
    sqlx::query("UPDATE visit_reports SET status = $1, revision = $2, received_at = $3, visit_date = $4, body = $5 WHERE id = $6")
        .bind(r.status.key())
        .bind(r.revision as i64)
        .bind(r.received_at.unwrap_or_default())
        .bind(&r.visit_date)
        .bind(body)
        .bind(&r.id)
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

fn decode(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<VisitReport>, sqlx::Error> {
    rows.iter()
        .map(|r| {
            serde_json::from_str(&r.try_get::<String, _>(0)?)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))
        })
        .collect()
}

/// Reports under any of `scopes`, newest received first, at most 1,000.
pub async fn in_scopes(db: &Db, scopes: &[String]) -> Result<Vec<VisitReport>, sqlx::Error> {
    let sql = format!(
        "SELECT body FROM visit_reports WHERE {} ORDER BY received_at DESC, id LIMIT 1000",
        scope_clause("area_path", 1, scopes.len())
    );
    let mut q = sqlx::query(&sql);
    for s in scopes {
        q = q.bind(s);
    }
    decode(q.fetch_all(&db.pool).await?)
}

/// The filters of the submissions export (each optional; dates are ISO "YYYY-MM-DD").
#[derive(Debug, Default)]
pub struct Filter<'a> {
    pub status: Option<&'a str>,
    /// An area path prefix.
    pub area: Option<&'a str>,
    pub author: Option<&'a str>,
    /// Visit dates from..=to.
    pub dates: Option<(String, String)>,
}

/// Reports under `scopes` matching `f`, newest visit first, each with its cooperative's name.
pub async fn export_rows(
    db: &Db,
    scopes: &[String],
    f: &Filter<'_>,
) -> Result<Vec<(VisitReport, String)>, sqlx::Error> {
    let mut sql = format!(
        "SELECT v.body, c.name FROM visit_reports v JOIN cooperatives c ON c.id = v.cooperative_id WHERE {}",
        scope_clause("v.area_path", 1, scopes.len())
    );
    let mut binds: Vec<String> = scopes.to_vec();
    let mut add = |cond: &str, value: String, binds: &mut Vec<String>| {
        binds.push(value);
        sql.push_str(&format!(
            " AND {}",
            cond.replace('?', &format!("${}", binds.len()))
        ));
    };
    if let Some(s) = f.status {
        add("v.status = ?", s.to_string(), &mut binds);
    }
    if let Some(a) = f.area {
        add(
            "substr(v.area_path, 1, length(?)) = ?",
            a.to_string(),
            &mut binds,
        );
    }
    if let Some(a) = f.author {
        add("v.author_id = ?", a.to_string(), &mut binds);
    }
    if let Some((from, to)) = &f.dates {
        add("v.visit_date >= ?", from.clone(), &mut binds);
        add("v.visit_date <= ?", to.clone(), &mut binds);
    }
    sql.push_str(" ORDER BY v.visit_date DESC, v.id");
    let mut query = sqlx::query(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    let mut out = Vec::new();
    for r in query.fetch_all(&db.pool).await? {
        let v: VisitReport = serde_json::from_str(&r.try_get::<String, _>(0)?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        out.push((v, r.try_get(1)?));
    }
    Ok(out)
}

/// For each cooperative under `paths`, the report that stands for it in the review: its
/// latest approved visit dated `from..=to` (as hoptac_core::six_month::compute picks).
pub async fn standing_approved(
    db: &Db,
    paths: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<VisitReport>, sqlx::Error> {
    standing_approved_by(db, "area_path", paths, from, to).await
}

/// As [`standing_approved`], by the area each report was written in (a review in the
/// areas of a period before a reorganisation).
pub async fn standing_approved_written(
    db: &Db,
    paths: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<VisitReport>, sqlx::Error> {
    standing_approved_by(
        db,
        "COALESCE(written_area_path, area_path)",
        paths,
        from,
        to,
    )
    .await
}

async fn standing_approved_by(
    db: &Db,
    column: &str,
    paths: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<VisitReport>, sqlx::Error> {
    let sql = format!(
        "SELECT body FROM (SELECT body, ROW_NUMBER() OVER (PARTITION BY cooperative_id
             ORDER BY visit_date DESC, revision DESC, id DESC) AS n
           FROM visit_reports
           WHERE status = 'approved' AND visit_date >= $1 AND visit_date <= $2 AND {}) AS t
         WHERE n = 1",
        scope_clause(column, 3, paths.len())
    );
    let mut q = sqlx::query(&sql).bind(from).bind(to);
    for p in paths {
        q = q.bind(p);
    }
    decode(q.fetch_all(&db.pool).await?)
}

/// Every report of the cooperatives of area `area_id` (exactly that area), locked until
/// commit (a reorganisation moves them).
pub async fn of_area_locked(
    tx: &mut WriteTx<'_>,
    area_id: &str,
) -> Result<Vec<Stored>, sqlx::Error> {
    let sql = format!(
        "SELECT body FROM visit_reports WHERE cooperative_id IN (SELECT id FROM cooperatives WHERE area_id = $1) ORDER BY id{}",
        tx.for_update()
    );
    sqlx::query(&sql)
        .bind(area_id)
        .fetch_all(tx.conn())
        .await?
        .into_iter()
        .map(|r| stored(r.try_get(0)?))
        .collect()
}

/// Every report of cooperative `id`, locked until commit (a merge re-points them).
pub async fn of_cooperative(tx: &mut WriteTx<'_>, id: &str) -> Result<Vec<Stored>, sqlx::Error> {
    let sql = format!(
        "SELECT body FROM visit_reports WHERE cooperative_id = $1 ORDER BY id{}",
        tx.for_update()
    );
    sqlx::query(&sql)
        .bind(id)
        .fetch_all(tx.conn())
        .await?
        .into_iter()
        .map(|r| stored(r.try_get(0)?))
        .collect()
}

/// Moves a report to another cooperative or area (`r.cooperative_id`, `r.area_path`,
/// `r.written_area_path` already set).
pub async fn move_to(tx: &mut WriteTx<'_>, r: &VisitReport, body: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE visit_reports SET cooperative_id = $1, area_path = $2, body = $3, written_area_path = $4 WHERE id = $5",
    )
    .bind(&r.cooperative_id)
    .bind(&r.area_path)
    .bind(body)
    .bind(&r.written_area_path)
    .bind(&r.id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// How many reports cooperative `id` has.
pub async fn count_of_cooperative(db: &Db, id: &str) -> Result<u32, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visit_reports WHERE cooperative_id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await?;
    Ok(n.max(0) as u32)
}
