//! Files made to hurt, sent where offices upload spreadsheets (`POST /api/registry/import`):
//! an XLSX whose parts expand to hundreds of megabytes (a shared-string table calamine
//! would read whole when the file opens), an XLSX of thousands of parts, a CSV of one
//! enormous line, a file over the size limit. Each is refused quickly with a clear message
//! (4xx, in Vietnamese and English) and changes nothing; an ordinary workbook beside them
//! still imports.

mod common;

use common::hurtful::{expanding_workbook, many_parts_workbook, multiplying_workbook, ordinary_workbook};
use common::{start, Backend, TestServer};
use std::time::{Duration, Instant};

/// Sends `file` for import (applied) and says how long the answer took.
async fn send(
    s: &TestServer,
    admin: &str,
    file: Vec<u8>,
    name: &str,
) -> (u16, serde_json::Value, Duration) {
    let t = Instant::now();
    let (st, body) = s
        .import_registry(admin, file, name, &[("apply", "true")])
        .await;
    (st, body, t.elapsed())
}

/// The refusal's Vietnamese message for the file (the field "file").
fn file_message(body: &serde_json::Value) -> String {
    body["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["field"] == "file"))
        .and_then(|f| f["message"]["vi"].as_str())
        .unwrap_or_default()
        .to_string()
}

on_both!(hurtful_files_are_refused_quickly_and_change_nothing);
async fn hurtful_files_are_refused_quickly_and_change_nothing(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;

    // An XLSX whose shared strings expand to 260 MB (about 400 KB sent).
    let bomb = expanding_workbook(260 * 1024 * 1024);
    assert!(
        bomb.len() < 2 * 1024 * 1024,
        "the bomb is small on the wire: {}",
        bomb.len()
    );
    let (st, body, took) = send(&s, &admin, bomb, "htx.xlsx").await;
    assert_eq!(st, 422, "{body}");
    assert!(
        file_message(&body).contains("giải nén ra hơn 200 MB"),
        "says what is wrong: {body}"
    );
    assert!(took < Duration::from_secs(20), "refused quickly: {took:?}");

    // An XLSX of 5,000 parts.
    let (st, body, took) = send(&s, &admin, many_parts_workbook(5_000), "htx.xlsx").await;
    assert_eq!(st, 422, "{body}");
    assert!(file_message(&body).contains("phần (tối đa 2000)"), "{body}");
    assert!(took < Duration::from_secs(20), "refused quickly: {took:?}");

    // A CSV of one line of 19 MB (under the size limit): no cell of a workbook is that long.
    let mut line = "Tên HTX,Loại hình,Xã/Phường\r\n".as_bytes().to_vec();
    line.extend(std::iter::repeat_n(b'a', 19 * 1024 * 1024));
    let (st, body, took) = send(&s, &admin, line, "htx.csv").await;
    assert_eq!(st, 422, "{body}");
    assert!(
        file_message(&body).contains("hơn 32767 ký tự"),
        "says what is wrong: {body}"
    );
    assert!(took < Duration::from_secs(20), "refused quickly: {took:?}");

    // Over the size limit (20 MB): 413 with a message.
    let (st, body, _) = send(&s, &admin, vec![b'a'; 21 * 1024 * 1024], "htx.csv").await;
    assert_eq!(st, 413, "{body}");

    // Nothing of them was imported; the same workbook, ordinary, imports.
    assert!(s.cooperative_named("HTX Thêu ren Bom").await.is_none());
    let (st, body, _) = send(&s, &admin, ordinary_workbook(), "htx.xlsx").await;
    assert_eq!(st, 200, "{body}");
    assert!(s.cooperative_named("HTX Thêu ren Bom").await.is_some());
}

on_both!(text_that_multiplies_is_refused_before_it_is_copied);
async fn text_that_multiplies_is_refused_before_it_is_copied(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    // One shared string named by 2,000 cells (190 MB of copies) and one merged over 199,000.
    for (file, what) in [
        (multiplying_workbook(2_000, false), "shared string"),
        (multiplying_workbook(0, true), "merged range"),
    ] {
        assert!(
            file.len() < 200 * 1024,
            "{what}: small on the wire ({})",
            file.len()
        );
        let (st, body, took) = send(&s, &admin, file, "htx.xlsx").await;
        assert_eq!(st, 422, "{what}: {body}");
        assert!(
            file_message(&body).contains("hơn 100 MB chữ"),
            "{what}: says what is wrong: {body}"
        );
        assert!(
            took < Duration::from_secs(20),
            "{what}: refused quickly: {took:?}"
        );
    }
    // A CSV line of 20 million separators: refused before it is parsed into fields.
    let mut commas = "Tên HTX,Loại hình,Xã/Phường\r\n".as_bytes().to_vec();
    commas.extend(std::iter::repeat_n(b',', 19 * 1024 * 1024));
    let (st, body, took) = send(&s, &admin, commas, "htx.csv").await;
    assert_eq!(st, 422, "{body}");
    assert!(
        file_message(&body).contains(&format!(
            "Tệp có {} cột; tối đa 200 cột",
            19 * 1024 * 1024 + 1
        )),
        "{body}"
    );
    assert!(took < Duration::from_secs(20), "refused quickly: {took:?}");
    // NUL in a cell (a UTF-16 file without its byte-order mark reads as text full of them).
    let nul = "Tên HTX,Loại hình,Xã/Phường\r\nHTX\0 Nul,HTX,Xã Ninh Hải\r\n";
    let (st, body, _) = send(&s, &admin, nul.as_bytes().to_vec(), "htx.csv").await;
    assert_eq!(st, 422, "{body}");
    assert!(file_message(&body).contains("ký tự NUL"), "{body}");
    // Word's soft line break pasted into a cell is a space, not a refusal.
    let soft = "Tên HTX,Loại hình,Xã/Phường\r\nHTX Mềm\u{b}Dòng,HTX,Xã Ninh Hải\r\n";
    let (st, body, _) = send(&s, &admin, soft.as_bytes().to_vec(), "htx.csv").await;
    assert_eq!(st, 200, "{body}");
    assert!(
        s.cooperative_named("HTX Mềm Dòng").await.is_some(),
        "{body}"
    );
}
