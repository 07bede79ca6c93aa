//! The cooperative registry as alliances keep it in Excel: the columns (Vietnamese
//! headers as an alliance writes them, with the variants found in provincial lists), how a
//! row's cells become a cooperative's fields, how a commune named in a cell is found in
//! the area tree, and the import report. The server reads the file (XLSX with calamine,
//! CSV with the csv crate) into [`Cell`]s and applies what this module decides; the
//! export writes the same columns, so export → import changes nothing.

use crate::i18n::Msg;
use crate::keyed::Keyed;
use crate::labels;
use crate::model::{
    Area, AreaLevel, CoopKind, Cooperative, OperatingScale, OperatingStatus, Sector,
};
use crate::text::{normalize, parse_decimal, parse_whole};
use serde::{Deserialize, Serialize};

pub use crate::spreadsheet::Cell;
use crate::spreadsheet::{is_scientific, DateOrder};

mod columns;
mod communes;
mod duplicates;
mod export;
mod report;
mod rows;
pub use columns::*;
pub use communes::*;
pub use duplicates::*;
pub use export::*;
pub use report::*;
pub use rows::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn headers_as_alliances_write_them() {
        let key = |h: &str| match_header(h).map(|c| c.key);
        assert_eq!(key("Tên HTX"), Some("name"));
        assert_eq!(key("TÊN HỢP TÁC XÃ"), Some("name"));
        assert_eq!(key("Ma so thue"), Some("tax_code"));
        assert_eq!(key("MST"), Some("tax_code"));
        assert_eq!(key("Số ĐKKD"), Some("registration_no"));
        assert_eq!(key("Chủ tịch HĐQT/Giám đốc"), Some("chair_name"));
        assert_eq!(key("Vốn điều lệ (triệu đồng)"), Some("charter_capital_vnd"));
        assert_eq!(capital_unit("Vốn điều lệ (triệu đồng)"), 1_000_000);
        assert_eq!(capital_unit("Vốn điều lệ (đồng)"), 1);
        assert_eq!(key("Ghi chú"), None);
        // Every header the export writes is read back as its own column.
        for c in COLUMNS {
            assert_eq!(
                match_header(c.header).map(|m| m.field),
                Some(c.field),
                "{}",
                c.header
            );
        }
    }

    #[test]
    fn a_row_reads_as_typed_and_names_each_bad_cell() {
        let headers: Vec<String> = [
            "Tên HTX",
            "Loại hình",
            "Lĩnh vực",
            "Xã/Phường",
            "Mã số thuế",
            "Ngày thành lập",
            "Số thành viên",
            "Vốn điều lệ (triệu đồng)",
            "Diện tích canh tác",
            "Tình trạng hoạt động",
            "Ghi chú",
        ]
        .map(String::from)
        .to_vec();
        let map = Mapping::new(&headers, &[]);
        assert_eq!(map.fields[10], None, "an unknown column is ignored");
        assert!(map.missing().is_empty());
        let r = parse_row(
            2,
            &[
                t("HTX Ninh Hải"),
                t("Hợp tác xã"),
                t("Nông nghiệp"),
                t("Xã Ninh Hải"),
                t("2700123456"),
                t("15/03/2019"),
                t("1.234"),
                t("1.500,5"),
                Cell::Number(12.5),
                t("Hoạt động cầm chừng"),
                t("x"),
            ],
            &map,
        )
        .unwrap();
        assert_eq!(r.coop.name, "HTX Ninh Hải");
        assert_eq!(r.coop.kind, CoopKind::Htx);
        assert_eq!(r.coop.established_on.as_deref(), Some("2019-03-15"));
        assert_eq!(
            parse_date("27/11/1997").as_deref(),
            Some("1997-11-27"),
            "founded before 2000"
        );
        assert_eq!(r.coop.members, Some(1234));
        assert_eq!(
            r.coop.charter_capital_vnd,
            Some(1_500_500_000),
            "millions of đồng"
        );
        assert_eq!(r.coop.cultivated_area_ha, Some(12.5));
        assert_eq!(r.coop.status, OperatingStatus::Standstill);
        assert!(r.coop.tax_registered);

        let bad = parse_row(
            7,
            &[
                t("HTX B"),
                t("Công ty"),
                t("Nông nghiệp"),
                t("Ninh Hải"),
                t(""),
                t("31/02/2019"),
                t("nhiều"),
                t(""),
                t(""),
                t(""),
                t(""),
            ],
            &map,
        )
        .unwrap_err();
        let cols: Vec<&str> = bad.iter().map(|n| n.column.as_str()).collect();
        assert_eq!(cols, ["Loại hình", "Ngày thành lập", "Số thành viên"]);
        assert!(bad.iter().all(|n| n.row == 7));
    }

    #[test]
    fn a_mapping_step_names_what_headers_do_not() {
        let headers: Vec<String> = ["Đơn vị", "Địa chỉ xã", "MST"].map(String::from).to_vec();
        let map = Mapping::new(&headers, &[]);
        assert_eq!(map.missing().len(), 2);
        let map = Mapping::new(
            &headers,
            &[
                ("Đơn vị".into(), "name".into()),
                ("Địa chỉ xã".into(), "commune".into()),
            ],
        );
        assert!(map.missing().is_empty());
        assert_eq!(
            map.fields,
            [
                Some(Field::Name),
                Some(Field::Commune),
                Some(Field::TaxCode)
            ]
        );
    }

    #[test]
    fn communes_are_found_by_name_code_or_district() {
        let area = |id: &str, parent: Option<&str>, level, name: &str| Area {
            code: None,
            opened_on: None,
            closed_on: None,
            successor_id: None,
            id: id.into(),
            parent_id: parent.map(String::from),
            level,
            name: name.into(),
            path: String::new(),
        };
        let areas = vec![
            area("NB", None, AreaLevel::Province, "Ninh Bình"),
            area("HLU", Some("NB"), AreaLevel::District, "Huyện Hoa Lư"),
            area("YMO", Some("NB"), AreaLevel::District, "Huyện Yên Mô"),
            area("NHAI", Some("HLU"), AreaLevel::Commune, "Xã Ninh Hải"),
            area("KHANH1", Some("HLU"), AreaLevel::Commune, "Xã Khánh An"),
            area("KHANH2", Some("YMO"), AreaLevel::Commune, "Xã Khánh An"),
        ];
        let idx = AreaIndex::new(&areas);
        let row = |commune: Option<&str>, district: Option<&str>, code: Option<&str>| ParsedRow {
            row: 2,
            id: None,
            coop: parse_row(2, &[], &Mapping::new(&[], &[])).unwrap().coop,
            commune: commune.map(String::from),
            district: district.map(String::from),
            commune_code: code.map(String::from),
            present: vec![],
            cleared: vec![],
        };
        assert_eq!(
            idx.commune(&row(Some("ninh hai"), None, None)).unwrap().id,
            "NHAI"
        );
        assert!(idx
            .commune(&row(Some("Khánh An"), None, None))
            .unwrap_err()
            .vi
            .contains("Có 2 xã"));
        assert_eq!(
            idx.commune(&row(Some("Khánh An"), Some("Yên Mô"), None))
                .unwrap()
                .id,
            "KHANH2"
        );
        assert_eq!(
            idx.commune(&row(None, None, Some("khanh1"))).unwrap().id,
            "KHANH1"
        );
        assert!(
            idx.commune(&row(Some("Hoa Lư"), None, None)).is_err(),
            "a district is not a commune"
        );
        // A code names the open unit carrying it (a new ward keeps the code of a commune
        // it absorbed), and a closed unit's code its successor.
        let coded = |id: &str, code: &str, closed: Option<&str>| Area {
            code: Some(code.into()),
            closed_on: closed.map(|_| "2025-07-01".into()),
            successor_id: closed.map(Into::into),
            ..area(id, Some("NB"), AreaLevel::Commune, id)
        };
        let reformed = vec![
            area("NB", None, AreaLevel::Province, "Ninh Bình"),
            coded("VANGIANG", "14329", Some("HOALU")),
            coded("HOALU", "14329", None),
            coded("NINHNHAT", "14341", Some("HOALU")),
        ];
        let idx = AreaIndex::new(&reformed);
        assert_eq!(
            idx.commune(&row(None, None, Some("14329"))).unwrap().id,
            "HOALU"
        );
        assert_eq!(
            idx.commune(&row(None, None, Some("14341"))).unwrap().id,
            "HOALU"
        );
    }

    #[test]
    fn a_second_record_of_one_legal_entity_is_named() {
        let mut a = parse_row(2, &[], &Mapping::new(&[], &[])).unwrap().coop;
        a.id = "a".into();
        a.name = "HTX A".into();
        a.tax_code = Some("2700123456".into());
        let mut b = a.clone();
        b.id = "b".into();
        b.tax_code = Some("2700 123 456".into());
        b.registration_no = Some("27A-1".into());
        let errs = same_identifiers(&b, [&a, &b]);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "tax_code");
        assert!(errs[0].message.vi.contains("HTX A"));
        assert!(
            same_identifiers(&a, [&a]).is_empty(),
            "a record is not its own duplicate"
        );
        b.tax_code = None;
        assert!(same_identifiers(&b, [&a]).is_empty());
    }

    #[test]
    fn identifiers_ignore_spacing_and_case() {
        assert_eq!(
            identifier_key(" 2700 123-456 ").as_deref(),
            Some("2700123456")
        );
        assert_eq!(
            identifier_key("09.07.000123a").as_deref(),
            Some("09070001 23A".replace(' ', "").as_str())
        );
        assert_eq!(identifier_key(" - "), None);
    }

    #[test]
    fn export_reads_back_as_the_same_profile() {
        let commune = Area {
            code: None,
            opened_on: None,
            closed_on: None,
            successor_id: None,
            id: "NHAI".into(),
            parent_id: Some("HLU".into()),
            level: AreaLevel::Commune,
            name: "Xã Ninh Hải".into(),
            path: "NB/HLU/NHAI/".into(),
        };
        let c = Cooperative {
            id: "coop-1".into(),
            kind: CoopKind::Tht,
            name: "THT Rau sạch".into(),
            sector: Sector::TradeServices,
            area_id: "NHAI".into(),
            area_path: "NB/HLU/NHAI/".into(),
            scale: Some(OperatingScale::InterVillage),
            established_on: Some("2020-01-31".into()),
            registration_no: Some("27A-000123".into()),
            tax_code: Some("2700123456".into()),
            tax_registered: true,
            chair_name: Some("Trần Thị B".into()),
            chair_phone: Some("0912345678".into()),
            members: Some(12),
            workers: Some(3),
            charter_capital_vnd: Some(1_250_000_000),
            cultivated_area_ha: None,
            main_products: Some("Rau".into()),
            status: OperatingStatus::Suspended,
            newly_established: false,
            main_photo: None,
            moved_from: None,
            version: 3,
        };
        let cells = export_row(&c, &commune, None);
        let headers: Vec<String> = COLUMNS.iter().map(|c| c.header.to_string()).collect();
        let r = parse_row(2, &cells, &Mapping::new(&headers, &[])).unwrap();
        assert_eq!(r.id.as_deref(), Some("coop-1"));
        assert_eq!(r.commune_code.as_deref(), Some("NHAI"));
        let mut back = r.coop;
        back.id = c.id.clone();
        back.area_id = c.area_id.clone();
        back.area_path = c.area_path.clone();
        back.version = c.version;
        assert_eq!(back, c);
    }
}
