//! The router and the frame every page shares (header, sync status).

use crate::components::header::Header;
use crate::components::status_bar::StatusBar;
use crate::components::update_banner::UpdateBanner;
use crate::i18n::tx;
use crate::pages::{
    cooperative::CooperativePage,
    device::DevicePage,
    home::HomePage,
    login::LoginPage,
    register::{EditCooperativePage, RegisterPage},
    reports::ReportsPage,
    visit_form::VisitFormPage,
};
use hoptac_core::model::LoginResponse;
use leptos::prelude::*;

thread_local! {
    static SESSION: RwSignal<Option<LoginResponse>> = RwSignal::new(None);
    static SESSION_LOADED: RwSignal<bool> = RwSignal::new(false);
}

/// The signed-in user's session (None when signed out), mirrored from the store.
pub fn session() -> RwSignal<Option<LoginResponse>> {
    SESSION.with(|s| *s)
}

/// False until the session was read from the store at start.
pub fn session_loaded() -> RwSignal<bool> {
    SESSION_LOADED.with(|s| *s)
}

#[component]
pub fn App() -> impl IntoView {
    crate::i18n::set_lang(crate::i18n::lang().get_untracked());
    crate::util::bench_record("appMount", crate::util::perf_now());
    // The session read before the wasm started is set before mounting (crate::start);
    // without one, it is read from the store now.
    if !session_loaded().get_untracked() {
        leptos::task::spawn_local(async {
            let s = crate::app_store().session().await.ok().flatten();
            session().set(s);
            session_loaded().set(true);
        });
    }
    crate::router::install();
    // The page is made anew when the path changes (not when only the query does).
    let path = Memo::new(move |_| crate::router::path());
    view! {
        <Header/>
        <StatusBar/>
        <UpdateBanner/>
        <main id="main">{move || page(&path.get())}</main>
    }
}

/// The page for a path ("/htx/coop-001/khao-sat"): every page of the app.
fn page(path: &str) -> AnyView {
    let segs = crate::router::segments(path);
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    match s.as_slice() {
        [] => view! { <HomePage/> }.into_any(),
        ["dang-nhap"] => view! { <LoginPage/> }.into_any(),
        ["htx", _] => view! { <CooperativePage/> }.into_any(),
        ["htx", _, "khao-sat"] => view! { <VisitFormPage/> }.into_any(),
        ["htx", _, "sua"] => view! { <EditCooperativePage/> }.into_any(),
        ["htx-moi"] => view! { <RegisterPage/> }.into_any(),
        ["may"] => view! { <DevicePage/> }.into_any(),
        ["bao-cao"] => view! { <ReportsPage/> }.into_any(),
        ["bao-cao", _] => view! { <crate::pages::review::ReviewPage/> }.into_any(),
        ["tong-ket"] => view! { <crate::pages::six_month::SixMonthPage/> }.into_any(),
        ["nhat-ky", _, _] => view! { <crate::pages::audit::AuditPage/> }.into_any(),
        _ => view! { <p>{tx("Không có trang này.", "There is no such page.")}</p> }.into_any(),
    }
}

/// Shown when IndexedDB cannot be opened (private mode, storage blocked...).
#[component]
pub fn StoreFailed(error: String) -> impl IntoView {
    view! {
        <main id="main" class="fatal" role="alert">
            <h1>"Không mở được bộ nhớ của ứng dụng / Cannot open the app's storage"</h1>
            <p>"Hãy tắt chế độ ẩn danh và cho phép trang lưu dữ liệu. / Leave private browsing and allow this site to store data."</p>
            <p class="muted">{error}</p>
        </main>
    }
}
