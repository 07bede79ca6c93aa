//! The router and the frame every page shares (header, sync status).

use crate::components::header::Header;
use crate::components::status_bar::StatusBar;
use crate::components::update_banner::UpdateBanner;
use crate::i18n::vi_en;
use crate::pages::{
    accounts::AccountsPage,
    areas::AreasPage,
    audit::AuditPage,
    cooperative::CooperativePage,
    decision::DecisionPage,
    device::DevicePage,
    duplicates::DuplicatesPage,
    home::HomePage,
    import::ImportPage,
    login::LoginPage,
    password::PasswordPage,
    reference::ReferencePage,
    register::{EditCooperativePage, RegisterPage},
    reports::ReportsPage,
    six_month::SixMonthPage,
    visit_form::VisitFormPage,
};
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

#[component]
pub fn App() -> impl IntoView {
    let session = crate::session::use_session();
    crate::i18n::set_lang(crate::i18n::lang().get_untracked());
    crate::util::bench_record("appMount", crate::util::perf_now());
    // The session read before the wasm started is set before mounting (crate::start);
    // without one, it is read from the store now.
    if !session.loaded.get_untracked() {
        leptos::task::spawn_local(async move {
            let s = crate::handles::store().session().await.ok().flatten();
            session.user.set(s);
            session.loaded.set(true);
        });
    }
    crate::router::install();
    // The service worker keeps the wasm parts of the signed-in user's pages for offline use.
    // (A memo: renewing the session does not ask again.)
    let role = Memo::new(move |_| session.user.with(|s| s.as_ref().map(|s| s.user.role)));
    Effect::new(move |_| {
        if let Some(role) = role.get() {
            crate::pwa::keep_parts(role);
        }
    });
    // The page is made anew when the path changes (not when only the query does).
    let path = Memo::new(move |_| crate::router::path());
    // A temporary password: nothing else until it is changed (the server answers nothing
    // else either). A memo: renewing the session must not make the page anew.
    let must_change = Memo::new(move |_| {
        session
            .user
            .with(|s| s.as_ref().is_some_and(|s| s.user.must_change_password))
    });
    view! {
        <Header/>
        <StatusBar/>
        <UpdateBanner/>
        <main id="main">{move || {
            if must_change.get() { lazy(password_page()) } else { page(&path.get()) }
        }}</main>
    }
}

/// The page for a path ("/htx/coop-001/khao-sat"): every page of the app.
///
/// Sign-in (a new user's first page) is in the main wasm; every other page is in one of two
/// wasm parts, the officer's and the supervisor's (`lazy_pages!`), fetched the first time
/// one of their pages opens (see [`lazy`]). The first load downloads only what sign-in
/// needs; the service worker keeps the parts of the signed-in user's role for offline use
/// (`pwa::keep_parts`).
fn page(path: &str) -> AnyView {
    let segs = crate::router::segments(path);
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    match s.as_slice() {
        [] => home(),
        ["dang-nhap"] => view! { <LoginPage/> }.into_any(),
        ["htx", _] => lazy(cooperative_page()),
        ["htx", _, "khao-sat"] => lazy(visit_form_page()),
        ["htx", _, "sua"] => lazy(edit_cooperative_page()),
        ["htx-moi"] => lazy(register_page()),
        ["may"] => lazy(device_page()),
        ["bao-cao"] => lazy(reports_page()),
        ["bao-cao", _] => lazy(decision_page()),
        ["tong-ket"] => lazy(six_month_page()),
        ["nhat-ky", _, _] => lazy(audit_page()),
        ["doi-mat-khau"] => lazy(password_page()),
        ["quan-tri"] => lazy(accounts_page()),
        ["quan-tri", "nhap-htx"] => lazy(import_page()),
        ["quan-tri", "danh-muc"] => lazy(reference_page()),
        ["quan-tri", "dia-ban"] => lazy(areas_page()),
        ["trung-lap"] => lazy(duplicates_page()),
        _ => view! { <p>{vi_en("Không có trang này.", "There is no such page.")}</p> }.into_any(),
    }
}

/// "/": the officer's registry (in the officer's part); for a supervisor or administrator,
/// the review queue (in theirs); sign-in for no one.
fn home() -> AnyView {
    let session = crate::session::use_session();
    (move || {
        if !session.loaded.get() {
            return view! { <p class="muted">"…"</p> }.into_any();
        }
        match session.user.get() {
            None => view! { <crate::router::Redirect path="/dang-nhap"/> }.into_any(),
            Some(s) if s.user.role == hoptac_core::model::Role::Officer => lazy(home_page()),
            Some(_) => lazy(reports_page()),
        }
    })
    .into_any()
}

/// Loads the wasm part of `role`'s first page (the registry for an officer, the review
/// queue otherwise) without showing anything: called at start, while the store opens, so
/// that the part is compiled by the time the app mounts. A part that cannot be had now is
/// loaded (or said missing) when its page opens.
pub async fn preload_pages(role: &str) {
    let _ = match role {
        "officer" => officer_part().await,
        _ => supervisor_part().await,
    };
}

#[leptos::wasm_split::wasm_split(officer, wasm_split_path = ::leptos::wasm_split, fallible)]
fn officer_part() -> Result<(), SplitLoaderError> {
    Ok(())
}

#[leptos::wasm_split::wasm_split(supervisor, wasm_split_path = ::leptos::wasm_split, fallible)]
fn supervisor_part() -> Result<(), SplitLoaderError> {
    Ok(())
}

/// Shows a page whose code is in a part of its own once that part is loaded (at once
/// when it was loaded before; from the service worker's cache when offline). A part that
/// cannot be fetched (offline before the app was saved on the tablet) gets a message and a
/// retry, not a blank page.
fn lazy(
    page: impl std::future::Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
) -> AnyView {
    let page = send_wrapper::SendWrapper::new(page);
    let page = Suspend::new(async move {
        match page.await {
            Ok(view) => view,
            Err(_) => view! { <PartMissing/> }.into_any(),
        }
    });
    // Shown only while a part is on its way (a first opening on a slow network); a part
    // already loaded shows its page at once.
    view! {
        <Suspense fallback=|| view! { <p class="muted" role="status">{vi_en("Đang mở trang…", "Opening the page…")}</p> }>
            {page}
        </Suspense>
    }
    .into_any()
}

#[component]
fn PartMissing() -> impl IntoView {
    view! {
        <section class="card warn" role="alert">
            <h1>{vi_en("Chưa tải được trang này", "This page could not be loaded")}</h1>
            <p>{vi_en(
                "Ứng dụng chưa được lưu đủ trên máy. Hãy kết nối mạng rồi thử lại; sau đó trang dùng được cả khi mất sóng.",
                "The app is not fully saved on this tablet yet. Connect to the network and try again; afterwards the page works without signal.",
            )}</p>
            <button type="button" class="primary" on:click=|_| {
                let _ = web_sys::window().map(|w| w.location().reload());
            }>{vi_en("Thử lại", "Try again")}</button>
        </section>
    }
}

/// One function a lazy page: `wasm_split` makes it an entry of the wasm part named after
/// `in` (pages of one part load together; code two parts share goes to a chunk both load),
/// cut from the main wasm at build time by scripts/split-bin/wasm-bindgen. `fallible`: a
/// part that cannot be fetched is an error to show, not a panic (which would stop the app).
macro_rules! lazy_pages {
    ($($name:ident in $part:ident => $page:ident),* $(,)?) => {$(
        #[leptos::wasm_split::wasm_split($part, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $name() -> Result<AnyView, SplitLoaderError> {
            Ok(view! { <$page/> }.into_any())
        }
    )*};
}
lazy_pages! {
    home_page in officer => HomePage,
    cooperative_page in officer => CooperativePage,
    visit_form_page in officer => VisitFormPage,
    edit_cooperative_page in officer => EditCooperativePage,
    register_page in officer => RegisterPage,
    device_page in officer => DevicePage,
    reports_page in supervisor => ReportsPage,
    decision_page in supervisor => DecisionPage,
    six_month_page in supervisor => SixMonthPage,
    audit_page in supervisor => AuditPage,
    password_page in officer => PasswordPage,
    accounts_page in supervisor => AccountsPage,
    import_page in supervisor => ImportPage,
    reference_page in supervisor => ReferencePage,
    areas_page in supervisor => AreasPage,
    duplicates_page in supervisor => DuplicatesPage,
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
