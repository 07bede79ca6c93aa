//! "Nhập danh sách HTX" (`/quan-tri/nhap-htx`): an administrator imports the alliance's
//! cooperative list from XLSX or CSV. A dry run first: how many records will be created,
//! updated, left unchanged, skipped as duplicates, and every refused row with its row,
//! column and reason (downloadable); headers the server did not recognise are mapped
//! here; then the import itself. Also exports the registry in the same columns. Online.

use crate::api::registry::ImportChoices;
use crate::i18n::{lang, t, vi_en};
use hoptac_core::i18n::Msg;
use hoptac_core::registry::{RowNote, CLEAR_MARK, COLUMNS};
use hoptac_core::spreadsheet::DateOrder;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
fn Notes(title: (&'static str, &'static str), notes: Vec<RowNote>) -> impl IntoView {
    (!notes.is_empty()).then(|| view! {
        <h3>{move || t(title.0, title.1)}</h3>
        <table class="table" aria-label=move || t(title.0, title.1)>
            <thead><tr>
                <th scope="col">{vi_en("Dòng", "Row")}</th>
                <th scope="col">{vi_en("Cột", "Column")}</th>
                <th scope="col">{vi_en("Lý do", "Reason")}</th>
            </tr></thead>
            <tbody>
                {notes.into_iter().map(|n| view! {
                    <tr><td>{n.row}</td><td>{n.column.clone()}</td><td>{move || n.message.get(lang().get()).to_string()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    })
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let session = crate::session::use_session();
    let file = RwSignal::new_local(None::<web_sys::File>);
    let choices = RwSignal::new(ImportChoices::default());
    let result = RwSignal::new(None::<crate::api::registry::ImportResponse>);
    let error = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(None::<(&'static str, &'static str)>);

    let run = move |apply: bool| {
        let Some(f) = file.get_untracked() else {
            error.set(Some(Msg::new(
                "Hãy chọn tệp XLSX hoặc CSV.",
                "Choose an XLSX or CSV file.",
            )));
            return;
        };
        busy.set(Some(if apply {
            ("Đang nhập…", "Importing…")
        } else {
            ("Đang kiểm tra tệp…", "Checking the file…")
        }));
        error.set(None);
        leptos::task::spawn_local(async move {
            match crate::api::registry::import_registry(
                &session.token(),
                &f,
                apply,
                &choices.get_untracked(),
            )
            .await
            {
                Ok(r) => result.set(Some(r)),
                Err(e) => {
                    result.set(None);
                    error.set(Some(e.user_message()));
                }
            }
            busy.set(None);
        });
    };
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
        file.set(input.files().and_then(|l| l.get(0)));
        choices.set(ImportChoices::default());
        result.set(None);
        run(false);
    };
    let export = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = crate::api::registry::export_registry(&session.token()).await {
                error.set(Some(e.user_message()));
            }
        })
    };
    let set_column = move |header: String, key: String| {
        choices.update(|c| {
            c.mapping.retain(|(h, _)| *h != header);
            c.mapping.push((header, key));
        });
        run(false);
    };
    let set_sheet = move |sheet: String| {
        choices.update(|c| c.sheet = Some(sheet));
        run(false);
    };
    let set_date_order = move |order: DateOrder| {
        choices.update(|c| c.date_order = Some(order));
        run(false);
    };

    view! {
        <section>
            <h1>{vi_en("Nhập danh sách HTX", "Import the registry")}</h1>
            <p class="muted">{vi_en(
                "Tệp Excel (.xlsx) hoặc CSV (UTF-8, UTF-16 hoặc Windows-1258) với tiêu đề cột như: Tên HTX, Loại hình, Lĩnh vực, Xã/Phường, Mã số thuế, Số ĐKKD, Ngày thành lập, Chủ tịch HĐQT/Giám đốc, Điện thoại, Số thành viên, Vốn điều lệ, Diện tích canh tác, Tình trạng hoạt động. Chạy thử trước; chưa có gì được ghi cho đến khi bấm Nhập.",
                "An Excel (.xlsx) or CSV file (UTF-8, UTF-16 or Windows-1258) with headers such as Tên HTX, Loại hình, Lĩnh vực, Xã/Phường, Mã số thuế, Số ĐKKD, Ngày thành lập… A dry run comes first; nothing is written until you press Import.",
            )}</p>
            <p class="muted">{move || format!("{} \"{CLEAR_MARK}\" {}", t("Ô để trống giữ nguyên thông tin đã có; ghi", "A blank cell keeps what is stored; write"), t("vào ô để xóa thông tin đó.", "in a cell to empty it."))}</p>
            <p class="actions">
                <label class="button" for="registry-file">{vi_en("Chọn tệp…", "Choose a file…")}</label>
                <input id="registry-file" class="sr-only" type="file" accept=".xlsx,.csv,.txt" on:change=choose/>
                <button type="button" class="ghost" on:click=export>{vi_en("Xuất danh sách HTX (XLSX)", "Export the registry (XLSX)")}</button>
            </p>
            <p class="muted">{move || file.with(|f| f.as_ref().map(|f| f.name()))}</p>
            {move || busy.get().map(|(vi, en)| view! { <p role="status" class="muted"><progress aria-label=t(vi, en)></progress>" "{t(vi, en)}</p> })}
            <div role="alert">{move || error.get().map(|m| view! { <p class="error">{m.get(lang().get()).to_string()}</p> })}</div>
            {move || result.get().map(|r| {
                let rep = r.report.clone();
                let csv = r.notes_csv.clone();
                let blocked = !rep.problems.is_empty();
                let writes = rep.created + rep.updated + rep.moves.len() as u32;
                let summary = if rep.applied {
                    format!("{} {} {}, {} {}.", t("Đã nhập:", "Imported:"), rep.created, t("hồ sơ mới", "new records"), rep.updated, t("cập nhật", "updated"))
                } else {
                    format!("{} {}: {} {}, {} {}, {} {}, {} {}, {} {}.", t("Chạy thử", "Dry run"), rep.encoding,
                        rep.created, t("sẽ tạo mới", "to create"), rep.updated, t("sẽ cập nhật", "to update"),
                        rep.unchanged, t("không đổi", "unchanged"), rep.duplicates.len(), t("trùng lặp (bỏ qua)", "duplicates (skipped)"),
                        rep.refused.len(), t("dòng bị từ chối", "rows refused"))
                        + &if rep.moves.is_empty() { String::new() } else { format!(" {} {}.", rep.moves.len(), t("HTX chuyển địa bàn (cùng các phiếu khảo sát)", "cooperatives move to another commune (with their reports)")) }
                };
                view! {
                    <section class="card" aria-label=vi_en("Kết quả", "Result")>
                        <p role="status" data-testid="import-summary">{summary}</p>
                        {rep.problems.iter().map(|p| { let p = p.clone(); view! { <p class="error">{move || p.get(lang().get()).to_string()}</p> } }).collect_view()}
                        {(rep.sheets.len() > 1).then(|| {
                            let current = rep.sheet.clone().unwrap_or_default();
                            view! {
                                <p>
                                    <label for="import-sheet">{vi_en("Trang tính đọc", "Sheet read")}</label>" "
                                    <select id="import-sheet" on:change=move |ev| set_sheet(event_target_value(&ev))>
                                        {rep.sheets.iter().map(|sh| {
                                            let hidden = if sh.visible { String::new() } else { format!(" ({})", t("đang ẩn", "hidden")) };
                                            view! { <option value=sh.name.clone() selected=sh.name == current>{format!("{}{hidden}", sh.name)}</option> }
                                        }).collect_view()}
                                    </select>
                                </p>
                            }
                        })}
                        {rep.date_order.clone().map(|note| {
                            let examples = note.examples.join(", ");
                            let order = note.settled.then_some(note.order);
                            view! {
                                <fieldset class="date-order">
                                    <legend>{vi_en("Cách ghi ngày trong tệp", "How the file writes dates")}</legend>
                                    <p class="muted">{move || note.rule.get(lang().get()).to_string()}" "{(!examples.is_empty()).then(|| format!("({}: {examples})", t("ví dụ", "for example")))}</p>
                                    <label><input type="radio" name="date-order" checked=order == Some(DateOrder::Dmy) on:change=move |_| set_date_order(DateOrder::Dmy)/>" "{vi_en("ngày/tháng/năm (15/03/2019)", "day/month/year (15/03/2019)")}</label>
                                    <label><input type="radio" name="date-order" checked=order == Some(DateOrder::Mdy) on:change=move |_| set_date_order(DateOrder::Mdy)/>" "{vi_en("tháng/ngày/năm (3/15/2019)", "month/day/year (3/15/2019)")}</label>
                                </fieldset>
                            }
                        })}
                        <h3>{vi_en("Các cột của tệp", "The file's columns")}</h3>
                        <table class="table" aria-label=vi_en("Ghép cột", "Column mapping")>
                            <thead><tr><th scope="col">{vi_en("Tiêu đề trong tệp", "Header in the file")}</th><th scope="col">{vi_en("Là cột", "Is the column")}</th></tr></thead>
                            <tbody>
                            {rep.columns.iter().map(|c| {
                                let header = c.header.clone();
                                let current = c.field.clone().unwrap_or_default();
                                let h2 = header.clone();
                                view! {
                                    <tr>
                                        <td>{header.clone()}</td>
                                        <td>
                                            <select aria-label=format!("{} {header}", t("Cột của", "Column for")) on:change=move |ev| set_column(h2.clone(), event_target_value(&ev))>
                                                <option value="" selected=current.is_empty()>{vi_en("(bỏ qua)", "(ignore)")}</option>
                                                {COLUMNS.iter().map(|col| view! { <option value=col.key selected=current == col.key>{move || t(col.header, col.en)}</option> }).collect_view()}
                                            </select>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                            </tbody>
                        </table>
                        <Notes title=("Dòng bị từ chối", "Refused rows") notes=rep.refused.clone()/>
                        <Notes title=("Dòng trùng lặp (bỏ qua)", "Duplicate rows (skipped)") notes=rep.duplicates.clone()/>
                        <Notes title=("HTX chuyển địa bàn", "Cooperatives that move") notes=rep.moves.clone()/>
                        <p class="actions">
                            {(!rep.refused.is_empty() || !rep.duplicates.is_empty()).then(|| view! {
                                <button type="button" class="ghost" on:click=move |_| crate::pwa::download_text("hoptac-dong-bi-tu-choi.csv", &csv)>{vi_en("Tải danh sách dòng lỗi (CSV)", "Download the refused rows (CSV)")}</button>
                            })}
                            {(!rep.applied).then(|| view! {
                                <button type="button" class="primary" disabled=move || blocked || writes == 0 || busy.get().is_some() on:click=move |_| run(true)>
                                    {move || format!("{} {writes} {}", t("Nhập", "Import"), t("hồ sơ", "records"))}
                                </button>
                            })}
                        </p>
                    </section>
                }
            })}
        </section>
    }
}
