//! `sync_log` read by pull: the latest state of every record tablets receive, by sequence
//! number, filtered by scope.

use super::{scope_clause, Db};
use sqlx::Row;

/// The body of a report's log entry that refers to the report rather than copying it
/// (reports that followed a moved cooperative: `visits::follow`): a pull reads the
/// report's row as it is then, its area from its columns (`visits::stored_row`).
pub const FOLLOWED: &str = "";

/// One page of changes after `cursor` visible to a user with `scopes` (and those addressed
/// to `user_id` alone): at most `limit` rows of (seq, change JSON), and whether more wait.
/// Without `with_visits` (supervisors and administrators, issue 18: the server answers
/// their review queue, so their browser does not hold a province's reports) visit reports
/// are left out.
pub async fn page(
    db: &Db,
    cursor: i64,
    scopes: &[String],
    user_id: &str,
    limit: i64,
    with_visits: bool,
) -> Result<(Vec<(i64, String)>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT s.seq, s.body, v.body, v.area_path, v.written_area_path, s.id FROM ( \
           SELECT seq, entity, id, body FROM sync_log WHERE seq > $1 AND {}{} ORDER BY seq LIMIT {} \
         ) AS s LEFT JOIN visit_reports v ON s.body = '{FOLLOWED}' AND s.entity = 'visit' AND v.id = s.id ORDER BY s.seq",
        visible(scopes),
        if with_visits {
            ""
        } else {
            " AND entity <> 'visit'"
        },
        limit + 1
    );
    let mut q = sqlx::query(&sql).bind(cursor);
    for s in scopes {
        q = q.bind(s);
    }
    let rows = q.bind(user_id).fetch_all(&db.pool).await?;
    let has_more = rows.len() as i64 > limit;
    let mut page = Vec::with_capacity(rows.len().min(limit as usize));
    for r in rows.iter().take(limit as usize) {
        let seq: i64 = r.try_get(0)?;
        let body: String = r.try_get(1)?;
        if body != FOLLOWED {
            page.push((seq, body));
            continue;
        }
        // A report logged by reference, read as it is now, in the shape of a change (one
        // no longer stored is sent as removed: every row of the page answers, so the
        // cursor always moves on).
        let Some(body) = r.try_get::<Option<String>, _>(2)? else {
            let id: String = r.try_get(5)?;
            let removed = hoptac_core::sync::Change::Removed {
                entity: hoptac_core::sync::Entity::Visit,
                id,
            };
            let body =
                serde_json::to_string(&removed).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            page.push((seq, body));
            continue;
        };
        let area: String = r.try_get(3)?;
        let written: Option<String> = r.try_get(4)?;
        page.push((seq, visit_change(&body, &area, written.as_deref())?));
    }
    Ok((page, has_more))
}

/// The change that sends report `body` (its JSON as stored) with its area from its
/// columns (`area`, `written`: `visits::stored_row` reads it so): the body's top-level
/// fields are kept as they are written (not decoded: a pull after a country's reform
/// sends tens of thousands), its two areas replaced.
fn visit_change(body: &str, area: &str, written: Option<&str>) -> Result<String, sqlx::Error> {
    use serde_json::value::RawValue;
    let bad = |e: serde_json::Error| sqlx::Error::Decode(Box::new(e));
    let mut fields: std::collections::BTreeMap<&str, &RawValue> =
        serde_json::from_str(body).map_err(bad)?;
    let area = serde_json::value::to_raw_value(area).map_err(bad)?;
    fields.insert("area_path", &area);
    let written = match written {
        Some(w) => Some(serde_json::value::to_raw_value(w).map_err(bad)?),
        None => None,
    };
    if let Some(w) = &written {
        fields.insert("written_area_path", w);
    }
    let data = serde_json::to_string(&fields).map_err(bad)?;
    Ok(format!("{{\"type\":\"visit\",\"data\":{data}}}"))
}

/// How many visible changes follow `cursor` (for a progress bar); `with_visits` as for
/// [`page`].
pub async fn count_after(
    db: &Db,
    cursor: i64,
    scopes: &[String],
    user_id: &str,
    with_visits: bool,
) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM sync_log WHERE seq > $1 AND {}{}",
        visible(scopes),
        if with_visits {
            ""
        } else {
            " AND entity <> 'visit'"
        }
    );
    let mut q = sqlx::query(&sql).bind(cursor);
    for s in scopes {
        q = q.bind(s);
    }
    let n: i64 = q.bind(user_id).fetch_one(&db.pool).await?.try_get(0)?;
    Ok(n.max(0) as u64)
}

/// The user's areas ($2…), plus changes addressed to the user alone (the last parameter),
/// plus the areas above the user's (their names; a closed area logged where those who
/// held it are: rules::reorg) and their reference items (and the national ones, path "").
fn visible(scopes: &[String]) -> String {
    let above: Vec<String> = (2..2 + scopes.len())
        .map(|i| format!("substr(${i}, 1, length(scope_path)) = scope_path"))
        .collect();
    let above = if above.is_empty() {
        "1 = 0".to_string()
    } else {
        above.join(" OR ")
    };
    format!(
        "({} OR for_user = ${} OR (entity IN ('reference', 'area') AND ({above})))",
        scope_clause("scope_path", 2, scopes.len()),
        scopes.len() + 2
    )
}

/// The scope path of a logged record, if it was ever logged.
pub async fn scope_of(db: &Db, entity: &str, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT scope_path FROM sync_log WHERE entity = $1 AND id = $2")
        .bind(entity)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// The last sequence number this server handed out: no cursor it issued is larger.
pub async fn last_seq(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT last_seq FROM sync_counter WHERE id = 1")
        .fetch_one(&db.pool)
        .await
}
