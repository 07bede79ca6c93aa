//! The installable app: service worker registration, "a new version is ready — reload",
//! and persistent storage.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/pwa.js")]
extern "C" {
    #[wasm_bindgen(js_name = registerServiceWorker)]
    fn register_service_worker(on_update_ready: &Closure<dyn FnMut()>);
    #[wasm_bindgen(js_name = checkForUpdate)]
    pub fn check_for_update();
    #[wasm_bindgen(js_name = applyUpdate)]
    pub fn apply_update();
}

thread_local! {
    static UPDATE_READY: RwSignal<bool> = RwSignal::new(false);
}

/// True once a new release is installed and waiting for the user's reload.
pub fn update_ready() -> RwSignal<bool> {
    UPDATE_READY.with(|s| *s)
}

pub fn register() {
    let ready = update_ready();
    let cb = Closure::<dyn FnMut()>::new(move || ready.set(true));
    register_service_worker(&cb);
    cb.forget();
}

/// Tablets are shared and short of space: ask the browser not to evict our data.
pub fn ask_persistent_storage() {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().storage().persist();
    }
}
