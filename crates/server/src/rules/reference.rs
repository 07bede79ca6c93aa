//! The reference lists reports choose from (hoptac_core::reference; issue 15, part 5):
//! who sees which items, administrators adding, renaming and retiring them (audited as
//! entity "reference", id "{list}:{key}"), and a pushed report's keys checked against them.
//!
//! An item belongs to an area: the national built-ins to none (""), an added item to the
//! administrator's area it was added for. A user receives the items of their areas, of the
//! areas above them and the national ones; an administrator changes the items of areas
//! they cover, and the national ones only when they cover a whole province.

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db, Who, WriteTx};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Role, UserInfo};
use hoptac_core::reference::{
    check_labels, key_from_label, means_other, ListKind, NewReferenceItem, ReferenceItem,
    ReferenceUpdate, MAX_ITEMS_PER_LIST, OTHER,
};
use hoptac_core::report::Findings;
use hoptac_core::validate::{not_listed, FieldError};

/// Whether a user with `scopes` receives an item of `area_path`: a national item, one of an
/// area above theirs, or one of theirs or beneath (as pull decides: storage::changes).
pub fn visible(area_path: &str, scopes: &[String]) -> bool {
    area_path.is_empty()
        || in_scope(area_path, scopes)
        || scopes.iter().any(|s| s.starts_with(area_path))
}

/// Whether an item of `item_path` lies on the line of the area at `path`: national, of an
/// area above it, of it, or of an area beneath it. Names must differ along such a line
/// (the review of the wider area shows them side by side); two sibling districts may each
/// have their own item of one name.
fn on_lineage(item_path: &str, path: &str) -> bool {
    item_path.is_empty() || path.starts_with(item_path) || item_path.starts_with(path)
}

/// The item of `items` named `label` (diacritics and case aside), other than `except`.
fn same_name<'a>(
    items: &[&'a ReferenceItem],
    label: &str,
    except: Option<&str>,
) -> Option<&'a ReferenceItem> {
    let folded = hoptac_core::text::normalize(label);
    items
        .iter()
        .find(|i| {
            Some(i.id.as_str()) != except && hoptac_core::text::normalize(&i.label_vi) == folded
        })
        .copied()
}

fn name_taken(label: &str, same: &ReferenceItem) -> ApiError {
    let (v, e) = if same.retired {
        (
            " (mục đã ngừng dùng: hãy dùng lại mục đó)",
            " (retired: restore that one)",
        )
    } else {
        ("", "")
    };
    ApiError::field(
        "label_vi",
        Msg::new(
            format!("Danh mục đã có mục \"{label}\"{v}."),
            format!("The list already has \"{label}\"{e}."),
        ),
    )
}

fn other_refused() -> ApiError {
    ApiError::field(
        "label_vi",
        Msg::new(
            "Danh mục đã có mục \"khác\" (kèm ô mô tả). Hãy đặt tên cụ thể.",
            "The list already has an \"other\" item (with its description box). Give a specific name.",
        ),
    )
}

/// Every item the user receives, by list and position.
pub async fn list(db: &Db, user: &UserInfo) -> ApiResult<Vec<ReferenceItem>> {
    Ok(storage::reference::all(db)
        .await?
        .into_iter()
        .filter(|i| visible(&i.area_path, &user.scopes))
        .collect())
}

fn require_admin(user: &UserInfo) -> ApiResult<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only administrators change reference lists".into(),
        ))
    }
}

/// Adds an item to a list for one of the administrator's areas (their first when none is
/// named). Refused: a Vietnamese name the list already has for that area (400, field
/// `label_vi`), a full list (400), an area outside theirs (403).
pub async fn add(db: &Db, admin: &UserInfo, req: &NewReferenceItem) -> ApiResult<ReferenceItem> {
    require_admin(admin)?;
    let (label_vi, label_en) =
        check_labels(&req.label_vi, &req.label_en).map_err(|e| ApiError::Invalid(vec![e]))?;
    let area_path =
        match req.area_id.as_deref().filter(|a| !a.is_empty()) {
            Some(id) => {
                let area = storage::areas::get(db, id).await?.ok_or_else(|| {
                    ApiError::field(
                        "area_id",
                        Msg::new(
                            format!("Không có địa bàn mã \"{id}\"."),
                            format!("There is no area \"{id}\"."),
                        ),
                    )
                })?;
                if !in_scope(&area.path, &admin.scopes) {
                    return Err(ApiError::Forbidden(
                        "this area is outside your assigned areas".into(),
                    ));
                }
                area.path
            }
            None => admin.scopes.first().cloned().ok_or_else(|| {
                ApiError::Forbidden("you cover no area: ask for one first".into())
            })?,
        };
    if means_other(&label_vi) {
        return Err(other_refused());
    }
    let mut tx = db.begin_write().await?;
    tx.wait_for_other_reference_changes().await?;
    let items = storage::reference::all_in(&mut tx).await?;
    let lineage: Vec<&ReferenceItem> = items
        .iter()
        .filter(|i| i.list == req.list && on_lineage(&i.area_path, &area_path))
        .collect();
    if let Some(same) = same_name(&lineage, &label_vi, None) {
        return Err(name_taken(&label_vi, same));
    }
    if lineage.iter().filter(|i| !i.retired).count() >= MAX_ITEMS_PER_LIST {
        return Err(ApiError::field(
            "list",
            Msg::new(
                format!("Danh mục đã đủ {MAX_ITEMS_PER_LIST} mục đang dùng. Hãy ngừng dùng mục không còn cần."),
                format!("The list already has {MAX_ITEMS_PER_LIST} items in use. Retire one no longer needed."),
            ),
        ));
    }
    let (keys, position) = storage::reference::keys_and_next_position(&mut tx, req.list).await?;
    let key = key_from_label(&label_vi, |k| keys.iter().any(|t| t == k));
    let item = ReferenceItem {
        id: ReferenceItem::id_of(req.list, &key),
        list: req.list,
        key,
        label_vi,
        label_en,
        position,
        retired: false,
        area_path,
    };
    if !storage::reference::insert(&mut tx, &item, Some(&admin.id)).await? {
        // Only when another server started by now and inserted a built-in of that key.
        return Err(ApiError::Busy);
    }
    let body = serde_json::to_string(&hoptac_core::sync::Change::Reference(item.clone()))?;
    let json = serde_json::to_string(&item)?;
    tx.record_change(
        "reference",
        &item.id,
        &item.area_path,
        &body,
        Who::online(admin),
        "add",
        None,
        &json,
    );
    tx.commit().await?;
    Ok(item)
}

/// Renames an item, or retires or restores it; what `req` leaves out stays. 404 for an
/// item the administrator does not receive; 403 for one of an area above theirs (a
/// national item: unless they cover every province).
pub async fn update(
    db: &Db,
    admin: &UserInfo,
    list: ListKind,
    key: &str,
    req: &ReferenceUpdate,
) -> ApiResult<ReferenceItem> {
    require_admin(admin)?;
    let mut tx = db.begin_write().await?;
    tx.wait_for_other_reference_changes().await?;
    let not_found = || ApiError::NotFound(format!("no item '{key}' in that list"));
    let old = storage::reference::lock(&mut tx, list, key)
        .await?
        .filter(|i| visible(&i.area_path, &admin.scopes))
        .ok_or_else(not_found)?;
    let may = if old.area_path.is_empty() {
        let roots = storage::areas::root_paths(&mut tx).await?;
        !roots.is_empty() && roots.iter().all(|r| in_scope(r, &admin.scopes))
    } else {
        in_scope(&old.area_path, &admin.scopes)
    };
    if !may {
        return Err(ApiError::Forbidden(
            "this item belongs to a wider area: its administrator changes it".into(),
        ));
    }
    let (label_vi, label_en) = check_labels(
        req.label_vi.as_deref().unwrap_or(&old.label_vi),
        req.label_en.as_deref().unwrap_or(&old.label_en),
    )
    .map_err(|e| ApiError::Invalid(vec![e]))?;
    if label_vi != old.label_vi {
        if old.key != OTHER && means_other(&label_vi) {
            return Err(other_refused());
        }
        let items = storage::reference::all_in(&mut tx).await?;
        let lineage: Vec<&ReferenceItem> = items
            .iter()
            .filter(|i| i.list == list && on_lineage(&i.area_path, &old.area_path))
            .collect();
        if let Some(same) = same_name(&lineage, &label_vi, Some(&old.id)) {
            return Err(name_taken(&label_vi, same));
        }
    }
    let new = ReferenceItem {
        label_vi,
        label_en,
        retired: req.retired.unwrap_or(old.retired),
        ..old.clone()
    };
    if new == old {
        return Ok(old);
    }
    storage::reference::update(&mut tx, &new, &admin.id).await?;
    let action = match (old.retired, new.retired) {
        (false, true) => "retire",
        (true, false) => "restore",
        _ => "rename",
    };
    let body = serde_json::to_string(&hoptac_core::sync::Change::Reference(new.clone()))?;
    tx.record_change(
        "reference",
        &new.id,
        &new.area_path,
        &body,
        Who::online(admin),
        action,
        Some(&serde_json::to_string(&old)?),
        &serde_json::to_string(&new)?,
    );
    tx.commit().await?;
    Ok(new)
}

/// The fields of a pushed report choosing a key no list of the cooperative's area has (a
/// retired item is still one: a tablet may have written it before it was retired; a key
/// the report's previous revision already had stays accepted). `coop_path` is the
/// cooperative's area path. Read inside the push's transaction.
pub async fn unknown_keys(
    tx: &mut WriteTx<'_>,
    f: &Findings,
    coop_path: &str,
    earlier: Option<&Findings>,
) -> ApiResult<Vec<FieldError>> {
    let items = storage::reference::all_in(tx).await?;
    let known = |list: ListKind, k: &str| {
        items
            .iter()
            .any(|i| i.list == list && i.key == k && coop_path.starts_with(i.area_path.as_str()))
    };
    let had = |field: &str, k: &str| {
        earlier.is_some_and(|e| match field {
            "findings.difficulties" => e.difficulties.iter().any(|x| x == k),
            "findings.support.received" => e.support.received.iter().any(|x| x == k),
            "findings.support.requested" => e.support.requested.iter().any(|x| x == k),
            _ => e.value_chain.programme.as_deref() == Some(k),
        })
    };
    let mut out = Vec::new();
    for (field, list, keys) in [
        (
            "findings.difficulties",
            ListKind::Difficulty,
            &f.difficulties,
        ),
        (
            "findings.support.received",
            ListKind::SupportKind,
            &f.support.received,
        ),
        (
            "findings.support.requested",
            ListKind::SupportKind,
            &f.support.requested,
        ),
    ] {
        if keys.iter().any(|k| !known(list, k) && !had(field, k)) {
            out.push(not_listed(field));
        }
    }
    if let Some(p) = &f.value_chain.programme {
        let field = "findings.value_chain.programme";
        if !known(ListKind::Programme, p) && !had(field, p) {
            out.push(not_listed(field));
        }
    }
    Ok(out)
}
