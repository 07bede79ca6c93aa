//! `reorganisations` and `cooperative_moves`: the dated changes of the area tree and the
//! cooperatives each moved (hoptac_core::reorg; rules::reorg applies them).

use super::{now_ms, WriteTx};
use sqlx::Row;

/// Stores an applied reorganisation (`body`: the request, JSON).
pub async fn insert(
    tx: &mut WriteTx<'_>,
    id: &str,
    effective_on: &str,
    decision: &str,
    body: &str,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO reorganisations (id, effective_on, decision, body, applied_by, applied_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(effective_on)
        .bind(decision)
        .bind(body)
        .bind(by)
        .bind(now_ms())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// One cooperative moved by a reorganisation.
pub struct Move<'a> {
    pub cooperative_id: &'a str,
    pub reorganisation_id: &'a str,
    pub from_area_id: &'a str,
    pub from_path: &'a str,
    pub to_area_id: &'a str,
    pub to_path: &'a str,
    pub effective_on: &'a str,
}

/// The reorganisation that closed area `area_id` on `effective_on`: the one its
/// cooperatives moved by, else the one of that date whose request names the area (an area
/// closed with no cooperative in it). None when no stored reorganisation did.
pub async fn closing(
    tx: &mut WriteTx<'_>,
    area_id: &str,
    effective_on: &str,
) -> Result<Option<String>, sqlx::Error> {
    let by_moves: Option<String> = sqlx::query_scalar(
        "SELECT reorganisation_id FROM cooperative_moves WHERE from_area_id = $1 AND effective_on = $2 LIMIT 1",
    )
    .bind(area_id)
    .bind(effective_on)
    .fetch_optional(tx.conn())
    .await?;
    if by_moves.is_some() {
        return Ok(by_moves);
    }
    let rows = sqlx::query(
        "SELECT id, body FROM reorganisations WHERE effective_on = $1 ORDER BY applied_at",
    )
    .bind(effective_on)
    .fetch_all(tx.conn())
    .await?;
    fn names(v: &serde_json::Value, id: &str) -> bool {
        match v {
            serde_json::Value::String(s) => s == id,
            serde_json::Value::Array(a) => a.iter().any(|x| names(x, id)),
            serde_json::Value::Object(o) => o.values().any(|x| names(x, id)),
            _ => false,
        }
    }
    for r in rows {
        let body: String = r.try_get(1)?;
        let request: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        if names(&request, area_id) {
            return Ok(Some(r.try_get(0)?));
        }
    }
    Ok(None)
}

/// Records cooperatives moved, many to a statement.
pub async fn record_moves(tx: &mut WriteTx<'_>, moves: &[Move<'_>]) -> Result<(), sqlx::Error> {
    for chunk in moves.chunks(500) {
        let sql = format!("INSERT INTO cooperative_moves (cooperative_id, reorganisation_id, from_area_id, from_path, to_area_id, to_path, effective_on) VALUES {}", super::values(chunk.len(), 7));
        let mut q = sqlx::query(&sql);
        for m in chunk {
            q = q
                .bind(m.cooperative_id)
                .bind(m.reorganisation_id)
                .bind(m.from_area_id)
                .bind(m.from_path)
                .bind(m.to_area_id)
                .bind(m.to_path)
                .bind(m.effective_on);
        }
        q.execute(tx.conn()).await?;
    }
    Ok(())
}

/// The users assigned to any of the areas `ids`, by id (asked 500 ids at a time: a tree
/// with villages closes tens of thousands).
pub async fn users_assigned_to(
    tx: &mut WriteTx<'_>,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let mut out: Vec<String> = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT DISTINCT user_id FROM assignments WHERE area_id IN {}",
            super::values(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(tx.conn()).await? {
            out.push(r.try_get(0)?);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Where cooperative `id` was on `date` (ISO), when a reorganisation moved it since: the
/// path it had before the first move dated after `date`. None: it has not moved since.
pub async fn path_on(
    tx: &mut WriteTx<'_>,
    cooperative_id: &str,
    date: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT from_path FROM cooperative_moves WHERE cooperative_id = $1 AND effective_on > $2 ORDER BY effective_on LIMIT 1",
    )
    .bind(cooperative_id)
    .bind(date)
    .fetch_optional(tx.conn())
    .await
}

/// Where cooperative `id` was when work on it was written at `written_at` (Unix ms), when a
/// reorganisation applied since moved it: (the path it had before the first such move,
/// when that reorganisation was applied, Unix ms). None: none has moved it since.
pub async fn path_when_written(
    tx: &mut WriteTx<'_>,
    cooperative_id: &str,
    written_at: i64,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.from_path, r.applied_at FROM cooperative_moves m JOIN reorganisations r ON r.id = m.reorganisation_id WHERE m.cooperative_id = $1 AND r.applied_at > $2 ORDER BY r.applied_at LIMIT 1",
    )
    .bind(cooperative_id)
    .bind(written_at)
    .fetch_optional(tx.conn())
    .await
}

/// Every assignment as (user id, path of the area), for the users who hold an area on the
/// line of a closed area (a reorganisation works out who no longer sees what moved).
pub async fn assignment_paths(tx: &mut WriteTx<'_>) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.user_id, a.path FROM assignments s JOIN areas a ON a.id = s.area_id ORDER BY s.user_id",
    )
    .fetch_all(tx.conn())
    .await
}

/// The reference-list items of each closed area go to the area that replaced it
/// (`moves`: its path, the successor's path; its lists merge into the successor's), the
/// areas read and moved many to a statement. Returns the items moved, as they are now
/// (for pull). (A record merged away from a closed area keeps the path it was written
/// in: work on it is judged there, within a session's lifetime: rules::standing_for.)
pub async fn rehome(
    tx: &mut WriteTx<'_>,
    moves: &[(&str, &str)],
) -> Result<Vec<hoptac_core::reference::ReferenceItem>, sqlx::Error> {
    let from: Vec<&str> = moves.iter().map(|(f, _)| *f).collect();
    let items = super::reference::of_areas_locked(tx, &from).await?;
    if items.is_empty() {
        return Ok(items);
    }
    let to: std::collections::HashMap<&str, &str> = moves.iter().copied().collect();
    let held: Vec<(&str, &str)> = moves
        .iter()
        .copied()
        .filter(|(f, _)| items.iter().any(|i| i.area_path == *f))
        .collect();
    let now = super::now_ms();
    for chunk in held.chunks(500) {
        let sql = format!(
            "UPDATE reference_items SET area_path = v.column2, updated_at = v.column3 FROM (VALUES {}) AS v WHERE reference_items.area_path = v.column1",
            super::values(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (f, t) in chunk {
            q = q.bind(*f).bind(*t).bind(now);
        }
        q.execute(tx.conn()).await?;
    }
    Ok(items
        .into_iter()
        .map(|i| hoptac_core::reference::ReferenceItem {
            area_path: to
                .get(i.area_path.as_str())
                .copied()
                .unwrap_or_default()
                .to_string(),
            ..i
        })
        .collect())
}
