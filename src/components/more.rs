//! "Xem thêm …": the button that fetches the next page of a list the server pages (the
//! review queue, a cooperative's visits, a figure's records).

use crate::i18n::tx;
use leptos::prelude::*;

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
                {tx(label.0, label.1)}
            </button>
        </Show>
    }
}
