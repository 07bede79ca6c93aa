//! The supervisor's review queue, served by the server (issue 18): one page of reports at
//! a time (`GET /api/visits`, newest received first), filtered by state, area (a commune
//! or ward of today, or a former district for what was written there), officer
//! and six-month period and searched (cooperative, officer, note) on the server, so the browser
//! holds only what is on screen; "Xem thêm" fetches the next page. Each opens the review
//! page.

use crate::i18n::{date, date_time, vi_en};
use crate::router::Redirect;
use hoptac_core::keyed::Keyed;
use hoptac_core::model::AreaLevel;
use hoptac_core::model::ReportStatus::*;
use hoptac_core::queue::QueueItem;
use leptos::prelude::*;

/// Reports fetched per page.
const PAGE: &str = "50";

#[component]
pub fn ReportsPage() -> impl IntoView {
    let session = crate::session::use_session();
    let error = RwSignal::new(None::<hoptac_core::i18n::Msg>);
    let (f_state, f_district, f_officer, f_period, f_search) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    // What the search box holds until it is submitted.
    let typed = RwSignal::new(String::new());
    // Today's districts, communes and wards; then the districts a reorganisation closed,
    // for what was written in them before it: (path, name).
    let districts = crate::resources::synced(|| async {
        let all = crate::handles::store()
            .all_areas()
            .await
            .unwrap_or_default();
        let ds: Vec<(u8, String, String)> = all
            .into_iter()
            .filter_map(|a| match (&a.closed_on, a.level) {
                (None, AreaLevel::District) => Some((0, a.path, a.name)),
                (None, AreaLevel::Commune) => Some((1, a.path, a.name)),
                (Some(since), AreaLevel::District) => {
                    let name = crate::i18n::ts(
                        format!("{} (trước {})", a.name, date(since)),
                        format!("{} (before {})", a.name, date(since)),
                    );
                    Some((2, a.path, name))
                }
                _ => None,
            })
            .collect();
        let ds =
            crate::util::sort_by_key(ds, |d| (u64::from(d.0), hoptac_core::text::normalize(&d.2)));
        ds.into_iter()
            .map(|(_, path, name)| (path, name))
            .collect::<Vec<(String, String)>>()
    });
    // The officers the queue can be filtered by (online).
    let officers = crate::resources::once(move || {
        let user = session.user.get();
        async move {
            match user {
                Some(s) => crate::api::visits::queue_officers(&s.token)
                    .await
                    .unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    let filters = move || {
        vec![
            ("status", f_state.get_untracked()),
            ("area", f_district.get_untracked()),
            ("author", f_officer.get_untracked()),
            ("period", f_period.get_untracked()),
            ("q", f_search.get_untracked()),
        ]
    };
    // The queue, newest received first, a page at a time: again from the top whenever a
    // filter changes (and each time the page is opened: a decision taken on a report shows
    // when coming back).
    let queue = crate::resources::paged(
        move |after: Option<String>| {
            // Read tracked: a filter changed starts the list again (the next pages are
            // asked for untracked, by `Paged::more`).
            let mut pairs = vec![
                ("status", f_state.get()),
                ("area", f_district.get()),
                ("author", f_officer.get()),
                ("period", f_period.get()),
                ("q", f_search.get()),
            ];
            let token = session.signed_in_token();
            pairs.push(("limit", PAGE.to_string()));
            pairs.push(("after", after.unwrap_or_default()));
            let q = crate::api::query(
                &pairs
                    .iter()
                    .map(|(k, v)| (*k, v.as_str()))
                    .collect::<Vec<_>>(),
            );
            crate::resources::queue_page(token, q)
        },
        |item: &QueueItem| item.report.id.clone(),
    );
    // The same filters, applied by the server to everything in the user's scope.
    let export = move |format: &'static str| {
        let mut pairs = filters();
        pairs.push(("format", format.to_string()));
        let q = crate::api::query(
            &pairs
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        );
        error.set(None);
        leptos::task::spawn_local(async move {
            let Some(s) = session.user.get_untracked() else {
                return;
            };
            if let Err(e) = crate::api::visits::export(&s.token, &q).await {
                error.set(Some(e.user_message()));
            }
        });
    };
    let periods: Vec<(String, String)> = crate::labels::periods()
        .into_iter()
        .map(|p| {
            let label = crate::labels::period_label(&p);
            (p, label)
        })
        .collect();
    let status = NodeRef::<leptos::html::P>::new();
    view! {
        <Show when=move || session.loaded.get() && session.user.with(|s| s.is_none())>
            <Redirect path="/dang-nhap"/>
        </Show>
        <crate::components::conflicts::OpenConflicts/>
        <section>
            <h1>{vi_en("Phiếu khảo sát đã gửi", "Submitted visit reports")}</h1>
            <form class="filters" role="search" aria-label=vi_en("Lọc và tìm phiếu", "Filter and search reports")
                on:submit=move |ev| { ev.prevent_default(); f_search.set(typed.get_untracked().trim().to_string()); }>
                <div class="field"><label for="f-search">{vi_en("Tìm (HTX, cán bộ, nội dung)", "Search (cooperative, officer, note)")}</label>
                    <input id="f-search" type="search" prop:value=move || typed.get()
                        on:input=move |ev| typed.set(crate::util::typed(&ev))
                        on:change=move |ev| f_search.set(event_target_value(&ev).trim().to_string())/>
                </div>
                <div class="field"><label for="f-state">{vi_en("Trạng thái", "State")}</label>
                    <select id="f-state" on:change=move |ev| f_state.set(event_target_value(&ev))>
                        <option value="">{vi_en("Tất cả", "All")}</option>
                        {[Submitted, Returned, Resubmitted, Approved, Rejected].into_iter().map(|st| view! {
                            <option value=st.key()>{move || crate::labels::report_status_label(st)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field"><label for="f-district">{vi_en("Địa bàn", "Area")}</label>
                    <select id="f-district" on:change=move |ev| f_district.set(event_target_value(&ev))>
                        <option value="">{vi_en("Tất cả", "All")}</option>
                        {crate::components::options(move || districts.get().unwrap_or_default(), move || f_district.get())}
                    </select>
                </div>
                <div class="field"><label for="f-officer">{vi_en("Cán bộ", "Officer")}</label>
                    <select id="f-officer" on:change=move |ev| f_officer.set(event_target_value(&ev))>
                        <option value="">{vi_en("Tất cả", "All")}</option>
                        {crate::components::options(move || officers.get().unwrap_or_default(), move || f_officer.get())}
                    </select>
                </div>
                <div class="field"><label for="f-period">{vi_en("Kỳ", "Period")}</label>
                    <select id="f-period" on:change=move |ev| f_period.set(event_target_value(&ev))>
                        <option value="">{vi_en("Tất cả", "All")}</option>
                        {crate::components::options(move || periods.clone(), move || f_period.get())}
                    </select>
                </div>
                <button type="submit">{vi_en("Tìm", "Search")}</button>
            </form>
            <div class="actions">
                <button type="button" on:click=move |_| export("xlsx")>{vi_en("Tải danh sách đang lọc (XLSX)", "Download the filtered list (XLSX)")}</button>
                <button type="button" on:click=move |_| export("csv")>{vi_en("Tải CSV", "Download CSV")}</button>
            </div>
            <div role="alert">{move || error.get().or_else(|| queue.error()).map(|m| view! { <p class="error">{m.get(crate::i18n::lang().get()).to_string()}</p> })}</div>
            <Show when=move || !queue.loading() && queue.error().is_none() && queue.len() == 0>
                <p class="empty">{vi_en("Không có phiếu nào.", "No reports.")}</p>
            </Show>
            <table class="table" aria-label=vi_en("Phiếu khảo sát", "Visit reports") aria-busy=move || queue.loading().to_string()>
                <thead><tr>
                    <th scope="col">{vi_en("Hợp tác xã", "Cooperative")}</th>
                    <th scope="col">{vi_en("Ngày khảo sát", "Visit date")}</th>
                    <th scope="col">{vi_en("Cán bộ", "Officer")}</th>
                    <th scope="col">{vi_en("Nội dung", "Note")}</th>
                    <th scope="col">{vi_en("Nhận lúc", "Received")}</th>
                    <th scope="col">{vi_en("Trạng thái", "Status")}</th>
                    <th scope="col">{vi_en("Ảnh", "Photos")}</th>
                </tr></thead>
                <tbody>
                    {crate::components::each(move || queue.items(), |item| { let r = item.report; view! {
                        <tr>
                            <td><a href=format!("/bao-cao/{}", r.id)>{item.cooperative_name.clone()}</a></td>
                            <td>{date(&r.visit_date)}</td>
                            <td>{r.author_name.clone()}
                                {r.author_left_area_at.map(|_| view! { " " <span class="badge warn" title=vi_en("Viết trước khi chuyển địa bàn", "Written before a reassignment")>{vi_en("trước khi chuyển địa bàn", "before reassignment")}</span> })}</td>
                            <td class="note">{r.note.clone()}</td>
                            <td>{r.received_at.map(date_time).unwrap_or_default()}</td>
                            <td>{let st = r.status; move || crate::labels::report_status_label(st)}</td>
                            <td class="thumb">{r.findings.photos.first().cloned().map(|p| {
                                let n = r.findings.photos.len();
                                view! { <QueueThumb photo=p count=n/> }
                            })}</td>
                        </tr>
                    }.into_any()})}
                </tbody>
            </table>
            <p class="muted" role="status" tabindex="-1" node_ref=status>{move || crate::components::more::page_status(
                queue.len(), queue.loading(), queue.has_more(), ("phiếu", "reports"))}</p>
            <crate::components::more::MoreButton label=("Xem thêm phiếu", "Show more reports")
                class="primary" has_more=Signal::derive(move || queue.has_more())
                busy=Signal::derive(move || queue.loading()) on_more=Callback::new(move |()| queue.more())
                status=status/>
        </section>
    }
}

/// A report's first photo as a thumbnail in the queue, with how many it has; fetched only
/// once its row is on screen (a queue of 1,000 reports does not fetch 1,000 images).
#[component]
fn QueueThumb(photo: hoptac_core::photo::PhotoRef, count: usize) -> impl IntoView {
    let session = crate::session::use_session();
    let cell = NodeRef::<leptos::html::Span>::new();
    let src = RwSignal::new(None::<String>);
    let hash = photo.hash.clone();
    Effect::new(move |_| {
        let Some(el) = cell.get() else { return };
        let (hash, token) = (hash.clone(), session.token());
        leptos::task::spawn_local(async move {
            crate::photos::when_visible(&el).await;
            if let Ok(url) = crate::components::photo_editor::photo_src(&token, &hash, true).await {
                src.set(Some(url));
            }
        });
    });
    on_cleanup(move || {
        if let Some(u) = src.get_untracked() {
            crate::photos::revoke_url(&u);
        }
    });
    let (svi, sen) = photo.section.label();
    view! {
        <span node_ref=cell class="queue-thumb">
            {move || src.get().map(|u| view! { <img src=u alt=crate::i18n::t(svi, sen)/> })}
            <span class="muted">{move || crate::i18n::ts(format!("{count} ảnh"), format!("{count} photo(s)"))}</span>
        </span>
    }
}
