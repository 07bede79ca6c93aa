//! The app's own small router (it replaced leptos_router, to keep the download small):
//! the location is one signal; links are plain `<a href>` (src/router.js turns a click on
//! one into `history.pushState`); [`App`](crate::app::App) matches the path's segments to
//! a page, and makes the page anew when the path changes, so pages read their parameters
//! once with [`segment`] and [`query`].

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/router.js")]
extern "C" {
    #[wasm_bindgen(js_name = installRouter)]
    fn install_router(on_change: &Closure<dyn FnMut(String)>) -> String;
    #[wasm_bindgen(js_name = navigateTo)]
    fn navigate_to(to: &str, replace: bool);
}

thread_local! {
    static LOCATION: RwSignal<String> = RwSignal::new(String::new());
}

/// The current path and query ("/htx/coop-001?saved=1").
pub fn location() -> RwSignal<String> {
    LOCATION.with(|l| *l)
}

/// Starts following clicks on links and the back button (once, at start).
pub fn install() {
    let on_change = Closure::<dyn FnMut(String)>::new(|to: String| location().set(to));
    let now = install_router(&on_change);
    on_change.forget();
    location().set(now);
}

/// Goes to `to` (a path of the app), as a click on a link would.
pub fn navigate(to: &str) {
    navigate_to(to, false);
}

/// The path without the query.
pub fn path() -> String {
    location().with(|l| l.split('?').next().unwrap_or("").to_string())
}

/// The path's segments, decoded ("/htx/a%20b/sua" → ["htx", "a b", "sua"]).
pub fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            js_sys::decode_uri_component(s)
                .map(String::from)
                .unwrap_or_else(|_| s.to_string())
        })
        .collect()
}

/// Segment `i` of the current path (untracked: a page is made anew for a new path).
pub fn segment(i: usize) -> String {
    let p = location().with_untracked(|l| l.split('?').next().unwrap_or("").to_string());
    segments(&p).into_iter().nth(i).unwrap_or_default()
}

/// The value of `key` in the current query string, if any.
pub fn query(key: &str) -> Option<String> {
    location().with_untracked(|l| {
        let q = l.split_once('?')?.1;
        q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == key).then(|| {
                js_sys::decode_uri_component(&v.replace('+', " "))
                    .map(String::from)
                    .unwrap_or_default()
            })
        })
    })
}

/// Goes to `path` as soon as it is shown (replacing the current history entry).
#[component]
pub fn Redirect(path: &'static str) -> impl IntoView {
    Effect::new(move |_| navigate_to(path, true));
}

/// `aria-current="page"` for a link to `href` while that page is shown.
pub fn current(href: &'static str) -> impl Fn() -> Option<&'static str> + Send + Sync + Copy {
    move || (path() == href).then_some("page")
}
