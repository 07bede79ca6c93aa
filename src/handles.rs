//! The app-wide handles, in one place: what every part of the app may reach without being
//! handed it, and why each is global rather than in Leptos context.
//!
//! | handle | type | where it is made | why global |
//! |---|---|---|---|
//! | [`store`] | the open IndexedDB store ([`crate::store::Store`]) | [`set_store`], once, before the app mounts | the sync task and the start-up read it outside any component |
//! | `crate::sync::state()` | the sync state's signals (`data_version`, status, progress) | at start | the sync task writes it from outside the view tree |
//! | `crate::i18n::lang()` | the language | at start | every label reads it, and text formatted outside views too |
//! | `crate::clock::skew()` | the server clock's offset from the tablet's, ms | at start | the sync task sets it; dates of new records read it |
//! | `crate::router::location()` | the path and query | at start (`router::install` follows it) | links and `history` change it outside any component |
//! | `crate::pwa::update_ready()`, `crate::pwa::offline()` | the service worker's flags | at start | set by browser events before and outside the view tree |
//!
//! Each signal lives in a `thread_local!` of its own module (so this module imports none of
//! them) and is first made by `crate::start`, outside any component, so no page owns it (a
//! page that made one would dispose of it on leaving). State that belongs to a mounted app
//! rather than to the tablet, the signed-in session, is shared through Leptos context
//! instead (`provide_context` at mount, [`crate::session::use_session`]): a test or a
//! second mount gets its own.

use crate::store::Store;
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    static STORE: RefCell<Option<Rc<Store>>> = const { RefCell::new(None) };
}

/// The open local store. Set once by [`set_store`] before anything is shown.
pub fn store() -> Rc<Store> {
    STORE
        .with(|s| s.borrow().clone())
        .expect("the store is opened before the app mounts")
}

/// Keeps the store opened at start for [`store`].
pub fn set_store(store: Store) {
    STORE.with(|s| *s.borrow_mut() = Some(Rc::new(store)));
}
