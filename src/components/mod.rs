pub mod conflicts;
pub mod header;
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
