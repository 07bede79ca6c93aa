//! The top bar: app name, who is signed in, language switch, sign out.

use crate::app::session;
use crate::i18n::{lang, set_lang, t, tx};
use crate::router::current;
use hoptac_core::i18n::Lang;
use hoptac_core::model::Role;
use leptos::prelude::*;

#[component]
pub fn Header() -> impl IntoView {
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            // The session ends on the server too (its token stops working at once);
            // offline, it ends here and expires there.
            if let Some(token) = session().with_untracked(|s| s.as_ref().map(|s| s.token.clone())) {
                let _ = crate::api::logout(&token).await;
            }
            let _ = crate::app_store().end_session().await;
            session().set(None);
            crate::router::navigate("/dang-nhap");
        });
    };
    let is_supervisor = move || {
        session().with(|s| {
            s.as_ref()
                .map(|s| s.user.role != Role::Officer)
                .unwrap_or(false)
        })
    };
    view! {
        <header class="top">
            <a href="/" class="brand">
                <span class="logo" aria-hidden="true">"HT"</span>
                <span>{tx("Hợp tác", "Hợp tác")}</span>
            </a>
            <nav aria-label=tx("Điều hướng chính", "Main navigation")>
                <Show when=move || session().with(|s| s.is_some())>
                    <a href="/" aria-current=current("/")>{move || if is_supervisor() { t("Tổng quan", "Overview") } else { t("Hợp tác xã", "Cooperatives") }}</a>
                    <Show when=is_supervisor>
                        <a href="/bao-cao" aria-current=current("/bao-cao")>{tx("Phiếu đã gửi", "Submitted reports")}</a>
                        <a href="/tong-ket" aria-current=current("/tong-ket")>{tx("Sơ kết 6 tháng", "Six-monthly review")}</a>
                    </Show>
                    <a href="/may" aria-current=current("/may")>{tx("Máy này", "This tablet")}</a>
                </Show>
            </nav>
            <div class="spacer"></div>
            <span class="who">{move || session().with(|s| s.as_ref().map(|s| s.user.display_name.clone()).unwrap_or_default())}</span>
            <button class="ghost" type="button"
                on:click=move |_| set_lang(if lang().get_untracked() == Lang::Vi { Lang::En } else { Lang::Vi })
                lang=move || if lang().get() == Lang::Vi { "en" } else { "vi" }>
                {tx("English", "Tiếng Việt")}
            </button>
            <Show when=move || session().with(|s| s.is_some())>
                <button class="ghost" type="button" on:click=sign_out>{tx("Đăng xuất", "Sign out")}</button>
            </Show>
        </header>
    }
}
