//! Cooperatives from the field: registering a new HTX/THT (`register_cooperative`) and an
//! offline profile edit merged field by field (`update_cooperative`, hoptac_core::merge).

use super::{invalid, outside_scope, refuse, standing, standing_for, Applied, CLOCK_SLACK_MS};
use crate::storage::areas::AreaRef;
use crate::storage::{self, now_ms, Who, WriteTx};
use hoptac_core::error::ErrorCode;
use hoptac_core::merge::{merge, Conflict};
use hoptac_core::model::{Cooperative, Role, UserInfo};
use hoptac_core::sync::Change;
use hoptac_core::validate::{date_of_millis_vn, validate_cooperative};

fn today_with_slack() -> String {
    date_of_millis_vn(now_ms() + CLOCK_SLACK_MS)
}

/// The profile as the officer may write it, with the server's `area_path` and `version`.
fn owned(c: &Cooperative, area_path: String, version: i64) -> Cooperative {
    Cooperative {
        // The officer's.
        id: c.id.clone(),
        kind: c.kind,
        name: c.name.trim().to_string(),
        sector: c.sector,
        area_id: c.area_id.clone(),
        scale: c.scale,
        established_on: c.established_on.clone(),
        registration_no: c.registration_no.clone(),
        tax_code: c.tax_code.clone(),
        tax_registered: c.tax_registered,
        chair_name: c.chair_name.clone(),
        chair_phone: c.chair_phone.clone(),
        members: c.members,
        workers: c.workers,
        charter_capital_vnd: c.charter_capital_vnd,
        cultivated_area_ha: c.cultivated_area_ha,
        main_products: c.main_products.clone(),
        status: c.status,
        newly_established: c.newly_established,
        main_photo: c.main_photo.clone(),
        // The server's.
        moved_from: None,
        area_path,
        version,
    }
}

/// Registers a new cooperative in a commune (or village) of the user's areas, once.
pub async fn register(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    written_at: hoptac_core::model::Millis,
    c: &Cooperative,
) -> Applied {
    if user.role == Role::Supervisor {
        return Err(refuse(
            ErrorCode::Forbidden,
            "Giám sát viên không đăng ký HTX từ máy tính bảng.",
            "Supervisors do not register cooperatives from a tablet.",
        ));
    }
    let errors = validate_cooperative(c, Some(&today_with_slack()));
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    // A commune closed by a reorganisation since the tablet chose it: the one that
    // replaced it (work written offline across a reform still lands).
    let area = match storage::areas::current_in(tx, &c.area_id).await? {
        None => {
            return Err(refuse(
                ErrorCode::NotFound,
                "Không có xã này trong danh mục địa bàn.",
                "This commune is not in the area list.",
            ))
        }
        Some(Err(closed)) => {
            let since = closed.closed_on.unwrap_or_default();
            return Err(refuse(
                ErrorCode::Invalid,
                &format!(
                    "{} đã giải thể từ {since}. Hãy chọn xã/phường hiện nay.",
                    closed.name
                ),
                &format!(
                    "{} was closed on {since}. Choose today's commune or ward.",
                    closed.name
                ),
            ));
        }
        Some(Ok(area)) => area,
    };
    // Registered where the tablet chose, the cooperative moves on as the reorganisations
    // since moved that commune's: it says where it was, and each step is kept, so the
    // review of a period before them counts it in the commune of its time.
    let hops = if area.id == c.area_id {
        Vec::new()
    } else {
        steps_to(tx, &c.area_id, &area.id).await?
    };
    let former = hops
        .first()
        .map(|(first, _, on)| hoptac_core::model::FormerPlace {
            area_id: first.id.clone(),
            until: on.clone(),
        });
    let moved;
    let c = if area.id == c.area_id {
        c
    } else {
        moved = Cooperative {
            area_id: area.id.clone(),
            ..c.clone()
        };
        &moved
    };
    if area.level != "commune" && area.level != "village" {
        return Err(refuse(
            ErrorCode::Invalid,
            "Hãy chọn xã (hoặc thôn) nơi HTX hoạt động.",
            "Choose the commune (or village) it is in.",
        ));
    }
    if standing(tx, user, &area.path, written_at).await?.is_none() {
        return Err(refuse(
            ErrorCode::Forbidden,
            "Xã này không thuộc địa bàn được phân công.",
            "This commune is outside your assigned areas.",
        ));
    }
    let stored = Cooperative {
        moved_from: former,
        ..owned(c, area.path.clone(), 1)
    };
    if !storage::cooperatives::insert(tx, &stored, Some(&user.id)).await? {
        let by = storage::cooperatives::creator_of(tx, &c.id)
            .await?
            .flatten();
        return if by.as_deref() == Some(user.id.as_str()) {
            Ok(()) // Already here.
        } else {
            Err(refuse(
                ErrorCode::Forbidden,
                "Mã HTX đã được dùng.",
                "This cooperative id is already taken.",
            ))
        };
    }
    storage::photos::link_cooperative(tx, &stored, &user.id).await?;
    for (from, to, on) in &hops {
        if let Some(reorg) = storage::reorg::closing(tx, &from.id, on).await? {
            let step = storage::reorg::Move {
                cooperative_id: &stored.id,
                reorganisation_id: &reorg,
                from_area_id: &from.id,
                from_path: &from.path,
                to_area_id: &to.id,
                to_path: &to.path,
                effective_on: on,
            };
            storage::reorg::record_moves(tx, &[step]).await?;
        }
    }
    let body = serde_json::to_string(&stored)?;
    tx.record_change(
        "cooperative",
        &stored.id,
        &stored.area_path,
        &serde_json::to_string(&Change::Cooperative(stored.clone()))?,
        Who {
            id: &user.id,
            name: &user.display_name,
            client_id: Some(client_id),
        },
        "register",
        None,
        &body,
    );
    flag_duplicates(tx, &stored).await?;
    Ok(())
}

/// The steps from closed area `from` to `to`, the open area that replaced it: (closed
/// area, the area that replaced it, the date it closed) for each reorganisation between.
async fn steps_to(
    tx: &mut WriteTx<'_>,
    from: &str,
    to: &str,
) -> Result<Vec<(AreaRef, AreaRef, String)>, sqlx::Error> {
    let mut out = Vec::new();
    let Some(mut a) = storage::areas::get_in(tx, from).await? else {
        return Ok(out);
    };
    // As storage::areas::current_in walks it (a few reforms at most).
    for _ in 0..16 {
        let (Some(on), Some(next)) = (a.closed_on.clone(), a.successor_id.clone()) else {
            break;
        };
        let Some(n) = storage::areas::get_in(tx, &next).await? else {
            break;
        };
        let done = n.id == to;
        out.push((a, n.clone(), on));
        if done {
            break;
        }
        a = n;
    }
    Ok(out)
}

/// Flags every other record sharing `c`'s tax code or registration number (two tablets
/// registered one cooperative offline, or an edit typed another's number): a supervisor
/// merges them (or dismisses the flag). Nothing is refused: the officer's work is kept.
pub async fn flag_duplicates(tx: &mut WriteTx<'_>, c: &Cooperative) -> Result<(), sqlx::Error> {
    for (other, field, value) in storage::cooperatives::same_identifiers(tx, c).await? {
        storage::cooperatives::flag_duplicate(tx, &c.id, &other, field, &value).await?;
    }
    Ok(())
}

/// Writes a changed profile (version already bumped) and logs it for pull and audit.
pub(crate) async fn store(
    tx: &mut WriteTx<'_>,
    who: Who<'_>,
    action: &str,
    old: &Cooperative,
    c: &Cooperative,
) -> Result<(), super::ApplyError> {
    storage::cooperatives::update(tx, c).await?;
    if old.main_photo != c.main_photo {
        storage::photos::link_cooperative(tx, c, who.id).await?;
    }
    flag_duplicates(tx, c).await?;
    let body = serde_json::to_string(c)?;
    tx.record_change(
        "cooperative",
        &c.id,
        &c.area_path,
        &serde_json::to_string(&Change::Cooperative(c.clone()))?,
        who,
        action,
        Some(&serde_json::to_string(old)?),
        &body,
    );
    Ok(())
}

/// Stores a new conflict (`old` None) or its resolution, logged for pull and audit.
pub(crate) async fn store_conflict(
    tx: &mut WriteTx<'_>,
    who: Who<'_>,
    old: Option<&Conflict>,
    c: &Conflict,
) -> Result<(), super::ApplyError> {
    let body = serde_json::to_string(c)?;
    if old.is_none() {
        storage::conflicts::insert(tx, c, &body).await?;
    } else {
        storage::conflicts::resolve(tx, c, &body).await?;
    }
    let old_body = old.map(serde_json::to_string).transpose()?;
    tx.record_change(
        "conflict",
        &c.id,
        &c.area_path,
        &serde_json::to_string(&Change::Conflict(c.clone()))?,
        who,
        if old.is_none() { "conflict" } else { "resolve" },
        old_body.as_deref(),
        &body,
    );
    Ok(())
}

pub(crate) fn no_cooperative() -> super::ApplyError {
    refuse(
        ErrorCode::NotFound,
        "Không tìm thấy hợp tác xã này trên máy chủ.",
        "This cooperative does not exist on the server.",
    )
}

/// An offline profile edit, merged field by field against the version it started from
/// (`base`); a field changed to two values becomes a conflict. Only the profile fields of
/// hoptac_core::merge::CoopField can change: id, area and version stay the server's.
pub async fn update(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    mutation_id: u64,
    written_at: hoptac_core::model::Millis,
    base: &Cooperative,
    record: &Cooperative,
) -> Applied {
    if base.id != record.id {
        return Err(refuse(
            ErrorCode::Invalid,
            "Bản sửa không khớp với hồ sơ gốc.",
            "The edit does not match the profile it started from.",
        ));
    }
    // An edit of a record merged into another since: it applies to the record kept.
    // Locked; a record merged since (even while this waited for its lock) is the
    // record kept.
    let Some((current, judged_at)) = storage::cooperatives::lock_landing(tx, &record.id).await?
    else {
        return Err(no_cooperative());
    };
    let redirected = (current.id != record.id).then(|| {
        (
            Cooperative {
                id: current.id.clone(),
                ..base.clone()
            },
            Cooperative {
                id: current.id.clone(),
                ..record.clone()
            },
        )
    });
    let (base, record) = match &redirected {
        Some((b, r)) => (b, r),
        None => (base, record),
    };
    // Written for a record merged since: judged where the officer wrote it.
    let judged_at = judged_at.unwrap_or_else(|| current.area_path.clone());
    if standing_for(tx, user, &current.id, &judged_at, written_at)
        .await?
        .is_none()
    {
        return Err(outside_scope());
    }
    // The edit as it could be stored: its area and version are the server's.
    let record = &Cooperative {
        area_id: current.area_id.clone(),
        ..owned(record, current.area_path.clone(), current.version)
    };
    let errors = validate_cooperative(record, Some(&today_with_slack()));
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let who = Who {
        id: &user.id,
        name: &user.display_name,
        client_id: Some(client_id),
    };
    let merged = merge(base, &current, record);
    // Two valid edits can merge into a record no one may store (a sector changed to
    // non-agricultural while a cultivated area was added): refused, with the reason.
    let merged_errors = validate_cooperative(&merged.record, Some(&today_with_slack()));
    if !merged_errors.is_empty() {
        return Err(invalid(merged_errors));
    }
    if !merged.applied.is_empty() {
        let stored = Cooperative {
            version: current.version + 1,
            name: merged.record.name.trim().to_string(),
            ..merged.record.clone()
        };
        store(tx, who, "update", &current, &stored).await?;
    }
    let now = now_ms();
    for field in merged.conflicts {
        // The officer's value in the server's record: nothing else of what the tablet
        // sent (its area, its version) is kept.
        let mut mine = current.clone();
        field.copy(record, &mut mine);
        let conflict = Conflict {
            // Unique and stable: a mutation is applied once, and names each field once.
            id: format!(
                "{client_id}-{mutation_id}-{}",
                hoptac_core::keyed::Keyed::key(field)
            ),
            cooperative_id: current.id.clone(),
            area_path: current.area_path.clone(),
            field,
            mine,
            theirs: current.clone(),
            author_id: user.id.clone(),
            author_name: user.display_name.clone(),
            created_at: now,
            resolution: None,
        };
        store_conflict(tx, who, None, &conflict).await?;
    }
    Ok(())
}
