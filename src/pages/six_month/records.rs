//! The records behind a figure (a page of 100 at a time from the server) and the photos
//! of the works handed over that a figure counts.

use crate::i18n::{date, lang, t, ts, vi_en};
use hoptac_core::six_month::RecordRef;
use leptos::prelude::*;

/// The records behind a figure, each opening its page, fetched from the server a page
/// of 100 at a time when the figure is opened ("Xem thêm" for the next): a country's
/// figures name some 100,000 records, which the review itself does not carry.
#[component]
pub(super) fn Records(
    period: String,
    area: String,
    figure: String,
    last_year: bool,
) -> impl IntoView {
    let session = crate::session::use_session();
    let records = crate::resources::paged(
        move |offset: Option<u32>| {
            let token = session.signed_in_token();
            let (period, area, figure) = (period.clone(), area.clone(), figure.clone());
            async move {
                let Some(token) = token else {
                    return Ok(crate::resources::Page::empty());
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
pub(super) fn works_photos_view(photos: Vec<hoptac_core::six_month::WorkPhoto>) -> impl IntoView {
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
