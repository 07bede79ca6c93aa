//! Photos (issue 17): taken offline on a visit report (up to [`MAX_PER_REPORT`], each with
//! a section and an optional caption) or as a cooperative's main photo. A photo is named
//! by the SHA-256 of its bytes ([`PhotoRef::hash`], 64 lowercase hex digits): a photo sent
//! twice (a retry, a re-imported rescue file) is stored once, and a report names its
//! photos by hash, so the report (a mutation) and its photos (uploads) travel apart.
//!
//! [`plan_uploads`] decides, on the tablet, which photos to send and in which order; the
//! server checks uploads with [`check_upload`].

use crate::i18n::Msg;
use crate::primitives::Position;
use serde::{Deserialize, Serialize};

/// At most this many photos on one visit report.
pub const MAX_PER_REPORT: usize = 10;
/// The largest photo the server accepts, in bytes (a downscaled photo is ~300 KB; a
/// photo the tablet could not downscale is sent as it is, up to this).
pub const MAX_BYTES: u64 = 12 * 1024 * 1024;
/// Uploads are sent in pieces of at most this many bytes; a lost connection resumes from
/// the last piece the server holds.
pub const CHUNK_BYTES: u64 = 256 * 1024;
/// A photo of at most this many bytes that the server holds none of is sent whole, in one
/// request (a downscaled camera photo is ~200–500 KB: a status check and pieces for each
/// made 100 uploads 4x slower than curl; docs/BENCHMARKS.md). Larger ones, and any upload
/// the server holds part of, go in pieces of [`CHUNK_BYTES`].
pub const WHOLE_BYTES: u64 = 512 * 1024;
/// The long side of a photo as the tablet keeps it, in pixels.
pub const LONG_SIDE_PX: u32 = 1600;
/// The long side of a thumbnail the server makes, in pixels.
pub const THUMB_PX: u32 = 320;
/// How long after a report arrives its photos may still come (ms): 30 days. Until then
/// a missing photo is shown as "still on the officer's tablet"; after, the review says it
/// never arrived.
pub const GRACE_MS: i64 = 30 * 24 * 3600 * 1000;

crate::keyed_enum!(
    /// What a photo shows: the section of the report it belongs to.
    pub enum PhotoSection {
        Headquarters = "headquarters",
        Products = "products",
        Works = "works",
        Document = "document",
        Other = "other",
    }
);

impl PhotoSection {
    /// Every section, in the order the form offers them.
    pub const ALL: [PhotoSection; 5] = [
        PhotoSection::Headquarters,
        PhotoSection::Products,
        PhotoSection::Works,
        PhotoSection::Document,
        PhotoSection::Other,
    ];

    /// Its name, Vietnamese and English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            PhotoSection::Headquarters => ("Trụ sở", "Headquarters"),
            PhotoSection::Products => ("Sản phẩm", "Products"),
            PhotoSection::Works => ("Công trình được bàn giao", "Works handed over"),
            PhotoSection::Document => ("Giấy tờ, sổ sách", "Documents"),
            PhotoSection::Other => ("Khác", "Other"),
        }
    }
}

/// A photo as a record names it. The bytes travel separately (an upload by hash).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoRef {
    /// SHA-256 of the JPEG's bytes, 64 lowercase hex digits.
    pub hash: String,
    pub section: PhotoSection,
    /// The officer's caption (at most [`crate::limits::CAPTION`] characters).
    #[serde(default)]
    pub caption: String,
    /// When it was taken (ms since epoch), from the camera's record, if the officer kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<crate::primitives::Millis>,
    /// Where it was taken, from the camera's record, if the officer kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// Size in bytes, and pixels, as stored.
    pub bytes: u64,
    #[serde(default)]
    pub width: u32,
    #[serde(default)]
    pub height: u32,
}

/// Whether `s` is a photo's name: 64 lowercase hex digits.
pub fn is_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The problems of a record's photos: too many, a bad name, one named twice, a caption
/// too long, a size out of bounds. Each as (field, message).
pub fn check_refs(photos: &[PhotoRef], max: usize) -> Vec<(String, Msg)> {
    let mut out = Vec::new();
    if photos.len() > max {
        out.push((
            "photos".to_string(),
            Msg::new(
                format!("Tối đa {max} ảnh trên một phiếu."),
                format!("At most {max} photos on one report."),
            ),
        ));
    }
    for (i, p) in photos.iter().enumerate() {
        let field = format!("photos[{i}]");
        if !is_hash(&p.hash) {
            out.push((
                field.clone(),
                Msg::new(
                    "Ảnh không đúng định danh.",
                    "The photo's name is malformed.",
                ),
            ));
        } else if photos[..i].iter().any(|q| q.hash == p.hash) {
            out.push((
                field.clone(),
                Msg::new(
                    "Ảnh này đã có trên phiếu.",
                    "This photo is on the report already.",
                ),
            ));
        }
        if p.caption.chars().count() > crate::limits::CAPTION {
            out.push((
                format!("{field}.caption"),
                Msg::new(
                    format!("Chú thích ảnh tối đa {} ký tự.", crate::limits::CAPTION),
                    format!(
                        "A caption is at most {} characters.",
                        crate::limits::CAPTION
                    ),
                ),
            ));
        }
        if p.bytes == 0 || p.bytes > MAX_BYTES {
            out.push((
                field,
                Msg::new(
                    "Ảnh rỗng hoặc quá lớn (tối đa 12 MB).",
                    "The photo is empty or too large (at most 12 MB).",
                ),
            ));
        }
    }
    out
}

/// What an upload's bytes are, judged by their first bytes: the image formats a camera or
/// gallery gives. None: not an image the app takes.
pub fn image_kind(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Why an upload is refused before it is stored (400 with this message): empty, too
/// large, not an image, or bytes whose SHA-256 is not the name they were sent under.
/// `hash_of_bytes`: the SHA-256 the server computed.
pub fn check_upload(name: &str, bytes: &[u8], hash_of_bytes: &str) -> Result<&'static str, Msg> {
    if bytes.is_empty() {
        return Err(Msg::new(
            "Ảnh rỗng (0 byte): hãy chụp lại.",
            "The photo is empty (0 bytes): take it again.",
        ));
    }
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Msg::new(
            "Ảnh quá lớn (tối đa 12 MB).",
            "The photo is too large (at most 12 MB).",
        ));
    }
    let Some(kind) = image_kind(bytes) else {
        return Err(Msg::new(
            "Tệp này không phải ảnh (JPEG, PNG, WebP).",
            "This file is not a photo (JPEG, PNG, WebP).",
        ));
    };
    if name != hash_of_bytes {
        return Err(Msg::new(
            "Ảnh gửi lên không khớp với định danh (bị hỏng trên đường truyền): máy sẽ gửi lại.",
            "The photo does not match its name (damaged on the way): the tablet sends it again.",
        ));
    }
    Ok(kind)
}

/// A photo the tablet holds, as the upload plan sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub hash: String,
    pub bytes: u64,
    /// Bytes the server already holds of it (from its last answer; 0 when unknown).
    pub sent: u64,
    /// The server holds all of it.
    pub done: bool,
}

/// One piece to send: `hash`'s bytes from `offset`, `len` of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub hash: String,
    pub offset: u64,
    pub len: u64,
}

/// Which photos to send, in which order: those named by records still waiting or sent
/// (`wanted`, in the order of the outbox: the oldest report's photos first), that the
/// tablet holds, that the server does not hold yet; each from where the server's copy
/// stops, in pieces of at most [`CHUNK_BYTES`], or whole (one piece of all its bytes) when
/// it is at most [`WHOLE_BYTES`] and the server holds none of it. A photo no record names
/// (removed from a draft, or a draft not sent) is never sent, whatever the tablet still
/// holds. A photo named twice is sent once.
pub fn plan_uploads(wanted: &[String], held: &[Held]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for hash in wanted {
        if seen.contains(&hash.as_str()) {
            continue;
        }
        seen.push(hash);
        let Some(h) = held.iter().find(|h| &h.hash == hash) else {
            continue;
        };
        if h.done || h.bytes == 0 {
            continue;
        }
        let mut offset = h.sent.min(h.bytes);
        if offset == 0 && h.bytes <= WHOLE_BYTES {
            out.push(Piece {
                hash: hash.clone(),
                offset: 0,
                len: h.bytes,
            });
            continue;
        }
        while offset < h.bytes {
            let len = CHUNK_BYTES.min(h.bytes - offset);
            out.push(Piece {
                hash: hash.clone(),
                offset,
                len,
            });
            offset += len;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(c: char) -> String {
        std::iter::repeat(c).take(64).collect()
    }

    fn held(c: char, bytes: u64, sent: u64, done: bool) -> Held {
        Held {
            hash: hash(c),
            bytes,
            sent,
            done,
        }
    }

    #[test]
    fn the_plan_sends_only_named_photos_in_outbox_order_once_each() {
        let held = vec![
            held('a', 1_300_000, 0, false),
            held('b', 100_000, 0, false),
            held('c', 50_000, 0, false), // removed from the draft: no record names it
            held('d', 80_000, 80_000, true),
        ];
        let wanted = vec![hash('b'), hash('a'), hash('b'), hash('d'), hash('e')];
        let plan = plan_uploads(&wanted, &held);
        let order: Vec<(char, u64, u64)> = plan
            .iter()
            .map(|p| (p.hash.chars().next().unwrap(), p.offset, p.len))
            .collect();
        assert_eq!(
            order,
            vec![
                ('b', 0, 100_000),
                ('a', 0, 262_144),
                ('a', 262_144, 262_144),
                ('a', 524_288, 262_144),
                ('a', 786_432, 262_144),
                ('a', 1_048_576, 1_300_000 - 1_048_576),
            ],
            "b first (the older report, whole), a (over 512 KB) in pieces, c never, d done, e not held"
        );
    }

    #[test]
    fn a_downscaled_photo_goes_whole_unless_the_server_holds_part_of_it() {
        let whole = plan_uploads(&[hash('a')], &[held('a', 400_000, 0, false)]);
        assert_eq!(
            whole,
            vec![Piece {
                hash: hash('a'),
                offset: 0,
                len: 400_000
            }]
        );
        // Part of it is there (an upload in pieces was cut): the rest in pieces.
        let rest = plan_uploads(&[hash('a')], &[held('a', 600_000, 262_144, false)]);
        assert_eq!(rest.len(), 2);
        assert_eq!(rest[0].offset, 262_144);
    }

    #[test]
    fn a_retry_resumes_where_the_server_stopped() {
        let halfway = vec![held('a', 600_000, 262_144, false)];
        let plan = plan_uploads(&[hash('a')], &halfway);
        assert_eq!(
            plan,
            vec![
                Piece {
                    hash: hash('a'),
                    offset: 262_144,
                    len: 262_144
                },
                Piece {
                    hash: hash('a'),
                    offset: 524_288,
                    len: 600_000 - 524_288
                },
            ]
        );
        // The server holds it all: nothing to send again.
        assert!(plan_uploads(&[hash('a')], &[held('a', 600_000, 600_000, true)]).is_empty());
        // An empty photo is never sent (the server would refuse it).
        assert!(plan_uploads(&[hash('z')], &[held('z', 0, 0, false)]).is_empty());
    }

    #[test]
    fn uploads_are_checked_by_content() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
        assert_eq!(check_upload("x", &jpeg, "x"), Ok("image/jpeg"));
        assert!(check_upload("x", &[], "x")
            .unwrap_err()
            .vi
            .contains("0 byte"));
        assert!(check_upload("x", b"%PDF-1.4 not a photo", "x")
            .unwrap_err()
            .en
            .contains("not a photo"));
        assert!(check_upload("x", &jpeg, "y")
            .unwrap_err()
            .en
            .contains("does not match"));
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_kind(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
    }

    #[test]
    fn a_reports_photos_are_bounded() {
        let p = |c: char| PhotoRef {
            hash: hash(c),
            section: PhotoSection::Products,
            caption: String::new(),
            taken_at: None,
            position: None,
            bytes: 1000,
            width: 10,
            height: 10,
        };
        assert!(check_refs(&[p('a'), p('b')], MAX_PER_REPORT).is_empty());
        let eleven: Vec<PhotoRef> = "0123456789a".chars().map(p).collect();
        assert_eq!(check_refs(&eleven, MAX_PER_REPORT)[0].0, "photos");
        let twice = check_refs(&[p('a'), p('a')], MAX_PER_REPORT);
        assert_eq!(twice[0].0, "photos[1]");
        let mut bad = p('a');
        bad.hash = "../../etc/passwd".into();
        bad.bytes = 0;
        bad.caption = "x".repeat(crate::limits::CAPTION + 1);
        let fields: Vec<String> = check_refs(&[bad], MAX_PER_REPORT)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, vec!["photos[0]", "photos[0].caption", "photos[0]"]);
    }
}
