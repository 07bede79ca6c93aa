//! Importing the cooperative registry from a spreadsheet (issue 15). Not a test: it
//! reports.
//!
//! A CSV of 10,000 cooperatives over the Ninh Bình communes (every column of an alliance's
//! list, Vietnamese headers, amounts as Vietnamese write them). Timed, in a fresh SQLite
//! file with the demo data: `rules::registry::import` as `POST /api/registry/import` runs
//! it, a dry run (read, match, validate; nothing written) and then the import (the same
//! and one transaction writing 10,000 records, their change-log rows for pull and their
//! audit entries). Baseline, same run, same file: the `sqlite3` command line's
//! `.import --csv --skip 1` of the file into a table of its own in a fresh file (no
//! parsing of values, no matching, no validation, no log). Then the same rows as an XLSX
//! workbook written the way offices keep them (tax codes and phones as numbers shown
//! through "0000000000" and "0#########", founding dates as date cells), dry run and
//! import, against the same baseline. Three runs each, median.
//!
//! Run: `cargo bench -p hoptac-server --bench import`.

use hoptac_server::rules::registry::{import, ImportOptions};
use hoptac_server::{demo, storage::Db};
use std::time::Instant;

const ROWS: usize = 10_000;
const RUNS: usize = 3;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn csv_file() -> String {
    let areas: serde_json::Value =
        serde_json::from_str(include_str!("../demo/ninh-binh-2021.json")).unwrap();
    let communes: Vec<String> = areas["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["level"] == "commune")
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    let sectors = [
        "Nông nghiệp",
        "\"Công nghiệp, tiểu thủ công nghiệp\"",
        "\"Thương mại, dịch vụ\"",
        "Vận tải",
    ];
    let mut out = String::from("Tên HTX,Loại hình,Lĩnh vực,Mã xã,Mã số thuế,Số ĐKKD,Ngày thành lập,Chủ tịch HĐQT/Giám đốc,Điện thoại,Số thành viên,Vốn điều lệ (đồng),Diện tích canh tác (ha),Tình trạng hoạt động\r\n");
    for i in 0..ROWS {
        let sector = sectors[i % 4];
        let area = if i % 4 == 0 {
            format!("{},{}", 10 + i % 90, i % 10)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "HTX Thử nghiệm {i},{},{sector},{},{},27{:08},{:02}/{:02}/{},Nguyễn Văn {i},09{:08},{},\"{}.000.000\",{},{}\r\n",
            if i % 7 == 0 { "THT" } else { "HTX" },
            communes[i % communes.len()],
            2_900_000_000u64 + i as u64,
            i,
            1 + i % 28,
            1 + i % 12,
            1995 + i % 30,
            i,
            7 + i % 300,
            100 + i % 900,
            if area.is_empty() { String::new() } else { format!("\"{area}\"") },
            if i % 10 == 0 { "Hoạt động cầm chừng" } else { "Đang hoạt động" },
        ));
    }
    out
}

/// The same rows as an XLSX workbook: identifiers as numbers with the formats that show
/// their leading zeros, dates as date cells, amounts as numbers.
fn xlsx_file(csv: &str) -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let (tax, phone, date) = (
        Format::new().set_num_format("0000000000"),
        Format::new().set_num_format("0#########"),
        Format::new().set_num_format("dd/mm/yyyy"),
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    for (r, rec) in reader.records().enumerate() {
        let rec = rec.unwrap();
        for (c, v) in rec.iter().enumerate() {
            let (r, col) = (r as u32, c as u16);
            match c {
                _ if r == 0 => sheet.write_string(r, col, v).map(|_| ()),
                4 => sheet
                    .write_number_with_format(r, col, v.parse::<f64>().unwrap(), &tax)
                    .map(|_| ()),
                8 => sheet
                    .write_number_with_format(r, col, v.parse::<f64>().unwrap(), &phone)
                    .map(|_| ()),
                6 => {
                    let p: Vec<u32> = v.split('/').map(|x| x.parse().unwrap()).collect();
                    let d = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        p[2] as u16,
                        p[1] as u8,
                        p[0] as u8,
                    )
                    .unwrap();
                    sheet
                        .write_datetime_with_format(r, col, &d, &date)
                        .map(|_| ())
                }
                _ => sheet.write_string(r, col, v).map(|_| ()),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// Seconds of the dry run and of the import of `bytes` into a fresh SQLite file `name`
/// holding the demo data.
async fn timed_import(dir: &std::path::Path, name: &str, bytes: &[u8]) -> (f64, f64) {
    let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    let db = Db::connect(&url).await.unwrap();
    demo::load_if_empty(&db).await.unwrap();
    let admin = hoptac_server::storage::users::load(&db, "u-admin")
        .await
        .unwrap()
        .unwrap();
    let t = Instant::now();
    let r = import(&db, &admin, bytes, &ImportOptions::default())
        .await
        .unwrap();
    let dry = t.elapsed().as_secs_f64();
    assert_eq!(
        (r.created as usize, r.refused.len()),
        (ROWS, 0),
        "{:?}",
        r.refused.first()
    );
    let t = Instant::now();
    let r = import(
        &db,
        &admin,
        bytes,
        &ImportOptions {
            apply: true,
            ..ImportOptions::default()
        },
    )
    .await
    .unwrap();
    let apply = t.elapsed().as_secs_f64();
    assert!(r.applied && r.created as usize == ROWS);
    db.pool.close().await;
    (dry, apply)
}

#[tokio::main]
async fn main() {
    let file = csv_file();
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("htx.csv");
    std::fs::write(&csv_path, &file).unwrap();
    println!("{ROWS} rows, {} KB", file.len() / 1024);
    let (mut dry, mut apply, mut base) = (Vec::new(), Vec::new(), Vec::new());
    let (mut xdry, mut xapply) = (Vec::new(), Vec::new());
    // The same rows as a workbook.
    let book = xlsx_file(&file);
    for run in 0..RUNS {
        let (d, a) = timed_import(dir.path(), &format!("h{run}"), file.as_bytes()).await;
        dry.push(d);
        apply.push(a);
        let (d, a) = timed_import(dir.path(), &format!("x{run}"), &book).await;
        xdry.push(d);
        xapply.push(a);

        let base_db = dir.path().join(format!("b{run}.db"));
        let t = Instant::now();
        let out = std::process::Command::new("sqlite3")
            .arg(&base_db)
            .arg(format!(".import --csv --skip 1 {} htx", csv_path.display()))
            .output()
            .expect("the sqlite3 command line (apt install sqlite3)");
        base.push(t.elapsed().as_secs_f64());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (d, a, b) = (median(dry), median(apply), median(base));
    let (xd, xa) = (median(xdry), median(xapply));
    println!("XLSX {} KB: dry run {:>7.0} ms, import {:>7.0} ms; ratio to sqlite3 .import of the CSV: {:.1}, {:.1}",
        book.len() / 1024, xd * 1000.0, xa * 1000.0, xd / b, xa / b);
    println!("dry run:            {:>7.0} ms", d * 1000.0);
    println!("import (applied):   {:>7.0} ms", a * 1000.0);
    println!("sqlite3 .import:    {:>7.0} ms", b * 1000.0);
    println!(
        "ratio dry run / sqlite3: {:.1}; import / sqlite3: {:.1}",
        d / b,
        a / b
    );
}
