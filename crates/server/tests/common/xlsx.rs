//! Workbooks as Excel writes them, beyond what rust_xlsxwriter writes: shared by the
//! server's tests and the end-to-end tests' workbook writer (examples/workbook.rs).

use std::io::{Read, Write};

/// `book` with the 1904 date system switched on in xl/workbook.xml (`date1904="1"` on
/// `<workbookPr>`), as Excel for Mac (and Excel with "Use 1904 date system") writes it.
pub fn with_1904_dates(book: Vec<u8>) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == "xl/workbook.xml" {
            let text = String::from_utf8(bytes).unwrap();
            assert!(
                text.contains("<workbookPr"),
                "rust_xlsxwriter writes workbookPr"
            );
            bytes = text
                .replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
                .into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}
