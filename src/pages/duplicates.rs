//! "HTX trùng lặp" (`/trung-lap`): records flagged as one cooperative (the same tax code
//! or business registration number, registered on two tablets or imported twice). A
//! supervisor keeps one: the other's visit reports move to it, its fields fill the kept
//! record's empty ones, and it leaves every tablet. Or dismisses the flag. Online.

use crate::i18n::{lang, t, vi_en};
use crate::labels::{kind_label, status_label};
use hoptac_core::i18n::Msg;
use hoptac_core::model::Cooperative;
use leptos::prelude::*;

fn describe(c: &Cooperative, visits: u32) -> String {
    format!(
        "{} · {} · {} {} · {} {} · {} {}",
        c.name,
        kind_label(c.kind),
        t("MST", "Tax code"),
        c.tax_code.clone().unwrap_or_else(|| "—".into()),
        t("ĐKKD", "Reg. no."),
        c.registration_no.clone().unwrap_or_else(|| "—".into()),
        visits,
        t("phiếu", "reports"),
    ) + &format!(" · {}", status_label(c.status))
}

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let session = crate::session::use_session();
    let version = RwSignal::new(0u32);
    let message = RwSignal::new(None::<(bool, Msg)>);
    let list = crate::resources::once(move || {
        version.get();
        async move { crate::api::cooperatives::duplicates(&session.token()).await }
    });
    let merge = move |keep: String, remove: String| {
        leptos::task::spawn_local(async move {
            match crate::api::cooperatives::merge(&session.token(), &keep, &remove).await {
                Ok(c) => message.set(Some((
                    true,
                    Msg::new(
                        format!("Đã gộp vào \"{}\".", c.name),
                        format!("Merged into \"{}\".", c.name),
                    ),
                ))),
                Err(e) => message.set(Some((false, e.user_message()))),
            }
            version.update(|v| *v += 1);
        })
    };
    let dismiss = move |a: String, b: String| {
        leptos::task::spawn_local(async move {
            match crate::api::cooperatives::dismiss_duplicate(&session.token(), &a, &b).await {
                Ok(()) => message.set(Some((
                    true,
                    Msg::new("Đã bỏ đánh dấu trùng.", "Flag dismissed."),
                ))),
                Err(e) => message.set(Some((false, e.user_message()))),
            }
            version.update(|v| *v += 1);
        })
    };
    view! {
        <section>
            <h1>{vi_en("HTX trùng lặp", "Duplicate records")}</h1>
            <p class="muted">{vi_en(
                "Hai hồ sơ cùng mã số thuế hoặc số ĐKKD là một hợp tác xã. Chọn hồ sơ giữ lại: phiếu khảo sát của hồ sơ kia chuyển sang, hồ sơ kia bị xóa trên mọi máy.",
                "Two records with one tax code or registration number are one cooperative. Choose the one to keep: the other's reports move to it, and the other leaves every tablet.",
            )}</p>
            <div role="alert">{move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m.get(lang().get()).to_string()}</p> })}</div>
            <Suspense fallback=|| view! { <p class="muted" role="status">{vi_en("Đang tải…", "Loading…")}</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{e.user_message().get(lang().get()).to_string()}</p> }.into_any(),
                    Ok(pairs) if pairs.is_empty() => view! { <p>{vi_en("Không có hồ sơ nào bị trùng.", "No duplicate records.")}</p> }.into_any(),
                    Ok(pairs) => view! {
                        <ul class="list">
                            {pairs.into_iter().map(|d| {
                                let (a, b) = (d.a.id.clone(), d.b.id.clone());
                                let (a2, b2, a3, b3) = (a.clone(), b.clone(), a.clone(), b.clone());
                                let field = if d.field == "tax_code" { ("mã số thuế", "tax code") } else { ("số ĐKKD", "registration number") };
                                view! {
                                    <li class="card">
                                        <p><strong>{move || format!("{} {} {}", t("Cùng", "Same"), t(field.0, field.1), d.value)}</strong></p>
                                        <p>"A: "{describe(&d.a, d.a_visits)}</p>
                                        <p>"B: "{describe(&d.b, d.b_visits)}</p>
                                        <p class="actions">
                                            <button type="button" on:click=move |_| merge(a.clone(), b.clone())>{vi_en("Giữ A, gộp B vào", "Keep A, merge B into it")}</button>
                                            <button type="button" on:click=move |_| merge(b2.clone(), a2.clone())>{vi_en("Giữ B, gộp A vào", "Keep B, merge A into it")}</button>
                                            <button type="button" class="ghost" on:click=move |_| dismiss(a3.clone(), b3.clone())>{vi_en("Không trùng", "Not duplicates")}</button>
                                        </p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
