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
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

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
    leptos::task::spawn_local(async {
        let s = crate::app_store().session().await.ok().flatten();
        session().set(s);
        session_loaded().set(true);
    });
    view! {
        <Router>
            <Header/>
            <StatusBar/>
            <UpdateBanner/>
            <main id="main">
                <Routes fallback=|| view! { <p>{tx("Không có trang này.", "There is no such page.")}</p> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/dang-nhap") view=LoginPage/>
                    <Route path=path!("/htx/:id") view=CooperativePage/>
                    <Route path=path!("/htx/:id/khao-sat") view=VisitFormPage/>
                    <Route path=path!("/htx/:id/sua") view=EditCooperativePage/>
                    <Route path=path!("/htx-moi") view=RegisterPage/>
                    <Route path=path!("/may") view=DevicePage/>
                    <Route path=path!("/bao-cao") view=ReportsPage/>
                    <Route path=path!("/bao-cao/:id") view=crate::pages::review::ReviewPage/>
                    <Route path=path!("/tong-ket") view=crate::pages::six_month::SixMonthPage/>
                    <Route path=path!("/nhat-ky/:entity/:id") view=crate::pages::audit::AuditPage/>
                </Routes>
            </main>
        </Router>
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
