//! The review's charts: horizontal bars in SVG, each a picture whose name reads out its
//! bars (the table beside it has the numbers).

use super::figures::{named_tallies, Bar};
use crate::i18n::t;
use hoptac_core::six_month::ReviewResponse;
use leptos::prelude::*;

/// A horizontal bar chart in SVG; a target is a dark mark across its bar. The chart is a
/// picture (role img) whose name reads out every bar; the table beside it has the numbers.
pub(super) fn chart(title: String, bars: Vec<Bar>) -> impl IntoView {
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
pub(super) fn charts(r: &ReviewResponse) -> impl IntoView {
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
