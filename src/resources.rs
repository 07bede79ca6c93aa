//! How a page loads what it shows: with a resource, as Leptos's own examples do.
//!
//! - What the tablet stores (the registry, a cooperative and its visits, the areas): a
//!   [`synced`] resource, which loads again whenever synced data change (a pull wrote
//!   records, this tablet saved one, a conflict was resolved: `sync::state().data_version`)
//!   and whenever a signal its loader reads changes (the cooperative's id in the URL).
//! - What only the server holds (the review queue, accounts, the six-monthly review): a
//!   plain `LocalResource` over `crate::api`, keyed by the signals it reads.
//!
//! Show either through `<Transition>` (the content on screen stays while a newer load runs,
//! so a background sync never blanks a page) or `<Suspense>` (first load). A load that ends
//! after a newer one started is dropped by the resource itself: pages keep no counters.
//! `spawn_local` is for what the user does (save, send, decide), not for loading.

use leptos::prelude::*;
use std::future::Future;

/// A resource over the tablet's store: `load` runs at once, and again whenever synced data
/// change or a signal `load` reads (before its first `.await`) changes.
pub fn synced<T, Fut>(load: impl Fn() -> Fut + 'static) -> LocalResource<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    LocalResource::new(move || {
        crate::sync::state().data_version.track();
        load()
    })
}
