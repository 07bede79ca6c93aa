//! How a page loads what it shows: with a resource, as Leptos's own examples do.
//!
//! - What the tablet stores (the registry, a cooperative and its visits, the areas): a
//!   [`synced`] resource, which loads again whenever synced data change (a pull wrote
//!   records, this tablet saved one, a conflict was resolved: `sync::state().data_version`)
//!   and whenever a signal its loader reads changes (the cooperative's id in the URL).
//! - What only the server holds (the review queue, accounts, the six-monthly review), and a
//!   form's starting record read once: an [`once`] resource, loaded again only when a
//!   signal its loader reads changes.
//!
//! Show either through `<Transition>` (the content on screen stays while a newer load runs,
//! so a background sync never blanks a page) or `<Suspense>` (first load). A load that ends
//! after a newer one started is dropped by the resource itself: pages keep no counters.
//! `spawn_local` is for what the user does (save, send, decide), not for loading.
//!
//! Every [`Resource`] is one `LocalResource` of the same type underneath (the value behind
//! an `Rc<dyn Any>`): Leptos's resource code is compiled once for all of them rather than
//! once per value type and loader (each instance cost the wasm a few KB;
//! docs/BENCHMARKS.md).

use leptos::prelude::*;
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

type Loaded = Rc<dyn Any>;
type Loader = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Loaded>>>>;

/// A resource holding a `T` once loaded ([`synced`], [`once`]). Reading it inside
/// `<Suspense>`/`<Transition>` suspends them until the first load ends.
pub struct Resource<T> {
    inner: LocalResource<Loaded>,
    _value: PhantomData<fn() -> T>,
}

impl<T> Clone for Resource<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Resource<T> {}

impl<T: 'static> Resource<T> {
    /// `f` of the value (None until the first load ends), tracked.
    pub fn with<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        self.inner
            .with(|v| f(v.as_ref().and_then(|v| v.downcast_ref::<T>())))
    }

    /// As [`Self::with`], untracked.
    pub fn with_untracked<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        self.inner
            .with_untracked(|v| f(v.as_ref().and_then(|v| v.downcast_ref::<T>())))
    }

    /// A copy of the value (None until the first load ends), untracked.
    pub fn get_untracked(&self) -> Option<T>
    where
        T: Clone,
    {
        self.with_untracked(|v| v.cloned())
    }

    /// A copy of the value (None until the first load ends), tracked.
    pub fn get(&self) -> Option<T>
    where
        T: Clone,
    {
        self.with(|v| v.cloned())
    }

    /// Loads again now (after this page's own change that no sync reports).
    pub fn refetch(&self) {
        self.inner.refetch();
    }

    /// Replaces the value in place (a decision's answer updates the report shown).
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        self.inner.update(|v| {
            if let Some(v) = v.as_mut().and_then(Rc::get_mut) {
                if let Some(v) = v.downcast_mut::<T>() {
                    f(v);
                }
            }
        });
    }
}

/// A resource over the tablet's store: `load` runs at once, and again whenever synced data
/// change or a signal `load` reads (before its first `.await`) changes.
pub fn synced<T, Fut>(load: impl Fn() -> Fut + 'static) -> Resource<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    erased(loader(load), true)
}

/// A resource loaded once, and again only when a signal `load` reads (before its first
/// `.await`) changes: the server's answers, a form's starting record.
pub fn once<T, Fut>(load: impl Fn() -> Fut + 'static) -> Resource<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    erased(loader(load), false)
}

fn loader<T: 'static, Fut: Future<Output = T> + 'static>(
    load: impl Fn() -> Fut + 'static,
) -> Loader {
    Rc::new(move || {
        let fut = load();
        Box::pin(async move { Rc::new(fut.await) as Loaded })
    })
}

/// The one `LocalResource` type every [`Resource`] is.
fn erased<T>(load: Loader, synced: bool) -> Resource<T> {
    Resource {
        inner: LocalResource::new(move || {
            if synced {
                crate::sync::state().data_version.track();
            }
            load()
        }),
        _value: PhantomData,
    }
}
