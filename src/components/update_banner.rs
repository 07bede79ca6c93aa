//! "A new version is ready — reload": shown when a new release has installed.
//! Drafts and the outbox live in IndexedDB, so reloading loses nothing: the reload waits
//! until the drafts worker has written every draft handed to it.

use crate::i18n::vi_en;
use crate::pwa::{apply_update, update_ready};
use leptos::prelude::*;

#[component]
pub fn UpdateBanner() -> impl IntoView {
    view! {
        <Show when=move || update_ready().get()>
            <section class="update" role="status" aria-label=vi_en("Cập nhật", "Update")>
                <span>{vi_en("Đã có phiên bản mới của ứng dụng.", "A new version of the app is ready.")}</span>
                <button type="button" class="primary" on:click=move |_| leptos::task::spawn_local(async {
                    crate::drafts::settled().await;
                    apply_update();
                })>
                    {vi_en("Tải lại để cập nhật", "Reload to update")}
                </button>
            </section>
        </Show>
    }
}
