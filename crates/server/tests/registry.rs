//! The registry imported from workbooks as offices keep them (`POST /api/registry/import`):
//! blank and merged cells, identifiers Excel shows with leading zeros, the 1904 date
//! system and US-ordered dates, a hidden first sheet, text typed with old Vietnamese
//! fonts, and export → import changing nothing. Each workbook is written the way Excel
//! writes it (rust_xlsxwriter: merged ranges, number formats, hidden sheets; the 1904
//! flag set in workbook.xml as Excel for Mac writes it).

mod common;

use common::xlsx::with_1904_dates;
use common::{start, Backend, TestServer};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

const HEADERS: [&str; 8] = [
    "Tên HTX",
    "Loại hình",
    "Xã/Phường",
    "Mã số thuế",
    "Tình trạng hoạt động",
    "Điện thoại",
    "Ngày thành lập",
    "Lĩnh vực",
];

fn headers(sheet: &mut rust_xlsxwriter::Worksheet) {
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
}

async fn apply(s: &TestServer, token: &str, file: Vec<u8>, fields: &[(&str, &str)]) -> Value {
    let mut all = vec![("apply", "true")];
    all.extend_from_slice(fields);
    let (st, r) = s.import_registry(token, file, "htx.xlsx", &all).await;
    assert_eq!(st, 200, "{r}");
    r
}

fn refused_messages(r: &Value) -> Vec<(u64, String, String)> {
    r["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["row"].as_u64().unwrap(),
                n["column"].as_str().unwrap().to_string(),
                n["message"]["vi"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

on_both!(blank_and_merged_cells_never_reset_what_is_stored);
async fn blank_and_merged_cells_never_reset_what_is_stored(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    // The office's first list: three THT, one suspended, with tax codes and phones.
    let first = [
        "Tên HTX,Loại hình,Xã/Phường,Mã số thuế,Tình trạng hoạt động,Điện thoại",
        "THT Mây tre Ninh Hải,THT,Xã Ninh Hải,2700200001,Tạm ngừng,0912345001",
        "THT Rau Ninh Hải,THT,Xã Ninh Hải,2700200002,Đang hoạt động,0912345002",
        "THT Cói Ninh Hải,THT,Xã Ninh Hải,2700200003,Đang hoạt động,0912345003",
    ]
    .join("\r\n");
    let (st, r) = s
        .import_registry(&admin, first.into_bytes(), "htx.csv", &[("apply", "true")])
        .await;
    assert_eq!((st, r["created"].as_u64()), (200, Some(3)), "{r}");

    // The next list, as an office edits it: "Loại hình" merged over the three THT rows
    // (only the first cell holds "THT"), the status, tax code and phone left blank, one
    // phone cleared on purpose with "(xóa)".
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    headers(sheet);
    sheet
        .merge_range(1, 1, 3, 1, "THT", &Format::new())
        .unwrap();
    for (r, name) in [
        "THT Mây tre Ninh Hải",
        "THT Rau Ninh Hải",
        "THT Cói Ninh Hải",
    ]
    .iter()
    .enumerate()
    {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *name).unwrap();
        sheet.write_string(r, 2, "Xã Ninh Hải").unwrap();
    }
    sheet.write_string(3, 5, "(xóa)").unwrap();
    let r = apply(&s, &admin, book.save_to_buffer().unwrap(), &[]).await;
    assert_eq!(
        (
            r["created"].as_u64(),
            r["updated"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(0), Some(1), Some(2)),
        "only the cleared phone changes: {r}"
    );
    let suspended = s.cooperative_named("THT Mây tre Ninh Hải").await.unwrap();
    assert_eq!(
        serde_json::to_value(suspended.kind).unwrap(),
        "tht",
        "a merged cell covers its range: still THT"
    );
    assert_eq!(
        serde_json::to_value(suspended.status).unwrap(),
        "suspended",
        "a blank status keeps 'Tạm ngừng'"
    );
    assert_eq!(suspended.tax_code.as_deref(), Some("2700200001"));
    assert!(suspended.tax_registered, "a blank tax code keeps the flag");
    assert_eq!(suspended.chair_phone.as_deref(), Some("0912345001"));
    let cleared = s.cooperative_named("THT Cói Ninh Hải").await.unwrap();
    assert_eq!(cleared.chair_phone, None, "(xóa) clears the phone");
    assert_eq!(serde_json::to_value(cleared.kind).unwrap(), "tht");

    // "(xóa)" where a value is required is refused, naming the cell.
    let bad = "Tên HTX,Loại hình,Xã/Phường\r\nTHT Rau Ninh Hải,(xóa),Xã Ninh Hải\r\n";
    let (_, r) = s
        .import_registry(&admin, bad.as_bytes().to_vec(), "x.csv", &[])
        .await;
    let refused = refused_messages(&r);
    assert_eq!(refused.len(), 1, "{r}");
    assert_eq!((refused[0].0, refused[0].1.as_str()), (2, "Loại hình"));
}

on_both!(identifiers_are_read_as_excel_shows_them);
async fn identifiers_are_read_as_excel_shows_them(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    headers(sheet);
    let ten_digits = Format::new().set_num_format("0000000000");
    let phone = Format::new().set_num_format("0#########");
    // Hà Nội's prefix 01: shown as 0107001234 by its format, stored as 107001234.
    sheet.write_string(1, 0, "HTX Mã số có số 0").unwrap();
    sheet.write_string(1, 2, "Xã Ninh Giang").unwrap();
    sheet
        .write_number_with_format(1, 3, 107001234.0, &ten_digits)
        .unwrap();
    sheet
        .write_number_with_format(1, 5, 912345678.0, &phone)
        .unwrap();
    // The same numbers in General format: Excel shows 107001234, the zero is gone.
    sheet.write_string(2, 0, "HTX Mất số 0").unwrap();
    sheet.write_string(2, 2, "Xã Ninh Giang").unwrap();
    sheet.write_number(2, 3, 107001235.0).unwrap();
    // A 13-digit number Excel shows in scientific notation.
    sheet.write_string(3, 0, "HTX Số khoa học").unwrap();
    sheet.write_string(3, 2, "Xã Ninh Giang").unwrap();
    sheet.write_number(3, 3, 2700100001001.0).unwrap();
    let r = apply(&s, &admin, book.save_to_buffer().unwrap(), &[]).await;
    assert_eq!(r["created"].as_u64(), Some(1), "{r}");
    let c = s.cooperative_named("HTX Mã số có số 0").await.unwrap();
    assert_eq!(c.tax_code.as_deref(), Some("0107001234"));
    assert_eq!(c.chair_phone.as_deref(), Some("0912345678"));
    let refused = refused_messages(&r);
    assert_eq!(
        refused
            .iter()
            .map(|(row, col, _)| (*row, col.as_str()))
            .collect::<Vec<_>>(),
        [(3, "Mã số thuế"), (4, "Mã số thuế")],
        "{r}"
    );
    assert!(refused[0].2.contains("số 0"), "{}", refused[0].2);
    assert!(refused[1].2.contains("khoa học"), "{}", refused[1].2);
    // In a CSV too: a tax code written in scientific notation is refused.
    let csv = "Tên HTX,Xã/Phường,Mã số thuế\r\nHTX CSV khoa học,Xã Ninh Giang,\"2,7001E+09\"\r\n";
    let (_, r) = s
        .import_registry(&admin, csv.as_bytes().to_vec(), "x.csv", &[])
        .await;
    assert_eq!(refused_messages(&r).len(), 1, "{r}");
}

on_both!(dates_in_the_1904_system_and_in_us_order);
async fn dates_in_the_1904_system_and_in_us_order(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    // 15 March 2019 in the 1904 system: 1,462 days fewer than in the 1900 system.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    headers(sheet);
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet.write_string(1, 0, "HTX Sổ Mac").unwrap();
    sheet.write_string(1, 2, "Xã Ninh Xuân").unwrap();
    sheet
        .write_number_with_format(1, 6, 43539.0 - 1462.0, &date)
        .unwrap();
    let file = with_1904_dates(book.save_to_buffer().unwrap());
    let r = apply(&s, &admin, file, &[]).await;
    assert_eq!(r["created"].as_u64(), Some(1), "{r}");
    let c = s.cooperative_named("HTX Sổ Mac").await.unwrap();
    assert_eq!(c.established_on.as_deref(), Some("2019-03-15"));

    // A CSV saved with US regional settings: 7/1/2025 is 1 July, told by 3/15/2019.
    let us = "Tên HTX,Xã/Phường,Ngày thành lập\r\nHTX Kiểu Mỹ A,Xã Ninh Xuân,7/1/2025\r\nHTX Kiểu Mỹ B,Xã Ninh Xuân,3/15/2019\r\n";
    let (st, r) = s
        .import_registry(
            &admin,
            us.as_bytes().to_vec(),
            "us.csv",
            &[("apply", "true")],
        )
        .await;
    assert_eq!((st, r["created"].as_u64()), (200, Some(2)), "{r}");
    assert_eq!(r["date_order"]["order"], "mdy", "{r}");
    assert!(r["date_order"]["rule"]["vi"]
        .as_str()
        .unwrap()
        .contains("3/15/2019"));
    let a = s.cooperative_named("HTX Kiểu Mỹ A").await.unwrap();
    assert_eq!(a.established_on.as_deref(), Some("2025-07-01"));

    // Every date could be read both ways: the dry run asks, nothing is written until
    // the administrator says which.
    let unclear = "Tên HTX,Xã/Phường,Ngày thành lập\r\nHTX Hỏi ngày,Xã Ninh Xuân,7/1/2025\r\n";
    let (st, r) = s
        .import_registry(
            &admin,
            unclear.as_bytes().to_vec(),
            "hoi.csv",
            &[("apply", "true")],
        )
        .await;
    assert_eq!((st, r["applied"].as_bool()), (200, Some(false)), "{r}");
    assert_eq!(r["problems"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["date_order"]["examples"][0], "7/1/2025");
    assert!(s.cooperative_named("HTX Hỏi ngày").await.is_none());
    let (st, r) = s
        .import_registry(
            &admin,
            unclear.as_bytes().to_vec(),
            "hoi.csv",
            &[("apply", "true"), ("date_order", "dmy")],
        )
        .await;
    assert_eq!((st, r["created"].as_u64()), (200, Some(1)), "{r}");
    let c = s.cooperative_named("HTX Hỏi ngày").await.unwrap();
    assert_eq!(c.established_on.as_deref(), Some("2025-01-07"));
    let (st, r) = s
        .import_registry(
            &admin,
            unclear.as_bytes().to_vec(),
            "hoi.csv",
            &[("date_order", "ymd")],
        )
        .await;
    assert_eq!(
        (st, r["fields"][0]["field"].as_str()),
        (422, Some("date_order"))
    );
}

on_both!(the_visible_sheet_is_read_and_another_can_be_chosen);
async fn the_visible_sheet_is_read_and_another_can_be_chosen(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let mut book = Workbook::new();
    let last_year = book.add_worksheet();
    last_year.set_name("Năm 2024").unwrap();
    headers(last_year);
    last_year.write_string(1, 0, "HTX Danh sách cũ").unwrap();
    last_year.write_string(1, 2, "Xã Ninh Vân").unwrap();
    last_year.set_hidden(true);
    let this_year = book.add_worksheet();
    this_year.set_name("Năm 2025").unwrap();
    headers(this_year);
    this_year.write_string(1, 0, "HTX Danh sách mới").unwrap();
    this_year.write_string(1, 2, "Xã Ninh Vân").unwrap();
    this_year.set_active(true);
    let file = book.save_to_buffer().unwrap();
    let (st, r) = s
        .import_registry(&admin, file.clone(), "htx.xlsx", &[])
        .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["sheet"], "Năm 2025");
    assert_eq!(
        r["sheets"],
        serde_json::json!([{"name": "Năm 2024", "visible": false}, {"name": "Năm 2025", "visible": true}])
    );
    apply(&s, &admin, file.clone(), &[]).await;
    assert!(s.cooperative_named("HTX Danh sách mới").await.is_some());
    assert!(s.cooperative_named("HTX Danh sách cũ").await.is_none());
    apply(&s, &admin, file.clone(), &[("sheet", "Năm 2024")]).await;
    assert!(s.cooperative_named("HTX Danh sách cũ").await.is_some());
    let (st, r) = s
        .import_registry(&admin, file, "htx.xlsx", &[("sheet", "Năm 2023")])
        .await;
    assert_eq!(
        (st, r["fields"][0]["field"].as_str()),
        (422, Some("sheet")),
        "{r}"
    );
}

on_both!(old_vietnamese_fonts_inside_a_workbook);
async fn old_vietnamese_fonts_inside_a_workbook(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    // Typed with .VnTime: the workbook keeps the font's Latin-1 letters, so "Hợp tác xã
    // Đồng Giao" is stored as "Hîp t¸c x· §ång Giao" and "Xã Ninh Hải" as "X· Ninh H¶i".
    let latin1 = |bytes: &[u8]| bytes.iter().map(|b| *b as char).collect::<String>();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    headers(sheet);
    sheet
        .write_string(1, 0, latin1(b"H\xeep t\xb8c x\xb7 \xa7\xe5ng Giao"))
        .unwrap();
    sheet
        .write_string(1, 2, latin1(b"X\xb7 Ninh H\xb6i"))
        .unwrap();
    let r = apply(&s, &admin, book.save_to_buffer().unwrap(), &[]).await;
    assert_eq!(r["created"].as_u64(), Some(1), "{r}");
    assert_eq!(r["encoding"], "XLSX (TCVN3 → Unicode)");
    assert!(s.cooperative_named("Hợp tác xã Đồng Giao").await.is_some());

    // Typed with VNI-Times: refused with a conversion that works, nothing written.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    headers(sheet);
    sheet
        .write_string(1, 0, "Hôïp taùc xaõ Ñoàng Taâm")
        .unwrap();
    sheet.write_string(1, 2, "Xaõ Ninh Haûi").unwrap();
    let (st, r) = s
        .import_registry(
            &admin,
            book.save_to_buffer().unwrap(),
            "vni.xlsx",
            &[("apply", "true")],
        )
        .await;
    assert_eq!(st, 422, "{r}");
    let msg = r["fields"][0]["message"]["vi"].as_str().unwrap();
    assert!(msg.contains("VNI") && msg.contains("UniKey"), "{msg}");
}

on_both!(an_export_whose_dates_all_read_both_ways_imports_unchanged);
async fn an_export_whose_dates_all_read_both_ways_imports_unchanged(backend: Backend) {
    let Some(s) = common::start_province(backend, "37").await else {
        return;
    };
    let admin = s.login("quantri.tinh", "mat-khau-quan-tri").await;
    // Every founding date with a day of 12 or less: as text they would read both ways.
    let csv = "Tên HTX,Xã/Phường,Ngày thành lập\r\nHTX Ngày Một,Phường Hoa Lư,05/03/2019\r\nHTX Ngày Hai,Phường Hoa Lư,02/01/2020\r\n";
    let (st, r) = s
        .import_registry(
            &admin,
            csv.as_bytes().to_vec(),
            "a.csv",
            &[("apply", "true"), ("date_order", "dmy")],
        )
        .await;
    assert_eq!((st, r["created"].as_u64()), (200, Some(2)), "{r}");
    let xlsx = s.export_registry(&admin).await;
    let r = apply(&s, &admin, xlsx, &[]).await;
    assert_eq!(
        (
            r["applied"].as_bool(),
            r["unchanged"].as_u64(),
            r["updated"].as_u64()
        ),
        (Some(true), Some(2), Some(0)),
        "{r}"
    );
    assert_eq!(
        s.cooperative_named("HTX Ngày Một")
            .await
            .unwrap()
            .established_on
            .as_deref(),
        Some("2019-03-05")
    );
}

/// A body over the upload limit is refused as too large (413), not as a broken form.
#[tokio::test]
async fn an_upload_over_the_limit_is_413() {
    let Some(s) = start(Backend::Sqlite).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let big = vec![b'a'; hoptac_server::spreadsheets::MAX_FILE_BYTES + 200 * 1024];
    let (st, b) = s.import_registry(&admin, big, "big.csv", &[]).await;
    assert_eq!(st, 413, "{b}");
}

on_both!(export_then_import_changes_nothing_on_any_column);
async fn export_then_import_changes_nothing_on_any_column(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    // A record with every column filled, a phone typed with spaces, a tax code whose
    // registration is not done yet, a scale, capital and area.
    let full = [
        "Tên HTX,Loại hình,Lĩnh vực,Xã/Phường,Mã số thuế,Đã đăng ký thuế,Số ĐKKD,Ngày thành lập,Chủ tịch HĐQT/Giám đốc,Điện thoại,Số thành viên,Số lao động,Vốn điều lệ (đồng),Diện tích canh tác (ha),Tình trạng hoạt động,Quy mô,Sản phẩm chính",
        "HTX Đủ cột,HTX,Nông nghiệp,Xã Ninh Hải,2700300001,Chưa,27A8000123,15/03/2019,Nguyễn Văn A,0912 345 678,25,12,1.500.000.000,\"12,5\",Hoạt động cầm chừng,Liên thôn,Lúa gạo",
    ]
    .join("\r\n");
    let (st, r) = s
        .import_registry(&admin, full.into_bytes(), "full.csv", &[("apply", "true")])
        .await;
    assert_eq!((st, r["created"].as_u64()), (200, Some(1)), "{r}");
    let before = s.cooperative_named("HTX Đủ cột").await.unwrap();
    assert!(!before.tax_registered, "the file said 'Chưa'");
    // The phone as stored with spaces, as an officer types it on the tablet.
    let mut spaced = before.clone();
    spaced.chair_phone = Some("0912 345 678".into());
    sqlx::query("UPDATE cooperatives SET body = $1 WHERE id = $2")
        .bind(serde_json::to_string(&spaced).unwrap())
        .bind(&spaced.id)
        .execute(&s.pool)
        .await
        .unwrap();

    let xlsx = s.export_registry(&admin).await;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cooperatives")
        .fetch_one(&s.pool)
        .await
        .unwrap();
    let r = apply(&s, &admin, xlsx, &[]).await;
    assert_eq!(
        (
            r["rows"].as_i64(),
            r["unchanged"].as_i64(),
            r["updated"].as_i64(),
            r["created"].as_i64()
        ),
        (Some(total), Some(total), Some(0), Some(0)),
        "{}",
        r["notes_csv"]
    );
    let after = s.cooperative_named("HTX Đủ cột").await.unwrap();
    assert_eq!(after, spaced, "every field as it was");
}
