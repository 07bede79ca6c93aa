//! What an applied import writes, in one transaction under the import lock: created and
//! updated records logged for pull and audited, each landed in the area it belongs in
//! today (a reorganisation may have closed its area after the file was read).

use super::known::Known;
use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db, Who};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Cooperative, UserInfo};
use hoptac_core::sync::Change;
use hoptac_core::validate::date_of_millis_vn;
use std::collections::HashMap;

/// One record the import will write.
pub(super) enum Write {
    Create(Cooperative),
    Update {
        before: Cooperative,
        after: Cooperative,
    },
    /// The row names another commune: the record moves there with its history
    /// ([`crate::rules::moves::relocate`]), after any update of its fields.
    Move {
        id: String,
        to: String,
    },
}

/// Writes the import; returns how many records to create another import made meanwhile
/// (skipped here).
pub(super) async fn write(db: &Db, user: &UserInfo, writes: &[Write]) -> ApiResult<u32> {
    if writes.is_empty() {
        return Ok(0);
    }
    let mut made_meanwhile = 0;
    let who = Who::online(user);
    let mut tx = db.begin_write().await?;
    tx.wait_for_other_imports().await?;
    let all_areas = storage::areas::all_in(&mut tx).await?;
    let areas: HashMap<&str, &hoptac_core::model::Area> =
        all_areas.iter().map(|a| (a.id.as_str(), a)).collect();
    // The moves of this import are one entry of the cooperatives' history.
    let move_id = format!("import-{}", uuid::Uuid::new_v4().simple());
    let today = date_of_millis_vn(storage::now_ms());
    if writes.iter().any(|w| matches!(w, Write::Move { .. })) {
        storage::reorg::insert(
            &mut tx,
            &move_id,
            &today,
            "Nhập danh sách HTX: chuyển địa bàn theo tệp",
            "{}",
            &user.id,
        )
        .await?;
    }
    let by = crate::rules::reorg::MoveBy {
        id: &move_id,
        effective_on: &today,
        user,
        action: "import",
    };
    let mut known = Known::read(&mut tx).await?;
    // New records, stored many to a statement.
    let mut new: Vec<Cooperative> = Vec::new();
    for w in writes {
        if let Write::Move { id, to } = w {
            let Some(c) = storage::cooperatives::lock(&mut tx, id).await? else {
                continue;
            };
            // Where the area went if a reorganisation closed it meanwhile.
            let target = Cooperative {
                area_id: to.clone(),
                area_path: areas
                    .get(to.as_str())
                    .map(|a| a.path.clone())
                    .unwrap_or_default(),
                ..c.clone()
            };
            let to = match land(&areas, &user.scopes, &target)? {
                Some(landed) => landed.area_id,
                None => to.clone(),
            };
            if c.area_id != to {
                let area = areas[to.as_str()];
                crate::rules::moves::relocate(&mut tx, &by, &c, area).await?;
            }
            continue;
        }
        // An area a reorganisation closed since the dry run read the areas (it held this
        // lock until it committed): the record goes where that area's records went.
        let landed;
        let w = match w {
            Write::Create(c) => match land(&areas, &user.scopes, c)? {
                Some(c) => {
                    landed = Write::Create(c);
                    &landed
                }
                None => w,
            },
            Write::Update { before, after } => match land(&areas, &user.scopes, after)? {
                Some(after) => {
                    landed = Write::Update {
                        before: before.clone(),
                        after,
                    };
                    &landed
                }
                None => w,
            },
            Write::Move { .. } => unreachable!("handled above"),
        };
        let (before, after) = match w {
            Write::Create(c) => {
                // Made meanwhile by another import of the same file (two clicks, two
                // administrators): not made twice.
                if known.same_record(c).is_some() {
                    made_meanwhile += 1;
                    continue;
                }
                known.add(c);
                new.push(c.clone());
                (None, c)
            }
            Write::Update { before, after } => {
                // Changed since the dry run read it (an officer's edit synced meanwhile):
                // the row is applied over the newer record only if it is still the same.
                let current = storage::cooperatives::lock(&mut tx, &after.id).await?;
                if current.as_ref() != Some(before) {
                    return Err(ApiError::Busy);
                }
                storage::cooperatives::update(&mut tx, after).await?;
                known.remove(before);
                known.add(after);
                (Some(serde_json::to_string(before)?), after)
            }
            Write::Move { .. } => unreachable!("handled above"),
        };
        let duplicates = known.same_identifiers(after);
        if !duplicates.is_empty() {
            // The pair's rows name both records: store the new ones first.
            insert_new(&mut tx, &mut new).await?;
            for (other, field, value) in duplicates {
                storage::cooperatives::flag_duplicate(&mut tx, &after.id, &other, field, &value)
                    .await?;
            }
        }
        tx.record_change(
            "cooperative",
            &after.id,
            &after.area_path,
            &serde_json::to_string(&Change::Cooperative(after.clone()))?,
            who,
            "import",
            before.as_deref(),
            &serde_json::to_string(after)?,
        );
    }
    insert_new(&mut tx, &mut new).await?;
    tx.commit().await?;
    Ok(made_meanwhile)
}

/// Stores the import's new records gathered so far, many to a statement, and empties
/// `new`. Errors (400) when one's id is taken.
async fn insert_new(tx: &mut storage::WriteTx<'_>, new: &mut Vec<Cooperative>) -> ApiResult<()> {
    let stored = storage::cooperatives::insert_many(tx, new, None).await?;
    if stored != new.len() as u64 {
        return Err(ApiError::BadRequest(format!(
            "{} of the {} new records have an id that is taken",
            new.len() as u64 - stored,
            new.len()
        )));
    }
    new.clear();
    Ok(())
}

/// Record `c` in the area it belongs in today, when a reorganisation closed its area
/// after the import read the areas (None: its area is open). `areas`: every area by id,
/// read under the import lock (a reorganisation holds it until it commits). A dissolved
/// area with no successor refuses the import: run it again and the row is refused with
/// its line.
pub(super) fn land(
    areas: &HashMap<&str, &hoptac_core::model::Area>,
    scopes: &[String],
    c: &Cooperative,
) -> ApiResult<Option<Cooperative>> {
    let mut at = areas.get(c.area_id.as_str()).copied();
    // A chain is at most a few reforms long; the bound stops a cycle a bad row could make.
    for _ in 0..16 {
        match at {
            // Landed outside the importer's areas (merged into another district's): as
            // if closed with no successor of theirs.
            Some(a) if a.closed_on.is_none() && !in_scope(&a.path, scopes) => break,
            Some(a) if a.closed_on.is_none() => {
                return Ok((a.id != c.area_id).then(|| Cooperative {
                    area_id: a.id.clone(),
                    area_path: a.path.clone(),
                    ..c.clone()
                }))
            }
            Some(a) => {
                at = a
                    .successor_id
                    .as_deref()
                    .and_then(|s| areas.get(s).copied())
            }
            None => break,
        }
    }
    Err(ApiError::field(
        "file",
        Msg::new(
            "Địa bàn của một dòng vừa bị giải thể (sắp xếp đơn vị hành chính trong lúc nhập). Hãy nhập lại tệp.",
            "An area of a row was closed meanwhile (a reorganisation during the import). Import the file again.",
        ),
    ))
}
