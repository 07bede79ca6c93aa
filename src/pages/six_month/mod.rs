//! The six-monthly review (báo cáo sơ kết 6 tháng), online: chosen period and area, every
//! figure with its target or last year's, SVG charts, the records behind each figure, the
//! targets form (supervisors, administrators), exports (XLSX, CSV) and a printable page.
//! The server computes it (GET /api/review, hoptac_core::six_month).

use crate::i18n::{date, lang, t, vi_en};
use crate::router::Redirect;
use charts::charts;
use figures::lines;
use hoptac_core::i18n::Msg;
use hoptac_core::model::{AreaLevel, Role};
use hoptac_core::six_month::{Targets, TargetsRequest};
use leptos::prelude::*;
use records::{works_photos_view, Records};

mod charts;
mod figures;
mod records;

fn number_input(
    id: &'static str,
    label: (&'static str, &'static str),
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{vi_en(label.0, label.1)}</label>
            <input id=id type="number" min="0" inputmode="numeric" prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
        </div>
    }
}

#[component]
pub fn SixMonthPage() -> impl IntoView {
    let session = crate::session::use_session();
    let all_periods = crate::labels::periods();
    // Empty until the latest half-year with reports is known (the page opens on it; on the
    // running half-year when there is none or the server cannot be asked).
    let period = RwSignal::new(String::new());
    let running = all_periods.first().cloned().unwrap_or_default();
    // The latest half-year with approved reports in the user's areas (asked once).
    let latest = crate::resources::once(move || {
        let user = session.user.get();
        async move {
            let s = user?;
            crate::api::six_month::review_periods(&s.token)
                .await
                .ok()
                .and_then(|p| p.with_reports.into_iter().next())
        }
    });
    Effect::new(move |_| {
        if let Some(found) = latest.get() {
            if period.get_untracked().is_empty() {
                period.set(found.unwrap_or_else(|| running.clone()));
            }
        }
    });
    let area = RwSignal::new(String::new());
    // The review of the period and area chosen (online), computed by the server; none
    // until the period is known.
    let review = crate::resources::once(move || {
        let (p, a, user) = (period.get(), area.get(), session.user.get());
        async move {
            let s = user.filter(|_| !p.is_empty())?;
            Some(crate::api::six_month::review(&s.token, &p, &a).await)
        }
    });
    let data = move || {
        review.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref())
                .and_then(|r| r.as_ref().ok())
                .cloned()
        })
    };
    // An action's error (targets, a download); a review's own is shown from `review`.
    let error = RwSignal::new(None::<Msg>);
    let review_error = move || {
        review.with(|r| match r {
            Some(Some(Err(e))) => Some(e.user_message()),
            _ => None,
        })
    };
    let computing = RwSignal::new(false);
    // The line whose records are open: (its label, figure key, last year's); a line is
    // known by its figure (labels may repeat: two lists' "Khác").
    let open = RwSignal::new(None::<(String, String, bool)>);
    let (t_htx, t_tht, t_works) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let saved = RwSignal::new(false);
    let can_set = move || {
        session
            .user
            .with(|s| s.as_ref().is_some_and(|s| s.user.role != Role::Officer))
    };
    // Today's areas first; then those a reorganisation closed, for reviews of the periods
    // before it in the areas of their time: (id, name).
    let areas = crate::resources::synced(|| async {
        let list: Vec<(u8, String, String)> = crate::handles::store()
            .all_areas()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|a| {
                matches!(
                    a.level,
                    AreaLevel::Province | AreaLevel::District | AreaLevel::Commune
                )
            })
            .map(|a| match &a.closed_on {
                None => (0, a.id, a.name),
                Some(since) => {
                    let name = crate::i18n::ts(
                        format!("{} (trước {})", a.name, date(since)),
                        format!("{} (before {})", a.name, date(since)),
                    );
                    (1, a.id, name)
                }
            })
            .collect();
        let list = crate::util::sort_by_key(list, |a| {
            (u64::from(a.0), hoptac_core::text::normalize(&a.2))
        });
        list.into_iter()
            .map(|(_, id, name)| (id, name))
            .collect::<Vec<(String, String)>>()
    });
    // A new review: its figures' lists closed, its own targets in the boxes.
    Effect::new(move |_| {
        period.track();
        area.track();
        open.set(None);
    });
    Effect::new(move |_| {
        if let Some(r) = data() {
            let show = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
            t_htx.set(show(r.own_targets.new_htx));
            t_tht.set(show(r.own_targets.new_tht));
            t_works.set(show(r.own_targets.works_handed_over));
        }
    });
    let save_targets = move |_| {
        let parse = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().ok();
        let req = TargetsRequest {
            period: period.get_untracked(),
            area_id: area.get_untracked(),
            targets: Targets {
                new_htx: parse(t_htx),
                new_tht: parse(t_tht),
                works_handed_over: parse(t_works),
            },
        };
        saved.set(false);
        leptos::task::spawn_local(async move {
            let Some(s) = session.user.get_untracked() else {
                return;
            };
            match crate::api::six_month::set_targets(&s.token, &req).await {
                Ok(_) => {
                    saved.set(true);
                    review.refetch();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };
    // The review of the period and area (`what`: "review"), or its reports (the queue's
    // export filtered by them), as a file the user keeps.
    let download = move |what: &'static str, format: &'static str| {
        let (period, area) = (period.get_untracked(), area.get_untracked());
        leptos::task::spawn_local(async move {
            let Some(s) = session.user.get_untracked() else {
                return;
            };
            let done = if what == "review" {
                crate::api::six_month::export(&s.token, &period, &area, format).await
            } else {
                let q =
                    crate::api::query(&[("period", &period), ("area", &area), ("format", format)]);
                crate::api::visits::export(&s.token, &q).await
            };
            if let Err(e) = done {
                error.set(Some(e.user_message()));
            }
        });
    };
    view! {
        <Show when=move || session.loaded.get() && session.user.with(|s| s.is_none())>
            <Redirect path="/dang-nhap"/>
        </Show>
        <section class="six-month">
            <h1>{vi_en("Báo cáo sơ kết 6 tháng", "Six-monthly review")}</h1>
            <p class="print-only">{move || data().map(|d| format!("{} · {}", d.review.period, d.area_name))}</p>
            <div class="filters no-print" role="group" aria-label=vi_en("Chọn kỳ và địa bàn", "Choose period and area")>
                <div class="field"><label for="r-period">{vi_en("Kỳ báo cáo", "Period")}</label>
                    <select id="r-period" on:change=move |ev| period.set(event_target_value(&ev))>
                        {all_periods.into_iter().map(|p| {
                            let label = p.clone();
                            let this = p.clone();
                            view! { <option value=p.clone() selected=move || period.with(|x| *x == this)>{move || crate::labels::period_label(&label)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field"><label for="r-area">{vi_en("Địa bàn", "Area")}</label>
                    <select id="r-area" on:change=move |ev| area.set(event_target_value(&ev))>
                        <option value="">{vi_en("Tất cả địa bàn được giao", "All my areas")}</option>
                        {crate::components::options(move || areas.get().unwrap_or_default(), move || area.get())}
                    </select>
                </div>
            </div>
            <div class="actions no-print">
                <button type="button" on:click=move |_| download("review", "xlsx")>{vi_en("Tải Excel (XLSX)", "Download Excel (XLSX)")}</button>
                <button type="button" on:click=move |_| download("review", "csv")>{vi_en("Tải CSV", "Download CSV")}</button>
                <button type="button" on:click=move |_| download("reports", "xlsx")>{vi_en("Tải danh sách phiếu (XLSX)", "Download the reports (XLSX)")}</button>
                <button type="button" on:click=move |_| { let _ = web_sys::window().map(|w| w.print()); }>{vi_en("In báo cáo", "Print")}</button>
            </div>
            <div role="alert">{move || error.get().or_else(review_error).map(|m| view! { <p class="error">{m.get(lang().get()).to_string()}</p> })}</div>
            <p role="status" class="muted">{move || computing.get().then(|| t("Đang tính…", "Computing…"))}</p>
            <Transition set_pending=computing>
            {move || {
                lang().track();
                data().map(|r| {
                    let groups = lines(&r);
                    let (shown_period, shown_area) =
                        (r.review.period.clone(), r.area_id.clone().unwrap_or_default());
                    let works_photos = r.review.works_photos.clone();
                    view! {
                        {charts(&r)}
                        {groups.into_iter().map(|(heading, ls)| {
                            let (shown_period, shown_area) = (shown_period.clone(), shown_area.clone());
                            view! {
                                <section class="card">
                                    <h2>{heading.clone()}</h2>
                                    {ls.is_empty().then(|| view! { <p class="empty">{vi_en("Không có phiếu nào nêu mục này trong kỳ.", "No report gives this in the period.")}</p> })}
                                    <table class="table" aria-label=heading>
                                        <tbody>
                                            {ls.into_iter().map(|l| {
                                                let works_photos = works_photos.clone();
                                                let (label, figure, last_year) = (l.label.clone(), l.figure.clone(), l.last_year);
                                                let shown = (l.figure.clone(), l.last_year);
                                                let (shown_period, shown_area) = (shown_period.clone(), shown_area.clone());
                                                let is_open = move || open.with(|o| o.as_ref().is_some_and(|o| (&o.1, o.2) == (&shown.0, shown.1)));
                                                let is_open2 = is_open.clone();
                                                view! {
                                                    <tr>
                                                        <th scope="row">{l.label.clone()}</th>
                                                        <td class="num">
                                                            <button type="button" class="link" aria-expanded=move || is_open().to_string()
                                                                aria-label=format!("{}: {} — {}", l.label, l.value, t("xem hồ sơ", "show records"))
                                                                on:click=move |_| open.set(if is_open2() { None } else { Some((label.clone(), figure.clone(), last_year)) })>
                                                                {l.value.clone()}
                                                            </button>
                                                        </td>
                                                        <td class="muted">{l.compare.clone()}</td>
                                                    </tr>
                                                    {
                                                        let shown = (l.figure.clone(), l.last_year);
                                                        move || open.with(|o| o.as_ref().filter(|o| (&o.1, o.2) == (&shown.0, shown.1)).map(|o| view! {
                                                            <tr class="drill"><td colspan="3">
                                                                <section role="region" aria-label=format!("{} — {}", t("Hồ sơ làm căn cứ", "Records behind"), o.0)>
                                                                    <Records period=shown_period.clone() area=shown_area.clone() figure=o.1.clone() last_year=o.2/>
                                                                    {(o.1 == "works_handed_over" && !o.2).then(|| works_photos_view(works_photos.clone()))}
                                                                </section>
                                                            </td></tr>
                                                        }))
                                                    }
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </section>
                            }
                        }).collect_view()}
                    }
                })
            }}
            </Transition>
            <Show when=move || can_set() && !area.get().is_empty()>
                <section class="card no-print" aria-labelledby="targets-h">
                    <h2 id="targets-h">{vi_en("Kế hoạch của địa bàn trong kỳ", "This area's targets for the period")}</h2>
                    <div class="grid">
                        {number_input("t-htx", ("Kế hoạch: HTX thành lập mới", "Target: new cooperatives (HTX)"), t_htx)}
                        {number_input("t-tht", ("Kế hoạch: THT thành lập mới", "Target: new groups (THT)"), t_tht)}
                        {number_input("t-works", ("Kế hoạch: công trình bàn giao", "Target: works handed over"), t_works)}
                    </div>
                    <div class="actions">
                        <button type="button" class="primary" on:click=save_targets>{vi_en("Lưu kế hoạch", "Save targets")}</button>
                        <span role="status" class="ok">{move || saved.get().then(|| t("Đã lưu.", "Saved."))}</span>
                        <a href=move || format!("/nhat-ky/targets/{}:{}", period.get(), area.get())>{vi_en("Lịch sử thay đổi kế hoạch", "History of the targets")}</a>
                    </div>
                </section>
            </Show>
        </section>
    }
}
