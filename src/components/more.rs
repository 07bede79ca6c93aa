//! "Xem thêm …": the button that fetches the next page of a list the server pages (the
//! review queue, a cooperative's visits, a figure's records).

use crate::i18n::{t, ts, vi_en};
use leptos::prelude::*;

/// The status line of a list paged by "Xem thêm": loading, the first `shown` with more to
/// come, or all of them (`noun`: what the list holds, (Vietnamese, English): ("phiếu",
/// "reports")); empty for an empty list (the page says that itself).
pub fn page_status(shown: usize, loading: bool, has_more: bool, noun: (&str, &str)) -> String {
    let (vi, en) = noun;
    if loading {
        t("Đang tải…", "Loading…").to_string()
    } else if has_more {
        ts(
            format!("Đang hiện {shown} {vi} đầu; còn nữa."),
            format!("Showing the first {shown} {en}; there are more."),
        )
    } else if shown > 0 {
        ts(
            format!("Tất cả {shown} {vi}."),
            format!("All {shown} {en}."),
        )
    } else {
        String::new()
    }
}

/// Asks for the next page with `on_more` while `has_more`. While a page loads it says so
/// (`aria-disabled`, `aria-busy`) and ignores clicks but stays focusable: a disabled
/// button drops the keyboard's focus to the start of the page (Chromium). When the last
/// page has come and the button goes, focus moves to `status` (the list's status line,
/// which needs `tabindex="-1"`), so a screen reader says what is now shown.
#[component]
pub fn MoreButton(
    /// The button's text: (Vietnamese, English).
    label: (&'static str, &'static str),
    #[prop(into)] has_more: Signal<bool>,
    #[prop(into)] busy: Signal<bool>,
    on_more: Callback<()>,
    status: NodeRef<leptos::html::P>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    // Pressed here and not yet answered: where focus goes when the button goes.
    let pressed = RwSignal::new(false);
    Effect::new(move |_| {
        if pressed.get() && !busy.get() {
            if !has_more.get() {
                if let Some(p) = status.get() {
                    let _ = p.focus();
                }
            }
            pressed.set(false);
        }
    });
    view! {
        <Show when=move || has_more.get()>
            <button type="button" class=class
                aria-disabled=move || busy.get().to_string()
                aria-busy=move || busy.get().to_string()
                on:click=move |_| {
                    if !busy.get_untracked() {
                        pressed.set(true);
                        on_more.run(());
                    }
                }>
                {vi_en(label.0, label.1)}
            </button>
        </Show>
    }
}
