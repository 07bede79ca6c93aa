//! Half-year periods ("2021-H2"): their first and last day, the same half a year
//! before, and the message for a period that is none.

/// The same half of the year before: "2025-H2" → "2024-H2". None for a bad period.
pub fn year_before(period: &str) -> Option<String> {
    period_bounds(period)?;
    let (y, h) = period.split_once("-H")?;
    let y: i32 = y.parse().ok()?;
    Some(format!("{:04}-H{h}", y - 1))
}

/// The first and last day of a period: "2021-H2" → ("2021-07-01", "2021-12-31"). None when
/// `period` is not a year, "-H" and 1 or 2.
pub fn period_bounds(period: &str) -> Option<(String, String)> {
    let (y, h) = period.split_once("-H")?;
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match h {
        "1" => Some((format!("{y}-01-01"), format!("{y}-06-30"))),
        "2" => Some((format!("{y}-07-01"), format!("{y}-12-31"))),
        _ => None,
    }
}

/// The message for a period that [`period_bounds`] refuses.
pub fn bad_period(period: &str) -> crate::i18n::Msg {
    crate::i18n::Msg::new(
        format!("Kỳ báo cáo \"{period}\" không hợp lệ. Ghi năm và nửa năm, ví dụ 2021-H2 (6 tháng cuối năm 2021)."),
        format!("\"{period}\" is not a reporting period. Give the year and half, e.g. 2021-H2 (second half of 2021)."),
    )
}
