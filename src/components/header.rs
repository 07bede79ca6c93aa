//! The top bar: app name, who is signed in, language switch, sign out.

use crate::i18n::{lang, set_lang, t, vi_en};
use crate::router::current;
use hoptac_core::i18n::Lang;
use hoptac_core::model::Role;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    let session = crate::session::use_session();
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            // The session ends on the server too (its token stops working at once);
            // offline, it ends here and expires there.
            if let Some(token) = session
                .user
                .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
            {
                let _ = crate::api::auth::logout(&token).await;
            }
            let _ = crate::handles::store().end_session().await;
            session.user.set(None);
            crate::router::navigate("/dang-nhap");
        });
    };
    let is_supervisor = move || {
        session.user.with(|s| {
            s.as_ref()
                .map(|s| s.user.role != Role::Officer)
                .unwrap_or(false)
        })
    };
    let is_admin = move || {
        session
            .user
            .with(|s| s.as_ref().is_some_and(|s| s.user.role == Role::Admin))
    };
    view! {
        <header class="top">
            <a href="/" class="brand">
                <span class="logo" aria-hidden="true">"HT"</span>
                <span>{vi_en("Hợp tác", "Hợp tác")}</span>
            </a>
            <nav aria-label=vi_en("Điều hướng chính", "Main navigation")>
                <Show when=move || session.user.with(|s| s.is_some())>
                    <a href="/" aria-current=current("/")>{move || if is_supervisor() { t("Tổng quan", "Overview") } else { t("Hợp tác xã", "Cooperatives") }}</a>
                    <Show when=is_supervisor>
                        <a href="/bao-cao" aria-current=current("/bao-cao")>{vi_en("Phiếu đã gửi", "Submitted reports")}</a>
                        <a href="/tong-ket" aria-current=current("/tong-ket")>{vi_en("Sơ kết 6 tháng", "Six-monthly review")}</a>
                        <a href="/trung-lap" aria-current=current("/trung-lap")>{vi_en("HTX trùng lặp", "Duplicates")}</a>
                    </Show>
                    <Show when=is_admin>
                        <a href="/quan-tri" aria-current=current("/quan-tri")>{vi_en("Quản trị", "Administration")}</a>
                    </Show>
                    <a href="/may" aria-current=current("/may")>{vi_en("Máy này", "This tablet")}</a>
                </Show>
            </nav>
            <div class="spacer"></div>
            <a class="who" href="/doi-mat-khau" title=vi_en("Đổi mật khẩu", "Change password")>{move || session.user.with(|s| s.as_ref().map(|s| s.user.display_name.clone()).unwrap_or_default())}</a>
            <button class="ghost" type="button"
                on:click=move |_| set_lang(if lang().get_untracked() == Lang::Vi { Lang::En } else { Lang::Vi })
                lang=move || if lang().get() == Lang::Vi { "en" } else { "vi" }>
                {vi_en("English", "Tiếng Việt")}
            </button>
            <Show when=move || session.user.with(|s| s.is_some())>
                <button class="ghost" type="button" on:click=sign_out>{vi_en("Đăng xuất", "Sign out")}</button>
            </Show>
        </header>
    }
}
