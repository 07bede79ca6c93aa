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

/// One page of a list the server gives a page at a time: its items, the cursor of the
/// next page (None: this was the last) and, when the server counts them, how many there
/// are in all.
pub struct Page<T, C> {
    pub items: Vec<T>,
    pub next: Option<C>,
    pub total: Option<u32>,
}

impl<T, C> Page<T, C> {
    /// No items and no next page: a loader's answer when no one is signed in (the page is
    /// on its way to sign-in) or the user has nothing to ask the server for.
    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            next: None,
            total: None,
        }
    }
}

/// The review queue's page (`GET /api/visits`): its reports, the cursor after them.
impl From<hoptac_core::queue::QueuePage> for Page<hoptac_core::queue::QueueItem, String> {
    fn from(p: hoptac_core::queue::QueuePage) -> Self {
        Page {
            items: p.reports,
            next: p.next,
            total: None,
        }
    }
}

type PageResult<T, C> = Result<Page<T, C>, hoptac_core::i18n::Msg>;

/// A page of the review queue (`GET /api/visits?{query}`, the queue's filters and `after`)
/// asked with `token`; an empty page when no one is signed in.
pub async fn queue_page(
    token: Option<String>,
    query: String,
) -> PageResult<hoptac_core::queue::QueueItem, String> {
    let Some(token) = token else {
        return Ok(Page::empty());
    };
    crate::api::visits::review_queue(&token, &query)
        .await
        .map(Page::from)
        .map_err(|e| e.user_message())
}
type PageLoader<T, C> = Rc<dyn Fn(Option<C>) -> Pin<Box<dyn Future<Output = PageResult<T, C>>>>>;

/// The pages after the first, for the first page of load `epoch`.
struct More<T, C> {
    epoch: u64,
    items: Vec<T>,
    /// The cursor after the last appended page (None: no page appended yet).
    next: Option<Option<C>>,
    busy: bool,
    error: Option<hoptac_core::i18n::Msg>,
}

/// A list the server gives a page at a time (the review queue, a cooperative's reports on
/// the server, the records behind a six-monthly figure): the first page is a resource,
/// loaded again from the top whenever a signal the loader reads (before its first
/// `.await`: a filter, the session) changes; "Xem thêm" appends the next ([`Paged::more`],
/// a user's action). A page that arrives after the list started again is dropped, and a
/// record already shown (the list moved between pages) is not listed twice.
pub struct Paged<T: 'static, C: 'static> {
    first: LocalResource<(u64, Rc<PageResult<T, C>>)>,
    more: RwSignal<More<T, C>, LocalStorage>,
    /// The epoch of the first page asked for last, and of the last one loaded.
    asked: RwSignal<u64>,
    loaded: RwSignal<u64>,
    load: StoredValue<PageLoader<T, C>, LocalStorage>,
    same: StoredValue<Rc<dyn Fn(&T, &T) -> bool>, LocalStorage>,
}

impl<T, C> Clone for Paged<T, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, C> Copy for Paged<T, C> {}

/// A [`Paged`] list: `load(None)` fetches the first page, `load(Some(cursor))` the next;
/// `id` says which items are the same record.
pub fn paged<T, C, K, Fut>(
    load: impl Fn(Option<C>) -> Fut + 'static,
    id: impl Fn(&T) -> K + 'static,
) -> Paged<T, C>
where
    T: Clone + 'static,
    C: Clone + 'static,
    K: PartialEq + 'static,
    Fut: Future<Output = PageResult<T, C>> + 'static,
{
    let load: PageLoader<T, C> = Rc::new(move |c| Box::pin(load(c)));
    let asked = RwSignal::new(0u64);
    let loaded = RwSignal::new(0u64);
    let same: Rc<dyn Fn(&T, &T) -> bool> = Rc::new(move |a, b| id(a) == id(b));
    let more = RwSignal::new_local(More {
        epoch: 0,
        items: Vec::new(),
        next: None,
        busy: false,
        error: None,
    });
    let first_load = load.clone();
    let first = LocalResource::new(move || {
        let epoch = asked.get_untracked() + 1;
        asked.set(epoch);
        let fut = first_load(None);
        async move {
            let page = fut.await;
            loaded.set(epoch);
            (epoch, Rc::new(page))
        }
    });
    Paged {
        first,
        more,
        asked,
        loaded,
        load: StoredValue::new_local(load),
        same: StoredValue::new_local(same),
    }
}

impl<T: Clone + 'static, C: Clone + 'static> Paged<T, C> {
    /// The items shown: the first page's and the appended ones (tracked).
    pub fn items(&self) -> Vec<T> {
        let more = self.more;
        self.first.with(|f| match f {
            Some((epoch, page)) => match page.as_ref() {
                Ok(p) => more.with(|m| {
                    let mut all = p.items.clone();
                    if m.epoch == *epoch {
                        all.extend(m.items.iter().cloned());
                    }
                    all
                }),
                Err(_) => Vec::new(),
            },
            None => Vec::new(),
        })
    }

    /// How many items are shown (tracked), without copying them.
    pub fn len(&self) -> usize {
        let more = self.more;
        self.first.with(|f| match f {
            Some((epoch, page)) => match page.as_ref() {
                Ok(p) => {
                    p.items.len() + more.with(|m| if m.epoch == *epoch { m.items.len() } else { 0 })
                }
                Err(_) => 0,
            },
            None => 0,
        })
    }

    /// The cursor of the next page, if there is one (tracked).
    fn next(&self) -> Option<C> {
        let more = self.more;
        self.first.with(|f| {
            let (epoch, page) = f.as_ref()?;
            let first_next = page.as_ref().as_ref().ok()?.next.clone();
            more.with(|m| match (&m.next, m.epoch == *epoch) {
                (Some(after), true) => after.clone(),
                _ => first_next,
            })
        })
    }

    /// Whether there is a next page to ask for (tracked).
    pub fn has_more(&self) -> bool {
        self.next().is_some()
    }

    /// How many there are in all, when the server counts them (tracked).
    pub fn total(&self) -> Option<u32> {
        self.first.with(|f| {
            f.as_ref()
                .and_then(|(_, p)| p.as_ref().as_ref().ok()?.total)
        })
    }

    /// Whether a page is on its way: the first (a new list) or an appended one (tracked).
    pub fn loading(&self) -> bool {
        self.asked.get() != self.loaded.get() || self.more.with(|m| m.busy)
    }

    /// Why the last page could not be had, in the user's words (tracked).
    pub fn error(&self) -> Option<hoptac_core::i18n::Msg> {
        let more = self.more;
        self.first.with(|f| match f {
            Some((epoch, page)) => match page.as_ref() {
                Err(e) => Some(e.clone()),
                Ok(_) => more.with(|m| (m.epoch == *epoch).then(|| m.error.clone()).flatten()),
            },
            None => None,
        })
    }

    /// Asks for the next page and appends it (a user's "Xem thêm"); nothing while a page
    /// is on its way or when there is none.
    pub fn more(&self) {
        if self.more.with_untracked(|m| m.busy) {
            return;
        }
        let Some(after) = untrack(|| self.next()) else {
            return;
        };
        let Some(epoch) = self.first.with_untracked(|f| f.as_ref().map(|(e, _)| *e)) else {
            return;
        };
        let (this, more, asked) = (*self, self.more, self.asked);
        more.update(|m| {
            if m.epoch != epoch {
                *m = More {
                    epoch,
                    items: Vec::new(),
                    next: None,
                    busy: false,
                    error: None,
                };
            }
            m.busy = true;
            m.error = None;
        });
        let fut = self.load.with_value(|load| untrack(|| load(Some(after))));
        leptos::task::spawn_local(async move {
            let got = fut.await;
            // The list started again meanwhile: this page belongs to the old one.
            if asked.get_untracked() != epoch {
                more.update(|m| m.busy = false);
                return;
            }
            let shown = untrack(|| this.items());
            let same = this.same.get_value();
            more.update(|m| {
                m.busy = false;
                match got {
                    Ok(page) => {
                        m.next = Some(page.next);
                        for item in page.items {
                            if !shown.iter().chain(m.items.iter()).any(|x| same(x, &item)) {
                                m.items.push(item);
                            }
                        }
                    }
                    Err(e) => m.error = Some(e),
                }
            });
        });
    }
}
