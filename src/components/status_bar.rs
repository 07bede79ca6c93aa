//! Always-visible sync status: online or offline, how many changes wait, the last
//! successful sync, any error in plain words, progress of a long pull, and "Sync now";
//! a tablet clock that is off; and, when the session ended (expired, revoked), signing in
//! again right here, with everything on the tablet kept (issue 13).

use crate::i18n::{date_time, lang, t, vi_en};
use crate::pwa::Offline;
use crate::sync::{state, sync_now};
use leptos::prelude::*;

#[component]
pub fn StatusBar() -> impl IntoView {
    let s = state();
    let offline = crate::pwa::offline();
    view! {
        <section class="status" role="status" aria-live="polite" aria-label=vi_en("Trạng thái đồng bộ", "Sync status")>
            <span class=move || if s.online.get() { "dot online" } else { "dot offline" } aria-hidden="true"></span>
            <span data-testid="online">{move || if s.online.get() { t("Có mạng", "Online") } else { t("Mất mạng", "Offline") }}</span>
            <span data-testid="pending">{move || {
                let Some(n) = s.pending.get() else { return String::from("…") };
                let photos = s.photos.get().0;
                if n == 0 && photos == 0 { t("Không có thay đổi chờ gửi", "Nothing waiting to sync").to_string() }
                else if n == 0 { String::new() }
                else { crate::i18n::ts(format!("{n} thay đổi chờ đồng bộ"), format!("{n} change(s) waiting to sync")) }
            }}</span>
            <Show when=move || { s.photos.get().0 > 0 }>
                <span data-testid="photos-waiting">{move || {
                    let (n, sent, total) = s.photos.get();
                    let pct = if total > 0 { sent * 100 / total } else { 0 };
                    crate::i18n::ts(format!("{n} ảnh chờ gửi ({pct}%)"), format!("{n} photo(s) waiting to upload ({pct}%)"))
                }}</span>
                <progress max=move || s.photos.get().2.max(1) as f64 value=move || s.photos.get().1 as f64
                    aria-label=vi_en("Tiến độ gửi ảnh", "Photo upload progress")></progress>
            </Show>
            <span class="muted">{move || {
                lang().track();
                match s.last_success.get() {
                    Some(ms) => format!("{} {}", t("Đồng bộ lần cuối:", "Last synced:"), date_time(ms)),
                    None => t("Chưa đồng bộ lần nào", "Never synced").to_string(),
                }
            }}</span>
            <Show when=move || s.progress.get().is_some()>
                <progress
                    max=move || s.progress.get().map(|p| p.1).unwrap_or(1) as f64
                    value=move || s.progress.get().map(|p| p.0).unwrap_or(0) as f64
                    aria-label=vi_en("Tiến độ tải dữ liệu", "Download progress")></progress>
            </Show>
            <Show when=move || offline.get() == Offline::Saving>
                <span class="muted" data-testid="offline-saving">{vi_en("Đang lưu ứng dụng vào máy để dùng khi mất sóng…", "Saving the app on this tablet for use without signal…")}</span>
            </Show>
            <Show when=move || offline.get() == Offline::Unavailable>
                <span class="muted" data-testid="offline-unavailable">{vi_en(Offline::UNAVAILABLE.0, Offline::UNAVAILABLE.1)}</span>
            </Show>
            <Show when=move || s.error.get().is_some()>
                <span class="error" role="alert">{move || s.error.get().map(|m| m.get(lang().get()).to_string())}</span>
            </Show>
            <Show when=move || crate::clock::skew().get().is_some()>
                <span class="error" role="alert" data-testid="clock-skew">{move || {
                    let (vi, en) = crate::clock::describe(crate::clock::skew().get().unwrap_or(0));
                    crate::i18n::ts(vi, en)
                }}</span>
            </Show>
            <Show when=move || crate::sync::needs_sign_in(&s.error.get())>
                <SignInAgain/>
            </Show>
            <div class="spacer"></div>
            // aria-disabled, not disabled: a disabled button drops keyboard focus to the
            // page's start (as components::more::MoreButton).
            <button type="button" on:click=move |_| if !s.busy() { sync_now() }
                aria-disabled=move || s.busy().to_string() aria-busy=move || s.running.get().to_string()>
                {move || if s.busy() { t("Đang đồng bộ…", "Syncing…") } else { t("Đồng bộ ngay", "Sync now") }}
            </button>
        </section>
    }
}

/// Signing in again in place when the session ended during sync: the same user, so the
/// tablet's data (unsent work, drafts) stays; sync resumes at once.
#[component]
fn SignInAgain() -> impl IntoView {
    let session = crate::session::use_session();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<hoptac_core::i18n::Msg>);
    let busy = RwSignal::new(false);
    let username = move || {
        session
            .user
            .with(|s| s.as_ref().map(|s| s.user.username.clone()))
            .unwrap_or_default()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (u, p) = (username(), password.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::auth::login(&u, &p).await {
                Ok(resp) => match crate::handles::store().start_session(&resp).await {
                    Ok(()) => {
                        session.user.set(Some(resp));
                        password.set(String::new());
                        error.set(None);
                        state().error.set(None);
                        sync_now();
                    }
                    Err(e) => error.set(Some(hoptac_core::i18n::Msg::new(
                        format!("Không lưu được phiên đăng nhập: {e}"),
                        format!("Could not keep the session: {e}"),
                    ))),
                },
                Err(e) => error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="sign-in-again" on:submit=submit aria-label=vi_en("Đăng nhập lại", "Sign in again")>
            <label for="again-password">{move || crate::i18n::ts(format!("Mật khẩu của {}", username()), format!("Password of {}", username()))}</label>
            <input id="again-password" type="password" autocomplete="current-password"
                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
            <button type="submit" class="primary" disabled=move || busy.get()>{vi_en("Đăng nhập lại", "Sign in again")}</button>
            <Show when=move || error.get().is_some()>
                <span class="error" role="alert">{move || error.get().map(|m| m.get(lang().get()).to_string())}</span>
            </Show>
        </form>
    }
}
