//! Reorganisations of the area tree (issue 16): a dated event such as Vietnam's 2025
//! reform (Resolution 202/2025/QH15 and the Standing Committee's resolutions on the
//! communes of each province, in force from 1 July 2025: districts abolished, communes
//! merged into about a third as many communes and wards, provinces merged).
//!
//! A [`Reorganisation`] names the areas it creates, the areas that merge into one
//! (`merges`: closed on the date, each with the area that replaces it) and the areas that
//! cease with no single successor (`dissolved`: a district, whose communes are merged).
//! [`plan`] checks it against the tree and says, for every closed area, where its records
//! and its officers go. An area divided between several (`splits`: 471 communes of the
//! 2025 reform) closes with its main successor; each of its cooperatives goes to one of
//! the areas it was divided into, as the administrator placed it (`placements`; the
//! server proposes one per cooperative), its reports with it.
//!
//! [`from_correspondence`] turns a published correspondence (old code, old name, new
//! code, new name; a row per old unit and new unit it went to) into a reorganisation of
//! the tree at hand: the bundled 2025 reform and a resolution's spreadsheet alike.
//!
//! What moves (the server applies it in one transaction, `rules::reorg`): cooperatives
//! of a merged area to its successor; their visit reports with them (each keeps the area
//! it was written in: `written_area_path`); assignments over closed areas become
//! assignments over the areas that replace them ([`Plan::assignment_after`]); targets of
//! periods from the date on are carried to the successor, summed ([`Plan::carry_targets`]).

use crate::i18n::Msg;
use crate::model::{Area, AreaLevel};
use crate::six_month::Targets;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An area a reorganisation creates.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewArea {
    pub id: String,
    pub name: String,
    pub level: AreaLevel,
    /// An existing area that stays open, or one created earlier in the same list.
    pub parent_id: String,
    /// Its code in the national list of administrative units.
    #[serde(default)]
    pub code: Option<String>,
}

/// Areas that become one: each of `from` is closed on the date and `into` replaces it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Merge {
    pub from: Vec<String>,
    pub into: String,
}

/// An area divided between several: closed on the date, `main` replaces it in the
/// history (its code, its officers), and each of its cooperatives goes to one of `into`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    pub from: String,
    pub into: Vec<String>,
    pub main: String,
}

/// `POST /api/reorganisations`: a dated change of the area tree.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reorganisation {
    /// ISO date from which the new areas exist and the closed ones no longer do.
    pub effective_on: String,
    /// The decision it carries out ("Nghị quyết 1674/NQ-UBTVQH15"), shown in the history.
    pub decision: String,
    #[serde(default)]
    pub new_areas: Vec<NewArea>,
    #[serde(default)]
    pub merges: Vec<Merge>,
    /// Areas that cease with no single successor (a district whose communes are merged).
    #[serde(default)]
    pub dissolved: Vec<String>,
    /// Areas divided between several.
    #[serde(default)]
    pub splits: Vec<Split>,
    /// Where each cooperative of a divided area goes: cooperative id → one of its split's
    /// `into`. A cooperative not named goes where the server proposes (the preview says
    /// which and why).
    #[serde(default)]
    pub placements: BTreeMap<String, String>,
}

/// A cooperative a reorganisation moves.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovedCooperative {
    pub id: String,
    pub name: String,
    pub from_area: String,
    pub to_area: String,
}

/// A user whose areas a reorganisation changes: area names before and after.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentChange {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// Targets of a period carried to an area, or dropped with why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetChange {
    pub area_id: String,
    pub period: String,
    /// The area's targets after (carried), or those dropped.
    pub targets: Targets,
    /// Why they were dropped; None when carried.
    #[serde(default)]
    pub dropped: Option<Msg>,
}

/// What a reorganisation does (a dry run) or did (applied): every area, cooperative,
/// assignment and target it moves.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReorgPreview {
    pub applied: bool,
    pub created: Vec<Area>,
    pub closed: Vec<Area>,
    /// The cooperatives moved, at most [`PREVIEW_LIMIT`] of them (the total says how many).
    pub cooperatives: Vec<MovedCooperative>,
    pub cooperatives_total: u64,
    /// Visit reports moved with their cooperatives.
    pub visits_total: u64,
    pub assignments: Vec<AssignmentChange>,
    pub targets: Vec<TargetChange>,
    /// Every cooperative of a divided area, with where it goes.
    #[serde(default)]
    pub placements: Vec<Placement>,
    /// Why it cannot be applied as it is (empty: it can).
    pub blocked: Vec<Msg>,
}

/// A cooperative of a divided area: where it goes, why, and where else it could.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub cooperative_id: String,
    pub name: String,
    /// The divided area (id, name).
    pub from_area: String,
    pub from_name: String,
    /// The areas it may go to: (id, name), the main successor first.
    pub options: Vec<(String, String)>,
    /// The area it goes to.
    pub chosen: String,
    /// Why there: chosen by the administrator, nearest to its visit's GPS position, or the
    /// resolution's main successor.
    pub rule: Msg,
}

/// Why a cooperative of a divided area goes where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacedBy {
    /// The administrator placed it.
    Administrator,
    /// Nearest to the GPS position of its latest visit.
    Position,
    /// The resolution's main successor.
    Main,
}

/// One row of a published correspondence: an old unit and a new unit it went to (a
/// divided unit has a row per new unit; `main` marks its main successor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correspondence {
    pub old_code: String,
    pub old_name: String,
    pub new_code: String,
    pub new_name: String,
    pub main: bool,
    /// The new unit's province code, when the correspondence says (the bundled one does);
    /// else the unit goes where its old units are.
    pub new_province_code: Option<String>,
    /// Its row in the file it was read from (1-based; 0 for the bundled list).
    #[serde(default)]
    pub row: usize,
}

/// The old unit of each row of a correspondence that the tree holds open, by code: one
/// under a district (as every commune was before the 2025 reform), else one that is not
/// itself a new unit of the correspondence (same code and name: today's units, so a
/// correspondence applied once finds nothing the second time).
pub fn old_units<'a>(rows: &[Correspondence], areas: &'a [Area]) -> Vec<Option<&'a Area>> {
    let name_key = |s: &str| crate::text::normalize(s);
    let new_side: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.new_code.clone(), name_key(&r.new_name)))
        .collect();
    let districts: BTreeSet<&str> = areas
        .iter()
        .filter(|a| a.level == AreaLevel::District)
        .map(|a| a.id.as_str())
        .collect();
    let under_district = |a: &Area| {
        a.parent_id
            .as_deref()
            .is_some_and(|p| districts.contains(p))
    };
    let mut communes: BTreeMap<&str, Vec<&'a Area>> = BTreeMap::new();
    for a in areas
        .iter()
        .filter(|a| a.is_open() && a.level == AreaLevel::Commune)
    {
        if let Some(c) = a.code.as_deref() {
            communes.entry(c).or_default().push(a);
        }
    }
    rows.iter()
        .map(|r| {
            let found: Vec<&Area> = communes
                .get(r.old_code.as_str())
                .cloned()
                .unwrap_or_default();
            found
                .iter()
                .copied()
                .find(|a| under_district(a))
                .or_else(|| {
                    found
                        .iter()
                        .copied()
                        .find(|a| !new_side.contains(&(r.old_code.clone(), name_key(&a.name))))
                })
        })
        .collect()
}

/// A correspondence turned into a reorganisation of `areas`, for the units of it the tree
/// holds open (rows naming units the tree does not hold are skipped: a province's
/// alliance holds its own):
/// - each new unit is the open unit directly under its province carrying its code and not
///   closed by this reorganisation (a tree that loaded today's units), or is created under
///   the province (its id from `id_for`: the code when free, else another);
/// - an old unit that went whole into one new unit merges into it; one divided between
///   several is a split, its main successor the row marked `main` (else the first);
/// - districts whose communes all close are dissolved (the 2025 reform abolished them),
///   as are villages under a closing commune;
/// - old provinces whose code is not a new province's merge into the new province.
///
/// Errors: a new unit whose province the tree lacks; a correspondence that holds nothing
/// of the tree.
pub fn from_correspondence(
    rows: &[Correspondence],
    areas: &[Area],
    effective_on: &str,
    decision: &str,
    id_for: impl Fn(&str, &BTreeSet<String>) -> String,
) -> Result<Reorganisation, Vec<Msg>> {
    let mut problems = Vec::new();
    let open: Vec<&Area> = areas.iter().filter(|a| a.is_open()).collect();
    // Indexes: a country's tree holds some 14,000 units and its correspondence 10,000 rows.
    let by_id: BTreeMap<&str, &Area> = areas.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut open_by_code: BTreeMap<(&str, AreaLevel), Vec<&Area>> = BTreeMap::new();
    for a in &open {
        if let Some(c) = a.code.as_deref() {
            open_by_code.entry((c, a.level)).or_default().push(a);
        }
    }
    let by_code = |code: &str, level: AreaLevel| -> Vec<&Area> {
        open_by_code
            .get(&(code, level))
            .cloned()
            .unwrap_or_default()
    };
    let matched = old_units(rows, areas);
    let mut olds: BTreeMap<String, (String, Vec<&Correspondence>)> = BTreeMap::new();
    for (r, old) in rows.iter().zip(&matched) {
        if let Some(a) = old {
            olds.entry(a.id.clone())
                .or_insert_with(|| (a.id.clone(), Vec::new()))
                .1
                .push(r);
        }
    }
    if olds.is_empty() {
        return Err(vec![problem(
            "Danh mục địa bàn không có đơn vị cũ nào mà bảng tương ứng nêu (đơn vị cũ: theo mã, đang hoạt động).".into(),
            "The area tree holds none of the old units the correspondence names (old units: by code, still open).".into(),
        )]);
    }
    let closing: BTreeSet<&str> = olds.keys().map(String::as_str).collect();
    let mut taken: BTreeSet<String> = areas.iter().map(|a| a.id.clone()).collect();
    let mut new_areas: Vec<NewArea> = Vec::new();
    // new code → id of the unit standing for it.
    let mut new_ids: BTreeMap<String, String> = BTreeMap::new();
    // Where a new unit goes: under its province when the correspondence names one (the
    // 2025 reform: no districts); else where its old units are, when they share a parent
    // (communes merged within their district), else under their province.
    let province_of = |r: &Correspondence, old: &Area| -> Option<String> {
        if let Some(c) = &r.new_province_code {
            return by_code(c, AreaLevel::Province)
                .first()
                .map(|a| a.id.clone());
        }
        let parents: BTreeSet<Option<&str>> = rows
            .iter()
            .zip(&matched)
            .filter(|(x, _)| x.new_code == r.new_code)
            .filter_map(|(_, o)| o.map(|o| o.parent_id.as_deref()))
            .collect();
        if let [Some(parent)] = parents.into_iter().collect::<Vec<_>>().as_slice() {
            return Some(parent.to_string());
        }
        let root = old.path.split('/').next()?;
        Some(root.to_string())
    };
    let mut missing_provinces: BTreeSet<String> = BTreeSet::new();
    for (old_id, list) in olds.values() {
        let old = by_id[old_id.as_str()];
        for r in list {
            if new_ids.contains_key(&r.new_code) {
                continue;
            }
            let Some(province) = province_of(r, old) else {
                missing_provinces.insert(r.new_province_code.clone().unwrap_or_default());
                continue;
            };
            let standing = by_code(&r.new_code, AreaLevel::Commune)
                .into_iter()
                .find(|a| {
                    !closing.contains(a.id.as_str())
                        && a.parent_id.as_deref() == Some(province.as_str())
                });
            let id = match standing {
                Some(a) => a.id.clone(),
                None => {
                    let id = id_for(&r.new_code, &taken);
                    taken.insert(id.clone());
                    new_areas.push(NewArea {
                        id: id.clone(),
                        name: r.new_name.clone(),
                        level: AreaLevel::Commune,
                        parent_id: province.clone(),
                        code: Some(r.new_code.clone()),
                    });
                    id
                }
            };
            new_ids.insert(r.new_code.clone(), id);
        }
    }
    for p in &missing_provinces {
        problems.push(problem(
            format!("Danh mục không có tỉnh mã \"{p}\" mà các đơn vị mới thuộc về: hãy nạp đơn vị hành chính của tỉnh trước."),
            format!("The tree has no province with code \"{p}\", which the new units belong to: load the province's units first."),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut merges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut splits = Vec::new();
    for (old_id, list) in olds.values() {
        let mut into: Vec<String> = Vec::new();
        for r in list {
            let id = new_ids[&r.new_code].clone();
            if !into.contains(&id) {
                into.push(id);
            }
        }
        if into.len() == 1 {
            merges
                .entry(into.remove(0))
                .or_default()
                .push(old_id.clone());
        } else {
            let main = list
                .iter()
                .find(|r| r.main)
                .or(list.first())
                .map(|r| new_ids[&r.new_code].clone())
                .expect("a split has rows");
            splits.push(Split {
                from: old_id.clone(),
                into,
                main,
            });
        }
    }
    // Districts whose communes close, and villages of closing communes.
    let mut dissolved: Vec<String> = Vec::new();
    let parent_of = |id: &str| by_id.get(id).and_then(|x| x.parent_id.as_deref());
    let closing_beneath: BTreeSet<&str> = closing.iter().filter_map(|c| parent_of(c)).collect();
    let receiving: BTreeSet<&str> = new_areas
        .iter()
        .map(|n| n.parent_id.as_str())
        .chain(new_ids.values().filter_map(|id| parent_of(id)))
        .collect();
    for a in &open {
        let closes_beneath = closing_beneath.contains(a.id.as_str());
        let in_closing = a.parent_id.as_deref().is_some_and(|p| closing.contains(p));
        let receives = receiving.contains(a.id.as_str());
        if (a.level == AreaLevel::District && closes_beneath && !receives)
            || (a.level == AreaLevel::Village && in_closing)
        {
            dissolved.push(a.id.clone());
        }
    }
    // Old provinces (roots) with communes closing, whose code no new unit's province has.
    let new_provinces: BTreeSet<String> = rows
        .iter()
        .filter_map(|r| r.new_province_code.clone())
        .collect();
    let mut province_merges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for root in open.iter().filter(|a| a.parent_id.is_none()) {
        let code = root.code.clone().unwrap_or_default();
        if new_provinces.contains(&code) || new_provinces.is_empty() {
            continue;
        }
        let target = rows
            .iter()
            .zip(&matched)
            .filter(|(_, o)| o.is_some_and(|o| o.path.starts_with(&root.path)))
            .map(|(r, _)| r)
            .find_map(|r| r.new_province_code.clone())
            .and_then(|c| {
                by_code(&c, AreaLevel::Province)
                    .first()
                    .map(|a| a.id.clone())
            });
        if let Some(t) = target {
            province_merges.entry(t).or_default().push(root.id.clone());
        }
    }
    let merges = merges
        .into_iter()
        .chain(province_merges)
        .map(|(into, from)| Merge { from, into })
        .collect();
    Ok(Reorganisation {
        effective_on: effective_on.to_string(),
        decision: decision.to_string(),
        new_areas,
        merges,
        dissolved,
        splits,
        placements: BTreeMap::new(),
    })
}

/// `POST /api/cooperatives/{id}/move`: a cooperative moved to another commune or ward with
/// its history (a correction, a relocation, a divided commune's cooperative placed after
/// the reorganisation).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoveRequest {
    /// The area it moves to (a commune, ward or village of today).
    pub area_id: String,
    /// Why (kept in its history and the audit trail).
    pub reason: String,
}

/// What a move does (a dry run) or did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovePreview {
    pub applied: bool,
    /// The cooperative as it is after the move.
    pub cooperative: crate::model::Cooperative,
    pub from: Area,
    pub to: Area,
    /// Its visit reports, moved with it.
    pub visits: u64,
    /// Accounts whose tablets drop it (their areas do not cover where it goes) and those
    /// who receive it with its past visits: user names.
    pub losing: Vec<String>,
    pub gaining: Vec<String>,
}

/// Most cooperatives a preview lists by name.
pub const PREVIEW_LIMIT: usize = 500;

/// A reorganisation checked against the tree: what becomes of every closed area.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub effective_on: String,
    /// The areas created, with their paths.
    pub created: Vec<Area>,
    /// The areas closed, as they will be stored (`closed_on`, `successor_id` set).
    pub closed: Vec<Area>,
    /// Closed area id → the id of the area replacing it (merged areas only).
    pub successor: BTreeMap<String, String>,
    /// Closed areas with no single successor.
    pub dissolved: BTreeSet<String>,
    /// Divided areas: closed area id → the areas its cooperatives may go to (main first).
    pub split_into: BTreeMap<String, Vec<String>>,
    /// The path of every area after it (existing open ones and the created ones).
    paths: BTreeMap<String, String>,
}

fn problem(vi: String, en: String) -> Msg {
    Msg::new(vi, en)
}

/// Checks `r` against the tree `areas` and works out what it does. Every problem is
/// returned at once, in Vietnamese and English, with the ids concerned.
pub fn plan(r: &Reorganisation, areas: &[Area]) -> Result<Plan, Vec<Msg>> {
    let mut problems = Vec::new();
    if crate::validate::parse_iso_date(&r.effective_on).is_none() {
        problems.push(problem(
            format!(
                "Ngày hiệu lực \"{}\" không hợp lệ (YYYY-MM-DD).",
                r.effective_on
            ),
            format!(
                "The effective date \"{}\" is not a date (YYYY-MM-DD).",
                r.effective_on
            ),
        ));
    }
    if r.decision.trim().is_empty() {
        problems.push(problem(
            "Hãy ghi văn bản quyết định việc sắp xếp.".into(),
            "Name the decision the reorganisation carries out.".into(),
        ));
    }
    let by_id: BTreeMap<&str, &Area> = areas.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut closing: BTreeSet<String> = BTreeSet::new();
    let mut successor: BTreeMap<String, String> = BTreeMap::new();
    let mut dissolved: BTreeSet<String> = BTreeSet::new();
    let (mut named, mut closed_before) = (0usize, 0usize);
    let mut close = |id: &str, problems: &mut Vec<Msg>| -> bool {
        named += 1;
        if by_id.get(id).is_some_and(|a| !a.is_open()) {
            closed_before += 1;
        }
        match by_id.get(id) {
            None => {
                problems.push(problem(
                    format!("Không có địa bàn mã \"{id}\"."),
                    format!("There is no area \"{id}\"."),
                ));
                false
            }
            Some(a) if !a.is_open() => {
                problems.push(problem(
                    format!(
                        "{} đã giải thể từ {}.",
                        a.name,
                        a.closed_on.as_deref().unwrap_or("")
                    ),
                    format!(
                        "{} was closed on {}.",
                        a.name,
                        a.closed_on.as_deref().unwrap_or("")
                    ),
                ));
                false
            }
            Some(a) if !closing.insert(id.to_string()) => {
                problems.push(problem(
                    format!("{} được nêu hai lần.", a.name),
                    format!("{} is named twice.", a.name),
                ));
                false
            }
            Some(_) => true,
        }
    };
    for m in &r.merges {
        for f in &m.from {
            if close(f, &mut problems) {
                successor.insert(f.clone(), m.into.clone());
            }
        }
    }
    for d in &r.dissolved {
        if close(d, &mut problems) {
            dissolved.insert(d.clone());
        }
    }
    let mut split_into: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for sp in &r.splits {
        if !sp.into.contains(&sp.main) || sp.into.len() < 2 {
            problems.push(problem(
                format!("Đơn vị chia tách \"{}\" cần ít nhất hai đơn vị nhận, trong đó có đơn vị chính \"{}\".", sp.from, sp.main),
                format!("The divided unit \"{}\" needs two or more units it goes to, the main one \"{}\" among them.", sp.from, sp.main),
            ));
            continue;
        }
        if close(&sp.from, &mut problems) {
            successor.insert(sp.from.clone(), sp.main.clone());
            let mut into = vec![sp.main.clone()];
            into.extend(sp.into.iter().filter(|i| **i != sp.main).cloned());
            split_into.insert(sp.from.clone(), into);
        }
    }

    // Every area it closes was closed already: it was applied before; say that once.
    if named > 0 && closed_before == named {
        return Err(vec![problem(
            format!("Sắp xếp này đã được áp dụng: mọi địa bàn nó nêu đã giải thể ({} địa bàn).", named),
            format!("This reorganisation was applied already: every area it names is closed ({named} areas)."),
        )]);
    }

    // The new areas, parent first.
    let mut paths: BTreeMap<String, String> = areas
        .iter()
        .filter(|a| a.is_open() && !closing.contains(&a.id))
        .map(|a| (a.id.clone(), a.path.clone()))
        .collect();
    let mut created = Vec::new();
    for n in &r.new_areas {
        let ok_id = !n.id.is_empty()
            && n.id.len() <= 64
            && n.id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok_id || by_id.contains_key(n.id.as_str()) || paths.contains_key(&n.id) {
            problems.push(problem(
                format!(
                    "Mã địa bàn mới \"{}\" đã có hoặc không hợp lệ (chữ, số, '-', '_').",
                    n.id
                ),
                format!(
                    "The new area id \"{}\" is taken or not valid (letters, digits, '-', '_').",
                    n.id
                ),
            ));
            continue;
        }
        if n.name.trim().is_empty()
            || n.name.chars().count() > 200
            || n.name.chars().any(char::is_control)
        {
            problems.push(problem(
                format!(
                    "Địa bàn mới \"{}\" cần tên (tối đa 200 ký tự, một dòng).",
                    n.id
                ),
                format!(
                    "The new area \"{}\" needs a name (at most 200 characters, one line).",
                    n.id
                ),
            ));
        }
        let Some(parent) = paths.get(&n.parent_id).cloned() else {
            problems.push(problem(
                format!(
                    "Địa bàn cha \"{}\" của {} không có hoặc bị giải thể.",
                    n.parent_id, n.name
                ),
                format!(
                    "The parent \"{}\" of {} does not exist or is closed.",
                    n.parent_id, n.name
                ),
            ));
            continue;
        };
        let path = format!("{parent}{}/", n.id);
        paths.insert(n.id.clone(), path.clone());
        created.push(Area {
            id: n.id.clone(),
            parent_id: Some(n.parent_id.clone()),
            level: n.level,
            name: n.name.trim().to_string(),
            path,
            code: n.code.clone().filter(|c| !c.trim().is_empty()),
            opened_on: Some(r.effective_on.clone()),
            closed_on: None,
            successor_id: None,
        });
    }
    // Like merges into like: communes into a commune or ward, provinces into a province
    // (a district merged into its province would hand its officers the province).
    let created_level: BTreeMap<&str, AreaLevel> =
        created.iter().map(|a| (a.id.as_str(), a.level)).collect();
    let level_of = |id: &str| {
        by_id
            .get(id)
            .map(|a| a.level)
            .or_else(|| created_level.get(id).copied())
    };
    for m in &r.merges {
        if let Some(into_level) = level_of(&m.into) {
            for f in &m.from {
                if let Some(a) = by_id.get(f.as_str()).filter(|a| a.level != into_level) {
                    problems.push(problem(
                        format!(
                            "{} không thể sáp nhập vào một đơn vị khác cấp (\"{}\").",
                            a.name, m.into
                        ),
                        format!(
                            "{} cannot merge into a unit of another level (\"{}\").",
                            a.name, m.into
                        ),
                    ));
                }
            }
        }
        if !paths.contains_key(&m.into) {
            problems.push(problem(
                format!(
                    "Địa bàn nhận sáp nhập \"{}\" không có, hoặc cũng bị giải thể.",
                    m.into
                ),
                format!(
                    "The area \"{}\" merged into does not exist or is itself closed.",
                    m.into
                ),
            ));
        }
        if m.from.is_empty() {
            problems.push(problem(
                format!("Sáp nhập vào \"{}\" không nêu địa bàn nào.", m.into),
                format!("The merge into \"{}\" names no area.", m.into),
            ));
        }
    }
    for (from, into) in &split_into {
        let from_level = by_id.get(from.as_str()).map(|a| a.level);
        for i in into {
            if !paths.contains_key(i) {
                problems.push(problem(
                    format!("Địa bàn nhận chia tách \"{i}\" không có, hoặc cũng bị giải thể."),
                    format!("The area \"{i}\" a divided unit goes to does not exist or is itself closed."),
                ));
            } else if level_of(i) != from_level {
                problems.push(problem(
                    format!("\"{from}\" không thể chia vào một đơn vị khác cấp (\"{i}\")."),
                    format!("\"{from}\" cannot be divided into a unit of another level (\"{i}\")."),
                ));
            }
        }
    }
    // Nothing open may be left under a closed area: its records would have no home. Each
    // open area's ancestors are looked up by path ("P/D1/C/" under "P/" and "P/D1/"): a
    // country closes ten thousand areas and keeps thousands.
    let closing_at: BTreeMap<&str, &Area> = closing
        .iter()
        .filter_map(|c| by_id.get(c.as_str()))
        .map(|c| (c.path.as_str(), *c))
        .collect();
    for a in areas
        .iter()
        .filter(|a| a.is_open() && !closing.contains(&a.id))
    {
        let above = a
            .path
            .match_indices('/')
            .map(|(i, _)| &a.path[..=i])
            .filter(|p| p.len() < a.path.len());
        if let Some(c) = above.filter_map(|p| closing_at.get(p)).next() {
            problems.push(problem(
                format!(
                    "{} thuộc {} (bị giải thể) nhưng chưa được sáp nhập vào đâu.",
                    a.name, c.name
                ),
                format!(
                    "{} lies in {} (closed) but is not merged into any area.",
                    a.name, c.name
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let closed = closing
        .iter()
        .filter_map(|id| by_id.get(id.as_str()))
        .map(|a| Area {
            closed_on: Some(r.effective_on.clone()),
            successor_id: successor.get(&a.id).cloned(),
            ..(*a).clone()
        })
        .collect();
    Ok(Plan {
        effective_on: r.effective_on.clone(),
        created,
        closed,
        successor,
        dissolved,
        split_into,
        paths,
    })
}

/// Whether a user with `scopes` (area paths) may see the history of `area`: it is in their
/// areas, or it was closed and the area that replaced it (following reorganisations one
/// after another) is: a supervisor of ward X reviews the communes X was made of, in the
/// periods before the reform. A dissolved area (a district of 2025, closed with no
/// successor) through any area beneath it that was replaced that way: the district's
/// supervisor, who now holds the wards its communes became, still reviews the district's
/// past (the review shows them only the records in their areas today).
pub fn covers_history(area: &Area, areas: &[Area], scopes: &[String]) -> bool {
    if crate::model::in_scope(&area.path, scopes) {
        return true;
    }
    if area.closed_on.is_some() && area.successor_id.is_none() {
        return areas.iter().any(|a| {
            a.path.len() > area.path.len()
                && a.path.starts_with(&area.path)
                && a.successor_id.is_some()
                && successor_in_scope(a, areas, scopes)
        });
    }
    successor_in_scope(area, areas, scopes)
}

/// Whether the area that replaced `area` (following reorganisations one after another)
/// is in `scopes`.
fn successor_in_scope(area: &Area, areas: &[Area], scopes: &[String]) -> bool {
    let mut at = area;
    // A chain is at most a few reforms long; the bound stops a cycle a bad row could make.
    for _ in 0..16 {
        let Some(next) = at
            .successor_id
            .as_deref()
            .and_then(|s| areas.iter().find(|a| a.id == s))
        else {
            return false;
        };
        if crate::model::in_scope(&next.path, scopes) {
            return true;
        }
        at = next;
    }
    false
}

impl Plan {
    /// Where a record of area `area_id` goes: (area id, path) of the area replacing it, or
    /// None when its area stays. `Err` when the area is dissolved with no successor (a
    /// cooperative registered at district level: the dry run lists it to be moved first).
    pub fn destination(&self, area_id: &str) -> Result<Option<(String, String)>, ()> {
        if self.dissolved.contains(area_id) {
            return Err(());
        }
        Ok(self.successor.get(area_id).map(|to| {
            let path = self.paths.get(to).cloned().unwrap_or_default();
            (to.clone(), path)
        }))
    }

    /// Where cooperative `coop` of divided area `area_id` goes: the administrator's
    /// placement when it names one of the areas the split allows, else `proposed` when it
    /// is one of them, else the main successor. None when the area is not divided.
    pub fn placement(
        &self,
        r: &Reorganisation,
        area_id: &str,
        coop: &str,
        proposed: Option<&str>,
    ) -> Option<(String, PlacedBy)> {
        let into = self.split_into.get(area_id)?;
        if let Some(p) = r.placements.get(coop).filter(|p| into.contains(p)) {
            return Some((p.clone(), PlacedBy::Administrator));
        }
        if let Some(p) = proposed.filter(|p| into.iter().any(|i| i == p)) {
            return Some((p.to_string(), PlacedBy::Position));
        }
        Some((into[0].clone(), PlacedBy::Main))
    }

    /// The path of area `id` after the reorganisation (None: closed or unknown).
    pub fn path_of(&self, id: &str) -> Option<&str> {
        self.paths.get(id).map(String::as_str)
    }

    /// The areas an assignment over `area_id` becomes: itself when it stays; its
    /// successor when merged; when dissolved, the successors of every area merged from
    /// beneath it (a district's officer covers the communes and wards its communes became).
    pub fn assignment_after(&self, area_id: &str, areas: &[Area]) -> Vec<String> {
        if let Some(to) = self.successor.get(area_id) {
            return vec![to.clone()];
        }
        if !self.dissolved.contains(area_id) {
            return vec![area_id.to_string()];
        }
        let Some(path) = areas
            .iter()
            .find(|a| a.id == area_id)
            .map(|a| a.path.as_str())
        else {
            return Vec::new();
        };
        let mut out: BTreeSet<String> = BTreeSet::new();
        for a in areas.iter().filter(|a| a.path.starts_with(path)) {
            if let Some(to) = self.successor.get(&a.id) {
                out.insert(to.clone());
            }
        }
        out.into_iter().collect()
    }

    /// Targets of periods starting on or after the date, set for closed areas: those of a
    /// merged area are added to its successor's, unless the successor has its own for that
    /// figure (then dropped: never counted twice); a dissolved area's are dropped. `set`:
    /// (area id, period, targets) of every period; returns the targets to store for
    /// successors (area id, period → targets after) and what was dropped, with why.
    pub fn carry_targets(
        &self,
        set: &[(String, String, Targets)],
    ) -> (
        BTreeMap<(String, String), Targets>,
        Vec<(String, String, Msg)>,
    ) {
        let from_date = |period: &str| {
            crate::six_month::period_bounds(period)
                .is_some_and(|(start, _)| start >= self.effective_on)
        };
        let own: BTreeMap<(String, String), &Targets> = set
            .iter()
            .map(|(a, p, t)| ((a.clone(), p.clone()), t))
            .collect();
        let mut carried: BTreeMap<(String, String), Targets> = BTreeMap::new();
        let mut dropped = Vec::new();
        for (area, period, t) in set.iter().filter(|(a, p, _)| {
            (self.successor.contains_key(a) || self.dissolved.contains(a)) && from_date(p)
        }) {
            let Some(to) = self.successor.get(area) else {
                dropped.push((
                    area.clone(),
                    period.clone(),
                    Msg::new(
                        format!("Kế hoạch {period} của địa bàn giải thể không chuyển được cho địa bàn nào: hãy đặt lại cho các địa bàn mới."),
                        format!("The {period} targets of a dissolved area go to no single area: set them again for the new areas."),
                    ),
                ));
                continue;
            };
            let theirs = own.get(&(to.clone(), period.clone())).copied();
            // A figure the successor has no target of its own for starts from the targets
            // set beneath it (its review added those up): the carried one is added to
            // them, not put in their place (a province merged into one whose districts
            // have targets).
            let beneath = || {
                let path = self.paths.get(to).cloned().unwrap_or_default();
                let under: Vec<(String, Targets)> = set
                    .iter()
                    .filter(|(a, p, _)| p == period && a != to)
                    .filter_map(|(a, _, t)| {
                        self.paths
                            .get(a)
                            .filter(|q| q.starts_with(path.as_str()))
                            .map(|q| (q.clone(), t.clone()))
                    })
                    .collect();
                crate::six_month::roll_up(&path, &under)
            };
            let entry = carried
                .entry((to.clone(), period.clone()))
                .or_insert_with(|| {
                    let own = theirs.cloned().unwrap_or_default();
                    let b = beneath();
                    Targets {
                        new_htx: own.new_htx.or(b.new_htx),
                        new_tht: own.new_tht.or(b.new_tht),
                        works_handed_over: own.works_handed_over.or(b.works_handed_over),
                    }
                });
            let mut kept_theirs = false;
            let mut add = |mine: Option<u32>, has: Option<u32>, slot: &mut Option<u32>| {
                if has.is_some() {
                    kept_theirs |= mine.is_some();
                } else if let Some(v) = mine {
                    *slot = Some(slot.unwrap_or(0).saturating_add(v));
                }
            };
            let th = theirs.cloned().unwrap_or_default();
            add(t.new_htx, th.new_htx, &mut entry.new_htx);
            add(t.new_tht, th.new_tht, &mut entry.new_tht);
            add(
                t.works_handed_over,
                th.works_handed_over,
                &mut entry.works_handed_over,
            );
            if kept_theirs {
                dropped.push((
                    area.clone(),
                    period.clone(),
                    Msg::new(
                        format!("Địa bàn mới đã có kế hoạch {period} riêng: kế hoạch của địa bàn cũ không cộng thêm."),
                        format!("The new area has its own {period} targets: the old area's are not added."),
                    ),
                ));
            }
        }
        (carried, dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(id: &str, parent: Option<&str>, level: AreaLevel, name: &str, path: &str) -> Area {
        Area {
            id: id.into(),
            parent_id: parent.map(str::to_string),
            level,
            name: name.into(),
            path: path.into(),
            code: None,
            opened_on: None,
            closed_on: None,
            successor_id: None,
        }
    }

    /// The seed province before the reform: one district with three communes, another
    /// with two.
    fn tree() -> Vec<Area> {
        use AreaLevel::*;
        vec![
            area("NB", None, Province, "Tỉnh Ninh Bình", "NB/"),
            area("HL", Some("NB"), District, "Huyện Hoa Lư", "NB/HL/"),
            area("A", Some("HL"), Commune, "Xã A", "NB/HL/A/"),
            area("B", Some("HL"), Commune, "Xã B", "NB/HL/B/"),
            area("C", Some("HL"), Commune, "Xã C", "NB/HL/C/"),
            area("KS", Some("NB"), District, "Huyện Kim Sơn", "NB/KS/"),
            area("D", Some("KS"), Commune, "Xã D", "NB/KS/D/"),
            area("E", Some("KS"), Commune, "Xã E", "NB/KS/E/"),
        ]
    }

    /// From 2025-07-01: A, B and C form ward X; D and E form commune Y; both districts end.
    fn reform() -> Reorganisation {
        Reorganisation {
            effective_on: "2025-07-01".into(),
            decision: "Nghị quyết 1674/NQ-UBTVQH15".into(),
            new_areas: vec![
                NewArea {
                    id: "X".into(),
                    name: "Phường X".into(),
                    level: AreaLevel::Commune,
                    parent_id: "NB".into(),
                    code: Some("14302".into()),
                },
                NewArea {
                    id: "Y".into(),
                    name: "Xã Y".into(),
                    level: AreaLevel::Commune,
                    parent_id: "NB".into(),
                    code: None,
                },
            ],
            merges: vec![
                Merge {
                    from: vec!["A".into(), "B".into(), "C".into()],
                    into: "X".into(),
                },
                Merge {
                    from: vec!["D".into(), "E".into()],
                    into: "Y".into(),
                },
            ],
            dissolved: vec!["HL".into(), "KS".into()],
            splits: Vec::new(),
            placements: Default::default(),
        }
    }

    /// A tree as an alliance that used hoptac before 2025 holds it: today's province P
    /// (code 37) with two districts, and the former province Q (code 35).
    fn legacy_tree() -> Vec<Area> {
        let coded =
            |id: &str, parent: Option<&str>, level, name: &str, path: &str, code: &str| Area {
                code: Some(code.into()),
                ..area(id, parent, level, name, path)
            };
        vec![
            coded("P", None, AreaLevel::Province, "Tỉnh Ninh Bình", "P/", "37"),
            coded(
                "D1",
                Some("P"),
                AreaLevel::District,
                "Thành phố Hoa Lư",
                "P/D1/",
                "369",
            ),
            coded(
                "14329",
                Some("D1"),
                AreaLevel::Commune,
                "Phường Vân Giang",
                "P/D1/14329/",
                "14329",
            ),
            coded(
                "14332",
                Some("D1"),
                AreaLevel::Commune,
                "Phường Thanh Bình",
                "P/D1/14332/",
                "14332",
            ),
            coded(
                "14503",
                Some("D1"),
                AreaLevel::Commune,
                "Xã Gia Tân",
                "P/D1/14503/",
                "14503",
            ),
            area(
                "T1",
                Some("14503"),
                AreaLevel::Village,
                "Thôn Tân",
                "P/D1/14503/T1/",
            ),
            coded(
                "D2",
                Some("P"),
                AreaLevel::District,
                "Huyện Gia Viễn",
                "P/D2/",
                "370",
            ),
            coded(
                "14488",
                Some("D2"),
                AreaLevel::Commune,
                "Xã Gia Vân",
                "P/D2/14488/",
                "14488",
            ),
            coded("Q", None, AreaLevel::Province, "Tỉnh Hà Nam", "Q/", "35"),
            coded(
                "D3",
                Some("Q"),
                AreaLevel::District,
                "Thành phố Phủ Lý",
                "Q/D3/",
                "347",
            ),
            coded(
                "13285",
                Some("D3"),
                AreaLevel::Commune,
                "Phường Quang Trung",
                "Q/D3/13285/",
                "13285",
            ),
        ]
    }

    fn row(old: &str, new: &str, new_name: &str, main: bool) -> Correspondence {
        Correspondence {
            old_code: old.into(),
            old_name: String::new(),
            new_code: new.into(),
            new_name: new_name.into(),
            main,
            new_province_code: Some("37".into()),
            row: 0,
        }
    }

    fn id_for(code: &str, taken: &BTreeSet<String>) -> String {
        if taken.contains(code) {
            format!("{code}-2025")
        } else {
            code.to_string()
        }
    }

    #[test]
    fn a_published_correspondence_becomes_a_reorganisation() {
        let rows = vec![
            row("14329", "14329", "Phường Hoa Lư", true),
            row("14332", "14329", "Phường Hoa Lư", true),
            // Gia Tân was divided: mostly into Gia Vân, partly into Tây Hoa Lư.
            row("14503", "14488", "Xã Gia Vân", true),
            row("14503", "14533", "Phường Tây Hoa Lư", false),
            row("14488", "14488", "Xã Gia Vân", true),
            row("13285", "13366", "Phường Hà Nam", true),
            // A commune of another province the tree does not hold: skipped.
            row("99999", "99998", "Xã Khác", true),
        ];
        let areas = legacy_tree();
        let r = from_correspondence(&rows, &areas, "2025-07-01", "NQ", id_for).unwrap();
        // The new units: Hoa Lư carries Vân Giang's code, so its id differs from it.
        let made: Vec<(&str, &str, &str)> = r
            .new_areas
            .iter()
            .map(|n| {
                (
                    n.id.as_str(),
                    n.code.as_deref().unwrap(),
                    n.parent_id.as_str(),
                )
            })
            .collect();
        assert_eq!(
            made,
            [
                ("13366", "13366", "P"),
                ("14329-2025", "14329", "P"),
                ("14488-2025", "14488", "P"),
                ("14533", "14533", "P"),
            ]
        );
        let merges: Vec<(String, Vec<String>)> = r
            .merges
            .iter()
            .map(|m| (m.into.clone(), m.from.clone()))
            .collect();
        assert_eq!(
            merges,
            [
                ("13366".into(), vec!["13285".into()]),
                ("14329-2025".into(), vec!["14329".into(), "14332".into()]),
                ("14488-2025".into(), vec!["14488".into()]),
                ("P".into(), vec!["Q".into()]),
            ]
        );
        assert_eq!(
            r.splits,
            [Split {
                from: "14503".into(),
                into: vec!["14488-2025".into(), "14533".into()],
                main: "14488-2025".into()
            }]
        );
        let mut dissolved = r.dissolved.clone();
        dissolved.sort();
        assert_eq!(dissolved, ["D1", "D2", "D3", "T1"]);
        // The plan accepts it: every old unit closed, the split with its main successor.
        let p = plan(&r, &areas).unwrap();
        assert_eq!(p.closed.len(), 10);
        assert_eq!(
            p.successor.get("14503").map(String::as_str),
            Some("14488-2025")
        );
        assert_eq!(p.split_into["14503"], ["14488-2025", "14533"]);
        assert_eq!(p.path_of("14533"), Some("P/14533/"));
        // A cooperative of Gia Tân: placed by the administrator, else the proposal when
        // it is one of the units, else the main successor.
        let mut placed = r.clone();
        placed.placements.insert("c1".into(), "14533".into());
        placed.placements.insert("c2".into(), "P".into());
        assert_eq!(
            p.placement(&placed, "14503", "c1", None),
            Some(("14533".into(), PlacedBy::Administrator))
        );
        assert_eq!(
            p.placement(&placed, "14503", "c2", Some("14533")),
            Some(("14533".into(), PlacedBy::Position)),
            "a placement outside the split is ignored"
        );
        assert_eq!(
            p.placement(&placed, "14503", "c3", Some("P")),
            Some(("14488-2025".into(), PlacedBy::Main))
        );
        assert_eq!(p.placement(&placed, "14329", "c1", None), None);
        // Officers of a divided commune follow its main successor.
        assert_eq!(p.assignment_after("14503", &areas), ["14488-2025"]);

        // A tree that already holds today's units (loaded at the first sign-in): they are
        // used, not made again.
        let mut both = areas.clone();
        for (id, code, name) in [
            ("14329-2025", "14329", "Phường Hoa Lư"),
            ("14533", "14533", "Phường Tây Hoa Lư"),
        ] {
            both.push(Area {
                code: Some(code.into()),
                opened_on: Some("2025-07-01".into()),
                ..area(id, Some("P"), AreaLevel::Commune, name, &format!("P/{id}/"))
            });
        }
        let r2 = from_correspondence(&rows, &both, "2025-07-01", "NQ", id_for).unwrap();
        let made: Vec<&str> = r2.new_areas.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(made, ["13366", "14488-2025"]);
        assert!(plan(&r2, &both).is_ok());
        // Nothing of the tree in it: said so.
        let none = from_correspondence(&rows[6..], &areas, "2025-07-01", "NQ", id_for);
        assert!(none.unwrap_err()[0].vi.contains("không có đơn vị cũ"));
    }

    #[test]
    fn a_merger_within_a_district_keeps_the_district() {
        // A later resolution's table, no province column: two communes of Hoa Lư merge.
        let rows: Vec<Correspondence> = [("14329", "14399"), ("14332", "14399")]
            .iter()
            .map(|(o, n)| Correspondence {
                new_province_code: None,
                ..row(o, n, "Phường Mới", true)
            })
            .collect();
        let areas = legacy_tree();
        let r = from_correspondence(&rows, &areas, "2027-01-01", "NQ", id_for).unwrap();
        assert_eq!(r.new_areas[0].parent_id, "D1", "where its old units were");
        assert!(r.dissolved.is_empty(), "{:?}", r.dissolved);
        assert!(plan(&r, &areas).is_ok());
    }

    #[test]
    fn a_split_names_its_main_successor_among_its_units() {
        let areas = legacy_tree();
        let bad = Reorganisation {
            effective_on: "2025-07-01".into(),
            decision: "NQ".into(),
            new_areas: vec![],
            merges: vec![],
            dissolved: vec![],
            splits: vec![Split {
                from: "14503".into(),
                into: vec!["14488".into(), "D2".into()],
                main: "14332".into(),
            }],
            placements: Default::default(),
        };
        let e = plan(&bad, &areas).unwrap_err();
        assert!(e[0].vi.contains("đơn vị chính"), "{e:?}");
    }

    #[test]
    fn a_merge_maps_every_closed_area_and_its_officers() {
        let areas = tree();
        let p = plan(&reform(), &areas).unwrap();
        assert_eq!(
            p.created
                .iter()
                .map(|a| a.path.as_str())
                .collect::<Vec<_>>(),
            ["NB/X/", "NB/Y/"]
        );
        assert_eq!(p.created[0].opened_on.as_deref(), Some("2025-07-01"));
        assert_eq!(p.closed.len(), 7);
        let b = p.closed.iter().find(|a| a.id == "B").unwrap();
        assert_eq!(
            (b.closed_on.as_deref(), b.successor_id.as_deref()),
            (Some("2025-07-01"), Some("X"))
        );
        assert_eq!(
            p.destination("B"),
            Ok(Some(("X".to_string(), "NB/X/".to_string())))
        );
        assert_eq!(p.destination("NB"), Ok(None), "the province stays");
        assert_eq!(
            p.destination("HL"),
            Err(()),
            "a record at district level has no single home"
        );
        // A district's officer covers what its communes became; a commune's, its ward.
        assert_eq!(p.assignment_after("HL", &areas), ["X"]);
        assert_eq!(p.assignment_after("C", &areas), ["X"]);
        assert_eq!(p.assignment_after("NB", &areas), ["NB"]);
    }

    #[test]
    fn what_cannot_be_done_is_said_all_at_once() {
        let mut r = reform();
        r.merges[1].from = vec!["D".into()]; // E left open under a closed district
        r.merges.push(Merge {
            from: vec!["A".into()],
            into: "Z".into(),
        }); // twice, and Z is nowhere
        r.effective_on = "1/7/2025".into();
        let problems = plan(&r, &tree()).unwrap_err();
        let en: Vec<&str> = problems.iter().map(|m| m.en.as_str()).collect();
        assert!(en.iter().any(|m| m.contains("not a date")), "{en:?}");
        assert!(
            en.iter().any(|m| m.contains("Xã A is named twice")),
            "{en:?}"
        );
        assert!(
            en.iter()
                .any(|m| m.contains("\"Z\" merged into does not exist")),
            "{en:?}"
        );
        assert!(
            en.iter()
                .any(|m| m.contains("Xã E lies in Huyện Kim Sơn (closed)")),
            "{en:?}"
        );
        assert!(problems.iter().all(|m| !m.vi.is_empty()));
        // An area already closed cannot close again.
        let p = plan(&reform(), &tree()).unwrap();
        let mut after = tree();
        for a in after.iter_mut() {
            if let Some(c) = p.closed.iter().find(|c| c.id == a.id) {
                *a = c.clone();
            }
        }
        after.extend(p.created.clone());
        // Applied already: said once, not once per area.
        let again = plan(&reform(), &after).unwrap_err();
        assert_eq!(again.len(), 1, "{again:?}");
        assert!(again[0].en.contains("applied already"), "{again:?}");
        // One of its areas closed since: that one is named.
        let mut one_closed = tree();
        let first = p.closed[0].clone();
        if let Some(a) = one_closed.iter_mut().find(|a| a.id == first.id) {
            *a = first;
        }
        let some = plan(&reform(), &one_closed).unwrap_err();
        assert!(
            some.iter()
                .any(|m| m.en.contains("was closed on 2025-07-01")),
            "{some:?}"
        );
    }

    #[test]
    fn a_target_carried_adds_to_the_targets_beneath_the_successor() {
        // Province HNa (own 2025-H2 target 20) merges into NB, which has none of its own
        // but whose districts HL and KS have 10 each: NB's becomes 40, not 20.
        let mut areas = tree();
        areas.push(area(
            "HNA",
            None,
            AreaLevel::Province,
            "Tỉnh Hà Nam",
            "HNA/",
        ));
        let r = Reorganisation {
            effective_on: "2025-07-01".into(),
            decision: "Nghị quyết 202/2025/QH15".into(),
            new_areas: vec![],
            merges: vec![Merge {
                from: vec!["HNA".into()],
                into: "NB".into(),
            }],
            dissolved: vec![],
            splits: Vec::new(),
            placements: Default::default(),
        };
        let p = plan(&r, &areas).unwrap();
        let t = |htx: u32| Targets {
            new_htx: Some(htx),
            new_tht: None,
            works_handed_over: None,
        };
        let set = vec![
            ("HNA".to_string(), "2025-H2".to_string(), t(20)),
            ("HL".to_string(), "2025-H2".to_string(), t(10)),
            ("KS".to_string(), "2025-H2".to_string(), t(10)),
        ];
        let (carried, dropped) = p.carry_targets(&set);
        assert_eq!(carried[&("NB".to_string(), "2025-H2".to_string())], t(40));
        assert!(dropped.is_empty());
    }

    #[test]
    fn only_like_merges_into_like() {
        let mut r = reform();
        // Hoa Lư's district and communes merged into the province.
        r.merges.push(Merge {
            from: vec!["HL".into()],
            into: "NB".into(),
        });
        r.dissolved.retain(|d| d != "HL");
        let problems = plan(&r, &tree()).unwrap_err();
        assert!(
            problems.iter().any(|m| m
                .en
                .contains("Huyện Hoa Lư cannot merge into a unit of another level")),
            "{problems:?}"
        );
        let mut r = reform();
        r.new_areas[0].name = "Phường\nX".into();
        assert!(plan(&r, &tree()).is_err());
    }

    #[test]
    fn targets_from_the_date_are_carried_summed_never_twice() {
        let p = plan(&reform(), &tree()).unwrap();
        let t = |htx: Option<u32>, works: Option<u32>| Targets {
            new_htx: htx,
            new_tht: None,
            works_handed_over: works,
        };
        let set = vec![
            ("A".to_string(), "2025-H2".to_string(), t(Some(2), Some(1))),
            ("B".to_string(), "2025-H2".to_string(), t(Some(3), None)),
            ("C".to_string(), "2025-H1".to_string(), t(Some(9), None)), // before: stays with C
            ("D".to_string(), "2025-H2".to_string(), t(Some(4), Some(5))),
            ("Y".to_string(), "2025-H2".to_string(), t(Some(10), None)), // Y's own
            ("HL".to_string(), "2026-H1".to_string(), t(Some(7), None)), // a district's
        ];
        let (carried, dropped) = p.carry_targets(&set);
        assert_eq!(
            carried[&("X".to_string(), "2025-H2".to_string())],
            t(Some(5), Some(1))
        );
        // Y keeps its own 10 new HTX (D's 4 not added), and takes D's works (it had none).
        assert_eq!(
            carried[&("Y".to_string(), "2025-H2".to_string())],
            t(Some(10), Some(5))
        );
        assert_eq!(carried.len(), 2);
        let why: Vec<(&str, &str)> = dropped
            .iter()
            .map(|(a, p, _)| (a.as_str(), p.as_str()))
            .collect();
        assert_eq!(why, [("D", "2025-H2"), ("HL", "2026-H1")]);
    }

    #[test]
    fn history_of_a_closed_area_follows_its_successor() {
        let area = |id: &str, path: &str, successor: Option<&str>| Area {
            id: id.into(),
            parent_id: None,
            level: AreaLevel::Commune,
            name: id.into(),
            path: path.into(),
            code: None,
            opened_on: None,
            closed_on: successor.map(|_| "2025-07-01".into()),
            successor_id: successor.map(Into::into),
        };
        let areas = vec![
            area("A", "P/D1/A/", Some("X")),
            area("B", "P/D2/B/", Some("Y")),
            area("X", "P/X/", None),
            area("Y", "P/Y/", None),
        ];
        let x = vec!["P/X/".to_string()];
        assert!(
            covers_history(&areas[0], &areas, &x),
            "A became X: X's supervisor sees A's past"
        );
        assert!(!covers_history(&areas[1], &areas, &x), "B became Y, not X");
        assert!(
            covers_history(&areas[1], &areas, &["P/D2/".to_string()]),
            "its own district"
        );
        assert!(!covers_history(&areas[3], &areas, &x));
        // The district D1, dissolved: through A, which became X.
        let mut d1 = area("D1", "P/D1/", None);
        d1.closed_on = Some("2025-07-01".into());
        let mut with_d1 = areas.clone();
        with_d1.push(d1.clone());
        assert!(
            covers_history(&d1, &with_d1, &x),
            "D1's supervisor, now of X, sees D1's past"
        );
        assert!(
            !covers_history(&d1, &with_d1, &["P/Y/".to_string()]),
            "nothing of D1 became Y"
        );
        let open_d3 = area("D3", "P/D3/", None);
        assert!(
            !covers_history(&open_d3, &with_d1, &x),
            "an open area by its path only"
        );
    }
}
