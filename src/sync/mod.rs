//! The sync task: the only code that moves data between the local store and the server.
//! It runs on app start, when the browser comes back online, every 30 s while online, and
//! on "Sync now"; after a temporary failure it waits longer each time (backoff).
//! Its state (online, waiting changes, last success, error, progress) lives in signals
//! the status bar shows.

use crate::api::{self, ApiError};
use crate::handles::store as app_store;
use hoptac_core::error::ErrorCode;
use hoptac_core::i18n::Msg;
use hoptac_core::sync::{
    backoff_ms, Mutation, PullRequest, PushRequest, MAX_PUSH_BATCH, PUSH_BATCH_BYTES,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

pub mod uploads;
pub use uploads::PhotoProgress;

const PERIOD_MS: u64 = 30_000;

#[derive(Clone, Copy)]
pub struct SyncState {
    pub online: RwSignal<bool>,
    /// Changes waiting in the outbox; `None` until the outbox has been read, so the status
    /// bar never says "nothing waiting" before it knows.
    pub pending: RwSignal<Option<u32>>,
    pub last_success: RwSignal<Option<i64>>,
    pub error: RwSignal<Option<Msg>>,
    /// A run of the loop is under way (set by the loop around each run).
    pub running: RwSignal<bool>,
    /// Records received / expected during a pull.
    pub progress: RwSignal<Option<(u64, u64)>>,
    /// Bumped whenever local data changes, so pages re-read the store.
    pub data_version: RwSignal<u64>,
    /// Photos waiting to be uploaded: (how many, bytes the server holds of them, their
    /// bytes in all); (0, 0, 0) when none.
    pub photos: RwSignal<PhotoProgress>,
    /// Bumped to ask the loop to sync now.
    kick: RwSignal<u64>,
    /// The `kick` the loop's current (or last) run began after.
    started: RwSignal<u64>,
}

impl SyncState {
    /// Whether a sync runs or has been asked for and not yet begun: "Sync now" is disabled
    /// and says "Đang đồng bộ…" from the click until a run that began after it ends,
    /// including the up to 250 ms before the loop sees the kick and begins.
    pub fn busy(&self) -> bool {
        self.running.get() || self.kick.get() != self.started.get()
    }
}

thread_local! {
    static STATE: SyncState = SyncState {
        online: RwSignal::new(crate::util::is_online()),
        pending: RwSignal::new(None),
        last_success: RwSignal::new(None),
        error: RwSignal::new(None),
        running: RwSignal::new(false),
        progress: RwSignal::new(None),
        data_version: RwSignal::new(0),
        photos: RwSignal::new((0, 0, 0)),
        kick: RwSignal::new(0),
        started: RwSignal::new(0),
    };
}

pub fn state() -> SyncState {
    STATE.with(|s| *s)
}

thread_local! {
    static ASKED_TO_PERSIST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// After the officer saved work: asks, the first time in this page load, for persistent
/// storage (issue 13: asked right after the officer acted, browsers grant it more readily
/// than at start-up, and unsent work is what must not be evicted), then re-reads the
/// outbox size and tells pages the data changed.
pub async fn local_changed() {
    if !ASKED_TO_PERSIST.with(|a| a.replace(true)) {
        crate::pwa::ask_persistent_storage();
    }
    data_changed().await;
}

/// Re-reads the outbox size and tells pages the data changed (after a sync, too).
async fn data_changed() {
    refresh_pending().await;
    // A record just saved names its photos: they wait to be sent from now on.
    let _ = app_store().queue_named_photos(crate::util::now_ms()).await;
    uploads::refresh_waiting().await;
    state().data_version.update(|v| *v += 1);
}

/// Re-reads the outbox size (pages re-read their data only when told it changed: the
/// registry re-reading 10,000 cooperatives after every quiet sync slowed typing).
async fn refresh_pending() {
    if let Ok(n) = app_store().outbox_len().await {
        state().pending.set(Some(n));
    }
}

/// Asks for a sync as soon as possible.
pub fn sync_now() {
    state().kick.update(|k| *k += 1);
}

/// Starts the background loop and the online/offline listeners. Call once.
pub fn start() {
    let s = state();
    let on = gloo::events::EventListener::new(&gloo::utils::window(), "online", move |_| {
        s.online.set(true);
        sync_now();
    });
    let off = gloo::events::EventListener::new(&gloo::utils::window(), "offline", move |_| {
        s.online.set(false)
    });
    on.forget();
    off.forget();
    spawn_local(async move {
        if let Ok(Some(t)) = app_store()
            .meta::<i64>(crate::store::keys::LAST_SYNC_AT)
            .await
        {
            s.last_success.set(Some(t));
        }
        // The clock's offset as last measured, for dates filled in while offline.
        if let Ok(Some(o)) = app_store()
            .meta::<i64>(crate::store::keys::CLOCK_OFFSET)
            .await
        {
            crate::clock::set_offset(o);
        }
        // Photos first: the bar says "nothing waiting" once the outbox count is known.
        uploads::refresh_waiting().await;
        refresh_pending().await;
        // Photos named by nothing, left by a form closed before its draft was saved.
        let _ = app_store().sweep_photos(crate::util::now_ms()).await;
        let mut failures: u32 = 0;
        loop {
            // Read before the run: a kick while it runs (a sign-in again, a save) must
            // start another run at once, not wait for the next period (seen on a slow CI
            // machine: the work stayed unsent after signing in again).
            let kicked_at = s.kick.get_untracked();
            s.started.set(kicked_at);
            s.running.set(true);
            let ok = run_once().await;
            s.running.set(false);
            failures = if ok { 0 } else { failures + 1 };
            let wait = if ok {
                PERIOD_MS
            } else {
                backoff_ms(failures - 1).min(PERIOD_MS * 4)
            };
            // Sleep until the wait is over or someone kicks (online event, "Sync now", a save).
            let mut waited = 0;
            while waited < wait && s.kick.get_untracked() == kicked_at {
                gloo::timers::future::TimeoutFuture::new(250).await;
                waited += 250;
            }
        }
    });
}

/// One push-then-pull. Returns false after a temporary failure (to back off).
async fn run_once() -> bool {
    let s = state();
    let store = app_store();
    let Ok(Some(session)) = store.session().await else {
        return true; // Not signed in: nothing to do.
    };
    if session.user.must_change_password {
        return true; // The server answers nothing but the password change until then.
    }
    if !crate::util::is_online() {
        s.online.set(false);
        return true;
    }
    let mut changed = false;
    let coops_before = crate::store::coops_writes();
    // Before the push: a record leaves the outbox once acknowledged, and its photos must
    // be queued by then.
    let _ = store.queue_named_photos(crate::util::now_ms()).await;
    let mut result = push_then_pull(&session.token, &mut changed).await;
    if result.is_ok() {
        // The photos follow the records that name them.
        result = uploads::upload_waiting(&session.token).await;
    }
    if crate::store::coops_writes() != coops_before {
        if crate::router::path() != "/" {
            crate::store::registry::refresh();
        }
    }
    s.progress.set(None);
    if changed {
        data_changed().await;
    } else {
        refresh_pending().await;
    }
    match result {
        Ok(()) => {
            let now = crate::util::now_ms();
            let _ = store.set_meta(crate::store::keys::LAST_SYNC_AT, &now).await;
            let _ = store
                .set_meta(crate::store::keys::CLOCK_OFFSET, &crate::clock::offset_ms())
                .await;
            s.last_success.set(Some(now));
            crate::pwa::check_for_update();
            s.error.set(None);
            s.online.set(true);
            true
        }
        Err(err) => {
            if err == ApiError::Network {
                s.online.set(crate::util::is_online());
            }
            s.error.set(Some(err.user_message()));
            !err.is_temporary()
        }
    }
}

/// Batches of the outbox to push, in order: at most [`MAX_PUSH_BATCH`] mutations and
/// [`PUSH_BATCH_BYTES`] of JSON each; a larger mutation goes alone (so one bad mutation
/// never makes a whole batch too large: the server refuses it alone).
fn batches(outbox: &[Mutation]) -> Vec<&[Mutation]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, m) in outbox.iter().enumerate() {
        let size = crate::util::to_json(m).map(|j| j.len()).unwrap_or(0);
        if i > start && (i - start >= MAX_PUSH_BATCH || bytes + size > PUSH_BATCH_BYTES) {
            out.push(&outbox[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < outbox.len() {
        out.push(&outbox[start..]);
    }
    out
}

/// One push-then-pull; when the server turns out to have been restored from a backup (a
/// new identity, a cursor or mutation ids it does not know), the outbox is rebuilt with
/// everything of the officer's the server may have lost and the run starts again, pulling
/// from the start.
async fn push_then_pull(token: &str, changed: &mut bool) -> Result<(), ApiError> {
    let restored = match push_and_pull(token, changed).await {
        Err(ApiError::Server { code, .. })
            if matches!(code, ErrorCode::MutationGap | ErrorCode::CursorUnknown) =>
        {
            true
        }
        Err(e) => return Err(e),
        Ok(()) => epoch_changed().await,
    };
    if !restored {
        return Ok(());
    }
    recover(token, changed).await?;
    push_and_pull(token, changed).await
}

/// Whether the server's identity differs from the one seen before (remembering the first).
async fn epoch_changed() -> bool {
    let store = app_store();
    let Some(now) = crate::clock::server_epoch() else {
        return false;
    };
    match store.meta::<String>(crate::store::keys::SERVER_EPOCH).await {
        Ok(Some(seen)) => seen != now,
        Ok(None) => {
            let _ = store.set_meta(crate::store::keys::SERVER_EPOCH, &now).await;
            false
        }
        Err(_) => false,
    }
}

/// Rebuilds the outbox after a restore of the server (see
/// [`crate::store::Store::recover_after_restore`]) and remembers its new identity.
async fn recover(token: &str, changed: &mut bool) -> Result<(), ApiError> {
    let store = app_store();
    let client_id = store.client_id().await.map_err(|_| ApiError::Network)?;
    let me = store
        .session()
        .await
        .ok()
        .flatten()
        .map(|s| s.user.id)
        .unwrap_or_default();
    // Where the server stands: any pull answer says which of our mutations it has.
    let page = api::sync::pull(
        token,
        &PullRequest {
            client_id,
            cursor: 0,
            limit: Some(1),
        },
    )
    .await?;
    store
        .recover_after_restore(page.header.last_mutation_id, &me, crate::util::now_ms())
        .await
        .map_err(|_| ApiError::Network)?;
    // The restored server may lack photos it had: each is asked about again.
    let _ = store.recheck_photos().await;
    if let Some(epoch) = crate::clock::server_epoch() {
        let _ = store
            .set_meta(crate::store::keys::SERVER_EPOCH, &epoch)
            .await;
    }
    *changed = true;
    Ok(())
}

/// Sets `changed` once anything in the local store changed (mutations acknowledged or
/// rejected, records pulled), even if a later step fails.
async fn push_and_pull(token: &str, changed: &mut bool) -> Result<(), ApiError> {
    let s = state();
    let store = app_store();
    let client_id = store.client_id().await.map_err(|_| ApiError::Network)?;

    // Push the outbox in order, in batches.
    let outbox = store.outbox().await.map_err(|_| ApiError::Network)?;
    for batch in batches(&outbox) {
        let req = PushRequest {
            client_id: client_id.clone(),
            mutations: batch.to_vec(),
        };
        let resp = api::sync::push(token, &req).await?;
        *changed = true;
        store
            .acknowledge(resp.last_mutation_id, &resp.rejected)
            .await
            .map_err(|_| ApiError::Network)?;
        refresh_pending().await;
    }

    // Pull every page after our cursor.
    let mut cursor: i64 = store
        .meta(crate::store::keys::CURSOR)
        .await
        .ok()
        .flatten()
        .unwrap_or(0);
    let mut received: u64 = 0;
    // For bench/first-pull.mjs: the whole first pull, and the part spent storing it.
    let (first, t0) = (cursor == 0, crate::util::perf_now());
    let mut storing = 0.0;
    let mut shown_at = t0;
    loop {
        let resp = api::sync::pull(
            token,
            &PullRequest {
                client_id: client_id.clone(),
                cursor,
                limit: None,
            },
        )
        .await?;
        let t = crate::util::perf_now();
        let n = store
            .apply_pull_js(
                &resp.changes,
                resp.header.cursor,
                resp.header.last_mutation_id,
            )
            .await
            .map_err(|_| ApiError::Network)?;
        storing += crate::util::perf_now() - t;
        received += n as u64;
        *changed |= n > 0;
        cursor = resp.header.cursor;
        if resp.header.has_more {
            s.progress
                .set(Some((received, received + resp.header.remaining)));
            // Let pages show what arrived, but not after every page: each refresh re-reads
            // the store, which slowed a 10,000-record first pull several-fold.
            if crate::util::perf_now() - shown_at > 3_000.0 {
                shown_at = crate::util::perf_now();
                s.data_version.update(|v| *v += 1);
            }
        } else {
            break;
        }
    }
    if first {
        crate::util::bench_record("firstPull", crate::util::perf_now() - t0);
        crate::util::bench_record("firstPullStoring", storing);
    }
    Ok(())
}

/// True when the error means "sign in again".
pub fn needs_sign_in(err: &Option<Msg>) -> bool {
    err.as_ref()
        .map(|m| *m == ErrorCode::Unauthenticated.user_message())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoptac_core::model::{ReportStatus, VisitReport};
    use hoptac_core::sync::MutationOp;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn report(id: u64, note_chars: usize) -> Mutation {
        Mutation {
            id,
            created_at: 1,
            op: MutationOp::SubmitVisit(VisitReport {
                id: format!("v{id}"),
                cooperative_id: "coop-001".into(),
                author_id: "u".into(),
                author_name: String::new(),
                visit_date: "2021-06-11".into(),
                note: "x".repeat(note_chars),
                findings: Default::default(),
                status: ReportStatus::Submitted,
                revision: 1,
                created_at: 1,
                area_path: String::new(),
                received_at: None,
                events: Vec::new(),
                author_left_area_at: None,
                written_area_path: None,
            }),
        }
    }

    /// Issue 13 case 3: pushes stay under the byte budget, in order, and a mutation larger
    /// than the budget goes alone (so the server refuses it alone).
    #[wasm_bindgen_test]
    fn batches_stay_under_the_byte_budget_and_a_big_mutation_goes_alone() {
        let small: Vec<Mutation> = (1..=250).map(|i| report(i, 10)).collect();
        let sizes: Vec<usize> = batches(&small).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
        let mixed = vec![
            report(1, 400_000),
            report(2, 400_000),
            report(3, 400_000),
            report(4, 2_200_000),
            report(5, 10),
            report(6, 10),
        ];
        let split: Vec<Vec<u64>> = batches(&mixed)
            .iter()
            .map(|b| b.iter().map(|m| m.id).collect())
            .collect();
        assert_eq!(split, vec![vec![1, 2], vec![3], vec![4], vec![5, 6]]);
    }
}
