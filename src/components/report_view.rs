//! A visit report, read-only and whole: every section of the form with what was recorded
//! (empty fields left out). The supervisor reviews from it. Labels and sections are the
//! report's field catalogue's (hoptac_core::fields).

use crate::i18n::{date, lang, t, vnd};
use hoptac_core::fields::Section;
use hoptac_core::model::VisitReport;
use hoptac_core::reference::ListKind;
use hoptac_core::report::Labelled;
use leptos::prelude::*;

fn labels<L: Labelled>(items: &[L]) -> String {
    items
        .iter()
        .map(|i| i.msg().get(lang().get_untracked()).to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A field's short label, from the report's field catalogue (hoptac_core::fields).
fn l(key: &str) -> &'static str {
    let (vi, en) = hoptac_core::fields::get(key).map_or(("?", "?"), |f| f.label);
    t(vi, en)
}

/// A section's heading, from the catalogue.
fn h(s: Section) -> &'static str {
    let (vi, en) = s.label();
    t(vi, en)
}

fn yes_no(b: bool) -> String {
    if b {
        t("Có", "Yes")
    } else {
        t("Không", "No")
    }
    .to_string()
}

/// One section: a heading and its (label, value) rows, the empty ones left out.
fn section(title: &'static str, rows: Vec<(&'static str, String)>) -> impl IntoView {
    let rows: Vec<_> = rows.into_iter().filter(|r| !r.1.is_empty()).collect();
    (!rows.is_empty()).then(|| {
        view! {
            <h3>{title}</h3>
            <dl class="facts">
                {rows.into_iter().map(|(l, v)| view! { <dt>{l}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        }
    })
}

#[component]
pub fn ReportFacts(report: VisitReport) -> impl IntoView {
    let reference = crate::labels::use_reference();
    move || {
        lang().track();
        let items = reference.get().unwrap_or_default();
        let listed =
            |list: ListKind, keys: &[String]| crate::labels::reference_labels(&items, list, keys);
        let r = &report;
        let f = &r.findings;
        let money = |m: Option<i64>| m.map(vnd).unwrap_or_default();
        let vc = &f.value_chain;
        let programme = listed(ListKind::Programme, vc.programme.as_slice());
        view! {
            <div class="report-facts">
                {section(h(Section::General), vec![
                    (l("visit_date"), date(&r.visit_date)),
                    (l("note"), r.note.clone()),
                    (l("findings.operating_status"), f.operating_status.map(|s| crate::labels::status_label(s).to_string()).unwrap_or_default()),
                ])}
                {section(h(Section::Finances), vec![
                    (l("findings.finances.revenue_vnd"), money(f.finances.revenue_vnd)),
                    (l("findings.finances.revenue_last_year_vnd"), money(f.finances.revenue_last_year_vnd)),
                    (l("findings.finances.profit_vnd"), money(f.finances.profit_vnd)),
                    (l("findings.finances.member_income_vnd"), money(f.finances.member_income_vnd)),
                    (l("findings.finances.member_income_last_year_vnd"), money(f.finances.member_income_last_year_vnd)),
                    (l("findings.finances.shock_impact"), f.finances.shock_impact.map(|s| s.msg().get(lang().get_untracked()).to_string()).unwrap_or_default()),
                    (l("findings.finances.shock_note"), f.finances.shock_note.clone()),
                ])}
                {section(h(Section::ValueChain), vec![
                    (l("findings.value_chain.in_value_chain"), yes_no(vc.in_value_chain)),
                    (l("findings.value_chain.stages"), labels(&vc.stages)),
                    (l("findings.value_chain.linked_enterprise"), vc.linked_enterprise.clone()),
                    (l("findings.value_chain.programme"), programme),
                    (l("findings.value_chain.programme_other"), vc.programme_other.clone()),
                ])}
                {section(h(Section::Difficulties), vec![
                    (l("findings.difficulties"), listed(ListKind::Difficulty, &f.difficulties)),
                    (l("findings.difficulty_other"), f.difficulty_other.clone()),
                ])}
                {section(h(Section::Support), vec![
                    (l("findings.support.received"), listed(ListKind::SupportKind, &f.support.received)),
                    (l("findings.support.requested"), listed(ListKind::SupportKind, &f.support.requested)),
                    (l("findings.support.works_handed_over"), f.support.works_handed_over.map(|w| w.to_string()).unwrap_or_default()),
                    (l("findings.support.note"), f.support.note.clone()),
                ])}
                {section(h(Section::Digital), vec![
                    (l("findings.digital.accounting_software"), yes_no(f.digital.accounting_software)),
                    (l("findings.digital.e_invoices"), yes_no(f.digital.e_invoices)),
                    (l("findings.digital.sells_online"), yes_no(f.digital.sells_online)),
                ])}
                {section(h(Section::Compliance), vec![
                    (l("findings.compliance.tax_registered"), yes_no(f.compliance.tax_registered)),
                    (l("findings.compliance.certifications"), labels(&f.compliance.certifications)),
                    (l("findings.compliance.ocop_stars"), f.compliance.ocop_stars.map(|s| s.to_string()).unwrap_or_default()),
                ])}
                {section(h(Section::FollowUps), f.follow_ups.iter().map(|a| (
                    if a.done { t("Đã xong", "Done") } else { t("Chưa xong", "Open") },
                    format!("{} — {}", a.action, date(&a.due)),
                )).collect())}
                {(!f.photos.is_empty()).then(|| view! { <ReportPhotos photos=f.photos.clone() received_at=r.received_at/> })}
                {section(h(Section::Position), vec![
                    (l("findings.position"), f.position.as_ref().map(|p| format!("{:.5}, {:.5}", p.lat, p.lon)).unwrap_or_default()),
                ])}
            </div>
        }
    }
}

/// The report's photos: thumbnails fetched with the session's token (issue 17); one that
/// has not reached the server says it is still on the officer's tablet. A thumbnail opens
/// the photo full size.
#[component]
fn ReportPhotos(
    photos: Vec<hoptac_core::photo::PhotoRef>,
    /// When the server received the report (ms since epoch): a photo still missing
    /// hoptac_core::photo::GRACE_MS later is said never to have arrived.
    received_at: Option<hoptac_core::model::Millis>,
) -> impl IntoView {
    view! {
        <h3>{h(Section::Photos)}</h3>
        <ul class="photos" aria-label=crate::i18n::vi_en("Ảnh", "Photos")>
            {photos.into_iter().map(|p| view! { <PhotoItem p received_at=received_at.unwrap_or(0)/> }).collect_view()}
        </ul>
    }
}

#[component]
pub fn PhotoItem(
    p: hoptac_core::photo::PhotoRef,
    /// The report it is on, to link to (where photos of several reports are listed).
    #[prop(optional)]
    report_id: Option<String>,
    /// When the server received its report (ms since epoch; 0: unknown), for the grace
    /// period of a photo not yet arrived.
    #[prop(optional)]
    received_at: hoptac_core::model::Millis,
) -> impl IntoView {
    let overdue =
        received_at > 0 && crate::util::now_ms() - received_at > hoptac_core::photo::GRACE_MS;
    use crate::api::photos::PhotoMissing;
    let session = crate::session::use_session();
    let hash = p.hash.clone();
    let thumb = crate::resources::once(move || {
        let hash = hash.clone();
        // From this tablet when it holds it (the officer's own report, offline too).
        async move { crate::components::photo_editor::photo_src(&session.token(), &hash, true).await }
    });
    let full = RwSignal::new(None::<String>);
    let (svi, sen) = p.section.label();
    let caption = p.caption.clone();
    let name = move || {
        let section = t(svi, sen);
        if caption.is_empty() {
            section.to_string()
        } else {
            format!("{section} — {caption}")
        }
    };
    let hash = p.hash.clone();
    let open = move |_| {
        let hash = hash.clone();
        leptos::task::spawn_local(async move {
            if let Ok(u) =
                crate::components::photo_editor::photo_src(&session.token(), &hash, false).await
            {
                full.set(Some(u));
            }
        });
    };
    let name2 = name.clone();
    let name3 = name.clone();
    view! {
        <li class="photo">
            <Suspense fallback=|| view! { <p class="muted" role="status">{crate::i18n::vi_en("Đang tải ảnh…", "Loading the photo…")}</p> }>
                {move || thumb.get().map(|r| match r {
                    Ok(url) => view! {
                        <button type="button" class="photo-open" aria-label=format!("{} {}", t("Xem ảnh lớn:", "Open full size:"), name2()) on:click=open.clone()>
                            <img src=url alt=name2()/>
                        </button>
                    }.into_any(),
                    Err(PhotoMissing::NotHere) if overdue => view! {
                        <p class="photo-missing" role="note">{crate::i18n::vi_en("Ảnh chưa bao giờ đến máy chủ (quá 30 ngày sau khi nhận phiếu). Hãy trả phiếu để cán bộ chụp lại hoặc bỏ ảnh này.", "The photo never reached the server (over 30 days after the report). Return the report for the officer to take it again or drop it.")}</p>
                    }.into_any(),
                    Err(PhotoMissing::NotHere) => view! {
                        <p class="photo-missing" role="note">{crate::i18n::vi_en("Ảnh còn trên máy tính bảng của cán bộ, chưa gửi lên máy chủ.", "The photo is still on the officer's tablet: not uploaded yet.")}</p>
                    }.into_any(),
                    Err(PhotoMissing::Offline) => view! {
                        <p class="photo-missing" role="note">{crate::i18n::vi_en("Không tải được ảnh: mất kết nối.", "The photo cannot be loaded: no connection.")}</p>
                    }.into_any(),
                })}
            </Suspense>
            <p class="caption">{name3}</p>
            {report_id.map(|id| view! { <a href=format!("/bao-cao/{id}")>{crate::i18n::vi_en("Mở phiếu", "Open the report")}</a> })}
            {move || full.get().map(|u| view! { <img class="photo-full" src=u alt=name()/> })}
        </li>
    }
}
