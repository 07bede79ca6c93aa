//! The plain types and rules every other module of core stands on: time in milliseconds,
//! calendar dates and six-month periods in Vietnam's time, a GPS position, the statuses
//! and roles records carry, and a field's error. It uses nothing of core but messages
//! ([`crate::i18n`]) and the keyed enums' macro ([`crate::keyed`]), so no module that
//! uses it is ever part of a cycle through it.

use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

crate::keyed_enum!(
    pub enum OperatingStatus {
        Active = "active",
        /// hoạt động cầm chừng
        Standstill = "standstill",
        Suspended = "suspended",
        Dissolved = "dissolved",
    }
);

crate::keyed_enum!(
    pub enum ReportStatus {
        Draft = "draft",
        Submitted = "submitted",
        Returned = "returned",
        Resubmitted = "resubmitted",
        Approved = "approved",
        Rejected = "rejected",
    }
);

crate::keyed_enum!(
    pub enum Role {
        Officer = "officer",
        Supervisor = "supervisor",
        Admin = "admin",
    }
);

/// Where the officer stood, from the device's GPS when allowed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub accuracy_m: Option<f64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name in the record ("visit_date", "note"...).
    pub field: String,
    pub message: Msg,
}

impl FieldError {
    pub fn new(field: &str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message: Msg::new(vi, en),
        }
    }
}

/// A calendar date "YYYY-MM-DD" from 2000 on (visits, follow-ups); returns (y, m, d).
pub fn parse_iso_date(s: &str) -> Option<(i32, u32, u32)> {
    parse_iso_date_from(s, 2000)
}

/// The oldest founding date accepted: cooperatives of the 1950s–80s were re-registered
/// under the 1996 Law on Cooperatives keeping their founding year.
pub const MIN_FOUNDING_YEAR: i32 = 1900;

/// A calendar date "YYYY-MM-DD" from `min_year` to 2100; returns (y, m, d).
pub fn parse_iso_date_from(s: &str, min_year: i32) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    if !(min_year..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (d <= days[(m - 1) as usize]).then_some((y, m, d))
}

/// The calendar date "YYYY-MM-DD" (UTC+7, Vietnam's time) of a Unix time in milliseconds.
pub fn date_of_millis_vn(ms: i64) -> String {
    let days = (ms + 7 * 3_600_000).div_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The Unix time in milliseconds of `hour`:`minute` on `date` ("YYYY-MM-DD") in Vietnam's
/// time (UTC+7); None when `date` is no calendar date. The inverse of [`date_of_millis_vn`].
pub fn millis_of_date_vn(date: &str, hour: u32, minute: u32) -> Option<i64> {
    let (y, m, d) = parse_iso_date_from(date, 1900)?;
    let (y, m, d) = (i64::from(y), i64::from(m), i64::from(d));
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(
        days * 86_400_000 + i64::from(hour) * 3_600_000 + i64::from(minute) * 60_000
            - 7 * 3_600_000,
    )
}

/// The six-month period of a date: "2021-06-11" → "2021-H1".
pub fn period_of(date: &str) -> Option<String> {
    let (y, m, _) = parse_iso_date(date)?;
    Some(format!("{y}-H{}", if m <= 6 { 1 } else { 2 }))
}
