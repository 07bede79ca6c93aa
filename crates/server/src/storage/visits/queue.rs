//! The review queue's reads: the reports in the caller's areas with the queue's filters,
//! a page at a time by a stable cursor, and the same rows for the export.

use super::*;

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
pub(super) enum Bind {
    Text(String),
    Int(i64),
}

/// `SELECT v.body, v.area_path, v.written_area_path, c.name FROM …` reports under `scopes` matching `f`, and its binds.
pub(super) fn filtered(scopes: &[String], f: &Filter<'_>) -> (String, Vec<Bind>) {
    let mut sql = format!(
        "SELECT v.body, v.area_path, v.written_area_path, c.name FROM visit_reports v JOIN cooperatives c ON c.id = v.cooperative_id WHERE {}",
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

pub(super) fn bind_all<'q>(
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

pub(super) fn with_names(
    rows: Vec<sqlx::any::AnyRow>,
) -> Result<Vec<(VisitReport, String)>, sqlx::Error> {
    rows.iter()
        .map(|r| Ok((super::stored_row(r, 0)?.report, r.try_get(3)?)))
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
