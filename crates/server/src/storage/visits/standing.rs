//! The six-monthly review's reads: each cooperative's standing report of a period, from
//! the index that holds every column the review reads, and the periods with reports.

use super::*;

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

pub(super) async fn standing_approved_by(
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
            let scope = crate::storage::scope_range(
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
    for b in crate::storage::scope_bounds(paths) {
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
    // migration 0018): those are read from their bodies. A part's area is the row's (a
    // report that followed its cooperative had only its columns rewritten: `follow`).
    // Decoded on a blocking thread: the review's other reads go on meanwhile (a country's
    // ~100,000 parts: ~0.1 s).
    let (mut out, stale) = tokio::task::spawn_blocking(move || {
        let (mut out, mut stale) = (Vec::with_capacity(standing.len()), Vec::new());
        for (cooperative_id, r) in standing {
            let current = serde_json::from_str::<ReviewPart>(&r.part)
                .ok()
                .filter(|p| {
                    part_agrees(p, (&r.status, r.revision, &r.visit_date, &cooperative_id))
                });
            match current {
                Some(mut p) => {
                    p.area_path = r.area_path;
                    out.push(p)
                }
                None => stale.push(r.id),
            }
        }
        (out, stale)
    })
    .await
    .map_err(|e| sqlx::Error::Protocol(format!("decoding the review's parts: {e}")))?;
    for ids in stale.chunks(500) {
        let sql = format!(
            "SELECT {} FROM visit_reports WHERE id IN {}",
            super::STORED,
            crate::storage::values(1, ids.len())
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
/// visit date, cooperative: read by [`standing_approved_by`]); an older server writes the
/// columns and the body but not the part. (The area is taken from the row whatever the
/// part says.)
pub(super) fn part_agrees(
    p: &ReviewPart,
    (status, revision, visit_date, cooperative_id): (&str, i64, &str, &str),
) -> bool {
    p.status.as_ref().map(|s| s.key()) == Some(status)
        && i64::from(p.revision) == revision
        && p.visit_date == visit_date
        && p.cooperative_id == cooperative_id
}
