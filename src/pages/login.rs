//! Sign in (needs the network once; afterwards the tablet works offline).

use crate::api;
use crate::i18n::{lang, t, vi_en};
use leptos::prelude::*;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = crate::session::use_session();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<hoptac_core::i18n::Msg>);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (u, p) = (username.get_untracked(), password.get_untracked());
        if u.trim().is_empty() || p.is_empty() {
            error.set(Some(hoptac_core::i18n::Msg::new(
                "Hãy nhập tên đăng nhập và mật khẩu.",
                "Enter your user name and password.",
            )));
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::auth::login(&u, &p).await {
                Ok(resp) => match crate::handles::store().start_session(&resp).await {
                    Ok(()) => {
                        let must_change = resp.user.must_change_password;
                        // Before the session: with a temporary password the password
                        // page replaces this one, and this page's signals go with it.
                        busy.set(false);
                        session.user.set(Some(resp));
                        if must_change {
                            crate::router::navigate("/doi-mat-khau");
                        } else {
                            crate::sync::sync_now();
                            crate::router::navigate("/");
                        }
                        return;
                    }
                    Err(crate::store::StoreError::UnsentWorkOfAnotherUser { .. }) => error.set(Some(hoptac_core::i18n::Msg::new(
                        "Máy này còn dữ liệu chưa gửi, phiếu cần sửa hoặc bản nháp của cán bộ khác. Người đó cần đăng nhập, gửi hoặc xuất dữ liệu trước.",
                        "This tablet holds another officer's unsent work, reports to fix or drafts. They must sign in and send or export it first.",
                    ))),
                    Err(other) => error.set(Some(hoptac_core::i18n::Msg::new(
                        format!("Không lưu được phiên đăng nhập trên máy này: {other}. Hãy thử lại; nếu máy đầy, hãy giải phóng bộ nhớ."),
                        format!("Could not keep the session on this tablet: {other}. Try again; if the tablet is full, free some space."),
                    ))),
                },
                Err(e) => error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="card narrow">
            <h1>{vi_en("Đăng nhập", "Sign in")}</h1>
            <p class="muted">{vi_en("Đăng nhập một lần khi có mạng; sau đó ứng dụng chạy được cả khi mất sóng.", "Sign in once while online; afterwards the app works without signal.")}</p>
            <form on:submit=on_submit>
                <label for="username">{vi_en("Tên đăng nhập", "User name")}</label>
                <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none"
                    prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/>
                <label for="password">{vi_en("Mật khẩu", "Password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().map(|m| m.get(lang().get()).to_string())}</p>
                </Show>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { t("Đang đăng nhập…", "Signing in…") } else { t("Đăng nhập", "Sign in") }}
                </button>
            </form>
        </section>
    }
}
