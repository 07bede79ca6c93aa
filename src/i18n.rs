//! The interface language: Vietnamese by default, English on a switch that is remembered
//! (localStorage, read synchronously at start so the first paint is in the right language).

use hoptac_core::i18n::Lang;
use leptos::prelude::*;

const KEY: &str = "hoptac.lang";

thread_local! {
    static LANG: RwSignal<Lang> = RwSignal::new(initial());
}

fn initial() -> Lang {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map(|c| Lang::from_code(&c))
        .unwrap_or_default()
}

pub fn lang() -> RwSignal<Lang> {
    LANG.with(|l| *l)
}

pub fn set_lang(l: Lang) {
    lang().set(l);
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(KEY, l.code());
    }
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("lang", l.code());
    }
}

/// Picks the text for the current language (tracks the language signal).
pub fn t(vi: &'static str, en: &'static str) -> &'static str {
    match lang().get() {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// Same, for owned strings.
pub fn ts(vi: String, en: String) -> String {
    match lang().get() {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// "2021-06-11" → "11/06/2021" (both languages use day/month/year in Vietnam).
pub fn date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

/// A time of day and date from Unix milliseconds, in the browser's time zone.
pub fn date_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}:{:02} {:02}/{:02}/{}",
        d.get_hours(),
        d.get_minutes(),
        d.get_date(),
        d.get_month() + 1,
        d.get_full_year()
    )
}

/// Groups digits: 1234567 → "1.234.567" (Vietnamese) or "1,234,567" (English).
pub fn group_digits(n: i64, l: Lang) -> String {
    let sep = if l == Lang::Vi { '.' } else { ',' };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Money: "1.234.567 ₫" in Vietnamese, "1,234,567 VND" in English.
pub fn vnd(n: i64) -> String {
    let l = lang().get();
    match l {
        Lang::Vi => format!("{} ₫", group_digits(n, l)),
        Lang::En => format!("{} VND", group_digits(n, l)),
    }
}

/// A text in the current language, for views: `{vi_en("Lưu", "Save")}`. Every call returns
/// the same closure type, so the view code for it is compiled once, not once per text
/// (hundreds of texts: it keeps the wasm small).
pub fn vi_en(
    vi: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Clone + Copy + Send + Sync + 'static {
    move || t(vi, en)
}
