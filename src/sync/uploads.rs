//! Uploading the photos records name (issue 17), after each push: separate from the
//! mutations (a report travels as soon as it can; its photos follow), named by content hash
//! (the server stores a photo once however often it is sent), and resumable: a photo of at
//! most hoptac_core::photo::WHOLE_BYTES goes in one request; a larger one in pieces, and
//! one partly sent before starts by asking the server how much it holds (`GET
//! /api/photos/{hash}/status`), so a connection lost in the middle of a large photo goes
//! on from the last piece the server kept. Which photos and in which order is
//! hoptac_core::photo::plan_uploads: only photos queued by a sent record
//! (crate::store::photos), oldest first, never one removed from a draft.

use crate::api::ApiError;
use crate::handles::store as app_store;
use crate::store::HeldPhoto;
use futures::StreamExt;
use hoptac_core::photo::{plan_uploads, Held, Piece};
use leptos::prelude::*;

/// Photos sent at the same time: a photo's request waits on the server's decoding of the
/// one before it; three at once made 100 uploads of 300 KB about 1.5x faster than one at
/// a time (docs/BENCHMARKS.md).
const UPLOADS_AT_ONCE: usize = 3;

/// How the photos waiting stand, for the status bar: (photos waiting, bytes the server
/// holds of them, their bytes in all).
pub type PhotoProgress = (u32, u64, u64);

fn progress_of(waiting: &[HeldPhoto], held: &[Held]) -> PhotoProgress {
    let sent = waiting
        .iter()
        .map(|p| {
            held.iter()
                .find(|h| h.hash == p.hash)
                .map_or(p.sent, |h| h.sent)
        })
        .sum();
    (
        waiting.len() as u32,
        sent,
        waiting.iter().map(|p| p.bytes).sum(),
    )
}

/// The photos to upload now: waiting (queued, not all on the server, not refused) and not
/// held back by a refused record (crate::store::Store::held_back_photos), oldest first.
async fn to_send() -> Vec<HeldPhoto> {
    let store = app_store();
    let mut waiting: Vec<HeldPhoto> = store
        .held_photos()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(HeldPhoto::waiting)
        .collect();
    if !waiting.is_empty() {
        let held_back = store.held_back_photos().await.unwrap_or_default();
        waiting.retain(|p| !held_back.contains(&p.hash));
    }
    waiting.sort_by_key(|p| p.queued_at);
    waiting
}

/// Shows `progress` in the status bar.
fn show(progress: PhotoProgress) {
    super::state().photos.set(progress);
}

/// Re-reads how many photos wait, for the status bar (no network); when that number
/// changed, pages re-read (a report becomes "Đã gửi" once its photos are there).
pub async fn refresh_waiting() {
    let waiting = to_send().await;
    let held: Vec<Held> = waiting.iter().map(HeldPhoto::as_held).collect();
    let state = super::state();
    let before = state.photos.get_untracked().0;
    show(progress_of(&waiting, &held));
    if before != waiting.len() as u32 {
        state.data_version.update(|v| *v += 1);
    }
}

/// Sends every queued photo the server does not hold yet, in order, piece by piece. Stops
/// at a lost connection (the next sync goes on from where the server stopped); a photo the
/// server refuses is marked so (not sent again) and the others go on.
pub async fn upload_waiting(token: &str) -> Result<(), ApiError> {
    let t0 = crate::util::perf_now();
    let waiting = to_send().await;
    if waiting.is_empty() {
        show((0, 0, 0));
        return Ok(());
    }
    let result = upload(token, waiting).await;
    // For bench/photos.mjs: the whole upload phase of a sync.
    crate::util::bench_record("photoUpload", crate::util::perf_now() - t0);
    result
}

async fn upload(token: &str, waiting: Vec<HeldPhoto>) -> Result<(), ApiError> {
    let store = app_store();
    let mut refused: Option<ApiError> = None;
    // Where the server stands with each (it may hold one already: sent from a rescue file
    // on another tablet, or before a lost answer).
    let mut held: Vec<Held> = Vec::with_capacity(waiting.len());
    for p in &waiting {
        if p.sent == 0 {
            // Never partly sent: sent whole or from its first piece, without asking (the
            // server answers "complete" to a photo it holds already).
            held.push(p.as_held());
            continue;
        }
        let st = match crate::api::photos::photo_status(token, &p.hash).await {
            Ok(st) => st,
            Err(
                err @ ApiError::Server {
                    status: 400 | 404 | 422,
                    ..
                },
            ) => {
                let _ = store
                    .set_photo_refused(&p.hash, &err.user_message().vi)
                    .await;
                refused = Some(err);
                continue;
            }
            Err(err) => return Err(err),
        };
        if st.complete {
            let _ = store.set_photo_sent(&p.hash, p.bytes, true).await;
        }
        held.push(Held {
            hash: p.hash.clone(),
            bytes: p.bytes,
            sent: st.received,
            done: st.complete,
        });
    }
    show(progress_of(&waiting, &held));
    let wanted: Vec<String> = waiting.iter().map(|p| p.hash.clone()).collect();
    let plan = plan_uploads(&wanted, &held);
    // The pieces of each photo, photos in the plan's order.
    let mut photos: Vec<(String, Vec<Piece>)> = Vec::new();
    for piece in plan {
        match photos.last_mut() {
            Some((h, pieces)) if *h == piece.hash => pieces.push(piece),
            _ => photos.push((piece.hash.clone(), vec![piece])),
        }
    }
    let held = std::rc::Rc::new(std::cell::RefCell::new(held));
    let outcomes: Vec<Result<(), ApiError>> = futures::stream::iter(photos)
        .map(|(hash, pieces)| {
            let (held, waiting) = (held.clone(), &waiting);
            async move {
                send_photo(token, &hash, &pieces, &|received, complete| {
                    if let Some(h) = held.borrow_mut().iter_mut().find(|h| h.hash == hash) {
                        h.sent = received;
                        h.done = complete;
                    }
                    show(progress_of(waiting, &held.borrow()));
                })
                .await
            }
        })
        .buffer_unordered(UPLOADS_AT_ONCE)
        .collect()
        .await;
    for outcome in outcomes {
        match outcome {
            Ok(()) => {}
            Err(
                err @ ApiError::Server {
                    status: 400 | 413 | 422,
                    ..
                },
            ) => refused = Some(err),
            Err(err) => {
                refresh_waiting().await;
                return Err(err);
            }
        }
    }
    refresh_waiting().await;
    match refused {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// Sends one photo's `pieces` in order; `progress(received, complete)` after each answer.
/// A refusal marks the photo (not sent again) and is returned; a lost connection is
/// returned as is (the next sync goes on from what the server holds).
async fn send_photo(
    token: &str,
    hash: &str,
    pieces: &[Piece],
    progress: &dyn Fn(u64, bool),
) -> Result<(), ApiError> {
    let store = app_store();
    let Ok(Some(whole)) = store.photo_blob(hash).await else {
        return Ok(()); // No longer on this tablet: nothing to send.
    };
    let total = whole.size() as u64;
    for piece in pieces {
        let sent = if piece.offset == 0 && piece.len == total {
            crate::api::photos::put_photo(token, hash, &whole).await
        } else {
            let part = whole
                .slice_with_f64_and_f64(piece.offset as f64, (piece.offset + piece.len) as f64)
                .map_err(|_| ApiError::Network)?;
            crate::api::photos::put_photo_piece(token, hash, piece.offset, total, &part).await
        };
        let status = match sent {
            Ok(s) => s,
            Err(
                err @ ApiError::Server {
                    status: 400 | 413 | 422,
                    ..
                },
            ) => {
                // Not an image the server takes, or damaged here: not sent again.
                let _ = store.set_photo_refused(hash, &err.user_message().vi).await;
                return Err(err);
            }
            Err(err) => return Err(err),
        };
        let _ = store
            .set_photo_sent(hash, status.received, status.complete)
            .await;
        progress(status.received, status.complete);
        if !status.complete && status.received != piece.offset + piece.len {
            // The server's copy stops elsewhere (a piece it lost): the next sync re-plans
            // from its answer.
            break;
        }
    }
    Ok(())
}
