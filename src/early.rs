//! What src/early.js read from the store before the wasm started: the session, and on the
//! registry's path its cached list. Each is taken once, by the first screen; everything
//! after reads the store. A read made under another schema version is not used (the
//! app's upgrade may have changed what it read).

use hoptac_core::model::LoginResponse;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/early.js")]
extern "C" {
    #[wasm_bindgen(js_name = earlyRead)]
    fn early_read() -> JsValue;
}

thread_local! {
    static SESSION_TAKEN: Cell<bool> = const { Cell::new(false) };
    static REGISTRY_TAKEN: Cell<bool> = const { Cell::new(false) };
}

async fn read() -> Option<JsValue> {
    let p: js_sys::Promise = early_read().dyn_into().ok()?;
    let v = wasm_bindgen_futures::JsFuture::from(p).await.ok()?;
    let version = js_sys::Reflect::get(&v, &"version".into()).ok()?.as_f64()?;
    (version == f64::from(crate::store::DB_VERSION)).then_some(v)
}

fn field(v: &JsValue, k: &str) -> Option<JsValue> {
    js_sys::Reflect::get(v, &k.into())
        .ok()
        .filter(|f| !f.is_null() && !f.is_undefined())
}

fn take(flag: &'static std::thread::LocalKey<Cell<bool>>) -> bool {
    !flag.with(|t| t.replace(true))
}

/// The session as it was at start-up: `Some(None)` when nobody was signed in, `None` when
/// there is no early read (read the store).
pub async fn session() -> Option<Option<LoginResponse>> {
    if !take(&SESSION_TAKEN) {
        return None;
    }
    let v = read().await?;
    match field(&v, "session") {
        None => Some(None),
        Some(s) => serde_wasm_bindgen::from_value(s).ok().map(Some),
    }
}

/// The signed-in user's role as the early read found it ("officer", "supervisor",
/// "admin"), without taking the session: for starting to load that role's pages while the
/// store opens.
pub async fn role() -> Option<String> {
    let v = read().await?;
    let user = field(&field(&v, "session")?, "user")?;
    field(&user, "role")?.as_string()
}

/// The registry's cached list and its stamp, if the early read found a current one.
pub async fn registry() -> Option<(String, String)> {
    if !take(&REGISTRY_TAKEN) {
        return None;
    }
    let r = field(&read().await?, "registry")?;
    let stamp = field(&r, "stamp")?.as_string()?;
    let bytes: js_sys::Uint8Array = field(&r, "bytes")?.dyn_into().ok()?;
    Some((stamp, String::from_utf8(bytes.to_vec()).ok()?))
}
