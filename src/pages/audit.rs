//! A record's audit trail (supervisors, online): every change — who, when, from which
//! device, old value → new value — as the server keeps it (GET /api/audit/{entity}/{id}).

use crate::i18n::{date_time, lang, t, vi_en};
use leptos::prelude::*;

fn action_label(a: &str) -> &'static str {
    match a {
        "submit" => t("Gửi phiếu", "Submitted"),
        "resubmit" => t("Gửi lại phiếu đã sửa", "Resubmitted"),
        "approve" => t("Duyệt", "Approved"),
        "return" => t("Trả lại để sửa", "Returned for correction"),
        "reject" => t("Từ chối", "Rejected"),
        "comment" => t("Bình luận", "Comment"),
        "register" => t("Đăng ký mới", "Registered"),
        "update" | "update_cooperative" => t("Sửa hồ sơ", "Profile edited"),
        "conflict" => t("Hai người sửa cùng ô", "Edited twice (conflict)"),
        "resolve" => t("Chọn giá trị khi trùng", "Conflict resolved"),
        "set_targets" => t("Đặt kế hoạch", "Targets set"),
        "create" => t("Tạo tài khoản", "Account created"),
        "reset_password" => t("Cấp lại mật khẩu", "Password reset"),
        "change_password" => t("Tự đổi mật khẩu", "Password changed by its owner"),
        "deactivate" => t("Khóa tài khoản", "Account deactivated"),
        "reactivate" => t("Mở khóa tài khoản", "Account reactivated"),
        "assign" => t("Đổi địa bàn", "Areas changed"),
        "import" => t("Nhập từ danh sách", "Imported from the list"),
        "merge" => t("Gộp hồ sơ trùng", "Duplicate merged in"),
        "merged_into" => t("Gộp vào hồ sơ khác", "Merged into another record"),
        "dismiss" => t("Không phải trùng lặp", "Not a duplicate"),
        "add" => t("Thêm vào danh mục", "Added to the list"),
        "rename" => t("Sửa tên mục", "Renamed"),
        "retire" => t("Ngừng dùng", "Retired"),
        "restore" => t("Dùng lại", "Restored"),
        _ => t("Thay đổi", "Changed"),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let session = crate::session::use_session();
    let (entity, id) = (crate::router::segment(1), crate::router::segment(2));
    // The record's trail, or why it cannot be shown (online).
    let entries = crate::resources::once({
        let (entity, id) = (entity.clone(), id.clone());
        move || {
            let (entity, id, user) = (entity.clone(), id.clone(), session.user.get());
            async move {
                let s = user.ok_or(crate::api::ApiError::Network)?;
                crate::api::audit::audit(&s.token, &entity, &id).await
            }
        }
    });
    let error = move || {
        entries.with(|e| match e {
            Some(Err(e)) => Some(e.user_message()),
            _ => None,
        })
    };
    view! {
        <section>
            <h1>{vi_en("Nhật ký thay đổi", "Change history")}</h1>
            <p class="muted">{format!("{entity} · {id}")}</p>
            <div role="alert">{move || error().map(|m| view! { <p class="error">{m.get(lang().get()).to_string()}</p> })}</div>
            <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
            <ol class="list audit" aria-label=vi_en("Các lần thay đổi", "Changes")>
                {move || entries.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|e| {
                    let device = match &e.client_id {
                        Some(c) => format!("{} {c}", t("máy", "device")),
                        None => t("trực tuyến", "online").to_string(),
                    };
                    view! {
                        <li class="card">
                            <strong>{action_label(&e.action)}</strong>
                            " — "{e.actor_name.clone()}" · "{date_time(e.at)}" · "{device}
                            <ul>
                                {e.changes.into_iter().map(|c| view! {
                                    <li><code>{c.path}</code>": "<del>{c.old}</del>" → "<ins>{c.new}</ins></li>
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                }).collect_view()}
            </ol>
            </Suspense>
        </section>
    }
}
