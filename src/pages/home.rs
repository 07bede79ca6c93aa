//! Home: an officer's cooperative registry; a supervisor's overview of submitted reports.

use crate::i18n::{t, tx};
use crate::pages::reports::ReportsPage;
use crate::router::Redirect;
use hoptac_core::keyed::Keyed;
use hoptac_core::model::{Area, CoopKind, OperatingStatus, Role, Sector};
use hoptac_core::text::{normalize, Query};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = crate::session::use_session();
    move || {
        if !session.loaded.get() {
            return view! { <p class="muted">"…"</p> }.into_any();
        }
        match session.user.get() {
            None => view! { <Redirect path="/dang-nhap"/> }.into_any(),
            Some(s) if s.user.role == Role::Officer => view! { <Registry/> }.into_any(),
            Some(_) => view! { <ReportsPage/> }.into_any(),
        }
    }
}

use crate::labels::{kind_label, sector_label, status_label, KINDS, SECTORS, STATUSES};

#[derive(Clone, Copy, PartialEq)]
enum SortBy {
    Name,
    Commune,
    Members,
    Status,
}

/// A line of the registry: what the list shows, filters and sorts on, and nothing more.
#[derive(Clone, PartialEq)]
#[cfg_attr(test, derive(Debug))]
struct Row {
    id: String,
    name: String,
    kind: CoopKind,
    sector: Sector,
    area_id: String,
    status: OperatingStatus,
    newly: bool,
    members: u32,
    version: i64,
    commune: String,
    /// Folded name, commune and products, for search.
    key: String,
}

const FIELD: char = '\u{1f}';
const LINE: char = '\u{1e}';

/// The rows as one text (the registry's cache, Store::registry_cache): a field separator
/// and a line separator that no typed text contains (they are removed if it does).
fn encode(rows: &[Row]) -> String {
    let mut out = String::with_capacity(rows.len() * 160);
    let clean = |s: &str| s.replace([FIELD, LINE], " ");
    for r in rows {
        let fields = [
            clean(&r.id),
            clean(&r.name),
            r.kind.key().to_string(),
            r.sector.key().to_string(),
            clean(&r.area_id),
            r.status.key().to_string(),
            u8::from(r.newly).to_string(),
            r.members.to_string(),
            r.version.to_string(),
            clean(&r.commune),
            clean(&r.key),
            // Was the folded name (the list's order); rows are stored in that order.
            String::new(),
        ];
        out.push_str(&fields.join("\u{1f}"));
        out.push(LINE);
    }
    out
}

/// The rows back from [`encode`]'s text; a line that does not read is left out.
fn decode(text: &str) -> Vec<Row> {
    text.split(LINE)
        .filter_map(|line| {
            // The fields without a Vec per line (10,000 lines at each start).
            let mut it = line.split(FIELD);
            let mut f = [""; 12];
            for slot in f.iter_mut() {
                *slot = it.next()?;
            }
            if it.next().is_some() {
                return None;
            }
            Some(Row {
                id: f[0].into(),
                name: f[1].into(),
                kind: CoopKind::from_key(f[2])?,
                sector: Sector::from_key(f[3])?,
                area_id: f[4].into(),
                status: OperatingStatus::from_key(f[5])?,
                newly: f[6] == "1",
                members: f[7].parse().ok()?,
                version: f[8].parse().ok()?,
                commune: f[9].into(),
                key: f[10].into(),
            })
        })
        .collect()
}

/// The rows built from the stored records (when the cache is stale), in name order. Only
/// the fields the list needs are read from each record (turning 10,000 whole records into
/// `Cooperative`s took most of the time); a record without an id or a name is left out.
fn build_rows(areas: &[Area], coops: Vec<wasm_bindgen::JsValue>) -> Vec<Row> {
    // Each commune's name and its folded form, once per commune.
    let names: std::collections::HashMap<&str, (&str, String)> = areas
        .iter()
        .map(|a| (a.id.as_str(), (a.name.as_str(), normalize(&a.name))))
        .collect();
    // The field names as JavaScript strings, made once (not once per record).
    let [k_id, k_name, k_area, k_products, k_kind, k_sector, k_status, k_newly, k_members, k_version] =
        [
            "id",
            "name",
            "area_id",
            "main_products",
            "kind",
            "sector",
            "status",
            "newly_established",
            "members",
            "version",
        ]
        .map(wasm_bindgen::JsValue::from);
    // (folded name, row): the folded name is the list's order and starts the search key.
    let rows: Vec<(String, Row)> = coops
        .iter()
        .filter_map(|c| {
            let get = |k: &wasm_bindgen::JsValue| js_sys::Reflect::get(c, k).ok();
            let text = |k: &wasm_bindgen::JsValue| get(k).and_then(|v| v.as_string());
            let id = text(&k_id)?;
            let name = text(&k_name)?;
            let area_id = text(&k_area).unwrap_or_default();
            let (commune, folded_commune) = names
                .get(area_id.as_str())
                .map(|(n, f)| (n.to_string(), f.as_str()))
                .unwrap_or_default();
            let folded = normalize(&name);
            let key = format!(
                "{folded} {folded_commune} {}",
                normalize(&text(&k_products).unwrap_or_default())
            );
            Some((
                folded,
                Row {
                    kind: text(&k_kind).and_then(|k| CoopKind::from_key(&k))?,
                    sector: text(&k_sector)
                        .and_then(|k| Sector::from_key(&k))
                        .unwrap_or(Sector::Other),
                    status: text(&k_status)
                        .and_then(|k| OperatingStatus::from_key(&k))
                        .unwrap_or(OperatingStatus::Active),
                    newly: get(&k_newly).and_then(|v| v.as_bool()).unwrap_or(false),
                    members: get(&k_members).and_then(|v| v.as_f64()).unwrap_or(0.0) as u32,
                    version: get(&k_version).and_then(|v| v.as_f64()).unwrap_or(0.0) as i64,
                    key,
                    commune,
                    id,
                    name,
                    area_id,
                },
            ))
        })
        .collect();
    crate::util::sort_by_key(rows, |r| (0, r.0.clone()))
        .into_iter()
        .map(|(_, row)| row)
        .collect()
}

/// Reads every cooperative and builds the registry's rows, with the stamp to cache them
/// under ([`save_cache`]).
async fn rebuild() -> (Vec<Row>, String) {
    let store = crate::app_store();
    let areas: Vec<Area> = store.areas().await.unwrap_or_default();
    let t = crate::util::perf_now();
    let (coops, stamp) = store.cooperatives_js_stamped().await.unwrap_or_default();
    crate::util::bench_record("rebuildRead", crate::util::perf_now() - t);
    let t = crate::util::perf_now();
    let rows = build_rows(&areas, coops);
    crate::util::bench_record("rebuildRows", crate::util::perf_now() - t);
    (rows, stamp)
}

async fn save_cache(stamp: String, rows: &[Row]) {
    let _ = crate::app_store()
        .save_registry_cache(stamp, encode(rows))
        .await;
}

/// Called after a sync that wrote cooperatives: rebuilds the registry's cached list now,
/// unless the registry is open (it re-reads, and caches, by itself).
pub fn refresh_cache_after_sync() {
    if crate::router::path() != "/" {
        leptos::task::spawn_local(async {
            let (rows, stamp) = rebuild().await;
            save_cache(stamp, &rows).await;
        });
    }
}

thread_local! {
    /// The cached list read at start-up, decoded: (stamp, rows, this tab's cooperative
    /// writes when it was read).
    static PREFETCH: std::cell::RefCell<Option<futures::future::LocalBoxFuture<'static, Option<(String, Vec<Row>, u64)>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Decodes the registry's cached list that src/early.js read before the wasm started
/// (crate::early), while the store opens and the app mounts (the registry, the officer's
/// first page, takes it). Called before the store is open.
pub fn prefetch() {
    use futures::FutureExt;
    let writes = crate::store::coops_writes();
    let read = async move {
        let (stamp, text) = crate::early::registry().await?;
        let t = crate::util::perf_now();
        let rows = decode(&text);
        crate::util::bench_record("decode", crate::util::perf_now() - t);
        Some((stamp, rows, writes))
    };
    let (tx, rx) = futures::channel::oneshot::channel();
    // Before the app mounts, Leptos's executor is not set up yet: wasm-bindgen's runs it.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = tx.send(read.await);
    });
    let early = rx.map(|r| r.ok().flatten()).boxed_local();
    PREFETCH.with(|p| *p.borrow_mut() = Some(early));
}

/// The officer's cooperatives from the local store, searchable without diacritics.
#[component]
fn Registry() -> impl IntoView {
    let rows = RwSignal::new(Vec::<Row>::new());
    let communes = RwSignal::new(Vec::<(String, String)>::new());
    let query = RwSignal::new(String::new());
    let kind = RwSignal::new(None::<CoopKind>);
    let sector = RwSignal::new(None::<Sector>);
    let commune = RwSignal::new(String::new());
    let status = RwSignal::new(None::<OperatingStatus>);
    let newly = RwSignal::new(false);
    let sort = RwSignal::new(SortBy::Name);
    // Rows shown: a page of 100, "show more" adds another (10,000 rows would slow a tablet).
    let shown = RwSignal::new(PAGE);
    let loaded = RwSignal::new(false);
    // Each load has a number; a load that finishes after a newer one started is dropped.
    let latest = StoredValue::new(0u32);
    Effect::new(move |_| {
        crate::sync::state().data_version.track();
        latest.update_value(|n| *n += 1);
        let run = latest.get_value();
        leptos::task::spawn_local(async move {
            let store = crate::app_store();
            let t0 = crate::util::perf_now();
            crate::util::bench_record("registryStart", t0);
            // The cached list when no cooperative changed since it was built (read before
            // the wasm started on the first opening: see prefetch; one record otherwise);
            // failing that, every record, and the list is cached for next time. The list
            // read at start-up is used only if no cooperative was written since (a
            // registration, an edit or a pull may have come between); if that read found
            // no current list, the stored one is stale and is not read again.
            let prefetch = PREFETCH.with(|p| p.borrow_mut().take());
            let prefetched = prefetch.is_some();
            let early = match prefetch {
                Some(early) => match early.await {
                    // No cooperative written by this tab since the read: the stored stamp
                    // need not be read again.
                    Some((_, rows, writes)) if writes == crate::store::coops_writes() => Some(rows),
                    Some((stamp, rows, _))
                        if store.cooperatives_stamp().await.ok().as_ref() == Some(&stamp) =>
                    {
                        Some(rows)
                    }
                    _ => None,
                },
                None => None,
            };
            crate::util::bench_record("earlyReady", crate::util::perf_now());
            let cached = match early {
                Some(rows) => Some(rows),
                None if prefetched => None,
                None => store
                    .registry_cache()
                    .await
                    .ok()
                    .flatten()
                    .map(|text| decode(&text)),
            };
            // Also when the registry was left meanwhile (its values are gone then).
            if latest.try_get_value() != Some(run) {
                return;
            }
            let (out, fresh) = match cached {
                Some(rows) => {
                    crate::util::bench_record("registryCacheHit", crate::util::perf_now() - t0);
                    (rows, None)
                }
                None => {
                    let (rows, stamp) = rebuild().await;
                    (rows, Some(stamp))
                }
            };
            if latest.try_get_value() != Some(run) {
                return;
            }
            crate::util::bench_record("coopsRead", crate::util::perf_now() - t0);
            // The communes (a few dozen): distinct first, then sorted.
            let mut seen = std::collections::HashSet::new();
            let cs: Vec<(String, String)> = out
                .iter()
                .filter(|r| seen.insert(r.area_id.as_str()))
                .map(|r| (r.area_id.clone(), r.commune.clone()))
                .collect();
            let cs = crate::util::sort_by_key(cs, |c| (0, normalize(&c.1)));
            communes.set(cs);
            rows.set(out);
            loaded.set(true);
            crate::util::bench_record("registryLoaded", crate::util::perf_now());
            // Cached after the list is shown, for the next opening.
            if let Some(stamp) = fresh {
                let text = rows.with_untracked(|r| encode(r));
                let _ = store.save_registry_cache(stamp, text).await;
            }
        });
    });
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
        rows.with(|r| {
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
            rows.with(|r| {
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
                <h1>{tx("Hợp tác xã trên địa bàn", "Cooperatives in my areas")}</h1>
                <a href="/htx-moi" class="button">{tx("Đăng ký HTX, THT mới", "Register a new cooperative")}</a>
            </div>
            <label for="search" class="sr-only">{tx("Tìm hợp tác xã", "Search cooperatives")}</label>
            <input id="search" type="search" class="search"
                placeholder=tx("Tìm theo tên, xã, sản phẩm (không cần dấu)", "Search by name, commune, product")
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            <div class="filters">
                <div class="field">
                    <label for="f-kind">{tx("Loại hình", "Kind")}</label>
                    <select id="f-kind" on:change=move |ev| kind.set(pick(event_target_value(&ev)).and_then(|i| KINDS.get(i).copied()))>
                        <option value="">{tx("Tất cả", "All")}</option>
                        {KINDS.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string()>{move || kind_label(k)}</option> } }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-sector">{tx("Lĩnh vực", "Sector")}</label>
                    <select id="f-sector" on:change=move |ev| sector.set(pick(event_target_value(&ev)).and_then(|i| SECTORS.get(i).copied()))>
                        <option value="">{tx("Tất cả", "All")}</option>
                        {SECTORS.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string()>{move || sector_label(k)}</option> } }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-commune">{tx("Xã, phường", "Commune")}</label>
                    <select id="f-commune" on:change=move |ev| commune.set(event_target_value(&ev))>
                        <option value="">{tx("Tất cả", "All")}</option>
                        {crate::components::options(move || communes.get(), move || commune.get())}
                    </select>
                </div>
                <div class="field">
                    <label for="f-status">{tx("Tình trạng", "Status")}</label>
                    <select id="f-status" on:change=move |ev| status.set(pick(event_target_value(&ev)).and_then(|i| STATUSES.get(i).copied()))>
                        <option value="">{tx("Tất cả", "All")}</option>
                        {STATUSES.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string()>{move || status_label(k)}</option> } }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-sort">{tx("Sắp xếp", "Sort by")}</label>
                    <select id="f-sort" on:change=move |ev| sort.set(match event_target_value(&ev).as_str() {
                        "commune" => SortBy::Commune, "members" => SortBy::Members, "status" => SortBy::Status, _ => SortBy::Name })>
                        <option value="name">{tx("Tên", "Name")}</option>
                        <option value="commune">{tx("Xã, phường", "Commune")}</option>
                        <option value="members">{tx("Số thành viên", "Members")}</option>
                        <option value="status">{tx("Tình trạng", "Status")}</option>
                    </select>
                </div>
                <label class="check" for="f-new">
                    <input id="f-new" type="checkbox" prop:checked=move || newly.get() on:change=move |ev| newly.set(event_target_checked(&ev))/>
                    <span>{tx("Mới thành lập trong kỳ", "Newly established")}</span>
                </label>
            </div>
            <p class="muted" aria-live="polite">{move || {
                let n = total.with(|v| v.len());
                crate::i18n::ts(format!("{n} hợp tác xã"), format!("{n} cooperatives"))
            }}</p>
            <Show when=move || loaded.get() && rows.with(|r| r.is_empty())>
                <p class="empty">{tx("Chưa có dữ liệu trên máy. Hãy kết nối mạng để đồng bộ.", "No data on this tablet yet. Connect to sync.")}</p>
            </Show>
            <ul class="list" aria-label=tx("Danh sách hợp tác xã", "Cooperative list")>
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn row(id: &str, name: &str) -> Row {
        Row {
            id: id.into(),
            name: name.into(),
            kind: CoopKind::Tht,
            sector: Sector::Agriculture,
            area_id: "NB-HL-NINHHAI".into(),
            status: OperatingStatus::Standstill,
            newly: true,
            members: 9,
            version: 0,
            commune: "Xã Ninh Hải".into(),
            key: normalize(&format!("{name} Xã Ninh Hải")),
        }
    }

    #[wasm_bindgen_test]
    fn the_cached_list_reads_back_as_written() {
        let rows = vec![row("a", "THT Trồng sen"), row("b", "HTX Dịch vụ")];
        assert_eq!(decode(&encode(&rows)), rows);
    }

    #[wasm_bindgen_test]
    fn separators_in_names_and_broken_lines_do_not_break_the_list() {
        let rows = vec![row("a", "THT\u{1f}Sen\u{1e}Hồ"), row("b", "HTX Dịch vụ")];
        let back = decode(&encode(&rows));
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].name, "THT Sen Hồ");
        // A line with a field too many or too few, or a number that does not read, is left out.
        let text = encode(&rows);
        let broken = text.replacen("\u{1f}9\u{1f}", "\u{1f}nine\u{1f}", 1);
        assert_eq!(decode(&broken).len(), 1);
        assert_eq!(decode("a\u{1f}b\u{1e}").len(), 0);
    }
}
