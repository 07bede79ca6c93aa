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
