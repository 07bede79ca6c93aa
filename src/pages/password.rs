//! Changing one's own password (`/doi-mat-khau`): required after a temporary password (a
//! new account, a reset), when the app shows nothing else until it is done; open to
//! everyone from the header otherwise. Online only.

use crate::i18n::{lang, t, vi_en};
use hoptac_core::accounts::{check_password, MIN_PASSWORD_CHARS};
use hoptac_core::i18n::Msg;
use leptos::prelude::*;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let session = crate::session::use_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Msg>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let required = move || {
        session
            .user
            .with(|s| s.as_ref().is_some_and(|s| s.user.must_change_password))
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(s) = session.user.get_untracked() else {
            return;
        };
        let (c, n, a) = (
            current.get_untracked(),
            new.get_untracked(),
            again.get_untracked(),
        );
        let mut errors = Vec::new();
        check_password("new_password", &n, &s.user.username, &mut errors);
        if let Some(e) = errors.first() {
            error.set(Some(e.message.clone()));
            return;
        }
        if n != a {
            error.set(Some(Msg::new(
                "Hai lần nhập mật khẩu mới không khớp.",
                "The two new passwords differ.",
            )));
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match crate::api::auth::change_password(&s.token, &c, &n).await {
                Ok(user) => {
                    let mut next = s.clone();
                    next.user = user;
                    let _ = crate::handles::store().start_session(&next).await;
                    done.set(true);
                    busy.set(false);
                    // Last: the page this signal belongs to goes when the session changes
                    // (a signal of a page that is gone must not be set).
                    session.user.set(Some(next));
                    crate::sync::sync_now();
                    crate::router::navigate("/");
                }
                Err(e) => {
                    error.set(Some(e.user_message()));
                    busy.set(false);
                }
            }
        });
    };
    let field = move |id: &'static str,
                      label: (&'static str, &'static str),
                      value: RwSignal<String>,
                      auto: &'static str| {
        view! {
            <label for=id>{move || t(label.0, label.1)}</label>
            <input id=id type="password" autocomplete=auto required=true
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        }
    };
    view! {
        <section class="card narrow">
            <h1>{vi_en("Đổi mật khẩu", "Change your password")}</h1>
            <Show when=required>
                <p class="warn" role="status">{vi_en(
                    "Bạn đang dùng mật khẩu tạm do quản trị viên cấp. Hãy đặt mật khẩu của riêng bạn để bắt đầu làm việc.",
                    "You signed in with a temporary password from your administrator. Choose your own password to start working.",
                )}</p>
            </Show>
            <form on:submit=submit>
                {field("pw-current", ("Mật khẩu hiện tại (hoặc mật khẩu tạm)", "Current (or temporary) password"), current, "current-password")}
                {field("pw-new", ("Mật khẩu mới", "New password"), new, "new-password")}
                <p class="muted">{move || format!("{} {MIN_PASSWORD_CHARS} {}", t("Ít nhất", "At least"), t("ký tự, khác tên đăng nhập.", "characters, not your user name."))}</p>
                {field("pw-again", ("Nhập lại mật khẩu mới", "New password again"), again, "new-password")}
                <div role="alert">{move || error.get().map(|m| view! { <p class="error">{m.get(lang().get()).to_string()}</p> })}</div>
                <Show when=move || done.get()>
                    <p class="ok" role="status">{vi_en("Đã đổi mật khẩu.", "Password changed.")}</p>
                </Show>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { t("Đang lưu…", "Saving…") } else { t("Đổi mật khẩu", "Change password") }}
                </button>
            </form>
        </section>
    }
}
