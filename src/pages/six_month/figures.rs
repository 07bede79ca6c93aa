//! The review's lines: each figure with its target or last year's figure and the change
//! as the seed writes it, grouped as the report reads, and the records each line opens.

use crate::i18n::{lang, t, ts, vnd};
use hoptac_core::six_month::{ReviewResponse, SixMonthReview};
use leptos::prelude::*;

/// One line of the review: a figure, what it is compared with, and which figure's
/// records it opens (its key, hoptac_core::six_month::SixMonthReview::ids_of, of this
/// period or the same one last year).
#[derive(Clone, PartialEq)]
pub(super) struct Line {
    pub(super) label: String,
    pub(super) value: String,
    pub(super) compare: String,
    pub(super) figure: String,
    pub(super) last_year: bool,
}

/// A bar of a chart: label, value, and a target drawn as a mark.
pub(super) type Bar = (String, i64, Option<i64>);

pub(super) fn pct(p: Option<f64>) -> String {
    p.map(|p| format!("{}{:.1}%", if p > 0.0 { "+" } else { "" }, p))
        .unwrap_or_default()
}

/// The review's three tallies (value chains by programme, difficulties, support received)
/// as (label in the chosen language, count, figure key); the server names each item.
pub(super) fn named_tallies(v: &SixMonthReview) -> [Vec<(String, i64, String)>; 3] {
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
pub(super) fn lines(r: &ReviewResponse) -> Vec<(String, Vec<Line>)> {
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
