//! Home: an officer's cooperative registry, searchable and filtered offline.

use crate::i18n::{t, vi_en};
use crate::store::registry::Row;
use hoptac_core::model::{CoopKind, OperatingStatus, Sector};
use hoptac_core::text::{normalize, Query};
use leptos::prelude::*;

/// "/" for an officer: their cooperatives (app.rs sends other roles to the review queue).
#[component]
pub fn HomePage() -> impl IntoView {
    view! { <Registry/> }
}

use crate::labels::{kind_label, sector_label, status_label, KINDS, SECTORS, STATUSES};

#[derive(Clone, Copy, PartialEq)]
enum SortBy {
    Name,
    Commune,
    Members,
    Status,
}

/// The officer's cooperatives from the local store, searchable without diacritics.
#[component]
fn Registry() -> impl IntoView {
    let listing = crate::resources::synced(Listing::load);
    // Cached after the list is shown, for the next opening.
    Effect::new(move |_| {
        let Some(fresh) = listing.with(|l| l.map(|l| l.fresh.clone())) else {
            return;
        };
        crate::util::bench_record("registryLoaded", crate::util::perf_now());
        let Some(stamp) = fresh else { return };
        let text = listing.with_untracked(|l| l.map(|l| crate::store::registry::encode(&l.rows)));
        if let Some(text) = text {
            leptos::task::spawn_local(crate::store::registry::save(stamp, text));
        }
    });
    let communes = move || listing.with(|l| l.map(|l| l.communes.clone()).unwrap_or_default());
    let query = RwSignal::new(String::new());
    let kind = RwSignal::new(None::<CoopKind>);
    let sector = RwSignal::new(None::<Sector>);
    let commune = RwSignal::new(String::new());
    let status = RwSignal::new(None::<OperatingStatus>);
    let newly = RwSignal::new(false);
    let sort = RwSignal::new(SortBy::Name);
    // Rows shown: a page of 100, "show more" adds another (10,000 rows would slow a tablet).
    let shown = RwSignal::new(PAGE);
    // The matching rows as indices into `rows`, in display order: a keystroke filters
    // 10,000 rows without cloning them; only the page shown is cloned.
    let visible = move || {
        let q = Query::new(&query.get());
        let (k, se, cm, st, nw, by) = (
            kind.get(),
            sector.get(),
            commune.get(),
            status.get(),
            newly.get(),
            sort.get(),
        );
        listing.with(|l| {
            let r = Listing::rows_of(l);
            let v: Vec<usize> = r
                .iter()
                .enumerate()
                .filter(|(_, row)| {
                    let c = row;
                    k.is_none_or(|k| c.kind == k)
                        && se.is_none_or(|s| c.sector == s)
                        && (cm.is_empty() || c.area_id == cm)
                        && st.is_none_or(|s| c.status == s)
                        && (!nw || c.newly)
                        && q.matches(&row.key)
                })
                .map(|(i, _)| i)
                .collect();
            // Rows are in name order already; these orders keep it among equals.
            match by {
                SortBy::Name => v,
                SortBy::Commune => crate::util::sort_by_key(v, |&i| (0, normalize(&r[i].commune))),
                SortBy::Members => crate::util::sort_by_key(v, |&i| {
                    (u64::MAX - u64::from(r[i].members), String::new())
                }),
                SortBy::Status => crate::util::sort_by_key(v, |&i| {
                    (
                        STATUSES.iter().position(|s| *s == r[i].status).unwrap_or(0) as u64,
                        String::new(),
                    )
                }),
            }
        })
    };
    let total = Memo::new(move |_| visible());
    // Rows are drawn once in the language of the moment (no reactive label per row: a
    // keystroke that changes the 100 rows shown creates no effects); a change of language
    // redraws them (the language is part of each row's key).
    let page = move || {
        crate::i18n::lang().track();
        total.with(|v| {
            listing.with(|l| {
                let r = Listing::rows_of(l);
                v.iter()
                    .take(shown.get())
                    .filter_map(|&i| r.get(i).cloned())
                    .collect::<Vec<_>>()
            })
        })
    };
    let pick = |v: String| v.parse::<usize>().ok();
    view! {
        <crate::components::returned::ReturnedReports/>
        <crate::components::conflicts::OpenConflicts/>
        <section>
            <div class="title-row">
                <h1>{vi_en("Hợp tác xã trên địa bàn", "Cooperatives in my areas")}</h1>
                <a href="/htx-moi" class="button">{vi_en("Đăng ký HTX, THT mới", "Register a new cooperative")}</a>
            </div>
            <label for="search" class="sr-only">{vi_en("Tìm hợp tác xã", "Search cooperatives")}</label>
            <input id="search" type="search" class="search"
                placeholder=vi_en("Tìm theo tên, xã, sản phẩm (không cần dấu)", "Search by name, commune, product")
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            <div class="filters">
                <div class="field">
                    <label for="f-kind">{vi_en("Loại hình", "Kind")}</label>
                    <select id="f-kind" on:change=move |ev| kind.set(pick(event_target_value(&ev)).and_then(|i| KINDS.get(i).copied()))>
                        <option value="">{vi_en("Tất cả", "All")}</option>
                        {KINDS.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string()>{move || kind_label(k)}</option> } }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-sector">{vi_en("Lĩnh vực", "Sector")}</label>
                    <select id="f-sector" on:change=move |ev| sector.set(pick(event_target_value(&ev)).and_then(|i| SECTORS.get(i).copied()))>
                        <option value="">{vi_en("Tất cả", "All")}</option>
                        {SECTORS.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string()>{move || sector_label(k)}</option> } }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-commune">{vi_en("Xã, phường", "Commune")}</label>
                    <select id="f-commune" on:change=move |ev| commune.set(event_target_value(&ev))>
                        <option value="">{vi_en("Tất cả", "All")}</option>
                        {crate::components::options(communes, move || commune.get())}
                    </select>
                </div>
                <div class="field">
                    <label for="f-status">{vi_en("Tình trạng", "Status")}</label>
                    <select id="f-status" on:change=move |ev| status.set(pick(event_target_value(&ev)).and_then(|i| STATUSES.get(i).copied()))>
                        <option value="">{vi_en("Tất cả", "All")}</option>
                        {STATUSES.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string()>{move || status_label(k)}</option> } }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-sort">{vi_en("Sắp xếp", "Sort by")}</label>
                    <select id="f-sort" on:change=move |ev| sort.set(match event_target_value(&ev).as_str() {
                        "commune" => SortBy::Commune, "members" => SortBy::Members, "status" => SortBy::Status, _ => SortBy::Name })>
                        <option value="name">{vi_en("Tên", "Name")}</option>
                        <option value="commune">{vi_en("Xã, phường", "Commune")}</option>
                        <option value="members">{vi_en("Số thành viên", "Members")}</option>
                        <option value="status">{vi_en("Tình trạng", "Status")}</option>
                    </select>
                </div>
                <label class="check" for="f-new">
                    <input id="f-new" type="checkbox" prop:checked=move || newly.get() on:change=move |ev| newly.set(event_target_checked(&ev))/>
                    <span>{vi_en("Mới thành lập trong kỳ", "Newly established")}</span>
                </label>
            </div>
            <p class="muted" aria-live="polite">{move || {
                let n = total.with(|v| v.len());
                crate::i18n::ts(format!("{n} hợp tác xã"), format!("{n} cooperatives"))
            }}</p>
            <Show when=move || listing.with(|l| l.is_some_and(|l| l.rows.is_empty()))>
                <p class="empty">{vi_en("Chưa có dữ liệu trên máy. Hãy kết nối mạng để đồng bộ.", "No data on this tablet yet. Connect to sync.")}</p>
            </Show>
            <ul class="list" aria-label=vi_en("Danh sách hợp tác xã", "Cooperative list")>
                {crate::components::each(page, |row| view! {
                    <li>
                        <a href=format!("/htx/{}", row.id)>
                            <span class="name">{row.name.clone()}</span>
                            <span class="meta">
                                <span class="badge">{untrack(|| kind_label(row.kind))}</span>
                                {row.commune.clone()}
                                " · "
                                {untrack(|| status_label(row.status))}
                                {(row.version == 0).then(|| view! { " " <span class="badge pending">{untrack(|| t("Chờ đồng bộ", "Waiting to sync"))}</span> })}
                            </span>
                        </a>
                    </li>
                }.into_any())}
            </ul>
            <Show when=move || { total.with(|v| v.len()) > shown.get() }>
                <button type="button" class="more" on:click=move |_| shown.update(|n| *n += PAGE)>
                    {move || { let left = total.with(|v| v.len()) - shown.get(); crate::i18n::ts(format!("Hiện thêm (còn {left})"), format!("Show more ({left} left)")) }}
                </button>
            </Show>
        </section>
    }
}

const PAGE: usize = 100;

/// The officer's registry as the page lists it.
struct Listing {
    /// Every cooperative of the officer's areas, in name order.
    rows: Vec<Row>,
    /// The communes they are in (id, name), by name, for the filter.
    communes: Vec<(String, String)>,
    /// When the rows were rebuilt from the store rather than read from the cached list:
    /// the stamp to cache them under.
    fresh: Option<String>,
}

impl Listing {
    async fn load() -> Listing {
        let t0 = crate::util::perf_now();
        let (rows, fresh) = crate::store::registry::load().await;
        crate::util::bench_record("coopsRead", crate::util::perf_now() - t0);
        // The communes (a few dozen): distinct first, then sorted.
        let mut seen = std::collections::HashSet::new();
        let communes: Vec<(String, String)> = rows
            .iter()
            .filter(|r| seen.insert(r.area_id.as_str()))
            .map(|r| (r.area_id.clone(), r.commune.clone()))
            .collect();
        let communes = crate::util::sort_by_key(communes, |c| (0, normalize(&c.1)));
        Listing {
            rows,
            communes,
            fresh,
        }
    }

    fn rows_of(listing: Option<&Listing>) -> &[Row] {
        listing.map_or(&[], |l| &l.rows)
    }
}
