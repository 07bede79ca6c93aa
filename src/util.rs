//! Small browser helpers: ids, clocks, dates.

/// A random id (UUID v4) from the browser's crypto.
pub fn new_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("id-{}-{}", now_ms(), (js_sys::Math::random() * 1e9) as u64))
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Today's date in Vietnam, "YYYY-MM-DD".
pub fn today() -> String {
    hoptac_core::validate::date_of_millis_vn(now_ms())
}

pub fn is_online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

/// JSON text of a value, written by the browser's JSON.stringify through serde-wasm-bindgen
/// (no serde_json in the wasm: it keeps the download small).
pub fn to_json<T: serde::Serialize>(value: &T) -> Option<String> {
    let js = value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()?;
    js_sys::JSON::stringify(&js).ok()?.as_string()
}

/// A value from JSON text, read by the browser's JSON.parse through serde-wasm-bindgen.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_wasm_bindgen::from_value(js_sys::JSON::parse(text).ok()?).ok()
}
