//! The installable app: service worker registration, "a new version is ready — reload",
//! and persistent storage.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/pwa.js")]
extern "C" {
    #[wasm_bindgen(js_name = registerServiceWorker)]
    fn register_service_worker(
        on_update_ready: &Closure<dyn FnMut()>,
        on_offline: &Closure<dyn FnMut(u8)>,
    );
    #[wasm_bindgen(js_name = offlineStateNow)]
    fn offline_state_now() -> u8;
    #[wasm_bindgen(js_name = keepParts)]
    fn keep_parts_js(names: Vec<String>);
    #[wasm_bindgen(js_name = checkForUpdate)]
    pub fn check_for_update();
    #[wasm_bindgen(js_name = applyUpdate)]
    pub fn apply_update();
    #[wasm_bindgen(js_name = storageInfo)]
    async fn storage_info_js() -> JsValue;
    #[wasm_bindgen(js_name = requestPersist)]
    async fn request_persist_js() -> JsValue;
    #[wasm_bindgen(js_name = downloadText)]
    pub fn download_text(filename: &str, text: &str);
    #[wasm_bindgen(js_name = downloadFile)]
    pub async fn download_file(url: &str, token: &str) -> JsValue;
    #[wasm_bindgen(js_name = photoUrl)]
    async fn photo_url_js(url: &str, token: &str) -> JsValue;
    #[wasm_bindgen(js_name = getPosition)]
    fn get_position_js(on_ok: &Closure<dyn FnMut(f64, f64, f64)>, on_err: &Closure<dyn FnMut(u32)>);
}

/// The device's position (lat, lon, accuracy in metres), or the geolocation error code.
pub async fn current_position() -> Result<(f64, f64, f64), u32> {
    let (tx, rx) = futures_channel_oneshot();
    let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));
    let tx2 = tx.clone();
    let ok = Closure::<dyn FnMut(f64, f64, f64)>::new(move |a, b, c| {
        if let Some(t) = tx.borrow_mut().take() {
            let _ = t.send(Ok((a, b, c)));
        }
    });
    let err = Closure::<dyn FnMut(u32)>::new(move |code| {
        if let Some(t) = tx2.borrow_mut().take() {
            let _ = t.send(Err(code));
        }
    });
    get_position_js(&ok, &err);
    let result = rx.await.unwrap_or(Err(2));
    drop((ok, err));
    result
}

fn futures_channel_oneshot<T>() -> (
    futures::channel::oneshot::Sender<T>,
    futures::channel::oneshot::Receiver<T>,
) {
    futures::channel::oneshot::channel()
}

thread_local! {
    static UPDATE_READY: RwSignal<bool> = RwSignal::new(false);
    static OFFLINE: RwSignal<Offline> = RwSignal::new(Offline::from_js(offline_state_now()));
}

/// Whether the app is saved on the device for use without network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offline {
    /// First visit or a new user: the service worker is still caching the app, or the
    /// parts of the signed-in user's pages.
    Saving,
    /// A service worker serves the app: every page the user opens works offline.
    Ready,
    /// This browser cannot keep the app (no service worker, or its registration failed).
    Unavailable,
}

impl Offline {
    /// What the status bar and the device page say when the browser cannot keep the app.
    pub const UNAVAILABLE: (&'static str, &'static str) = (
        "Trình duyệt này không lưu được ứng dụng: cần có mạng để mở các trang.",
        "This browser cannot keep the app: pages need the network to open.",
    );

    fn from_js(state: u8) -> Self {
        match state {
            0 => Offline::Saving,
            1 => Offline::Ready,
            _ => Offline::Unavailable,
        }
    }
}

/// True once a new release is installed and waiting for the user's reload.
pub fn update_ready() -> RwSignal<bool> {
    UPDATE_READY.with(|s| *s)
}

/// The app's offline state (the status bar shows it until it is ready).
pub fn offline() -> RwSignal<Offline> {
    OFFLINE.with(|s| *s)
}

pub fn register() {
    let ready = update_ready();
    let cb = Closure::<dyn FnMut()>::new(move || ready.set(true));
    let state = offline();
    let on_offline = Closure::<dyn FnMut(u8)>::new(move |s| state.set(Offline::from_js(s)));
    register_service_worker(&cb, &on_offline);
    cb.forget();
    on_offline.forget();
}

/// Asks the service worker to keep, for offline use, the wasm part (`app.rs`'s
/// `lazy_pages!`) of `role`'s own pages: an officer's tablet the officer's part (the
/// registry, cooperatives, the visit form, this tablet: their work offline), a
/// supervisor's or administrator's device the supervisor's (the review queue, the
/// six-monthly review, administration: pages that need the server anyway). The officer's
/// pages a supervisor opens (a cooperative's) come over the network the first time and
/// from the browser's cache after. The offline state stays "saving" until it is cached.
pub fn keep_parts(role: hoptac_core::model::Role) {
    let name = match role {
        hoptac_core::model::Role::Officer => "officer",
        _ => "supervisor",
    };
    keep_parts_js(vec![name.to_string()]);
}

/// Tablets are shared and short of space: ask the browser not to evict our data.
pub fn ask_persistent_storage() {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().storage().persist();
    }
}

/// Whether the browser will keep our data under storage pressure, and bytes used / quota.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StorageInfo {
    pub persisted: bool,
    pub usage: f64,
    pub quota: f64,
}

pub async fn storage_info() -> StorageInfo {
    let v = storage_info_js().await;
    let get = |k: &str| js_sys::Reflect::get(&v, &JsValue::from_str(k)).ok();
    StorageInfo {
        persisted: get("persisted").and_then(|x| x.as_bool()).unwrap_or(false),
        usage: get("usage").and_then(|x| x.as_f64()).unwrap_or(0.0),
        quota: get("quota").and_then(|x| x.as_f64()).unwrap_or(0.0),
    }
}

pub async fn request_persist() -> bool {
    request_persist_js().await.as_bool().unwrap_or(false)
}

/// An object URL ("blob:…") for the API file at `path`, fetched with the session's token;
/// otherwise "network" (no connection) or what the server answered instead.
pub async fn object_url(path: &str, token: &str) -> String {
    photo_url_js(path, token)
        .await
        .as_string()
        .unwrap_or_default()
}
