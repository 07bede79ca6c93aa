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

fn decode(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<VisitReport>, sqlx::Error> {
    rows.iter()
        .map(|r| {
            serde_json::from_str(&r.try_get::<String, _>(0)?)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))
        })
        .collect()
}

/// The filters of the review queue and the submissions export (each optional; dates are
/// ISO "YYYY-MM-DD").
#[derive(Debug, Default)]
pub struct Filter<'a> {
    pub status: Option<&'a str>,
    /// An area path prefix.
    pub area: Option<&'a str>,
    pub author: Option<&'a str>,
    /// One cooperative's reports.
    pub cooperative: Option<&'a str>,
    /// Visit dates from..=to.
    pub dates: Option<(String, String)>,
    /// A six-month period of the visit date ("2026-H1"; indexed, unlike `dates`).
    pub period: Option<&'a str>,
    /// Words (already folded by hoptac_core::text::normalize) that must each occur in the
    /// cooperative's name, the officer's name, the note or the id.
    pub words: Vec<String>,
}

/// A value bound to a query.
enum Bind {
    Text(String),
    Int(i64),
}

/// `SELECT v.body, c.name FROM …` reports under `scopes` matching `f`, and its binds.
fn filtered(scopes: &[String], f: &Filter<'_>) -> (String, Vec<Bind>) {
    let mut sql = format!(
        "SELECT v.body, c.name FROM visit_reports v JOIN cooperatives c ON c.id = v.cooperative_id WHERE {}",
        scope_clause("v.area_path", 1, scopes.len())
    );
    let mut binds: Vec<Bind> = scopes.iter().cloned().map(Bind::Text).collect();
    let mut add = |cond: &str, value: Bind, sql: &mut String| {
        binds.push(value);
        sql.push_str(&format!(
            " AND {}",
            cond.replace('?', &format!("${}", binds.len()))
        ));
    };
    if let Some(s) = f.status {
        add("v.status = ?", Bind::Text(s.to_string()), &mut sql);
    }
    if let Some(a) = f.area {
        // Where the report is now, or where it was written: a unit a reorganisation closed
        // (a former district) finds the reports written in it.
        add(
            "(substr(v.area_path, 1, length(?)) = ? OR substr(COALESCE(v.written_area_path, v.area_path), 1, length(?)) = ?)",
            Bind::Text(a.to_string()),
            &mut sql,
        );
    }
    if let Some(a) = f.author {
        add("v.author_id = ?", Bind::Text(a.to_string()), &mut sql);
    }
    if let Some(c) = f.cooperative {
        add("v.cooperative_id = ?", Bind::Text(c.to_string()), &mut sql);
    }
    if let Some((from, to)) = &f.dates {
        add("v.visit_date >= ?", Bind::Text(from.clone()), &mut sql);
        add("v.visit_date <= ?", Bind::Text(to.clone()), &mut sql);
    }
    if let Some(p) = f.period {
        add("v.period = ?", Bind::Text(p.to_string()), &mut sql);
    }
    for w in &f.words {
        let escaped = w
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        add(
            "(c.name_search || ' ' || v.search) LIKE ? ESCAPE '\\'",
            Bind::Text(format!("%{escaped}%")),
            &mut sql,
        );
    }
    (sql, binds)
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.as_str()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q
}

fn with_names(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<(VisitReport, String)>, sqlx::Error> {
    rows.iter()
        .map(|r| {
            let v: VisitReport = serde_json::from_str(&r.try_get::<String, _>(0)?)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok((v, r.try_get(1)?))
        })
        .collect()
}

/// A place in the review queue: the last report of the page before, in the order asked.
#[derive(Debug, Clone, PartialEq)]
pub enum QueueCursor {
    /// The queue's order: received time (ms since epoch), newest first, then id, so a
    /// report arriving while someone pages comes at the top and never shifts a page.
    Received { received_at: i64, id: String },
    /// One cooperative's visits: visit date ("YYYY-MM-DD"), newest first, then id.
    VisitDate { visit_date: String, id: String },
}

/// The order of a page of the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueOrder {
    /// Newest received first (the review queue).
    Received,
    /// Newest visit first (a cooperative's page; indexed for one cooperative's reports).
    VisitDate,
}

/// One page of the review queue: at most `limit` reports under `scopes` matching `f`
/// after `after`, each with its cooperative's name, and whether more follow.
pub async fn queue_page(
    db: &Db,
    scopes: &[String],
    f: &Filter<'_>,
    order: QueueOrder,
    after: Option<&QueueCursor>,
    limit: i64,
) -> Result<(Vec<(VisitReport, String)>, bool), sqlx::Error> {
    let (mut sql, mut binds) = filtered(scopes, f);
    let (a, b) = (binds.len() + 1, binds.len() + 2);
    match after {
        Some(QueueCursor::Received { received_at, id }) => {
            sql.push_str(&format!(
                " AND (v.received_at < ${a} OR (v.received_at = ${a} AND v.id > ${b}))"
            ));
            binds.push(Bind::Int(*received_at));
            binds.push(Bind::Text(id.clone()));
        }
        Some(QueueCursor::VisitDate { visit_date, id }) => {
            sql.push_str(&format!(
                " AND (v.visit_date < ${a} OR (v.visit_date = ${a} AND v.id > ${b}))"
            ));
            binds.push(Bind::Text(visit_date.clone()));
            binds.push(Bind::Text(id.clone()));
        }
        None => {}
    }
    binds.push(Bind::Int(limit + 1));
    let by = match order {
        QueueOrder::Received => "v.received_at DESC, v.id",
        QueueOrder::VisitDate => "v.visit_date DESC, v.id",
    };
    sql.push_str(&format!(" ORDER BY {by} LIMIT ${}", binds.len()));
    let mut rows = with_names(
        bind_all(sqlx::query(&sql), &binds)
            .fetch_all(&db.pool)
            .await?,
    )?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    Ok((rows, more))
}

/// Reports under `scopes` matching `f`, newest visit first, each with its cooperative's name.
pub async fn export_rows(
    db: &Db,
    scopes: &[String],
    f: &Filter<'_>,
) -> Result<Vec<(VisitReport, String)>, sqlx::Error> {
    let (mut sql, binds) = filtered(scopes, f);
    sql.push_str(" ORDER BY v.visit_date DESC, v.id");
    with_names(
        bind_all(sqlx::query(&sql), &binds)
            .fetch_all(&db.pool)
            .await?,
    )
}

/// For each cooperative under `paths`, the report that stands for it in the review: its
/// latest approved visit dated `from..=to` (as hoptac_core::six_month::compute picks),
/// holding only what the review reads (hoptac_core::six_month::ReviewPart: ids, date,
/// revision, status, area path, author's name and the figures' findings).
pub async fn standing_approved(
    db: &Db,
    paths: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<ReviewPart>, sqlx::Error> {
    standing_approved_by(db, "area_path", paths, from, to).await
}

/// The half-years ("2026-H1") with approved reports under `paths`, newest first.
pub async fn periods_approved(db: &Db, paths: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!(
        "SELECT DISTINCT period FROM visit_reports WHERE status = 'approved' AND period IS NOT NULL AND {} ORDER BY period DESC",
        scope_clause("area_path", 1, paths.len())
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    for p in paths {
        q = q.bind(p);
    }
    q.fetch_all(&db.pool).await
}

/// As [`standing_approved`], by the area each report was written in (a review in the
/// areas of a period before a reorganisation).
pub async fn standing_approved_written(
    db: &Db,
    paths: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<ReviewPart>, sqlx::Error> {
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
) -> Result<Vec<ReviewPart>, sqlx::Error> {
    // Bounds that are exactly a half-year read that period's reports from its index
    // (migration 0017); other bounds, by visit date.
    let period = hoptac_core::report::period_of(from).filter(|p| {
        hoptac_core::six_month::period_bounds(p) == Some((from.to_string(), to.to_string()))
    });
    let by_period = if period.is_some() {
        " AND period = $3"
    } else {
        ""
    };
    let first = if period.is_some() { 4 } else { 3 };
    let cols = "id, status, revision, visit_date, area_path, cooperative_id, review_part";
    // One index range per area, each read from the index `visit_reports_standing`, which
    // holds every column read here (an index-only scan on PostgreSQL); the ranges joined
    // by UNION ALL, not OR: with 34 ranges OR'ed PostgreSQL read the table through a
    // bitmap instead (1.2 s against ~0.4 s; docs/BENCHMARKS.md).
    let ranges: Vec<String> = (0..paths.len().max(1))
        .map(|i| {
            let scope = super::scope_range(
                db.kind,
                column,
                first + 2 * i,
                usize::from(!paths.is_empty()),
            );
            format!(
                "SELECT {cols} FROM visit_reports
                 WHERE status = 'approved' AND visit_date >= $1 AND visit_date <= $2{by_period} AND {scope}"
            )
        })
        .collect();
    let sql = ranges.join(" UNION ALL ");
    let mut q = sqlx::query(&sql).bind(from).bind(to);
    if let Some(p) = &period {
        q = q.bind(p.clone());
    }
    for b in super::scope_bounds(paths) {
        q = q.bind(b);
    }
    // The report that stands for each cooperative is picked here, from the columns, as
    // rows arrive: its latest by (visit date, revision, id), as compute() picks. (Picked
    // by the database, with a window over the rows, PostgreSQL sorted a country's
    // ~100,000 rows on disk: 0.56 s of a 0.96 s query; docs/BENCHMARKS.md.) A report under
    // two nested areas comes twice and is kept once.
    struct Standing {
        id: String,
        visit_date: String,
        revision: i64,
        status: String,
        area_path: String,
        part: String,
    }
    let mut standing: std::collections::HashMap<String, Standing> =
        std::collections::HashMap::new();
    let mut rows = q.fetch(&db.pool);
    while let Some(row) = futures::TryStreamExt::try_next(&mut rows).await? {
        let r = Standing {
            id: row.try_get(0)?,
            status: row.try_get(1)?,
            revision: row.try_get(2)?,
            visit_date: row.try_get(3)?,
            area_path: row.try_get(4)?,
            part: row.try_get(6)?,
        };
        let later = |l: &Standing| {
            (r.visit_date.as_str(), r.revision, r.id.as_str())
                > (l.visit_date.as_str(), l.revision, l.id.as_str())
        };
        match standing.entry(row.try_get(5)?) {
            std::collections::hash_map::Entry::Occupied(mut e) => {
                if later(e.get()) {
                    e.insert(r);
                }
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(r);
            }
        }
    }
    drop(rows);
    // Each report's part, unless it has none or one that disagrees with the row (written
    // by an older server during a rolling upgrade, which writes bodies but not parts;
    // migration 0018): those are read from their bodies. Decoded on a blocking thread: the
    // review's other reads go on meanwhile (a country's ~100,000 parts: ~0.1 s).
    let (mut out, stale) = tokio::task::spawn_blocking(move || {
        let (mut out, mut stale) = (Vec::with_capacity(standing.len()), Vec::new());
        for (cooperative_id, r) in standing {
            let current = serde_json::from_str::<ReviewPart>(&r.part)
                .ok()
                .filter(|p| {
                    part_agrees(
                        p,
                        (
                            &r.status,
                            r.revision,
                            &r.visit_date,
                            &r.area_path,
                            &cooperative_id,
                        ),
                    )
                });
            match current {
                Some(p) => out.push(p),
                None => stale.push(r.id),
            }
        }
        (out, stale)
    })
    .await
    .map_err(|e| sqlx::Error::Protocol(format!("decoding the review's parts: {e}")))?;
    for ids in stale.chunks(500) {
        let sql = format!(
            "SELECT body FROM visit_reports WHERE id IN {}",
            super::values(1, ids.len())
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id);
        }
        out.extend(
            decode(q.fetch_all(&db.pool).await?)?
                .iter()
                .map(ReviewPart::of),
        );
    }
    Ok(out)
}

/// True when a stored review part says what its row's columns say (status, revision,
/// visit date, area path, cooperative: read by [`standing_approved_by`]); an older server
/// writes the columns and the body but not the part.
fn part_agrees(
    p: &ReviewPart,
    (status, revision, visit_date, area_path, cooperative_id): (&str, i64, &str, &str, &str),
) -> bool {
    p.status.as_ref().map(|s| s.key()) == Some(status)
        && i64::from(p.revision) == revision
        && p.visit_date == visit_date
        && p.area_path == area_path
        && p.cooperative_id == cooperative_id
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
            super::values(chunk.len(), 6)
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
/// of `moves` (cooperative id, area path before, area path after) takes the new path in
/// its columns, its body and its review part, and keeps where it was written
/// (`written_area_path`, set once); each is logged for pull and audited at commit
/// ({"area_path": before} → {"area_path": after}) by `who` as `action`. The moves go to a
/// temporary table and the bodies are rewritten by the database's JSON functions in one
/// statement: a country's reform moves a million reports, which the server never reads.
/// Returns how many reports moved.
pub async fn follow(
    tx: &mut WriteTx<'_>,
    moves: &[(&str, &str, &str)],
    who: super::Who<'_>,
    action: &str,
) -> Result<u64, sqlx::Error> {
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
             old_json TEXT NOT NULL, new_json TEXT NOT NULL, PRIMARY KEY (batch, cooperative_id)){on_commit}"
        ))
        .execute(tx.conn())
        .await?;
    }
    for chunk in moves.chunks(500) {
        let sql = format!(
            "INSERT INTO moving_reports (batch, cooperative_id, to_path, old_json, new_json) VALUES {}",
            super::values(chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for (coop, from, to) in chunk {
            q = q
                .bind(batch)
                .bind(*coop)
                .bind(*to)
                .bind(serde_json::json!({ "area_path": from }).to_string())
                .bind(serde_json::json!({ "area_path": to }).to_string());
        }
        q.execute(tx.conn()).await?;
    }
    if let Some(sql) = tx.kind().analyse_temp_table("moving_reports") {
        sqlx::query(&sql).execute(tx.conn()).await?;
    }
    let set = tx.kind().report_area_in_body("m.to_path");
    let moved = sqlx::query(&format!(
        "UPDATE visit_reports SET area_path = m.to_path, written_area_path = COALESCE(written_area_path, area_path), {set} \
         FROM moving_reports m WHERE m.batch = $1 AND visit_reports.cooperative_id = m.cooperative_id"
    ))
    .bind(batch)
    .execute(tx.conn())
    .await?
    .rows_affected();
    tx.log_reports_followed(batch, moved, who, action);
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
            super::values(1, chunk.len())
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

/// Fills the review's part of reports stored before migration 0018, 500 at a time in
/// order of id (each batch one index range: a million reports take minutes, not a scan
/// per batch); returns how many.
pub async fn backfill_review_part(db: &Db) -> Result<u64, sqlx::Error> {
    let (mut done, mut after) = (0, String::new());
    loop {
        let rows = sqlx::query(
            "SELECT id, review_part, body FROM visit_reports WHERE id > $1 ORDER BY id LIMIT 500",
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
            let r: VisitReport = serde_json::from_str(&row.try_get::<String, _>(2)?)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
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
        let rows = sqlx::query("SELECT body FROM visit_reports WHERE search = '' LIMIT 500")
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
