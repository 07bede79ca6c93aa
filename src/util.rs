//! Small browser helpers: ids, clocks, dates.
use wasm_bindgen::JsCast;

/// A random id (UUID v4) from the browser's crypto.
pub fn new_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("id-{}-{}", now_ms(), (js_sys::Math::random() * 1e9) as u64))
}

/// Now, in ms since the epoch, by the tablet's clock corrected by the server's
/// ([`crate::clock`]): what records are stamped with and default dates come from.
pub fn now_ms() -> i64 {
    crate::clock::device_now_ms() + crate::clock::offset_ms()
}

/// Today's date in Vietnam, "YYYY-MM-DD".
pub fn today() -> String {
    hoptac_core::validate::date_of_millis_vn(now_ms())
}

pub fn is_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

/// JSON text of a value, written by the browser's JSON.stringify through serde-wasm-bindgen
/// (no serde_json in the wasm: it keeps the download small).
pub fn to_json<T: serde::Serialize>(value: &T) -> Option<String> {
    let js = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&js).ok()?.as_string()
}

/// A value from JSON text, read by the browser's JSON.parse through serde-wasm-bindgen.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_wasm_bindgen::from_value(js_sys::JSON::parse(text).ok()?).ok()
}

/// A high-resolution clock (ms), for measuring.
pub fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Records a duration for the benchmarks (bench/): pushed to `window.__hoptacBench[name]`
/// only when a benchmark has created that array; otherwise nothing happens.
pub fn bench_record(name: &str, ms: f64) {
    let Some(w) = web_sys::window() else { return };
    let Ok(bench) = js_sys::Reflect::get(&w, &"__hoptacBench".into()) else {
        return;
    };
    if bench.is_object() {
        if let Ok(list) = js_sys::Reflect::get(&bench, &name.into()) {
            if let Some(arr) = list.dyn_ref::<js_sys::Array>() {
                arr.push(&ms.into());
            }
        }
    }
}

/// Reorders `items` by `key` (ascending; ties keep their order). All sorting in the app goes
/// through here, so the sort routine is compiled once, not once per list type and closure.
pub fn sort_by_key<T>(items: Vec<T>, key: impl Fn(&T) -> (u64, String)) -> Vec<T> {
    let mut keys: Vec<(u64, String, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (a, b) = key(t);
            (a, b, i)
        })
        .collect();
    keys.sort_unstable();
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    keys.into_iter()
        .filter_map(|(_, _, i)| slots[i].take())
        .collect()
}

/// The text of a JavaScript error or value, for messages and logs. (Release builds are
/// compiled without `Debug` formatting, so `{:?}` of a `JsValue` prints nothing there.)
pub fn js_text(value: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    if let Some(s) = value.as_string() {
        return s;
    }
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        return format!(
            "{}: {}",
            String::from(err.name()),
            String::from(err.message())
        );
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// What was typed in an input, in composed Unicode form (NFC: "Vũ" typed with a combining
/// mark or precomposed is one value, issue 13), by the browser's own String.normalize,
/// without control characters.
pub fn typed(ev: &web_sys::Event) -> String {
    let raw = leptos::prelude::event_target_value(ev);
    let js = js_sys::JsString::from(raw.as_str());
    let text = js.normalize("NFC").as_string().unwrap_or(raw);
    // Control characters (Word's soft line break U+000B, pasted escape codes) are not
    // text: the server refuses them; tab and line breaks stay.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        text.chars()
            .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
            .collect()
    } else {
        text
    }
}

/// The file chosen in a file input (`ev` its change event), taken out of the input so the
/// same file can be chosen again; None when none was chosen.
pub fn chosen_file(ev: &web_sys::Event) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
    let file = input.files().and_then(|f| f.get(0));
    input.set_value("");
    file
}

/// A chosen file's text (UTF-8), empty when it cannot be read.
pub async fn file_text(file: &web_sys::File) -> String {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default()
}
