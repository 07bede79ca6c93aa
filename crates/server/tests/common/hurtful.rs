//! Files made to hurt (issue 29, case 4), as the tests send them and the memory benchmark
//! measures them (`benches/hurtful.rs` includes this file by `#[path]`): workbooks written
//! by rust_xlsxwriter as Excel writes them, then rewritten part by part.
#![allow(dead_code)]

use std::io::{Read, Write};

/// A workbook as Excel writes it with one cooperative, "HTX Thêu ren Bom" of Xã Ninh Hải.
pub fn ordinary_workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Tên HTX", "Loại hình", "Xã/Phường"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["HTX Thêu ren Bom", "HTX", "Xã Ninh Hải"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// `book` rewritten part by part; `extra` then writes parts of its own at the end.
pub fn rewrite(
    book: &[u8],
    skip: &str,
    extra: impl FnOnce(&mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>),
) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name == skip {
            continue;
        }
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    extra(&mut out);
    out.finish().unwrap().into_inner()
}

/// The ordinary workbook with a shared-string table of `expanded` bytes: a few hundred
/// kilobytes on the wire (the same string over and over deflates a thousandfold).
pub fn expanding_workbook(expanded: usize) -> Vec<u8> {
    rewrite(&ordinary_workbook(), "xl/sharedStrings.xml", |out| {
        out.start_file(
            "xl/sharedStrings.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        out.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
        )
        .unwrap();
        let item = "<si><t>HTX Thêu ren Văn Lâm</t></si>"
            .as_bytes()
            .repeat(32 * 1024);
        let mut written = 0;
        while written < expanded {
            out.write_all(&item).unwrap();
            written += item.len();
        }
        out.write_all(b"</sst>").unwrap();
    })
}

/// The ordinary workbook with `n` more (tiny) parts.
pub fn many_parts_workbook(n: usize) -> Vec<u8> {
    rewrite(&ordinary_workbook(), "", |out| {
        for i in 0..n {
            out.start_file(
                format!("xl/media/part{i}.xml"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            out.write_all(b"<x/>").unwrap();
        }
    })
}

/// A workbook whose one long shared string (32,767 × "ệ": 96 KB) is named by `cells`
/// cells of column B, and, when `merged`, shown across a merged range B1:GR1000
/// (199,000 cells) instead: a few kilobytes on the wire, gigabytes once copied.
pub fn multiplying_workbook(cells: u32, merged: bool) -> Vec<u8> {
    let long = "ệ".repeat(32_767);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    if merged {
        let format = rust_xlsxwriter::Format::new();
        sheet.merge_range(0, 1, 999, 199, &long, &format).unwrap();
        sheet.write_string(999, 199, "x").unwrap();
    } else {
        for r in 0..cells {
            sheet.write_string(r, 1, &long).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}


/// A real JPEG of 64×48 whose header claims `side`×`side` pixels (a decompression bomb:
/// decoded, it would take side² × 3 bytes).
pub fn claiming_jpeg(side: u16) -> Vec<u8> {
    let (mut bomb, _) = super::jpeg(64, 48, 9);
    let sof = bomb
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline JPEG");
    let [hi, lo] = side.to_be_bytes();
    bomb[sof + 5..sof + 9].copy_from_slice(&[hi, lo, hi, lo]);
    bomb
}
