//! Issue 29 (build 5): the endpoints that read a file, fuzzed with files made malformed
//! from real ones (proptest): a workbook as Excel writes it, a CSV as offices export it,
//! a JPEG as a camera writes it, each cut short, with bytes flipped, with bytes inserted,
//! or with one of its zip parts replaced by noise. Sent to the registry import, the
//! official units' import, a reorganisation from a table and the photo upload. Every
//! answer is a 2xx or a 4xx with the JSON error body (never a 5xx), each within 20 s (no
//! hang), and the test process (the server runs in it) stays under 1.5 GB at its peak.
//! Bounded: 300 files per run (about 6 s) (`HOPTAC_FUZZ_CASES` for more), on SQLite.

mod common;

use common::hurtful::{ordinary_workbook, rewrite};
use common::{jpeg, start, Backend, TestServer};
use proptest::prelude::*;
use serde_json::Value;
use std::io::Write;
use std::time::Duration;

/// How a real file is spoiled.
#[derive(Debug, Clone)]
enum Spoil {
    /// Only the first `at` (a fraction of the length, in thousandths) bytes.
    Cut(u32),
    /// Bytes at these positions (thousandths of the length) XORed with these values.
    Flip(Vec<(u32, u8)>),
    /// These bytes inserted at this position (thousandths).
    Insert(u32, Vec<u8>),
    /// (XLSX) the part of this index replaced by these bytes.
    Part(usize, Vec<u8>),
}

fn spoil() -> impl Strategy<Value = Spoil> {
    prop_oneof![
        (0u32..1000).prop_map(Spoil::Cut),
        prop::collection::vec((0u32..1000, 1u8..=255), 1..16).prop_map(Spoil::Flip),
        (0u32..1000, prop::collection::vec(any::<u8>(), 1..512)).prop_map(|(a, b)| Spoil::Insert(a, b)),
        (0usize..12, prop::collection::vec(any::<u8>(), 0..2048)).prop_map(|(a, b)| Spoil::Part(a, b)),
    ]
}

fn at(len: usize, thousandths: u32) -> usize {
    (len * thousandths as usize / 1000).min(len)
}

fn apply(file: &[u8], how: &Spoil) -> Vec<u8> {
    let mut f = file.to_vec();
    match how {
        Spoil::Cut(a) => f.truncate(at(f.len(), *a)),
        Spoil::Flip(flips) => {
            for (a, x) in flips {
                let i = at(f.len() - 1, *a);
                f[i] ^= x;
            }
        }
        Spoil::Insert(a, bytes) => {
            let i = at(f.len(), *a);
            f.splice(i..i, bytes.iter().copied());
        }
        Spoil::Part(n, bytes) => {
            if file.starts_with(b"PK") {
                let names: Vec<String> = zip::ZipArchive::new(std::io::Cursor::new(file))
                    .unwrap()
                    .file_names()
                    .filter_map(|n| n.ok().map(|n| n.to_string()))
                    .collect();
                let name = names[n % names.len()].clone();
                return rewrite(file, &name, |out| {
                    out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                        .unwrap();
                    out.write_all(bytes).unwrap();
                });
            }
            let i = at(f.len(), (*n as u32) * 83);
            f.splice(i..i, bytes.iter().copied());
        }
    }
    f
}

/// A CSV as an office exports it from Excel (UTF-8 with its byte-order mark, CRLF).
fn ordinary_csv() -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(
        "Tên HTX,Loại hình,Xã/Phường,Số thành viên,Doanh thu (đồng)\r\n\"HTX Dịch vụ nông nghiệp Ninh Giang\",HTX,Xã Ninh Giang,215,\"1.250.000.000\"\r\n\"THT Trồng nấm Ninh Mỹ\",THT,Xã Ninh Mỹ,12,\"85.000.000\"\r\n"
            .as_bytes(),
    );
    out
}

/// Sends `file` to `path` as the multipart field "file" (with `fields`), or as a photo's
/// body; the status and the JSON body.
async fn send(s: &TestServer, token: &str, path: &str, file: Vec<u8>, name: &str, fields: &[(&str, &str)]) -> (u16, Value) {
    let req = if path.starts_with("/api/photos/") {
        s.http.put(format!("{}{path}", s.url)).header("content-type", "image/jpeg").body(file)
    } else {
        let mut form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(file).file_name(name.to_string()));
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        s.http.post(format!("{}{path}", s.url)).multipart(form)
    };
    let r = tokio::time::timeout(Duration::from_secs(20), req.bearer_auth(token).send())
        .await
        .unwrap_or_else(|_| panic!("{path}: no answer within 20 s"))
        .unwrap();
    let st = r.status().as_u16();
    let body = r.json::<Value>().await.unwrap_or(Value::Null);
    (st, body)
}

/// The process's peak resident size in MB (Linux's VmHWM).
fn peak_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .expect("VmHWM in /proc/self/status")
        / 1024
}

#[test]
fn malformed_files_get_4xx_never_5xx_nor_a_hang() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (s, admin, officer) = rt.block_on(async {
        let s = start(Backend::Sqlite).await.unwrap();
        let admin = s.login("quantri", "hoptac-quantri").await;
        let officer = s.officer().await;
        (s, admin, officer)
    });
    let (photo, _) = jpeg(320, 240, 5);
    let originals = [
        (ordinary_workbook(), "htx.xlsx"),
        (ordinary_csv(), "htx.csv"),
        (photo, "anh.jpg"),
    ];
    let cases = std::env::var("HOPTAC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let sent = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&(0usize..3, spoil(), 0usize..3), |(which, how, endpoint)| {
            let (original, name) = &originals[which];
            let file = apply(original, &how);
            let (path, token, fields): (String, &str, Vec<(&str, &str)>) = if *name == "anh.jpg" {
                let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&file));
                (format!("/api/photos/{hash}"), &officer, vec![])
            } else {
                match endpoint {
                    0 => ("/api/registry/import".into(), &admin, vec![("apply", "false")]),
                    1 => ("/api/areas/import".into(), &admin, vec![("apply", "false")]),
                    _ => (
                        "/api/reorganisations/from-table".into(),
                        &admin,
                        vec![("effective_on", "2025-07-01"), ("decision", "Nghị quyết 1674/NQ-UBTVQH15")],
                    ),
                }
            };
            let (st, body) = rt.block_on(send(&s, token, &path, file, name, &fields));
            sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            prop_assert!(st < 500, "{path} {name} {how:?}: {st} {body}");
            if st >= 400 {
                prop_assert!(body["code"].is_string() && body["message"].is_string(), "{path} {name} {how:?}: {st} {body}");
            }
            Ok(())
        })
        .unwrap();
    let peak = peak_mb();
    eprintln!(
        "fuzz: {} malformed files, every answer 2xx or 4xx; peak memory of the test process {peak} MB",
        sent.into_inner()
    );
    assert!(peak < 1536, "memory bounded: {peak} MB");
}
