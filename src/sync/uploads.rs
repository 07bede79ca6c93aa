//! Uploading the photos records name (issue 17), after each push: separate from the
//! mutations (a report travels as soon as it can; its photos follow), named by content hash
//! (the server stores a photo once however often it is sent), and resumable: each photo's
//! upload starts by asking the server how much it holds (`GET /api/photos/{hash}/status`),
//! so a connection lost in the middle of a large photo goes on from the last piece the
//! server kept. Which photos and in which order is hoptac_core::photo::plan_uploads: only
//! photos queued by a sent record (crate::store::photos), oldest first, never one removed
//! from a draft.

use crate::api::ApiError;
use crate::app_store;
use crate::store::HeldPhoto;
use hoptac_core::photo::{plan_uploads, Held};
use leptos::prelude::*;

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

/// Shows `progress` in the status bar; when the number of photos waiting changed, pages
/// re-read (a report becomes "Đã gửi" once its photos are there).
fn show(progress: PhotoProgress) {
    let state = super::state();
    let before = state.photos.get_untracked().0;
    state.photos.set(progress);
    if before != progress.0 {
        state.data_version.update(|v| *v += 1);
    }
}

/// Re-reads how many photos wait, for the status bar (no network).
pub async fn refresh_waiting() {
    let waiting = to_send().await;
    let held: Vec<Held> = waiting.iter().map(HeldPhoto::as_held).collect();
    show(progress_of(&waiting, &held));
}

/// Sends every queued photo the server does not hold yet, in order, piece by piece. Stops
/// at a lost connection (the next sync goes on from where the server stopped); a photo the
/// server refuses is marked so (not sent again) and the others go on.
pub async fn upload_waiting(token: &str) -> Result<(), ApiError> {
    let store = app_store();
    let waiting = to_send().await;
    if waiting.is_empty() {
        show((0, 0, 0));
        return Ok(());
    }
    let mut refused: Option<ApiError> = None;
    // Where the server stands with each (it may hold one already: sent from a rescue file
    // on another tablet, or before a lost answer).
    let mut held: Vec<Held> = Vec::with_capacity(waiting.len());
    for p in &waiting {
        let st = match crate::api::photo_status(token, &p.hash).await {
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
    let mut blob: Option<(String, web_sys::Blob)> = None;
    let mut skip: Option<String> = None;
    for piece in plan {
        if skip.as_ref() == Some(&piece.hash) {
            continue;
        }
        if blob.as_ref().is_none_or(|(h, _)| h != &piece.hash) {
            let Ok(Some(b)) = store.photo_blob(&piece.hash).await else {
                continue;
            };
            blob = Some((piece.hash.clone(), b));
        }
        let Some((_, whole)) = blob.as_ref() else {
            continue;
        };
        let total = whole.size() as u64;
        let sent = if piece.offset == 0 && piece.len == total {
            crate::api::put_photo(token, &piece.hash, whole).await
        } else {
            let part = whole
                .slice_with_f64_and_f64(piece.offset as f64, (piece.offset + piece.len) as f64)
                .map_err(|_| ApiError::Network)?;
            crate::api::put_photo_piece(token, &piece.hash, piece.offset, total, &part).await
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
                let _ = store
                    .set_photo_refused(&piece.hash, &err.user_message().vi)
                    .await;
                skip = Some(piece.hash.clone());
                refused = Some(err);
                continue;
            }
            Err(err) => return Err(err),
        };
        let _ = store
            .set_photo_sent(&piece.hash, status.received, status.complete)
            .await;
        if let Some(h) = held.iter_mut().find(|h| h.hash == piece.hash) {
            h.sent = status.received;
            h.done = status.complete;
        }
        show(progress_of(&waiting, &held));
        if !status.complete && status.received != piece.offset + piece.len {
            // The server's copy stops elsewhere (a piece it lost): the next sync re-plans
            // from its answer.
            break;
        }
    }
    refresh_waiting().await;
    match refused {
        Some(err) => Err(err),
        None => Ok(()),
    }
}
