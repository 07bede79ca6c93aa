pub mod conflicts;
pub mod header;
pub mod more;
pub mod photo_editor;
pub mod refused;
pub mod report_view;
pub mod returned;
pub mod status_bar;
pub mod update_banner;

use leptos::prelude::*;

/// A list drawn from `items`, one view per item. Not keyed: when the items change, the
/// rows are redrawn in place, position by position (text and attributes updated, elements
/// kept). One rendering routine serves every such list: a keyed `<For>` compiled its own
/// diffing for each list (~6 KB of wasm each; docs/BENCHMARKS.md).
pub fn each<T: 'static>(
    items: impl Fn() -> Vec<T> + Send + Sync + 'static,
    item: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    move || items().into_iter().map(&item).collect::<Vec<AnyView>>()
}

/// `<option>`s from (value, text) pairs for a select whose choice is `current`, drawn by
/// [`each`]. The chosen one is marked through the `selected` property, so the select still
/// shows the choice after its options were redrawn in place (when none is, the browser
/// shows the select's first option, "all").
pub fn options(
    items: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static,
    current: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    each(
        move || {
            let chosen = current();
            items()
                .into_iter()
                .map(|(value, text)| (value == chosen, value, text))
                .collect()
        },
        |(on, value, text)| {
            view! { <option value=value prop:selected=on>{text}</option> }.into_any()
        },
    )
}

/// The message a form shows under `field`, in the current language (None when the field
/// has none): read from `errors`, the shared crate's validation of the record
/// (hoptac_core::validate) or the server's refusal.
pub fn field_message(
    errors: RwSignal<Vec<hoptac_core::validate::FieldError>>,
    field: impl AsRef<str> + Send + Sync + 'static,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        errors.with(|e| {
            e.iter()
                .find(|e| e.field == field.as_ref())
                .map(|e| e.message.get(crate::i18n::lang().get()).to_string())
        })
    }
}
