//! hoptac, the app: an offline-first Leptos (CSR) app for field officers and supervisors.
//!
//! Each module says what it holds in its first lines. How they fit (docs/ARCHITECTURE.md,
//! "Pages, resources and app-wide handles"): `pages/` render, loading through
//! [`resources`]; they write through [`store`] (IndexedDB) and the online pages through
//! [`api`], the only code that talks to the server; [`sync`] moves data in the background;
//! [`handles`] lists the app-wide state and why each piece is global.

pub mod api;
pub mod app;
pub mod clock;
pub mod components;
pub mod drafts;
pub mod early;
pub mod handles;
pub mod i18n;
pub mod labels;
pub mod pages;
pub mod photos;
pub mod pwa;
pub mod resources;
pub mod router;
pub mod session;
pub mod store;
pub mod sync;
pub mod util;

use leptos::prelude::Set;
use store::Store;

/// Entry point (called by main): opens the store, starts sync, mounts the app.
pub fn start() {
    // Debug and test builds print panics to the console; release builds abort on a panic
    // without a message (-Cpanic=immediate-abort), so the hook would be dead weight there.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    util::bench_record("appStart", util::perf_now());
    // The registry's list read before the wasm started is decoded while the store opens,
    // and the signed-in user's pages (their wasm part) load meanwhile: the first page
    // does not wait for them after the app mounts.
    store::registry::prefetch();
    wasm_bindgen_futures::spawn_local(async {
        if let Some(role) = early::role().await {
            app::preload_pages(&role).await;
        }
    });
    // Leptos's own executor is set up by mount_to_body; until then use wasm-bindgen's.
    wasm_bindgen_futures::spawn_local(async {
        match Store::open().await {
            Ok(store) => {
                util::bench_record("storeOpen", util::perf_now());
                // A newer release opened in another tab needs to upgrade the schema: let
                // it, and offer the reload (this tab's data is all in the store already).
                store.on_version_change(|| pwa::update_ready().set(true));
                handles::set_store(store);
                // The app-wide signals (src/handles.rs), made outside any component so
                // that no page owns (and, on leaving, disposes) them.
                let _ = (
                    i18n::lang(),
                    sync::state(),
                    pwa::update_ready(),
                    pwa::offline(),
                    clock::skew(),
                    router::location(),
                );
                let session = session::Session::new();
                if let Some(s) = early::session().await {
                    session.user.set(s);
                    session.loaded.set(true);
                }
                util::bench_record("sessionLoaded", util::perf_now());
                pwa::register();
                pwa::ask_persistent_storage();
                leptos::mount::mount_to_body(move || {
                    leptos::prelude::provide_context(session);
                    leptos::prelude::view! { <app::App/> }
                });
                sync::start();
            }
            Err(err) => {
                leptos::mount::mount_to_body(move || {
                    app::StoreFailed(app::StoreFailedProps {
                        error: err.to_string(),
                    })
                });
            }
        }
    });
}
