//! Files made to hurt (issue 29, case 4): the server's peak memory while it refuses each,
//! against its idle memory in the same run. Not a test: it reports (the tests in
//! `tests/hurtful_files.rs` and `tests/photos.rs` check the refusals themselves).
//!
//! The release server runs as a child process on a SQLite file with the demo seed. Before
//! each file the kernel's record of the process's peak resident size is reset (`5` written
//! to `/proc/PID/clear_refs`, Linux 4.0 and later); after the answer, `VmHWM` in
//! `/proc/PID/status` is the peak while the file was handled (the reset sets it to the
//! resident size of the moment, which stays above idle once the allocator keeps memory a
//! file made it take: the table gives both). Baselines in the same run:
//! the idle server's resident size, and the peak while it imports an ordinary one-row
//! workbook. Last, four spreadsheet bombs sent at once (the server reads two files at a
//! time: `spreadsheets::READERS_AT_ONCE`).
//!
//! Run: `cargo bench -p hoptac-server --bench hurtful` (as root, or as the server's user:
//! clear_refs needs to own the process).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/procs.rs"]
mod procs;

use common::hurtful::*;
use procs::{free_port, wait_for, Proc};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_hoptac-server");

fn kib(field: &str, pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

struct Server {
    url: String,
    pid: u32,
    http: reqwest::Client,
    _proc: Proc,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn login(&self, user: &str, password: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/auth/login", self.url))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn import(&self, token: &str, file: Vec<u8>, name: &str) -> u16 {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(file).file_name(name.to_string()))
            .text("apply", "true");
        self.http
            .post(format!("{}/api/registry/import", self.url))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn photo(&self, token: &str, bytes: Vec<u8>) -> u16 {
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        self.http
            .put(format!("{}/api/photos/{hash}", self.url))
            .bearer_auth(token)
            .header("content-type", "image/jpeg")
            .body(bytes)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Forgets the peak so far: the next VmHWM is the peak from now on.
    fn reset_peak(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid), "5")
            .expect("write /proc/PID/clear_refs (run as root or as the server's user)");
    }
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(BIN)
        .args([
            "--db",
            &format!("sqlite://{}", dir.path().join("hoptac.db").display()),
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--demo-seed",
        ])
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let pid = child.id();
    wait_for(port, "hoptac-server");
    Server {
        url: format!("http://127.0.0.1:{port}"),
        pid,
        http: reqwest::Client::new(),
        _proc: Proc(child),
        _dir: dir,
    }
}

enum Send {
    Import(&'static str),
    Photo,
}

#[tokio::main]
async fn main() {
    let s = start();
    let admin = s.login("quantri", "hoptac-quantri").await;
    let officer = s.login("canbo.hoalu", "hoptac-hoalu").await;
    // Warm: one ordinary import, so the idle figure includes what any import leaves.
    assert_eq!(s.import(&admin, ordinary_workbook(), "htx.xlsx").await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let idle = kib("VmRSS:", s.pid);
    println!("hoptac-server idle: {:.0} MB resident\n", mb(idle));

    let mut line = "Tên HTX,Loại hình,Xã/Phường\r\n".as_bytes().to_vec();
    line.extend(std::iter::repeat_n(b'a', 19 * 1024 * 1024));
    let mut commas = "Tên HTX,Loại hình,Xã/Phường\r\n".as_bytes().to_vec();
    commas.extend(std::iter::repeat_n(b',', 19 * 1024 * 1024));
    let files: Vec<(&str, Vec<u8>, Send)> = vec![
        ("ordinary workbook, one row (baseline)", ordinary_workbook(), Send::Import("htx.xlsx")),
        ("XLSX: shared strings expanding to 260 MB", expanding_workbook(260 * 1024 * 1024), Send::Import("htx.xlsx")),
        ("XLSX: shared strings expanding to 190 MB (under the limit: read)", expanding_workbook(190 * 1024 * 1024), Send::Import("htx.xlsx")),
        ("XLSX: 5,000 parts", many_parts_workbook(5_000), Send::Import("htx.xlsx")),
        ("XLSX: one 96 KB string in 2,000 cells", multiplying_workbook(2_000, false), Send::Import("htx.xlsx")),
        ("XLSX: one 96 KB string merged over 199,000 cells", multiplying_workbook(0, true), Send::Import("htx.xlsx")),
        ("CSV: one line of 19 MB", line, Send::Import("htx.csv")),
        ("CSV: 19 million separators", commas, Send::Import("htx.csv")),
        ("CSV: 21 MB (over the size limit)", vec![b'a'; 21 * 1024 * 1024], Send::Import("htx.csv")),
        ("JPEG claiming 60,000 × 60,000 pixels", claiming_jpeg(60_000), Send::Photo),
    ];
    println!("| file | sent | answer | time | resident before | peak | peak ÷ idle |");
    println!("|---|---|---|---|---|---|---|");
    for (what, bytes, how) in files {
        let size = bytes.len();
        s.reset_peak();
        let before = kib("VmRSS:", s.pid);
        let t = Instant::now();
        let st = match how {
            Send::Import(name) => s.import(&admin, bytes, name).await,
            Send::Photo => s.photo(&officer, bytes).await,
        };
        let took = t.elapsed();
        let peak = kib("VmHWM:", s.pid);
        println!(
            "| {what} | {:.1} MB | {st} | {:.2} s | {:.0} MB | {:.0} MB | {:.1}× |",
            size as f64 / 1_048_576.0,
            took.as_secs_f64(),
            mb(before),
            mb(peak),
            peak as f64 / idle as f64
        );
    }
    // Four at once, of the kinds that cost most: the server reads two at a time.
    let kinds: [(&str, fn() -> Vec<u8>); 2] = [
        ("four XLSX that multiply one string, at once", || multiplying_workbook(2_000, false)),
        ("four XLSX expanding to 190 MB, at once", || expanding_workbook(190 * 1024 * 1024)),
    ];
    for (what, make) in kinds {
        let files: Vec<Vec<u8>> = (0..4).map(|_| make()).collect();
        s.reset_peak();
        let before = kib("VmRSS:", s.pid);
        let t = Instant::now();
        let sends = files.into_iter().map(|file| {
            let (s, admin) = (&s, &admin);
            async move { s.import(admin, file, "htx.xlsx").await }
        });
        let answers = futures::future::join_all(sends).await;
        let peak = kib("VmHWM:", s.pid);
        println!(
            "| {what} | 4 files | {answers:?} | {:.2} s | {:.0} MB | {:.0} MB | {:.1}× |",
            t.elapsed().as_secs_f64(),
            mb(before),
            mb(peak),
            peak as f64 / idle as f64
        );
    }
}
