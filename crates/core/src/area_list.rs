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
    let find = |tree: &[Area], code: &str| -> Option<Area> {
        tree.iter()
            .find(|a| a.code.as_deref() == Some(code))
            .or_else(|| tree.iter().find(|a| a.id == code))
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
        if let Some(existing) = find(&tree, &code) {
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
            if !existing.is_open() {
                refuse(
                    &mut report,
                    row,
                    format!("{} đã giải thể.", existing.name),
                    format!("{} is closed.", existing.name),
                );
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
        let area = Area {
            id: code.clone(),
            parent_id: Some(parent.id.clone()),
            level,
            name,
            path: format!("{}{code}/", parent.path),
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
