//! The supervisor's review queue: the visit reports synced to this device, filtered by
//! state, district, officer and six-month period; each opens the review page.

use crate::i18n::{date, date_time, tx};
use crate::router::Redirect;
use crate::store::LocalVisit;
use hoptac_core::keyed::Keyed;
use hoptac_core::model::ReportStatus::*;
use hoptac_core::report::period_of;
use leptos::prelude::*;

/// The distinct non-empty values of `f` over the reports, sorted.
fn distinct(
    visits: RwSignal<Vec<(LocalVisit, String)>>,
    f: impl Fn(&LocalVisit) -> String,
) -> Vec<String> {
    let mut out: Vec<String> = visits.with(|vs| {
        vs.iter()
            .map(|(v, _)| f(v))
            .filter(|s| !s.is_empty())
            .collect()
    });
    out.sort();
    out.dedup();
    out
}

/// "2021-H1" → "6 tháng đầu năm 2021" / "First half of 2021".
pub fn period_label(p: &str) -> String {
    match p.split_once("-H") {
        Some((y, "1")) => {
            crate::i18n::ts(format!("6 tháng đầu năm {y}"), format!("First half of {y}"))
        }
        Some((y, _)) => crate::i18n::ts(
            format!("6 tháng cuối năm {y}"),
            format!("Second half of {y}"),
        ),
        None => p.to_string(),
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let session = crate::session::use_session();
    let visits = RwSignal::new(Vec::<(LocalVisit, String)>::new());
    let districts = RwSignal::new(Vec::<(String, String)>::new());
    let (f_state, f_district, f_officer, f_period) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    Effect::new(move |_| {
        crate::sync::state().data_version.track();
        leptos::task::spawn_local(async move {
            let store = crate::app_store();
            let coops = store.cooperatives().await.unwrap_or_default();
            let ds: Vec<(String, String)> = store
                .areas()
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|a| a.level == hoptac_core::model::AreaLevel::District)
                .map(|a| (a.path, a.name))
                .collect();
            districts.set(crate::util::sort_by_key(ds, |d| {
                (0, hoptac_core::text::normalize(&d.1))
            }));
            let v: Vec<(LocalVisit, String)> = store
                .visits()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|v| {
                    let name = coops
                        .iter()
                        .find(|c| c.id == v.report.cooperative_id)
                        .map(|c| c.name.clone())
                        .unwrap_or_default();
                    (v, name)
                })
                .collect();
            let v = crate::util::sort_by_key(v, |(v, _)| {
                (
                    u64::MAX - v.report.received_at.unwrap_or(v.report.created_at).max(0) as u64,
                    String::new(),
                )
            });
            visits.set(v);
        });
    });
    let shown = move || {
        let (st, d, o, p) = (
            f_state.get(),
            f_district.get(),
            f_officer.get(),
            f_period.get(),
        );
        visits.with(|vs| {
            vs.iter()
                .filter(|(v, _)| st.is_empty() || v.report.status.key() == st)
                .filter(|(v, _)| d.is_empty() || v.report.area_path.starts_with(&d))
                .filter(|(v, _)| o.is_empty() || v.report.author_name == o)
                .filter(|(v, _)| {
                    p.is_empty() || period_of(&v.report.visit_date).as_deref() == Some(p.as_str())
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let error = RwSignal::new(None::<hoptac_core::i18n::Msg>);
    // The same filters, applied by the server to everything in the user's scope.
    let export = move |format: &'static str| {
        let author = f_officer.get_untracked();
        let author_id = visits.with_untracked(|vs| {
            vs.iter()
                .find(|(v, _)| !author.is_empty() && v.report.author_name == author)
                .map(|(v, _)| v.report.author_id.clone())
                .unwrap_or_default()
        });
        let q = crate::api::query(&[
            ("format", format),
            ("status", &f_state.get_untracked()),
            ("area", &f_district.get_untracked()),
            ("author", &author_id),
            ("period", &f_period.get_untracked()),
        ]);
        error.set(None);
        leptos::task::spawn_local(async move {
            let Some(s) = session.user.get_untracked() else {
                return;
            };
            if let Err(e) = crate::api::download(&s.token, &format!("/api/visits/export?{q}")).await
            {
                error.set(Some(e.user_message()));
            }
        });
    };
    view! {
        <Show when=move || session.loaded.get() && session.user.with(|s| s.is_none())>
            <Redirect path="/dang-nhap"/>
        </Show>
        <crate::components::conflicts::OpenConflicts/>
        <section>
            <h1>{tx("Phiếu khảo sát đã gửi", "Submitted visit reports")}</h1>
            <div class="filters" role="group" aria-label=tx("Lọc phiếu", "Filter reports")>
                <div class="field"><label for="f-state">{tx("Trạng thái", "State")}</label>
                    <select id="f-state" on:change=move |ev| f_state.set(event_target_value(&ev))>
                        <option value="">{tx("Tất cả", "All")}</option>
                        {[Submitted, Returned, Resubmitted, Approved, Rejected].into_iter().map(|st| view! {
                            <option value=st.key()>{move || status_label(st)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field"><label for="f-district">{tx("Huyện", "District")}</label>
                    <select id="f-district" on:change=move |ev| f_district.set(event_target_value(&ev))>
                        <option value="">{tx("Tất cả", "All")}</option>
                        {crate::components::options(move || districts.get(), move || f_district.get())}
                    </select>
                </div>
                <div class="field"><label for="f-officer">{tx("Cán bộ", "Officer")}</label>
                    <select id="f-officer" on:change=move |ev| f_officer.set(event_target_value(&ev))>
                        <option value="">{tx("Tất cả", "All")}</option>
                        {crate::components::options(
                            move || distinct(visits, |v| v.report.author_name.clone()).into_iter().map(|n| (n.clone(), n)).collect(),
                            move || f_officer.get(),
                        )}
                    </select>
                </div>
                <div class="field"><label for="f-period">{tx("Kỳ", "Period")}</label>
                    <select id="f-period" on:change=move |ev| f_period.set(event_target_value(&ev))>
                        <option value="">{tx("Tất cả", "All")}</option>
                        {crate::components::options(
                            move || distinct(visits, |v| period_of(&v.report.visit_date).unwrap_or_default()).into_iter().map(|n| { let label = period_label(&n); (n, label) }).collect(),
                            move || f_period.get(),
                        )}
                    </select>
                </div>
            </div>
            <div class="actions">
                <button type="button" on:click=move |_| export("xlsx")>{tx("Tải danh sách đang lọc (XLSX)", "Download the filtered list (XLSX)")}</button>
                <button type="button" on:click=move |_| export("csv")>{tx("Tải CSV", "Download CSV")}</button>
            </div>
            <div role="alert">{move || error.get().map(|m| view! { <p class="error">{m.get(crate::i18n::lang().get()).to_string()}</p> })}</div>
            <Show when=move || shown().is_empty()>
                <p class="empty">{tx("Không có phiếu nào.", "No reports.")}</p>
            </Show>
            <table class="table" aria-label=tx("Phiếu khảo sát", "Visit reports")>
                <thead><tr>
                    <th scope="col">{tx("Hợp tác xã", "Cooperative")}</th>
                    <th scope="col">{tx("Ngày khảo sát", "Visit date")}</th>
                    <th scope="col">{tx("Cán bộ", "Officer")}</th>
                    <th scope="col">{tx("Nội dung", "Note")}</th>
                    <th scope="col">{tx("Nhận lúc", "Received")}</th>
                    <th scope="col">{tx("Trạng thái", "Status")}</th>
                    <th scope="col">{tx("Ảnh", "Photos")}</th>
                </tr></thead>
                <tbody>
                    {crate::components::each(shown, |item| view! {
                        <tr>
                            <td><a href=format!("/bao-cao/{}", item.0.report.id)>{item.1.clone()}</a></td>
                            <td>{date(&item.0.report.visit_date)}</td>
                            <td>{item.0.report.author_name.clone()}
                                {item.0.report.author_left_area_at.map(|_| view! { " " <span class="badge warn" title=tx("Viết trước khi chuyển địa bàn", "Written before a reassignment")>{tx("trước khi chuyển địa bàn", "before reassignment")}</span> })}</td>
                            <td class="note">{item.0.report.note.clone()}</td>
                            <td>{item.0.report.received_at.map(date_time).unwrap_or_default()}</td>
                            <td>{let st = item.0.report.status; move || status_label(st)}</td>
                            <td class="thumb">{item.0.report.findings.photos.first().cloned().map(|p| {
                                let n = item.0.report.findings.photos.len();
                                view! { <QueueThumb photo=p count=n/> }
                            })}</td>
                        </tr>
                    }.into_any())}
                </tbody>
            </table>
        </section>
    }
}

/// A report's review state in the chosen language.
pub fn status_label(s: hoptac_core::model::ReportStatus) -> &'static str {
    use hoptac_core::model::ReportStatus::*;
    match s {
        Draft => crate::i18n::t("Nháp", "Draft"),
        Submitted => crate::i18n::t("Chờ duyệt", "Submitted"),
        Returned => crate::i18n::t("Trả lại để sửa", "Returned"),
        Resubmitted => crate::i18n::t("Đã gửi lại", "Resubmitted"),
        Approved => crate::i18n::t("Đã duyệt", "Approved"),
        Rejected => crate::i18n::t("Bị từ chối", "Rejected"),
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
