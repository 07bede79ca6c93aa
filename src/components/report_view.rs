//! A visit report, read-only and whole: every section of the form with what was recorded
//! (empty fields left out). The supervisor reviews from it.

use crate::i18n::{date, lang, t, vnd};
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
                {section(t("Chung", "General"), vec![
                    (t("Ngày khảo sát", "Visit date"), date(&r.visit_date)),
                    (t("Nội dung làm việc", "Note"), r.note.clone()),
                    (t("Tình trạng hoạt động", "Operating status"), f.operating_status.map(|s| crate::labels::status_label(s).to_string()).unwrap_or_default()),
                ])}
                {section(t("Tài chính", "Finances"), vec![
                    (t("Doanh thu", "Revenue"), money(f.finances.revenue_vnd)),
                    (t("Doanh thu cùng kỳ năm trước", "Revenue last year"), money(f.finances.revenue_last_year_vnd)),
                    (t("Lợi nhuận", "Profit"), money(f.finances.profit_vnd)),
                    (t("Thu nhập thành viên (tháng)", "Member income (month)"), money(f.finances.member_income_vnd)),
                    (t("Thu nhập cùng kỳ năm trước", "Member income last year"), money(f.finances.member_income_last_year_vnd)),
                    (t("Ảnh hưởng của biến động", "Impact of shocks"), f.finances.shock_impact.map(|s| s.msg().get(lang().get_untracked()).to_string()).unwrap_or_default()),
                    (t("Ghi chú về biến động", "Note on shocks"), f.finances.shock_note.clone()),
                ])}
                {section(t("Chuỗi giá trị", "Value chain"), vec![
                    (t("Tham gia chuỗi giá trị", "In a value chain"), yes_no(vc.in_value_chain)),
                    (t("Các khâu", "Stages"), labels(&vc.stages)),
                    (t("Doanh nghiệp liên kết", "Linked enterprise"), vc.linked_enterprise.clone()),
                    (t("Chương trình", "Programme"), programme),
                    (t("Chương trình khác", "Other programme"), vc.programme_other.clone()),
                ])}
                {section(t("Khó khăn", "Difficulties"), vec![
                    (t("Khó khăn", "Difficulties"), listed(ListKind::Difficulty, &f.difficulties)),
                    (t("Khó khăn khác", "Other difficulties"), f.difficulty_other.clone()),
                ])}
                {section(t("Hỗ trợ", "Support"), vec![
                    (t("Đã nhận", "Received"), listed(ListKind::SupportKind, &f.support.received)),
                    (t("Đề nghị", "Requested"), listed(ListKind::SupportKind, &f.support.requested)),
                    (t("Công trình bàn giao", "Works handed over"), f.support.works_handed_over.map(|w| w.to_string()).unwrap_or_default()),
                    (t("Ghi chú", "Note"), f.support.note.clone()),
                ])}
                {section(t("Chuyển đổi số", "Digital transformation"), vec![
                    (t("Phần mềm kế toán", "Accounting software"), yes_no(f.digital.accounting_software)),
                    (t("Hóa đơn điện tử", "E-invoices"), yes_no(f.digital.e_invoices)),
                    (t("Bán hàng trực tuyến", "Sells online"), yes_no(f.digital.sells_online)),
                ])}
                {section(t("Tuân thủ và chứng nhận", "Compliance and certification"), vec![
                    (t("Đã đăng ký thuế", "Registered for tax"), yes_no(f.compliance.tax_registered)),
                    (t("Chứng nhận", "Certifications"), labels(&f.compliance.certifications)),
                    (t("Sao OCOP", "OCOP stars"), f.compliance.ocop_stars.map(|s| s.to_string()).unwrap_or_default()),
                ])}
                {section(t("Việc cần theo dõi", "Follow-up actions"), f.follow_ups.iter().map(|a| (
                    if a.done { t("Đã xong", "Done") } else { t("Chưa xong", "Open") },
                    format!("{} — {}", a.action, date(&a.due)),
                )).collect())}
                {section(t("Vị trí", "Position"), vec![
                    (t("Tọa độ GPS", "GPS position"), f.position.as_ref().map(|p| format!("{:.5}, {:.5}", p.lat, p.lon)).unwrap_or_default()),
                ])}
            </div>
        }
    }
}
