//! The area tree as administrators change it between reorganisations (issue 16, part 1):
//! add an area under one of theirs, rename one or give it its national code. Each change
//! reaches tablets by pull and is audited (entity "area"). Closing an area from a date is
//! a reorganisation ([`super::reorg`]): its records need a home.

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db, Who};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Area, AreaLevel, Role, UserInfo};
use hoptac_core::sync::Change;
use serde::{Deserialize, Serialize};

/// `POST /api/areas`: a new area under `parent_id`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewAreaRequest {
    /// Left empty, the server chooses: the official code when free (a new ward may carry
    /// the code of a commune it absorbed: then the code with a suffix), else the parent's
    /// id and the name without diacritics.
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent_id: String,
    #[serde(default)]
    pub code: Option<String>,
}

/// `PUT /api/areas/{id}`: a new name or national code; what is left out stays.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AreaChange {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

fn require_admin(user: &UserInfo) -> ApiResult<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only administrators change areas".into(),
        ))
    }
}

fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::field(
            "name",
            Msg::new(
                "Tên địa bàn bắt buộc, tối đa 200 ký tự, trên một dòng.",
                "An area's name is required, at most 200 characters, on one line.",
            ),
        ));
    }
    Ok(name.to_string())
}

fn check_code(code: Option<&str>) -> ApiResult<Option<String>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) if c.len() <= 10 && c.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Some(c.to_string()))
        }
        Some(_) => Err(ApiError::field(
            "code",
            Msg::new(
                "Mã đơn vị hành chính là dãy số (tối đa 10 chữ số), ví dụ 14302.",
                "The administrative unit code is digits (at most 10), e.g. 14302.",
            ),
        )),
    }
}

fn log(
    tx: &mut storage::WriteTx<'_>,
    admin: &UserInfo,
    a: &Area,
    action: &str,
    old: Option<&Area>,
) -> ApiResult<()> {
    tx.record_change(
        "area",
        &a.id,
        &a.path,
        &serde_json::to_string(&Change::Area(a.clone()))?,
        Who::online(admin),
        action,
        old.map(serde_json::to_string).transpose()?.as_deref(),
        &serde_json::to_string(a)?,
    );
    Ok(())
}

/// Adds an area under one the administrator covers. 409-like refusals as 400 with the
/// field: an id taken or badly formed, a closed parent.
pub async fn add(db: &Db, admin: &UserInfo, req: &NewAreaRequest) -> ApiResult<Area> {
    require_admin(admin)?;
    let name = check_name(&req.name)?;
    let code = check_code(req.code.as_deref())?;
    let id = req.id.trim();
    if !id.is_empty()
        && (id.len() > 64
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(ApiError::field(
            "id",
            Msg::new(
                "Mã địa bàn gồm chữ, số, '-' hoặc '_' (tối đa 64).",
                "An area id is letters, digits, '-' or '_' (at most 64).",
            ),
        ));
    }
    let mut tx = db.begin_write().await?;
    let Some(parent) = storage::areas::get_in(&mut tx, &req.parent_id).await? else {
        return Err(ApiError::field(
            "parent_id",
            Msg::new("Không có địa bàn cha này.", "There is no such parent area."),
        ));
    };
    if !in_scope(&parent.path, &admin.scopes) {
        return Err(ApiError::Forbidden(
            "the parent area is outside your areas".into(),
        ));
    }
    if parent.closed_on.is_some() {
        return Err(ApiError::field(
            "parent_id",
            Msg::new("Địa bàn cha đã giải thể.", "The parent area is closed."),
        ));
    }
    // A unit sits below its parent's level; its name is its own among its siblings; an
    // official code names one unit of today.
    let all = storage::areas::all_in(&mut tx).await?;
    let rank = |l: AreaLevel| match l {
        AreaLevel::Province => 0,
        AreaLevel::District => 1,
        AreaLevel::Commune => 2,
        AreaLevel::Village => 3,
    };
    let parent_level = all.iter().find(|a| a.id == parent.id).map(|a| a.level);
    if parent_level.is_some_and(|l| rank(req.level) <= rank(l)) {
        return Err(ApiError::field(
            "level",
            Msg::new(
                format!("Đơn vị mới phải thuộc cấp dưới {}.", parent.name),
                format!("The new unit must be of a level below {}.", parent.name),
            ),
        ));
    }
    let chosen;
    let id = if id.is_empty() {
        let taken: std::collections::BTreeSet<String> = all.iter().map(|a| a.id.clone()).collect();
        chosen = match &code {
            Some(c) => hoptac_core::area_list::id_for(c, "moi", &taken),
            None => {
                let folded: String = hoptac_core::text::normalize(&name)
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_uppercase();
                let mut base = format!("{}-{folded}", parent.id);
                base.truncate(56);
                hoptac_core::area_list::id_for(&base, "2", &taken)
            }
        };
        chosen.as_str()
    } else {
        id
    };
    if storage::areas::get_in(&mut tx, id).await?.is_some() {
        return Err(ApiError::field(
            "id",
            Msg::new(
                format!("Mã địa bàn \"{id}\" đã có."),
                format!("The area id \"{id}\" is taken."),
            ),
        ));
    }
    let key = hoptac_core::text::normalize(&name);
    if let Some(twin) = all.iter().find(|a| {
        a.is_open()
            && a.parent_id.as_deref() == Some(parent.id.as_str())
            && hoptac_core::text::normalize(&a.name) == key
    }) {
        return Err(ApiError::field(
            "name",
            Msg::new(
                format!("{} đã có tên \"{}\".", parent.name, twin.name),
                format!(
                    "{} has a unit named \"{}\" already.",
                    parent.name, twin.name
                ),
            ),
        ));
    }
    if let Some(holder) = code.as_deref().and_then(|c| {
        all.iter()
            .find(|a| a.is_open() && a.code.as_deref() == Some(c))
    }) {
        return Err(ApiError::field(
            "code",
            Msg::new(
                format!(
                    "Mã {} là của {} (đang hoạt động).",
                    holder.code.as_deref().unwrap_or(""),
                    holder.name
                ),
                format!(
                    "Code {} belongs to {} (open).",
                    holder.code.as_deref().unwrap_or(""),
                    holder.name
                ),
            ),
        ));
    }
    let area = Area {
        id: id.to_string(),
        parent_id: Some(parent.id.clone()),
        level: req.level,
        name,
        path: format!("{}{id}/", parent.path),
        code,
        opened_on: None,
        closed_on: None,
        successor_id: None,
    };
    storage::areas::insert(&mut tx, &area).await?;
    log(&mut tx, admin, &area, "add", None)?;
    tx.commit().await?;
    Ok(area)
}

/// Renames area `id` or sets its national code. 404 outside the administrator's areas.
pub async fn change(db: &Db, admin: &UserInfo, id: &str, req: &AreaChange) -> ApiResult<Area> {
    require_admin(admin)?;
    let mut tx = db.begin_write().await?;
    let old = storage::areas::all_in(&mut tx)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .filter(|a| in_scope(&a.path, &admin.scopes))
        .ok_or_else(|| ApiError::NotFound(format!("no area '{id}' in your areas")))?;
    let new = Area {
        name: match &req.name {
            Some(n) => check_name(n)?,
            None => old.name.clone(),
        },
        code: match &req.code {
            Some(c) => check_code(Some(c))?,
            None => old.code.clone(),
        },
        ..old.clone()
    };
    if new == old {
        return Ok(old);
    }
    storage::areas::rename(&mut tx, &new).await?;
    log(&mut tx, admin, &new, "rename", Some(&old))?;
    tx.commit().await?;
    Ok(new)
}

/// Imports the official list of administrative units from an XLSX or CSV file
/// (hoptac_core::area_list): a dry run unless `apply`; applied in one transaction, each
/// area created or renamed logged for pull and audited ("import").
pub async fn import(
    db: &Db,
    admin: &UserInfo,
    bytes: &[u8],
    apply: bool,
) -> ApiResult<hoptac_core::area_list::AreaImportReport> {
    require_admin(admin)?;
    let rows = crate::spreadsheets::read_upload(bytes, None).await?.rows;
    let mut tx = db.begin_write().await?;
    tx.wait_for_other_imports().await?;
    let areas = storage::areas::all_in(&mut tx).await?;
    let mut report = hoptac_core::area_list::plan_import(&rows, &areas, &admin.scopes);
    if !apply {
        return Ok(report);
    }
    for a in &report.created {
        storage::areas::insert(&mut tx, a).await?;
        log(&mut tx, admin, a, "import", None)?;
    }
    for (before, after) in &report.renamed {
        storage::areas::rename(&mut tx, after).await?;
        log(&mut tx, admin, after, "import", Some(before))?;
    }
    tx.commit().await?;
    report.applied = true;
    Ok(report)
}

/// Today's province `id` of `areas` with its official code, for the actions on the
/// official lists. Errors: 404 (no such open area), 403 (outside the administrator's
/// areas), 422 `province` (not a province, or one without a code).
pub(crate) fn official_province<'a>(
    areas: &'a [Area],
    id: &str,
    admin: &UserInfo,
) -> ApiResult<(&'a Area, &'a str)> {
    let Some(p) = areas.iter().find(|a| a.id == id && a.is_open()) else {
        return Err(ApiError::NotFound(format!("no open area '{id}'")));
    };
    if !in_scope(&p.path, &admin.scopes) {
        return Err(ApiError::Forbidden(
            "the province is outside your areas".into(),
        ));
    }
    match p.code.as_deref() {
        Some(code) if p.level == AreaLevel::Province && p.parent_id.is_none() => Ok((p, code)),
        _ => Err(ApiError::field(
            "province",
            Msg::new(
                format!(
                    "{} không phải tỉnh có mã đơn vị hành chính: hãy ghi mã của tỉnh trước.",
                    p.name
                ),
                format!(
                    "{} is not a province with an official code: set its code first.",
                    p.name
                ),
            ),
        )),
    }
}

/// Loads units from the official lists bundled with the server ([`crate::units`]) into
/// the tree: `list` "before-2025" loads the districts and communes before 1 July 2025 of
/// the former provinces that make province `province` (an id of the tree) today, under
/// it, open (applying the 2025 reform then closes them and moves their records). A dry
/// run unless `apply`; applied in one transaction, each area logged for pull and audited
/// ("import"). Units already in the tree (by code) are counted unchanged.
///
/// Errors: 403 for other roles or a province outside the administrator's areas; 404 for
/// an unknown province; 422 for another list or a province without a code.
pub async fn load_official(
    db: &Db,
    admin: &UserInfo,
    province: &str,
    list: &str,
    apply: bool,
) -> ApiResult<hoptac_core::area_list::AreaImportReport> {
    require_admin(admin)?;
    if list != "before-2025" {
        return Err(ApiError::field(
            "list",
            Msg::new(
                "Danh mục phải là \"before-2025\" (đơn vị hành chính trước 1/7/2025).",
                "The list must be \"before-2025\" (the units before 1 July 2025).",
            ),
        ));
    }
    let mut tx = db.begin_write().await?;
    tx.wait_for_other_imports().await?;
    let areas = storage::areas::all_in(&mut tx).await?;
    let (p, code) = official_province(&areas, province, admin)?;
    let created = crate::units::areas_before_2025(p, &areas);
    let former: std::collections::BTreeSet<&str> = crate::units::reform_2025()
        .iter()
        .filter(|r| r.new_province_code.as_deref() == Some(code))
        .map(|r| r.old_code.as_str())
        .collect();
    let unchanged = former.len().saturating_sub(
        created
            .iter()
            .filter(|a| a.level == AreaLevel::Commune)
            .count(),
    );
    let mut report = hoptac_core::area_list::AreaImportReport {
        created,
        unchanged,
        ..Default::default()
    };
    if !apply {
        return Ok(report);
    }
    for a in &report.created {
        storage::areas::insert(&mut tx, a).await?;
        log(&mut tx, admin, a, "import", None)?;
    }
    tx.commit().await?;
    report.applied = true;
    Ok(report)
}
