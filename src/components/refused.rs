//! "Cần sửa": why the server did not accept what the officer sent (a report, a profile),
//! shown above the form they fix it in (issue 13: work the server refuses stays fixable on
//! the tablet).

use crate::i18n::{lang, vi_en};
use hoptac_core::i18n::Msg;
use leptos::prelude::*;

/// The server's reason, when there is one, after `headline` ((Vietnamese, English): what
/// was not accepted).
#[component]
pub fn RefusedNote(
    headline: (&'static str, &'static str),
    #[prop(into)] reason: Signal<Option<Msg>>,
) -> impl IntoView {
    view! {
        <Show when=move || reason.with(Option::is_some)>
            <div class="card warn" role="note" data-testid="refused" aria-label=vi_en("Lý do máy chủ chưa nhận", "Why the server did not accept it")>
                <p><strong>{vi_en(headline.0, headline.1)}</strong>" "
                {move || reason.get().map(|m| m.get(lang().get()).to_string()).unwrap_or_default()}</p>
            </div>
        </Show>
    }
}
