//! A cooperative's page: its profile (with the commune or ward it is in), a visit note
//! form, and its visits with their sync state. Saving writes the visit and its outbox
//! entry in one local transaction. Supervisors and administrators move it to another
//! commune with its history ("Chuyển địa bàn": a dry run saying whose tablets lose and
//! gain it, then the move).

use crate::components::conflicts::ConflictCard;
use crate::i18n::{date, lang, t, vi_en};
use crate::labels::{kind_label, status_label};
use crate::store::{LocalSync, LocalVisit};
use hoptac_core::merge::Conflict;
use hoptac_core::model::{Cooperative, VisitReport};
use leptos::prelude::*;

/// How many of a cooperative's reports a supervisor's page asks the server for at once.
const SERVER_PAGE: &str = "50";

#[component]
pub fn CooperativePage() -> impl IntoView {
    let session = crate::session::use_session();
    let id_v = StoredValue::new(crate::router::segment(1));
    let id = move || id_v.get_value();
    // A supervisor's: the cooperative's reports as the server has them (their browser does
    // not hold reports: issue 18), a page at a time ("Xem thêm": never a silent cut).
    let server_status = NodeRef::<leptos::html::P>::new();
    let officer = move || {
        session.user.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.user.role == hoptac_core::model::Role::Officer)
        })
    };
    let on_server = crate::resources::paged(
        move |after: Option<String>| {
            // Officers read the reports on their tablet; nothing to ask the server.
            let token = session.signed_in_token().filter(|_| !officer());
            let q = crate::api::query(&[
                ("cooperative", &id()),
                // Newest visit first: what a supervisor reads a cooperative's history by.
                ("order", "visit_date"),
                ("limit", SERVER_PAGE),
                ("after", &after.unwrap_or_default()),
            ]);
            crate::resources::queue_page(token, q)
        },
        |item: &hoptac_core::queue::QueueItem| item.report.id.clone(),
    );
    // Changed by this page's own actions (a conflict resolved, a move): load again.
    let reload = RwSignal::new(0u32);
    let saved_q = crate::router::query("saved").is_some();
    let saved = move || saved_q;
    let on_tablet = crate::resources::synced(move || {
        reload.track();
        let id = id();
        async move { OnTablet::load(&id).await }
    });
    // Each part of what the tablet holds, for the parts of the page that show it.
    let part = move |f: fn(&OnTablet) -> bool| on_tablet.with(|t| t.is_some_and(f));
    let coop = Signal::derive(move || on_tablet.with(|t| t.and_then(|t| t.coop.clone())));
    let visits = move || on_tablet.with(|t| t.map(|t| t.visits.clone()).unwrap_or_default());
    let conflicts = move || on_tablet.with(|t| t.map(|t| t.conflicts.clone()).unwrap_or_default());
    let waiting_photos = move |hashes: &[String]| {
        on_tablet.with_untracked(|t| {
            t.as_ref().map_or(0, |t| {
                hashes
                    .iter()
                    .filter(|h| t.waiting_photos.contains(h))
                    .count()
            })
        })
    };

    view! {
        <Transition fallback=|| view! { <p class="muted">"…"</p> }>
        <Show when=move || coop.with(|c| c.is_some())
            fallback=move || view! { <p class="muted">{vi_en("Không tìm thấy hợp tác xã này trên máy.", "This cooperative is not on this tablet.")}</p> }>
            {move || coop.get().map(|c| view! { <Profile coop=c/> })}
            <Show when=saved>
                <p class="ok" role="status">{vi_en("Đã lưu phiếu trên máy. Phiếu sẽ được gửi khi có mạng.", "The report is saved on this tablet. It will be sent when online.")}</p>
            </Show>
            <p>
                <a href=move || format!("/htx/{}/khao-sat", id()) class="button primary">
                    {move || if part(|t| t.has_draft) { t("Tiếp tục phiếu đang viết", "Continue the report in progress") } else { t("Viết phiếu khảo sát", "Write a visit report") }}
                </a>
                " "
                <a href=move || format!("/htx/{}/sua", id()) class="button">{vi_en("Sửa hồ sơ", "Edit the profile")}</a>
                " "
                <Show when=move || session.user.with(|s| s.as_ref().is_some_and(|s| s.user.role != hoptac_core::model::Role::Officer))>
                    <a href=move || format!("/nhat-ky/cooperative/{}", id()) class="button">{vi_en("Nhật ký thay đổi", "Change history")}</a>
                </Show>
            </p>
            <Show when=move || !officer()>
                <MoveForm coop on_moved=Callback::new(move |_| reload.update(|n| *n += 1))/>
            </Show>
            <Show when=move || part(|t| !t.conflicts.is_empty())>
                <section aria-labelledby="coop-conflicts-h">
                    <h2 id="coop-conflicts-h">{vi_en("Xung đột hồ sơ", "Profile conflicts")}</h2>
                    <ul class="list conflicts">
                        <For each=conflicts key=|c| (c.id.clone(), c.resolution.is_some()) let:c>
                            <ConflictCard conflict=c on_resolved=Callback::new(move |_| reload.update(|n| *n += 1))/>
                        </For>
                    </ul>
                </section>
            </Show>
            <Show when=move || !officer()>
                <section>
                    <h2>{vi_en("Các lần khảo sát", "Visits")}</h2>
                    <div role="alert">{move || on_server.error().map(|m| view! { <p class="error">{m.get(lang().get()).to_string()}</p> })}</div>
                    <Show when=move || !on_server.loading() && on_server.error().is_none() && on_server.len() == 0>
                        <p class="empty">{vi_en("Chưa có lần khảo sát nào.", "No visits yet.")}</p>
                    </Show>
                    <ul class="list visits" aria-label=vi_en("Các lần khảo sát", "Visits")>
                        {crate::components::each(move || on_server.items(), move |item| { let r = item.report; view! {
                            <li class="visit">
                                <a class="name" href=format!("/bao-cao/{}", r.id)>{date(&r.visit_date)}</a>
                                " " {r.author_name.clone()} " "
                                <span class="badge">{let st = r.status; move || crate::labels::report_status_label(st)}</span>
                                <p class="note">{r.note.clone()}</p>
                            </li>
                        }.into_any()})}
                    </ul>
                    <p class="muted" role="status" tabindex="-1" node_ref=server_status>{move || crate::components::more::page_status(
                        on_server.len(), on_server.loading(), on_server.has_more(), ("lần khảo sát", "visits"))}</p>
                    <crate::components::more::MoreButton label=("Xem thêm lần khảo sát", "Show more visits")
                        has_more=Signal::derive(move || on_server.has_more()) busy=Signal::derive(move || on_server.loading())
                        on_more=Callback::new(move |()| on_server.more())
                        status=server_status/>
                </section>
            </Show>
            <Show when=officer>
            <section>
                <h2>{vi_en("Các lần khảo sát", "Visits")}</h2>
                <Show when=move || part(|t| t.visits.is_empty())>
                    <p class="empty">{vi_en("Chưa có lần khảo sát nào.", "No visits yet.")}</p>
                </Show>
                <ul class="list visits" aria-label=vi_en("Các lần khảo sát", "Visits")>
                    {crate::components::each(visits, move |v| view! {
                        <li class="visit">
                            <span class="name">{date(&v.report.visit_date)}</span>
                            <SyncBadge sync=v.sync.clone() photos_waiting=waiting_photos(&v.report.findings.photos.iter().map(|p| p.hash.clone()).collect::<Vec<_>>())/>
                            {review_badge(v.report.status)}
                            <p class="note">{v.report.note.clone()}</p>
                        </li>
                    }.into_any())}
                </ul>
            </section>
            </Show>
        </Show>
        </Transition>
    }
}

/// What the tablet holds about one cooperative, read at once for its page.
#[derive(Clone, Default)]
struct OnTablet {
    coop: Option<Cooperative>,
    /// Its reports here, newest written first.
    visits: Vec<LocalVisit>,
    conflicts: Vec<Conflict>,
    /// A report on it is being written (its draft is kept).
    has_draft: bool,
    /// Photos of this tablet not yet all on the server (a report is "Đã gửi" only once its
    /// photos are there too).
    waiting_photos: Vec<String>,
}

impl OnTablet {
    async fn load(id: &str) -> OnTablet {
        let store = crate::handles::store();
        let visits = crate::util::sort_by_key(store.visits_of(id).await.unwrap_or_default(), |v| {
            (u64::MAX - v.report.created_at.max(0) as u64, String::new())
        });
        OnTablet {
            coop: store.cooperative(id).await.ok().flatten(),
            waiting_photos: store
                .held_photos()
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|p| !p.done)
                .map(|p| p.hash)
                .collect(),
            visits,
            conflicts: store.conflicts_of(id).await.unwrap_or_default(),
            has_draft: store
                .draft::<VisitReport>(&crate::store::visit_draft_key(id))
                .await
                .ok()
                .flatten()
                .is_some(),
        }
    }
}

/// "Chuyển địa bàn": a supervisor or administrator moves the cooperative to another commune
/// or ward of theirs with its history; the dry run says how many reports follow and
/// whose tablets lose and gain it, then the move is confirmed. Online.
#[component]
fn MoveForm(coop: Signal<Option<Cooperative>>, on_moved: Callback<()>) -> impl IntoView {
    let session = crate::session::use_session();
    let open = RwSignal::new(false);
    let to = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<hoptac_core::reorg::MovePreview>);
    let error = RwSignal::new(None::<hoptac_core::i18n::Msg>);
    let busy = RwSignal::new(false);
    let places = crate::resources::once(move || {
        let here = coop
            .with(|c| c.as_ref().map(|c| c.area_id.clone()))
            .unwrap_or_default();
        async move {
            let scopes = session
                .user
                .with_untracked(|s| s.as_ref().map(|s| s.user.scopes.clone()))
                .unwrap_or_default();
            let mut all: Vec<hoptac_core::model::Area> = crate::handles::store()
                .areas()
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|a| {
                    a.id != here
                        && a.level == hoptac_core::model::AreaLevel::Commune
                        && hoptac_core::model::in_scope(&a.path, &scopes)
                })
                .collect();
            all.sort_by_key(|a| hoptac_core::text::normalize(&a.name));
            all
        }
    });
    let run = move |apply: bool| {
        let req = hoptac_core::reorg::MoveRequest {
            area_id: to.get_untracked(),
            reason: reason.get_untracked(),
        };
        let Some(id) = coop.with_untracked(|c| c.as_ref().map(|c| c.id.clone())) else {
            return;
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match crate::api::cooperatives::move_cooperative(&session.token(), &id, &req, apply)
                .await
            {
                Ok(p) => {
                    let applied = p.applied;
                    preview.set(Some(p));
                    if applied {
                        crate::sync::sync_now();
                        on_moved.run(());
                    }
                }
                Err(e) => error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    };
    view! {
        <p><button type="button" class="ghost" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>{vi_en("Chuyển địa bàn", "Move to another commune")}</button></p>
        <Show when=move || open.get()>
            <form class="inline-form card" aria-label=vi_en("Chuyển địa bàn", "Move to another commune")
                on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); run(false) }>
                <label>{vi_en("Sang xã/phường", "To the commune or ward")}
                    <select required on:change=move |ev| { to.set(event_target_value(&ev)); preview.set(None); }>
                        <option value="">{vi_en("(chọn)", "(choose)")}</option>
                        <Suspense fallback=|| ()>
                            {move || places.get().map(|list| list.into_iter().map(|a| view! { <option value=a.id.clone()>{a.name.clone()}</option> }).collect_view())}
                        </Suspense>
                    </select>
                </label>
                <label>{vi_en("Lý do", "Why")}
                    <input type="text" required maxlength="300" prop:value=reason on:input=move |ev| { reason.set(event_target_value(&ev)); preview.set(None); }/>
                </label>
                <button type="submit" disabled=move || busy.get()>{vi_en("Xem trước", "Preview")}</button>
                <div role="alert">{move || error.get().map(|m| view! { <p class="error">{m.get(lang().get()).to_string()}</p> })}</div>
                {move || preview.get().map(|p| {
                    let summary = if p.applied {
                        format!("{} {}: {} {}.", t("Đã chuyển sang", "Moved to"), p.to.name, p.visits, t("phiếu khảo sát đi theo", "visit reports went with it"))
                    } else {
                        format!("{} {} → {}: {} {}.", t("Sẽ chuyển", "Will move"), p.from.name, p.to.name, p.visits, t("phiếu khảo sát đi theo", "visit reports go with it"))
                    };
                    let losing = p.losing.join(", ");
                    let gaining = p.gaining.join(", ");
                    view! {
                        <div role="status" data-testid="move-summary">
                            <p>{summary}</p>
                            {(!losing.is_empty()).then(|| view! { <p>{format!("{} {losing}", t("Máy của các tài khoản này không còn hồ sơ:", "These accounts' tablets drop it:"))}</p> })}
                            {(!gaining.is_empty()).then(|| view! { <p>{format!("{} {gaining}", t("Máy của các tài khoản này nhận hồ sơ và các lần khảo sát:", "These accounts' tablets receive it with its visits:"))}</p> })}
                        </div>
                        {(!p.applied).then(|| view! { <button type="button" class="primary" disabled=move || busy.get() on:click=move |_| run(true)>{vi_en("Chuyển", "Move")}</button> })}
                    }
                })}
            </form>
        </Show>
    }
}

/// The review state of a report, once a supervisor acted on it.
fn review_badge(status: hoptac_core::model::ReportStatus) -> impl IntoView {
    use hoptac_core::model::ReportStatus::*;
    let (vi, en, class) = match status {
        Returned => ("Bị trả lại để sửa", "Returned for correction", "badge bad"),
        Resubmitted => ("Đã gửi lại", "Resubmitted", "badge pending"),
        Approved => ("Đã duyệt", "Approved", "badge ok"),
        Rejected => ("Bị từ chối", "Rejected", "badge bad"),
        Draft | Submitted => return None,
    };
    Some(view! { <span class=class>{vi_en(vi, en)}</span> })
}

#[component]
fn SyncBadge(
    sync: LocalSync,
    /// Its photos this tablet has not yet sent in full.
    photos_waiting: usize,
) -> impl IntoView {
    match sync {
        LocalSync::Pending => view! { <span class="badge pending">{vi_en("Đang chờ đồng bộ", "Waiting to sync")}</span> }.into_any(),
        LocalSync::Synced if photos_waiting > 0 => view! { <span class="badge pending">{move || crate::i18n::ts(
            format!("Đã gửi phiếu, còn {photos_waiting} ảnh chờ gửi"),
            format!("Report sent, {photos_waiting} photo(s) still to upload"))}</span> }.into_any(),
        LocalSync::Synced => view! { <span class="badge ok">{vi_en("Đã gửi", "Sent")}</span> }.into_any(),
        LocalSync::Rejected { message, .. } => view! {
            <span class="badge bad" role="alert">{move || format!("{} {}", t("Cần sửa:", "Needs fixing:"), message.get(lang().get()))}</span>
        }.into_any(),
    }
}

#[component]
fn Profile(coop: Cooperative) -> impl IntoView {
    let c = coop.clone();
    let session = crate::session::use_session();
    // The main photo: from this tablet when it holds it, else from the server.
    let photo = c.main_photo.clone().map(|p| {
        let hash = p.hash.clone();
        crate::resources::once(move || {
            let (hash, token) = (hash.clone(), session.token());
            async move {
                crate::components::photo_editor::photo_src(&token, &hash, true)
                    .await
                    .ok()
            }
        })
    });
    let alt = format!("{} {}", t("Ảnh đại diện của", "Main photo of"), c.name);
    // The commune or ward it is in, by name (with the unit above it: a district before
    // the 2025 reform, the province after).
    let area_id = c.area_id.clone();
    let commune = crate::resources::once(move || place(area_id.clone()));
    // Where it was before its last move (a reorganisation, a correction), and until when.
    let moved_from = c.moved_from.clone();
    let former = moved_from.map(|m| {
        let until = crate::i18n::date(&m.until);
        let place = crate::resources::once(move || place(m.area_id.clone()));
        view! {
            <dt>{vi_en("Trước đây", "Formerly")}</dt>
            <dd data-testid="coop-former-area">
                {move || place.get().flatten().map(|p| crate::i18n::ts(
                    format!("{p} (đến {until})"),
                    format!("{p} (until {until})"),
                ))}
            </dd>
        }
    });
    view! {
        <section class="card">
            {photo.map(|r| view! {
                <Suspense fallback=|| ()>
                    {move || r.get().flatten().map(|u| view! { <img class="main-photo" src=u alt=alt.clone()/> })}
                </Suspense>
            })}
            <h1>{c.name.clone()}</h1>
            <p class="meta">
                <span class="badge">{move || kind_label(coop.kind)}</span>
                " "{move || status_label(coop.status)}
            </p>
            <dl class="facts">
                <dt>{vi_en("Xã/Phường", "Commune or ward")}</dt><dd data-testid="coop-area">{move || commune.get().flatten()}</dd>
                {former}
                <dt>{vi_en("Chủ nhiệm", "Chair")}</dt><dd>{c.chair_name.clone().unwrap_or_default()}</dd>
                <dt>{vi_en("Điện thoại", "Phone")}</dt><dd>{c.chair_phone.clone().unwrap_or_default()}</dd>
                <dt>{vi_en("Thành viên", "Members")}</dt><dd>{c.members.map(|m| m.to_string()).unwrap_or_default()}</dd>
                <dt>{vi_en("Lao động", "Workers")}</dt><dd>{c.workers.map(|m| m.to_string()).unwrap_or_default()}</dd>
                <dt>{vi_en("Sản phẩm, dịch vụ chính", "Main products or services")}</dt><dd>{c.main_products.clone().unwrap_or_default()}</dd>
            </dl>
        </section>
    }
}

/// The name of area `id` with the unit above it ("Xã Ninh Hải, Thành phố Hoa Lư"), from
/// the tablet's areas (closed ones too).
async fn place(id: String) -> Option<String> {
    let all = crate::handles::store().all_areas().await.ok()?;
    let here = all.iter().find(|a| a.id == id)?;
    let above = here
        .parent_id
        .as_deref()
        .and_then(|p| all.iter().find(|a| a.id == p))
        .map(|a| format!(", {}", a.name))
        .unwrap_or_default();
    Some(format!("{}{above}", here.name))
}
