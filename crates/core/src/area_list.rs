//! The official list of administrative units (danh mục đơn vị hành chính: code, name,
//! level, the code of the unit above), imported by an administrator (issue 16, part 1).
//! [`plan_import`] says what a file does to the tree before anything is written: areas
//! created (their id is their code), renamed, unchanged, and every refused row with its
//! number and reason. Moving an area to another parent, or closing one, is a
//! reorganisation ([`crate::reorg`]), not an import: its records need a home.

use crate::i18n::Msg;
use crate::model::{Area, AreaLevel};
use crate::registry::Cell;
use crate::text::normalize;
use serde::{Deserialize, Serialize};

/// A row of the file refused, with why (1-based row number of the file).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefusedRow {
    pub row: usize,
    pub reason: Msg,
}

/// What an import of the list does (a dry run) or did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AreaImportReport {
    pub applied: bool,
    pub created: Vec<Area>,
    /// (before, after) of each area renamed.
    pub renamed: Vec<(Area, Area)>,
    pub unchanged: usize,
    pub refused: Vec<RefusedRow>,
}

fn key(s: &str) -> String {
    normalize(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The level a cell names: the Vietnamese names of each level ("Tỉnh", "Thành phố trực
/// thuộc trung ương"; "Huyện", "Quận", "Thị xã"; "Xã", "Phường", "Thị trấn", "Đặc khu";
/// "Thôn"…) or hoptac's keys.
pub fn parse_level(s: &str) -> Option<AreaLevel> {
    let k = key(s);
    Some(match k.as_str() {
        "tinh" | "thanhphotructhuoctrunguong" | "province" => AreaLevel::Province,
        "huyen" | "quan" | "thixa" | "thanhpho" | "thanhphothuoctinh" | "district" => {
            AreaLevel::District
        }
        "xa" | "phuong" | "thitran" | "dackhu" | "commune" | "ward" => AreaLevel::Commune,
        "thon" | "xom" | "ap" | "ban" | "to" | "todanpho" | "village" => AreaLevel::Village,
        _ => return None,
    })
}

/// Which column holds what: (code, name, level, parent code), found in the header row
/// (the first row naming at least the code and the name). Headers as the national list
/// writes them, without diacritics or case mattering.
fn columns(header: &[Cell]) -> Option<(usize, usize, Option<usize>, Option<usize>)> {
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|c| names.iter().any(|n| key(&c.text()) == key(n)))
    };
    let code = find(&["Mã", "Mã đơn vị", "Mã ĐVHC", "Mã đơn vị hành chính", "Code"])?;
    let name = find(&[
        "Tên",
        "Tên đơn vị",
        "Tên ĐVHC",
        "Tên đơn vị hành chính",
        "Name",
    ])?;
    let level = find(&["Cấp", "Cấp hành chính", "Loại", "Level"]);
    let parent = find(&[
        "Mã cấp trên",
        "Mã đơn vị cấp trên",
        "Mã ĐVHC cấp trên",
        "Parent code",
    ]);
    Some((code, name, level, parent))
}

/// What importing `rows` (the file's cells, header included) does to `areas` for an
/// administrator covering `scopes`: new units (id = code) under a unit the file or the
/// tree has (an area of the tree matched by its code, or by its id); renames; refusals.
pub fn plan_import(rows: &[Vec<Cell>], areas: &[Area], scopes: &[String]) -> AreaImportReport {
    let mut report = AreaImportReport::default();
    let refuse = |report: &mut AreaImportReport, row: usize, vi: String, en: String| {
        report.refused.push(RefusedRow {
            row,
            reason: Msg::new(vi, en),
        });
    };
    let Some((h, (c_code, c_name, c_level, c_parent))) = rows
        .iter()
        .enumerate()
        .take(10)
        .find_map(|(i, r)| columns(r).map(|c| (i, c)))
    else {
        refuse(
            &mut report,
            1,
            "Không thấy dòng tiêu đề có cột \"Mã\" và \"Tên\" (và \"Cấp\", \"Mã cấp trên\")."
                .into(),
            "No header row with \"Mã\" and \"Tên\" columns (and \"Cấp\", \"Mã cấp trên\").".into(),
        );
        return report;
    };
    // The tree as the file grows it: (code or id → area).
    let mut tree: Vec<Area> = areas.to_vec();
    // By code (the open unit first: a new ward may carry the code of a commune it
    // absorbed), then by id.
    let find = |tree: &[Area], code: &str| -> Option<Area> {
        let by_code = |open: bool| {
            tree.iter()
                .find(|a| a.is_open() == open && a.code.as_deref() == Some(code))
        };
        by_code(true)
            .or_else(|| tree.iter().find(|a| a.is_open() && a.id == code))
            .cloned()
    };
    for (i, r) in rows.iter().enumerate().skip(h + 1) {
        let row = i + 1;
        let cell = |c: Option<usize>| c.and_then(|c| r.get(c)).map(Cell::text).unwrap_or_default();
        let (code, name) = (cell(Some(c_code)), cell(Some(c_name)));
        if code.is_empty() && name.is_empty() {
            continue;
        }
        if code.is_empty() || code.len() > 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
            refuse(
                &mut report,
                row,
                format!("Mã \"{code}\" không phải mã đơn vị hành chính (dãy số)."),
                format!("\"{code}\" is not an administrative unit code (digits)."),
            );
            continue;
        }
        if name.is_empty() || name.chars().count() > 200 {
            refuse(
                &mut report,
                row,
                "Thiếu tên đơn vị (hoặc quá 200 ký tự).".into(),
                "The unit's name is missing (or over 200 characters).".into(),
            );
            continue;
        }
        let level_text = cell(c_level);
        let level = match parse_level(&level_text) {
            Some(l) => l,
            None => {
                // "Phường Ninh Sơn": the level as the name's first word.
                match name.split_whitespace().next().and_then(parse_level) {
                    Some(l) => l,
                    None => {
                        refuse(&mut report, row, format!("Cấp \"{level_text}\" không rõ (Tỉnh, Huyện, Xã, Phường…)."), format!("Unknown level \"{level_text}\" (province, district, commune, ward…)."));
                        continue;
                    }
                }
            }
        };
        let parent_code = cell(c_parent);
        // A province row (no unit above it): the root of that name when it has no code
        // yet (a tree made before codes were kept), which takes the code.
        let existing = find(&tree, &code).or_else(|| {
            (level == AreaLevel::Province && parent_code.is_empty())
                .then(|| {
                    tree.iter().find(|a| {
                        a.parent_id.is_none() && a.code.is_none() && key(&a.name) == key(&name)
                    })
                })
                .flatten()
                .cloned()
        });
        if level == AreaLevel::Province && parent_code.is_empty() && existing.is_none() {
            refuse(
                &mut report,
                row,
                format!("{name} (mã {code}) chưa có trong danh mục: đơn vị cấp tỉnh được thêm khi tạo quản trị viên (hoptac-server admin create --province {code})."),
                format!("{name} (code {code}) is not in the tree: provinces are added when an administrator is created (hoptac-server admin create --province {code})."),
            );
            continue;
        }
        if let Some(existing) = existing {
            let same_parent = parent_code.is_empty()
                || existing
                    .parent_id
                    .as_deref()
                    .and_then(|p| tree.iter().find(|a| a.id == p))
                    .is_some_and(|p| {
                        p.code.as_deref() == Some(parent_code.as_str()) || p.id == parent_code
                    });
            if !same_parent {
                refuse(&mut report, row, format!("{name} đã có dưới đơn vị khác: chuyển cấp trên là một đợt sắp xếp, không phải nhập danh mục."), format!("{name} exists under another unit: moving it is a reorganisation, not an import."));
                continue;
            }
            if !crate::model::in_scope(&existing.path, scopes) {
                refuse(
                    &mut report,
                    row,
                    format!("{} ngoài địa bàn của bạn.", existing.name),
                    format!("{} is outside your areas.", existing.name),
                );
                continue;
            }
            if existing.name == name && existing.code.as_deref() == Some(code.as_str()) {
                report.unchanged += 1;
            } else {
                let after = Area {
                    name: name.clone(),
                    code: Some(code.clone()),
                    ..existing.clone()
                };
                if let Some(a) = tree.iter_mut().find(|a| a.id == existing.id) {
                    *a = after.clone();
                }
                report.renamed.push((existing, after));
            }
            continue;
        }
        let Some(parent) = (!parent_code.is_empty())
            .then(|| find(&tree, &parent_code))
            .flatten()
        else {
            refuse(&mut report, row, format!("Không có đơn vị cấp trên mã \"{parent_code}\" (trong tệp, phía trên, hoặc trong danh mục)."), format!("No unit above with code \"{parent_code}\" (earlier in the file, or in the tree)."));
            continue;
        };
        if !parent.is_open() || !crate::model::in_scope(&parent.path, scopes) {
            refuse(
                &mut report,
                row,
                format!("{} đã giải thể hoặc ngoài địa bàn của bạn.", parent.name),
                format!("{} is closed or outside your areas.", parent.name),
            );
            continue;
        }
        // Its code as id when free (a closed unit may have had the code: a new ward
        // carries the code of a commune it absorbed).
        let taken: std::collections::BTreeSet<String> = tree.iter().map(|a| a.id.clone()).collect();
        let id = id_for(&code, "moi", &taken);
        let area = Area {
            id: id.clone(),
            parent_id: Some(parent.id.clone()),
            level,
            name,
            path: format!("{}{id}/", parent.path),
            code: Some(code),
            opened_on: None,
            closed_on: None,
            successor_id: None,
        };
        tree.push(area.clone());
        report.created.push(area);
    }
    report
}

/// The id for a unit of official code `code` in a tree whose ids are `taken`: the code
/// itself when free, else the code with `suffix` ("14329-2025"), then a number. An
/// area's identity is not its code: a code names different units before and after a
/// reorganisation.
pub fn id_for(code: &str, suffix: &str, taken: &std::collections::BTreeSet<String>) -> String {
    if !taken.contains(code) {
        return code.to_string();
    }
    let first = format!("{code}-{suffix}");
    if !taken.contains(&first) {
        return first;
    }
    (2..)
        .map(|n| format!("{code}-{suffix}-{n}"))
        .find(|id| !taken.contains(id))
        .expect("a free id")
}

/// A reorganisation's correspondence as resolutions publish it, read from a spreadsheet:
/// a row per old unit and new unit it went to, with the columns old code, old name, new
/// code, new name (as the official lists name them, Vietnamese or English), and
/// optionally which new unit is the main one ("Chính": x / 1 / có) and the new unit's
/// province code. An old unit with several rows and no main marked takes its first row's
/// unit as main. Refused rows name their row (1-based) and what is missing.
pub fn correspondence(
    rows: &[Vec<Cell>],
) -> Result<Vec<crate::reorg::Correspondence>, Vec<RefusedRow>> {
    let find = |header: &[Cell], names: &[&str]| {
        header
            .iter()
            .position(|c| names.iter().any(|n| key(&c.text()) == key(n)))
    };
    let columns = |r: &[Cell]| -> Option<[Option<usize>; 6]> {
        let old_code = find(
            r,
            &[
                "Mã cũ",
                "Mã ĐVHC cũ",
                "Mã xã cũ",
                "Mã đơn vị cũ",
                "Old code",
            ],
        )?;
        let new_code = find(
            r,
            &[
                "Mã mới",
                "Mã ĐVHC mới",
                "Mã xã mới",
                "Mã đơn vị mới",
                "New code",
            ],
        )?;
        Some([
            Some(old_code),
            find(
                r,
                &[
                    "Tên cũ",
                    "Tên ĐVHC cũ",
                    "Tên xã cũ",
                    "Tên đơn vị cũ",
                    "Old name",
                ],
            ),
            Some(new_code),
            find(
                r,
                &[
                    "Tên mới",
                    "Tên ĐVHC mới",
                    "Tên xã mới",
                    "Tên đơn vị mới",
                    "New name",
                ],
            ),
            find(r, &["Chính", "Đơn vị chính", "Main"]),
            find(r, &["Mã tỉnh mới", "Mã tỉnh", "New province code"]),
        ])
    };
    let Some((h, cols)) = rows
        .iter()
        .enumerate()
        .take(10)
        .find_map(|(i, r)| columns(r).map(|c| (i, c)))
    else {
        return Err(vec![RefusedRow {
            row: 1,
            reason: Msg::new(
                "Không thấy dòng tiêu đề có cột \"Mã cũ\", \"Tên cũ\", \"Mã mới\", \"Tên mới\".",
                "No header row with the columns \"Mã cũ\", \"Tên cũ\", \"Mã mới\", \"Tên mới\" (old code, old name, new code, new name).",
            ),
        }]);
    };
    let mut out: Vec<crate::reorg::Correspondence> = Vec::new();
    let mut refused = Vec::new();
    for (i, r) in rows.iter().enumerate().skip(h + 1) {
        let cell = |c: Option<usize>| c.and_then(|c| r.get(c)).map(Cell::text).unwrap_or_default();
        let [old_code, old_name, new_code, new_name, main, province] = cols.map(cell);
        if old_code.is_empty() && new_code.is_empty() && old_name.is_empty() {
            continue;
        }
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(&old_code) || !digits(&new_code) {
            refused.push(RefusedRow {
                row: i + 1,
                reason: Msg::new(
                    format!("Mã cũ \"{old_code}\" hoặc mã mới \"{new_code}\" không phải mã đơn vị hành chính (dãy số)."),
                    format!("The old code \"{old_code}\" or the new code \"{new_code}\" is not an administrative unit code (digits)."),
                ),
            });
            continue;
        }
        let main = matches!(key(&main).as_str(), "x" | "1" | "co" | "yes" | "chinh");
        out.push(crate::reorg::Correspondence {
            old_code,
            old_name,
            new_code,
            new_name,
            main,
            new_province_code: (!province.is_empty()).then_some(province),
            row: i + 1,
        });
    }
    if !refused.is_empty() {
        return Err(refused);
    }
    // An old unit with several rows and none marked main: its first row's unit.
    let mut olds: Vec<String> = out.iter().map(|r| r.old_code.clone()).collect();
    olds.sort();
    olds.dedup();
    for old in olds {
        if !out.iter().any(|r| r.old_code == old && r.main) {
            if let Some(first) = out.iter_mut().find(|r| r.old_code == old) {
                first.main = true;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn tree() -> Vec<Area> {
        vec![Area {
            id: "NB".into(),
            parent_id: None,
            level: AreaLevel::Province,
            name: "Tỉnh Ninh Bình".into(),
            path: "NB/".into(),
            code: Some("37".into()),
            opened_on: None,
            closed_on: None,
            successor_id: None,
        }]
    }

    #[test]
    fn the_official_list_adds_and_renames_and_says_what_it_refuses() {
        let rows = vec![
            vec![t("DANH MỤC ĐƠN VỊ HÀNH CHÍNH")],
            vec![t("Mã"), t("Tên"), t("Cấp"), t("Mã cấp trên")],
            vec![t("37"), t("Tỉnh Ninh Bình"), t("Tỉnh"), t("")],
            vec![t("14302"), t("Phường Hoa Lư"), t("Phường"), t("37")],
            vec![
                Cell::Number(14320.0),
                t("Xã Gia Viễn"),
                t(""),
                Cell::Number(37.0),
            ],
            vec![t("14303"), t("Thôn Văn Lâm"), t("Thôn"), t("14302")],
            vec![t("99999"), t("Xã Không Có Cha"), t("Xã"), t("88")],
            vec![t("12a"), t("Xã Sai Mã"), t("Xã"), t("37")],
            vec![t("14304"), t("Khu Lạ"), t("Vùng"), t("37")],
        ];
        let r = plan_import(&rows, &tree(), &["NB/".to_string()]);
        let made: Vec<(&str, &str, AreaLevel)> = r
            .created
            .iter()
            .map(|a| (a.id.as_str(), a.path.as_str(), a.level))
            .collect();
        assert_eq!(
            made,
            [
                ("14302", "NB/14302/", AreaLevel::Commune),
                ("14320", "NB/14320/", AreaLevel::Commune),
                ("14303", "NB/14302/14303/", AreaLevel::Village),
            ]
        );
        assert_eq!(r.unchanged, 1);
        let refused: Vec<usize> = r.refused.iter().map(|x| x.row).collect();
        assert_eq!(refused, [7, 8, 9]);
        assert!(r.refused[0].reason.vi.contains("\"88\""));
        // Importing the same file again: nothing new, nothing renamed.
        let mut after = tree();
        after.extend(r.created.clone());
        let again = plan_import(&rows, &after, &["NB/".to_string()]);
        assert!(again.created.is_empty() && again.renamed.is_empty());
        assert_eq!(again.unchanged, 4);
        // A new name for a known code is a rename; another parent is refused.
        let renamed = vec![
            vec![t("Mã"), t("Tên"), t("Cấp"), t("Mã cấp trên")],
            vec![t("14302"), t("Phường Hoa Lư (mới)"), t("Phường"), t("37")],
            vec![t("14303"), t("Thôn Văn Lâm"), t("Thôn"), t("14320")],
        ];
        let r2 = plan_import(&renamed, &after, &["NB/".to_string()]);
        assert_eq!(r2.renamed.len(), 1);
        assert_eq!(r2.renamed[0].1.name, "Phường Hoa Lư (mới)");
        assert_eq!(r2.refused.iter().map(|x| x.row).collect::<Vec<_>>(), [3]);
        // Outside one's areas: refused.
        let other = plan_import(&rows, &tree(), &["NB/HL/".to_string()]);
        assert!(other.created.is_empty());
    }

    #[test]
    fn a_resolution_table_reads_as_a_correspondence() {
        let rows = vec![
            vec![t("BẢNG SẮP XẾP ĐƠN VỊ HÀNH CHÍNH CẤP XÃ")],
            vec![
                t("STT"),
                t("Mã ĐVHC cũ"),
                t("Tên ĐVHC cũ"),
                t("Mã ĐVHC mới"),
                t("Tên ĐVHC mới"),
            ],
            vec![
                t("1"),
                t("14329"),
                t("Phường Vân Giang"),
                t("14329"),
                t("Phường Hoa Lư"),
            ],
            vec![
                t("2"),
                Cell::Number(14503.0),
                t("Xã Gia Tân"),
                t("14488"),
                t("Xã Gia Vân"),
            ],
            vec![
                t("3"),
                t("14503"),
                t("Xã Gia Tân"),
                t("14533"),
                t("Phường Tây Hoa Lư"),
            ],
            vec![],
        ];
        let c = correspondence(&rows).unwrap();
        assert_eq!(c.len(), 3);
        assert!(
            c[0].main && c[1].main && !c[2].main,
            "first row of a divided unit is main"
        );
        assert_eq!(c[2].new_name, "Phường Tây Hoa Lư");
        let bad = vec![
            vec![t("Mã cũ"), t("Tên cũ"), t("Mã mới"), t("Tên mới")],
            vec![t(""), t("Xã Không Mã"), t("14488"), t("Xã Gia Vân")],
        ];
        assert_eq!(correspondence(&bad).unwrap_err()[0].row, 2);
        assert_eq!(correspondence(&[vec![t("Tên")]]).unwrap_err()[0].row, 1);
    }

    #[test]
    fn a_province_row_is_the_root_of_that_name_and_gives_it_its_code() {
        let mut root = tree();
        root[0].code = None;
        let rows = vec![
            vec![t("Mã"), t("Tên"), t("Cấp"), t("Mã cấp trên")],
            vec![t("37"), t("Tỉnh Ninh Bình"), t("Tỉnh"), t("")],
            vec![
                t("369"),
                t("Thành phố Hoa Lư"),
                t("Thành phố thuộc tỉnh"),
                t("37"),
            ],
            vec![t("14329"), t("Phường Vân Giang"), t("Phường"), t("369")],
            vec![t("35"), t("Tỉnh Hà Nam"), t("Tỉnh"), t("")],
            vec![
                t("347"),
                t("Thành phố Phủ Lý"),
                t("Thành phố thuộc tỉnh"),
                t("35"),
            ],
        ];
        let r = plan_import(&rows, &root, &["NB/".to_string()]);
        assert_eq!(r.renamed.len(), 1, "{r:?}");
        assert_eq!(r.renamed[0].1.code.as_deref(), Some("37"));
        let made: Vec<&str> = r.created.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(made, ["NB/369/", "NB/369/14329/"]);
        let refused: Vec<usize> = r.refused.iter().map(|x| x.row).collect();
        assert_eq!(refused, [5, 6]);
        assert!(r.refused[0].reason.vi.contains("--province 35"));
    }

    #[test]
    fn levels_as_the_list_writes_them() {
        for (s, l) in [
            ("Tỉnh", AreaLevel::Province),
            ("Thành phố Trực thuộc Trung ương", AreaLevel::Province),
            ("Quận", AreaLevel::District),
            ("Thị xã", AreaLevel::District),
            ("Phường", AreaLevel::Commune),
            ("Đặc khu", AreaLevel::Commune),
            ("Thị trấn", AreaLevel::Commune),
            ("Thôn", AreaLevel::Village),
        ] {
            assert_eq!(parse_level(s), Some(l), "{s}");
        }
        assert_eq!(parse_level("Vùng"), None);
    }
}
