//! The six-monthly review (báo cáo sơ kết 6 tháng), online: chosen period and area, every
//! figure with its target or last year's, SVG charts, the records behind each figure, the
//! targets form (supervisors, administrators), exports (XLSX, CSV) and a printable page.
//! The server computes it (GET /api/review, hoptac_core::six_month).

use crate::i18n::{date, lang, t, ts, vi_en, vnd};
use crate::router::Redirect;
use hoptac_core::i18n::Msg;
use hoptac_core::model::{AreaLevel, Role};
use hoptac_core::six_month::{RecordRef, ReviewResponse, SixMonthReview, Targets, TargetsRequest};
use leptos::prelude::*;

/// One line of the review: a figure, what it is compared with, and which figure's
/// records it opens (its key, hoptac_core::six_month::SixMonthReview::ids_of, of this
/// period or the same one last year).
#[derive(Clone, PartialEq)]
struct Line {
    label: String,
    value: String,
    compare: String,
    figure: String,
    last_year: bool,
}

/// A bar of a chart: label, value, and a target drawn as a mark.
type Bar = (String, i64, Option<i64>);

fn pct(p: Option<f64>) -> String {
    p.map(|p| format!("{}{:.1}%", if p > 0.0 { "+" } else { "" }, p))
        .unwrap_or_default()
}

/// The review's three tallies (value chains by programme, difficulties, support received)
/// as (label in the chosen language, count, figure key); the server names each item.
fn named_tallies(v: &SixMonthReview) -> [Vec<(String, i64, String)>; 3] {
    let lang = lang().get_untracked();
    let named = |ts: &[hoptac_core::six_month::Tally], list: &str| {
        ts.iter()
            .map(|c| {
                (
                    c.label.get(lang).to_string(),
                    c.count,
                    format!("{list}:{}", c.key),
                )
            })
            .collect::<Vec<_>>()
    };
    [
        named(&v.value_chains, "value_chains"),
        named(&v.difficulties, "difficulties"),
        named(&v.support_received, "support_received"),
    ]
}

/// The review's lines in the chosen language, grouped by heading.
fn lines(r: &ReviewResponse) -> Vec<(String, Vec<Line>)> {
    let v = &r.review;
    let n = |x: i64| crate::i18n::group_digits(x, lang().get_untracked());
    // "kế hoạch 4, đạt 75%": the target and how much of it the value reached, as the
    // alliance's reports write it.
    let target = |value: i64, t: Option<u32>| {
        t.map(|t| {
            let reached = match t {
                0 => String::new(),
                t => format!("{}%", n(value * 100 / i64::from(t))),
            };
            if reached.is_empty() {
                ts(
                    format!("kế hoạch {}", n(t.into())),
                    format!("target {}", n(t.into())),
                )
            } else {
                ts(
                    format!("kế hoạch {}, đạt {reached}", n(t.into())),
                    format!("target {}, {reached} reached", n(t.into())),
                )
            }
        })
        .unwrap_or_default()
    };
    let line = |label: String, value: String, compare: String, figure: &str| Line {
        label,
        value,
        compare,
        figure: figure.to_string(),
        last_year: false,
    };
    // A count against its target for the period.
    let counted = |label: &str, key: &str, f: &hoptac_core::six_month::Figure| {
        line(label.into(), n(f.value), target(f.value, f.target), key)
    };
    // A money figure against the same period last year.
    let compared = |label: &str, key: &str, c: &hoptac_core::six_month::Compared| {
        let (before, change) = (vnd(c.last_year), pct(c.change_pct));
        line(
            label.into(),
            vnd(c.now),
            ts(
                format!("cùng kỳ {before} ({change})"),
                format!("last year {before} ({change})"),
            ),
            key,
        )
    };
    let [chains, difficulties, support] = named_tallies(v);
    let tally = |items: Vec<(String, i64, String)>| {
        items
            .into_iter()
            .map(|(l, c, key)| line(l, n(c), String::new(), &key))
            .collect::<Vec<_>>()
    };
    vec![
        (
            t("Phát triển HTX, THT", "New cooperatives and groups").into(),
            vec![
                counted(
                    t("HTX thành lập mới", "New cooperatives (HTX)"),
                    "new_htx",
                    &v.new_htx,
                ),
                counted(
                    t("THT thành lập mới", "New cooperative groups (THT)"),
                    "new_tht",
                    &v.new_tht,
                ),
                line(
                    t(
                        "HTX, THT chưa có ngày thành lập (chưa tính là thành lập mới)",
                        "Without a founding date (not counted as new)",
                    )
                    .into(),
                    n(v.no_founding_date.value),
                    String::new(),
                    "no_founding_date",
                ),
                line(
                    t("Hoạt động cầm chừng", "At a standstill").into(),
                    n(v.standstill.value),
                    String::new(),
                    "standstill",
                ),
            ],
        ),
        (
            t("Kết quả sản xuất kinh doanh", "Business results").into(),
            vec![
                compared(
                    t("Tổng doanh thu", "Total revenue"),
                    "revenue_vnd",
                    &v.revenue_vnd,
                ),
                compared(
                    t(
                        "Thu nhập bình quân thành viên (tháng)",
                        "Average member income (month)",
                    ),
                    "member_income_vnd",
                    &v.member_income_vnd,
                ),
                counted(
                    t(
                        "Công trình hạ tầng đã bàn giao",
                        "Infrastructure works handed over",
                    ),
                    "works_handed_over",
                    &v.works_handed_over,
                ),
                line(
                    t("Đã đăng ký thuế", "Registered for tax").into(),
                    n(v.tax_registered.value),
                    ts(
                        format!("trên {} phiếu", n(v.tax_of)),
                        format!("of {} reports", n(v.tax_of)),
                    ),
                    "tax_registered",
                ),
                line(
                    t("Phiếu được duyệt làm căn cứ", "Approved reports counted").into(),
                    n(v.report_count),
                    String::new(),
                    "reports",
                ),
            ],
        ),
        (
            t(
                "Mô hình chuỗi giá trị theo chương trình",
                "Value-chain models by programme",
            )
            .into(),
            tally(chains),
        ),
        (
            t("Khó khăn, vướng mắc", "Difficulties").into(),
            tally(difficulties),
        ),
        (
            t("Hỗ trợ đã nhận theo loại", "Support received by kind").into(),
            tally(support),
        ),
    ]
    .into_iter()
    .chain(r.last_year.as_ref().map(|ly| {
        // The same half a year earlier, over today's areas (after a reorganisation: what
        // the former communes recorded).
        // Each line named with its period: a line of this period and one of last year
        // never share a name (the drill-down opens by name; screen readers read it).
        let named = |label: &str| format!("{label} ({})", ly.period);
        let earlier = |l: Line| Line {
            last_year: true,
            ..l
        };
        let before = |label: &str, key: &str, now: i64, then: &hoptac_core::six_month::Figure| {
            earlier(line(
                named(label),
                n(then.value),
                ts(
                    format!("kỳ này {}", n(now)),
                    format!("this period {}", n(now)),
                ),
                key,
            ))
        };
        (
            ts(
                format!("Cùng kỳ năm trước ({}), theo địa bàn hiện nay", ly.period),
                format!("Same period last year ({}), in today's areas", ly.period),
            ),
            vec![
                before(
                    t("HTX thành lập mới", "New cooperatives (HTX)"),
                    "new_htx",
                    v.new_htx.value,
                    &ly.new_htx,
                ),
                before(
                    t("THT thành lập mới", "New cooperative groups (THT)"),
                    "new_tht",
                    v.new_tht.value,
                    &ly.new_tht,
                ),
                before(
                    t("Hoạt động cầm chừng", "At a standstill"),
                    "standstill",
                    v.standstill.value,
                    &ly.standstill,
                ),
                earlier(line(
                    named(t("Tổng doanh thu", "Total revenue")),
                    vnd(ly.revenue_vnd.now),
                    ts(
                        format!("kỳ này {}", vnd(v.revenue_vnd.now)),
                        format!("this period {}", vnd(v.revenue_vnd.now)),
                    ),
                    "revenue_vnd",
                )),
                before(
                    t(
                        "Công trình hạ tầng đã bàn giao",
                        "Infrastructure works handed over",
                    ),
                    "works_handed_over",
                    v.works_handed_over.value,
                    &ly.works_handed_over,
                ),
                earlier(line(
                    named(t("Phiếu được duyệt làm căn cứ", "Approved reports counted")),
                    n(ly.report_count),
                    ts(
                        format!("kỳ này {}", n(v.report_count)),
                        format!("this period {}", n(v.report_count)),
                    ),
                    "reports",
                )),
            ],
        )
    }))
    .collect()
}

/// A horizontal bar chart in SVG; a target is a dark mark across its bar. The chart is a
/// picture (role img) whose name reads out every bar; the table beside it has the numbers.
fn chart(title: String, bars: Vec<Bar>) -> impl IntoView {
    let max = bars
        .iter()
        .map(|b| b.1.max(b.2.unwrap_or(0)))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let row_h = 34.0;
    let height = (bars.len() as f64 * row_h).max(row_h);
    let x0 = 250.0;
    let width = 330.0;
    let name = format!(
        "{title}: {}",
        bars.iter()
            .map(|b| format!("{} {}", b.0, b.1))
            .collect::<Vec<_>>()
            .join("; ")
    );
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 640 {height}") role="img" aria-label=name preserveAspectRatio="xMinYMin meet">
                {bars.into_iter().enumerate().map(|(i, (label, value, target))| {
                    let y = i as f64 * row_h;
                    let w = (value as f64 / max * width).max(if value > 0 { 2.0 } else { 0.0 });
                    view! {
                        <g>
                            <text x="0" y=y + 22.0 class="chart-label">{label}</text>
                            <rect x=x0 y=y + 6.0 width=w height="22" rx="3" class="chart-bar"></rect>
                            <text x=x0 + w + 6.0 y=y + 22.0 class="chart-value">{value.to_string()}</text>
                            {target.map(|t| {
                                let tx = x0 + t as f64 / max * width;
                                view! { <line x1=tx x2=tx y1=y + 2.0 y2=y + 32.0 class="chart-target"></line> }
                            })}
                        </g>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}

/// The charts: targets, this year against last, and the three tallies.
fn charts(r: &ReviewResponse) -> impl IntoView {
    let v = &r.review;
    let tgt = |t: Option<u32>| t.map(i64::from);
    let progress = vec![
        (
            t("HTX mới", "New HTX").to_string(),
            v.new_htx.value,
            tgt(v.new_htx.target),
        ),
        (
            t("THT mới", "New THT").to_string(),
            v.new_tht.value,
            tgt(v.new_tht.target),
        ),
        (
            t("Công trình bàn giao", "Works handed over").to_string(),
            v.works_handed_over.value,
            tgt(v.works_handed_over.target),
        ),
    ];
    let million = |x: i64| x / 1_000_000;
    let money = vec![
        (
            t("Doanh thu kỳ này", "Revenue, this period").to_string(),
            million(v.revenue_vnd.now),
            None,
        ),
        (
            t("Doanh thu cùng kỳ", "Revenue, last year").to_string(),
            million(v.revenue_vnd.last_year),
            None,
        ),
    ];
    let bars = |items: Vec<(String, i64, String)>| -> Vec<Bar> {
        items.into_iter().map(|(l, c, _)| (l, c, None)).collect()
    };
    let [chains, diffs, support] = named_tallies(v).map(bars);
    view! {
        <div class="charts">
            {chart(t("Kết quả so với kế hoạch (vạch: kế hoạch)", "Results against target (mark: target)").into(), progress)}
            {chart(t("Doanh thu (triệu đồng)", "Revenue (million VND)").into(), money)}
            {(!chains.is_empty()).then(|| chart(t("Chuỗi giá trị theo chương trình", "Value chains by programme").into(), chains))}
            {(!diffs.is_empty()).then(|| chart(t("Khó khăn", "Difficulties").into(), diffs))}
            {(!support.is_empty()).then(|| chart(t("Hỗ trợ đã nhận", "Support received").into(), support))}
        </div>
    }
}

/// The records behind a figure, each opening its page, fetched from the server a page
/// of 100 at a time when the figure is opened ("Xem thêm" for the next): a country's
/// figures name some 100,000 records, which the review itself does not carry.
#[component]
fn Records(period: String, area: String, figure: String, last_year: bool) -> impl IntoView {
    let session = crate::session::use_session();
    let records = crate::resources::paged(
        move |offset: Option<u32>| {
            let token = session.user.with(|s| s.as_ref().map(|s| s.token.clone()));
            let (period, area, figure) = (period.clone(), area.clone(), figure.clone());
            async move {
                let Some(token) = token else {
                    return Ok(crate::resources::Page {
                        items: Vec::new(),
                        next: None,
                        total: None,
                    });
                };
                crate::api::six_month::review_records(
                    &token,
                    &period,
                    &area,
                    &figure,
                    last_year,
                    offset.unwrap_or(0),
                )
                .await
                .map(|p| crate::resources::Page {
                    items: p.records,
                    next: p.next,
                    total: Some(p.total),
                })
                .map_err(|e| e.user_message())
            }
        },
        |r: &RecordRef| r.id.clone(),
    );
    let status = NodeRef::<leptos::html::P>::new();
    view! {
        <p role="status" class="muted" tabindex="-1" node_ref=status>{move || {
            let shown = records.len() as u32;
            match records.total() {
                _ if records.loading() => t("Đang tải hồ sơ…", "Loading the records…").to_string(),
                Some(0) => t("Không có hồ sơ nào.", "No records.").to_string(),
                Some(n) if n > shown => ts(
                    format!("Đang hiện {shown} trong {n} hồ sơ."),
                    format!("Showing {shown} of {n} records."),
                ),
                Some(_) => ts(format!("Tất cả {shown} hồ sơ."), format!("All {shown} records.")),
                None => String::new(),
            }
        }}</p>
        <div role="alert">{move || records.error().map(|m| view! { <p class="error">{m.get(lang().get()).to_string()}</p> })}</div>
        <ul class="list">
            <For each=move || records.items() key=|r| r.id.clone() let:r>
                {if r.entity == "visit" {
                    let text = format!("{} — {} — {}", r.name, date(&r.visit_date), r.author_name);
                    view! { <li><a href=format!("/bao-cao/{}", r.id)>{text}</a></li> }.into_any()
                } else {
                    view! { <li><a href=format!("/htx/{}", r.id)>{r.name.clone()}</a></li> }.into_any()
                }}
            </For>
        </ul>
        <crate::components::more::MoreButton label=("Xem thêm hồ sơ", "Show more records")
            has_more=Signal::derive(move || records.has_more()) busy=Signal::derive(move || records.loading())
            on_more=Callback::new(move |()| records.more()) status=status/>
    }
}

/// The photos of the works handed over that the figure counts (issue 17), each with a
/// link to its report.
fn works_photos_view(photos: Vec<hoptac_core::six_month::WorkPhoto>) -> impl IntoView {
    use crate::components::report_view::PhotoItem;
    let n = photos.len();
    view! {
        <h3>{move || ts(format!("Ảnh công trình ({n})"), format!("Photos of the works ({n})"))}</h3>
        {(n == 0).then(|| view! { <p class="empty">{t("Các phiếu này chưa có ảnh công trình.", "These reports have no photos of the works.")}</p> })}
        <ul class="photos" aria-label=vi_en("Ảnh công trình đã bàn giao", "Photos of the works handed over")>
            {photos.into_iter().map(|w| view! { <PhotoItem p=w.photo report_id=w.report_id/> }).collect_view()}
        </ul>
    }
}

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
