//! Issue 17: photos uploaded by content hash and served by scope, on SQLite and
//! PostgreSQL, with the photos in a directory and in an S3-compatible store (moto's
//! server, started by scripts/s3.sh): an upload retried three times is stored once; a
//! photo sent in pieces resumes after a lost connection; a 0-byte, non-image or damaged
//! upload is refused with a clear message; a photo of another district is "not found"
//! exactly as one that does not exist; one a report names that has not arrived says it is
//! still on the officer's tablet.

mod common;

use common::{fresh_db_url, jpeg, put_raw, serve_with, submit, visit, Backend, TestServer};
use hoptac_core::photo::{PhotoRef, PhotoSection, CHUNK_BYTES};
use hoptac_server::photos::PhotoStore;
use hoptac_server::{demo, storage::Db};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug)]
enum Store {
    Disk,
    S3,
}

/// Runs `$name(backend, store)` on both databases and both photo stores.
macro_rules! on_both_stores {
    ($name:ident) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite_disk() {
                super::$name(Backend::Sqlite, Store::Disk).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_disk() {
                super::$name(Backend::Postgres, Store::Disk).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite_s3() {
                super::$name(Backend::Sqlite, Store::S3).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_s3() {
                super::$name(Backend::Postgres, Store::S3).await
            }
        }
    };
}

async fn start(backend: Backend, store: Store) -> Option<TestServer> {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_db_url(backend, dir.path()).await?;
    let photos = match store {
        Store::Disk => PhotoStore::open(&dir.path().join("photos").display().to_string()).unwrap(),
        Store::S3 => {
            let Ok(bucket) = std::env::var("HOPTAC_TEST_S3") else {
                if std::env::var("HOPTAC_SKIP_S3").as_deref() == Ok("1") {
                    eprintln!("HOPTAC_SKIP_S3=1: the S3 half of this test is skipped");
                    return None;
                }
                panic!("HOPTAC_TEST_S3 is not set: run `bash scripts/test.sh` (it starts an S3-compatible server), or eval \"$(bash scripts/s3.sh start)\" first, or set HOPTAC_SKIP_S3=1 to skip the S3 half");
            };
            // A prefix of its own: tests run at once in one bucket.
            let prefix = dir
                .path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            PhotoStore::open(&format!("{bucket}/{prefix}")).unwrap()
        }
    };
    let db = Db::connect(&url).await.unwrap();
    assert!(demo::load_if_empty(&db).await.unwrap());
    Some(serve_with(db, url, backend, dir, photos).await)
}

async fn get_raw(
    s: &TestServer,
    token: &str,
    path: &str,
) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let r = s
        .http
        .get(format!("{}{path}", s.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.bytes().await.unwrap().to_vec(), headers)
}

async fn stored_photos(s: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM photos")
        .fetch_one(&s.pool)
        .await
        .unwrap()
}

fn photo_ref(hash: &str, bytes: usize) -> PhotoRef {
    PhotoRef {
        hash: hash.into(),
        section: PhotoSection::Headquarters,
        caption: "Trụ sở HTX".into(),
        taken_at: None,
        position: None,
        bytes: bytes as u64,
        width: 0,
        height: 0,
    }
}

on_both_stores!(an_upload_retried_is_stored_once_and_bad_ones_are_refused);
async fn an_upload_retried_is_stored_once_and_bad_ones_are_refused(backend: Backend, store: Store) {
    let Some(s) = start(backend, store).await else {
        return;
    };
    let officer = s.officer().await;
    let (bytes, hash) = jpeg(640, 480, 1);
    for attempt in 0..3 {
        let (st, b, _) = put_raw(&s, &officer, &format!("/api/photos/{hash}"), bytes.clone()).await;
        assert_eq!(st, 200, "attempt {attempt}: {b}");
        assert_eq!(b, json!({"received": bytes.len(), "complete": true}));
    }
    assert_eq!(stored_photos(&s).await, 1, "three uploads, one photo");
    // The uploader sees it (before any report names it), full size and as a thumbnail.
    let (st, full, headers) = get_raw(&s, &officer, &format!("/api/photos/{hash}")).await;
    assert_eq!((st, full.len()), (200, bytes.len()));
    assert_eq!(full, bytes, "the bytes as sent");
    assert_eq!(headers["content-type"], "image/jpeg");
    assert!(headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age=31536000"));
    let (st, thumb, _) = get_raw(&s, &officer, &format!("/api/photos/{hash}?size=thumb")).await;
    assert_eq!(st, 200);
    let t = image::load_from_memory(&thumb).unwrap();
    assert_eq!(
        (t.width(), t.height()),
        (320, 240),
        "long side 320 px, proportions kept"
    );

    // Refused, with a clear message, and nothing stored.
    let empty_hash = hex::encode(Sha256::digest(b""));
    let (st, b, _) = put_raw(
        &s,
        &officer,
        &format!("/api/photos/{empty_hash}"),
        Vec::new(),
    )
    .await;
    assert_eq!(st, 422, "{b}");
    assert!(
        b["fields"][0]["message"]["vi"]
            .as_str()
            .unwrap()
            .contains("0 byte"),
        "{b}"
    );
    let pdf = b"%PDF-1.4 a document, not a photo".to_vec();
    let pdf_hash = hex::encode(Sha256::digest(&pdf));
    let (st, b, _) = put_raw(&s, &officer, &format!("/api/photos/{pdf_hash}"), pdf).await;
    assert_eq!(st, 422, "{b}");
    assert!(
        b["fields"][0]["message"]["en"]
            .as_str()
            .unwrap()
            .contains("not a photo"),
        "{b}"
    );
    // Damaged on the way: the bytes are not the ones named.
    let (other, _) = jpeg(64, 64, 2);
    let (st, b, _) = put_raw(
        &s,
        &officer,
        &format!("/api/photos/{}", "0".repeat(64)),
        other,
    )
    .await;
    assert_eq!(st, 422, "{b}");
    assert!(
        b["fields"][0]["message"]["en"]
            .as_str()
            .unwrap()
            .contains("does not match"),
        "{b}"
    );
    // A JPEG header over garbage: cannot be shown, so not kept.
    let mut broken = vec![0xFF, 0xD8, 0xFF, 0xE0];
    broken.extend(std::iter::repeat(7u8).take(1000));
    let broken_hash = hex::encode(Sha256::digest(&broken));
    let (st, b, _) = put_raw(&s, &officer, &format!("/api/photos/{broken_hash}"), broken).await;
    assert_eq!(st, 422, "{b}");
    // A file claiming a huge picture (a decompression bomb): refused, not decoded.
    let (mut bomb, _) = jpeg(64, 48, 9);
    let sof = bomb
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline JPEG");
    bomb[sof + 5..sof + 9].copy_from_slice(&[0x4E, 0x20, 0x4E, 0x20]); // 20,000 × 20,000
    let bomb_hash = hex::encode(Sha256::digest(&bomb));
    let (st, b, _) = put_raw(&s, &officer, &format!("/api/photos/{bomb_hash}"), bomb).await;
    assert_eq!(st, 422, "{b}");
    // A real photo cut short (an upload of half the file): the decoder would fill the rest
    // with grey; refused, so the tablet sends it again whole.
    let (whole, _) = jpeg(320, 240, 11);
    let half = whole[..whole.len() / 2].to_vec();
    let half_hash = hex::encode(Sha256::digest(&half));
    let (st, b, _) = put_raw(&s, &officer, &format!("/api/photos/{half_hash}"), half).await;
    assert_eq!(st, 422, "{b}");
    let (st, b, _) = put_raw(
        &s,
        &officer,
        "/api/photos/..%2F..%2Fetc%2Fpasswd",
        bytes.clone(),
    )
    .await;
    assert!(st == 422 || st == 400, "{st} {b}");
    assert_eq!(stored_photos(&s).await, 1);
    // Only officers upload.
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let (st, _, _) = put_raw(&s, &sup, &format!("/api/photos/{hash}"), bytes).await;
    assert_eq!(st, 403);
}

on_both_stores!(a_photo_sent_in_pieces_resumes_after_a_lost_connection);
async fn a_photo_sent_in_pieces_resumes_after_a_lost_connection(backend: Backend, store: Store) {
    let Some(s) = start(backend, store).await else {
        return;
    };
    let officer = s.officer().await;
    let (bytes, hash) = jpeg(1600, 1200, 3);
    let total = bytes.len() as u64;
    assert!(
        total > 2 * CHUNK_BYTES,
        "a photo of several pieces: {total}"
    );
    let piece = |offset: u64| {
        let end = (offset + CHUNK_BYTES).min(total) as usize;
        bytes[offset as usize..end].to_vec()
    };
    let path = |offset: u64| format!("/api/photos/{hash}/pieces?offset={offset}&total={total}");
    // The first piece arrives; the connection is lost during the second.
    let (st, b, _) = put_raw(&s, &officer, &path(0), piece(0)).await;
    assert_eq!(
        (st, b.clone()),
        (200, json!({"received": CHUNK_BYTES, "complete": false})),
        "{b}"
    );
    // Back online, the tablet asks where to go on from.
    let (st, b) = s.photo_status(&officer, &hash).await;
    assert_eq!(
        (st, b),
        (200, json!({"received": CHUNK_BYTES, "complete": false}))
    );
    // A piece from the wrong place is not kept: the answer says where to go on from.
    let (st, b, _) = put_raw(&s, &officer, &path(2 * CHUNK_BYTES), piece(2 * CHUNK_BYTES)).await;
    assert_eq!(
        (st, b),
        (200, json!({"received": CHUNK_BYTES, "complete": false}))
    );
    let mut offset = CHUNK_BYTES;
    let mut last = Value::Null;
    while offset < total {
        let (st, b, _) = put_raw(&s, &officer, &path(offset), piece(offset)).await;
        assert_eq!(st, 200, "{b}");
        offset = b["received"].as_u64().unwrap();
        last = b;
    }
    assert_eq!(last, json!({"received": total, "complete": true}));
    assert_eq!(stored_photos(&s).await, 1);
    let (st, full, _) = get_raw(&s, &officer, &format!("/api/photos/{hash}")).await;
    assert_eq!(st, 200);
    assert!(full == bytes, "the pieces joined are the photo");
    // A piece larger than a piece may be: refused.
    let (st, _, _) = put_raw(
        &s,
        &officer,
        &format!(
            "/api/photos/{}/pieces?offset=0&total={}",
            "e".repeat(64),
            2 * CHUNK_BYTES
        ),
        vec![0xFF; (CHUNK_BYTES + 1) as usize],
    )
    .await;
    assert_eq!(st, 422);
    // Sent again in pieces (a re-imported rescue file): already complete, stored once.
    let (st, b, _) = put_raw(&s, &officer, &path(0), piece(0)).await;
    assert_eq!((st, b["complete"].clone()), (200, json!(true)));
    assert_eq!(stored_photos(&s).await, 1);
}

on_both_stores!(photos_are_served_only_to_those_who_may_see_the_report);
async fn photos_are_served_only_to_those_who_may_see_the_report(backend: Backend, store: Store) {
    let Some(s) = start(backend, store).await else {
        return;
    };
    let officer = s.officer().await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let kimson = s.login("canbo.kimson", "hoptac-kimson").await;
    let (bytes, sent) = jpeg(800, 600, 4);
    let (_, waiting) = jpeg(800, 600, 5);
    let (st, _, _) = put_raw(&s, &officer, &format!("/api/photos/{sent}"), bytes.clone()).await;
    assert_eq!(st, 200);
    // A report of Ninh Hải (Hoa Lư) naming two photos: one sent, one still on the tablet.
    let mut v = visit("v-photos", "coop-001", "Khảo sát có ảnh");
    v.findings.photos = vec![photo_ref(&sent, bytes.len()), photo_ref(&waiting, 250_000)];
    let (st, b) = s.push(&officer, "tab-photos", &[submit(1, v)]).await;
    assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");

    // The province's supervisor sees the sent one, and learns the other is still on the
    // officer's tablet.
    let (st, full, _) = get_raw(&s, &sup, &format!("/api/photos/{sent}")).await;
    assert_eq!((st, full == bytes), (200, true));
    let (st, body, _) = get_raw(&s, &sup, &format!("/api/photos/{waiting}")).await;
    assert_eq!(st, 404);
    assert!(String::from_utf8_lossy(&body).contains("still on the officer's tablet"));
    // Kim Sơn's officer: not found, exactly as a photo that does not exist.
    let (st, theirs, _) = get_raw(&s, &kimson, &format!("/api/photos/{sent}")).await;
    let (st2, none, _) = get_raw(&s, &kimson, &format!("/api/photos/{}", "f".repeat(64))).await;
    assert_eq!((st, st2), (404, 404));
    assert_eq!(theirs, none, "nothing tells it exists");
    let (st, _, _) = get_raw(&s, &kimson, &format!("/api/photos/{sent}?size=thumb")).await;
    assert_eq!(st, 404);
    // Kim Sơn's officer names the hash (learnt somehow) in a report of their own: that
    // opens nothing, to them or anyone seeing their report; the status says nothing either.
    let mut v = visit("v-borrowed", "coop-016", "Ảnh mượn");
    v.findings.photos = vec![photo_ref(&sent, bytes.len())];
    let (st, b) = s.push(&kimson, "tab-ks", &[submit(1, v)]).await;
    assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
    let (st, _, _) = get_raw(&s, &kimson, &format!("/api/photos/{sent}")).await;
    assert_eq!(st, 404, "naming a hash is not holding the photo");
    let (_, status) = s.photo_status(&kimson, &sent).await;
    assert_eq!(status, json!({"received": 0, "complete": false}));
    // Sending its bytes proves they hold it: then they see it.
    let (st, _, _) = put_raw(&s, &kimson, &format!("/api/photos/{sent}"), bytes.clone()).await;
    assert_eq!(st, 200);
    let (st, _, _) = get_raw(&s, &kimson, &format!("/api/photos/{sent}")).await;
    assert_eq!(st, 200);
    // Not signed in.
    let r = s
        .http
        .get(format!("{}/api/photos/{sent}", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

/// A report's photos that never arrive: within the grace period nothing is refused (the
/// review says they are still on the tablet); after it the server's own account returns
/// the report to its officer with a comment saying how many photos are missing, once
/// however often the sweep runs, and leaves alone a report whose photos all arrived. The
/// officer sends the photo, resubmits, and the supervisor approves. The server's account
/// is never listed and cannot sign in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_that_never_arrive_return_the_report_after_the_grace_period_sqlite() {
    photos_that_never_arrive_return_the_report_after_the_grace_period(Backend::Sqlite).await
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_that_never_arrive_return_the_report_after_the_grace_period_postgres() {
    photos_that_never_arrive_return_the_report_after_the_grace_period(Backend::Postgres).await
}
async fn photos_that_never_arrive_return_the_report_after_the_grace_period(backend: Backend) {
    use hoptac_core::model::ReportStatus;
    use hoptac_core::photo::GRACE_MS;
    use hoptac_core::sync::{Change, Mutation, MutationOp};
    use hoptac_server::rules::decisions::return_missing_photos;
    let Some(s) = start(backend, Store::Disk).await else {
        return;
    };
    let db = Db::connect(&s.db_url).await.unwrap();
    let officer = s.officer().await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    let (sent_bytes, sent) = jpeg(640, 480, 7);
    let (late_bytes, late) = jpeg(640, 480, 8);
    let (st, _, _) = put_raw(
        &s,
        &officer,
        &format!("/api/photos/{sent}"),
        sent_bytes.clone(),
    )
    .await;
    assert_eq!(st, 200);
    // One report waits for a photo; another has all of its photos.
    let mut waiting = visit("v-late", "coop-001", "Thiếu ảnh");
    waiting.findings.photos = vec![
        photo_ref(&sent, sent_bytes.len()),
        photo_ref(&late, 250_000),
    ];
    let mut whole = visit("v-whole", "coop-002", "Đủ ảnh");
    whole.findings.photos = vec![photo_ref(&sent, sent_bytes.len())];
    let (st, b) = s
        .push(
            &officer,
            "tab-late",
            &[submit(1, waiting), submit(2, whole)],
        )
        .await;
    assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
    let status_of = |id: &'static str| {
        let s = &s;
        let sup = sup.clone();
        async move { s.report(&sup, id).await.report }
    };

    // Within the grace period (a day before its end): nothing is refused.
    let now = hoptac_server::storage::now_ms();
    assert_eq!(return_missing_photos(&db, now).await.unwrap(), 0);
    assert_eq!(
        return_missing_photos(&db, now + GRACE_MS - 86_400_000)
            .await
            .unwrap(),
        0
    );
    assert_eq!(status_of("v-late").await.status, ReportStatus::Submitted);

    // After it: returned once, however often the sweep runs (two instances at once too).
    let after = now + GRACE_MS + 60_000;
    let (a, b) = tokio::join!(
        return_missing_photos(&db, after),
        return_missing_photos(&db, after)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(return_missing_photos(&db, after).await.unwrap(), 0);
    let r = status_of("v-late").await;
    assert_eq!(r.status, ReportStatus::Returned);
    assert_eq!(r.events.len(), 1, "one comment: {:?}", r.events);
    let e = &r.events[0];
    assert_eq!(e.by_name, "Hệ thống hoptac");
    assert!(
        e.text
            .starts_with("1 ảnh của phiếu chưa đến máy chủ sau 30 ngày"),
        "{}",
        e.text
    );
    assert_eq!(
        status_of("v-whole").await.status,
        ReportStatus::Submitted,
        "all its photos came"
    );

    // The officer's tablet receives the returned report with the comment.
    let on_tablet = s
        .pull_all(&officer, "tab-late", 100)
        .await
        .into_iter()
        .rev()
        .find_map(|c| match c {
            Change::Visit(v) if v.id == "v-late" => Some(v),
            _ => None,
        })
        .unwrap();
    assert_eq!(on_tablet.status, ReportStatus::Returned);
    assert!(on_tablet.events[0].text.contains("1 photo(s)"));
    // The photo is sent at last, the report resubmitted unchanged: waiting again, and the
    // supervisor approves it.
    let (st, _, _) = put_raw(
        &s,
        &officer,
        &format!("/api/photos/{late}"),
        late_bytes.clone(),
    )
    .await;
    assert_eq!(st, 200);
    let again = Mutation {
        id: 3,
        created_at: 3,
        op: MutationOp::ResubmitVisit(on_tablet.clone()),
    };
    let (_, b) = s.push(&officer, "tab-late", &[again]).await;
    assert_eq!(b["rejected"], json!([]), "{b}");
    assert_eq!(
        return_missing_photos(&db, after + GRACE_MS).await.unwrap(),
        0,
        "nothing missing now"
    );
    let (st, b) = s.decide(&sup, "v-late", "approve", "").await;
    assert_eq!((st, b["status"].as_str()), (200, Some("approved")), "{b}");

    // The server's own account: never listed, never signs in.
    let admin = s.login("quantri", "hoptac-quantri").await;
    let list = s.find_users(&admin, "thong%20hoptac").await;
    assert_eq!(list.total, 0, "{list:?}");
    for password in ["!", "", "hoptac"] {
        let (st, _) = s.try_login("#he-thong", password).await;
        assert_eq!(st, 401);
    }
    let (st, _) = s.reactivate(&admin, "system").await;
    assert_eq!(st, 404, "no administrator can change it");
    db.pool.close().await;
}
