//! Saving the forms' drafts off the page's main thread: src/drafts.js hands each draft to
//! a worker (public/draft-worker.js) that writes it to the same `meta` row
//! [`crate::store::Store::save_draft_js`] writes. On the page, a write's completion waits
//! behind the keystroke's own rendering; in the worker it does not (see
//! docs/BENCHMARKS.md, issue 3). If the worker cannot write, the page writes the draft
//! itself, as before.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/drafts.js")]
extern "C" {
    #[wasm_bindgen(js_name = saveDraft)]
    fn save_draft(key: &str, value: &JsValue, t0: f64) -> js_sys::Promise;
    #[wasm_bindgen(js_name = settled)]
    fn settled_js() -> js_sys::Promise;
}

/// Saves the draft `value` under `key`; `latest` gives the form's newest draft, written by
/// the page itself if the worker could not write this one (so an older draft never ends
/// up last). `t0`: when the change began, for the benchmark.
pub async fn save(
    store: &crate::store::Store,
    key: &str,
    value: &JsValue,
    t0: f64,
    latest: impl FnOnce() -> Option<JsValue>,
) {
    let by_worker = wasm_bindgen_futures::JsFuture::from(save_draft(key, value, t0))
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if !by_worker {
        let value = latest().unwrap_or_else(|| value.clone());
        let _ = store.save_draft_js(key, &value).await;
        crate::util::bench_record("draftSave", crate::util::perf_now() - t0);
    }
}

/// Saves a form's draft, as the user changed it: `to_js` turns the form's current draft
/// into a JavaScript value (now, and again for the newest draft if the worker cannot write
/// it). One routine for every form.
pub fn save_now(key: String, to_js: impl Fn() -> Option<JsValue> + 'static) {
    let t0 = crate::util::perf_now();
    let Some(js) = to_js() else { return };
    crate::util::bench_record("draftSerialize", crate::util::perf_now() - t0);
    leptos::task::spawn_local(async move {
        crate::util::bench_record("draftTaskStart", crate::util::perf_now() - t0);
        save(&crate::handles::store(), &key, &js, t0, to_js).await;
    });
}

/// Resolves once every draft handed to the worker is written (or has failed and been
/// written by the page): what reads, replaces or removes drafts waits for it first.
pub async fn settled() {
    let _ = wasm_bindgen_futures::JsFuture::from(settled_js()).await;
}
