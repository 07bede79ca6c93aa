//! What the review queue and a report's page carry (`GET /api/visits`, `GET
//! /api/visits/{id}`, `GET /api/audit/...`): pages of reports with their cursors, a
//! submission with exactly what changed since the revision before, and a record's audit
//! trail. The decisions themselves are [`crate::decisions`]'s.

use crate::primitives::Millis;
use serde::{Deserialize, Serialize};

/// One field that differs between two versions of a record: its path in the record's
/// JSON ("findings.finances.revenue_vnd") and both values as JSON text ("null" when
/// absent).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub old: String,
    pub new: String,
}

/// A submission as the review page shows it: the report, the revision before it (for a
/// resubmission) and exactly which fields changed since.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDetail {
    pub report: crate::model::VisitReport,
    pub previous: Option<crate::model::VisitReport>,
    pub changes: Vec<FieldChange>,
}

/// The most reports one page of the review queue (`GET /api/visits`) holds, and how many
/// it holds when the caller does not say.
pub const QUEUE_PAGE_MAX: u32 = 200;
pub const QUEUE_PAGE_DEFAULT: u32 = 50;

/// A report as the review queue lists it, with its cooperative's name.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    pub report: crate::model::VisitReport,
    pub cooperative_name: String,
}

/// One page of the review queue (`GET /api/visits`): reports newest received first (then
/// by id). A page never silently stops: `next` is present when more reports match, and
/// is passed back as `after` for the following page; it stays valid while reports arrive
/// (they come before it, at the top of the queue).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuePage {
    pub reports: Vec<QueueItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The cursor after a report received at `received_at` (ms since epoch) with id `id`:
/// "RECEIVED_AT.ID".
pub fn queue_cursor(received_at: Millis, id: &str) -> String {
    format!("{received_at}.{id}")
}

/// The `next` of a page of one cooperative's visits in visit-date order (newest first, then
/// id): "d" + the visit date ("YYYY-MM-DD") + "." + the last report's id.
pub fn visit_date_cursor(visit_date: &str, id: &str) -> String {
    format!("d{visit_date}.{id}")
}

/// Reads a cursor made by [`visit_date_cursor`]: (visit date, id); None when it is not one.
pub fn parse_visit_date_cursor(s: &str) -> Option<(String, String)> {
    let (date, id) = s.strip_prefix('d')?.split_once('.')?;
    (crate::primitives::parse_iso_date(date).is_some() && !id.is_empty())
        .then(|| (date.to_string(), id.to_string()))
}

/// Reads a cursor made by [`queue_cursor`]; None when it is not one.
pub fn parse_queue_cursor(s: &str) -> Option<(Millis, String)> {
    let (at, id) = s.split_once('.')?;
    let at: Millis = at.parse().ok()?;
    (!id.is_empty() && at >= 0).then(|| (at, id.to_string()))
}

/// One entry of a record's audit trail.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub action: String,
    pub actor_id: String,
    pub actor_name: String,
    /// The tablet the change came from (None: online, in the browser).
    pub client_id: Option<String>,
    pub at: Millis,
    pub changes: Vec<FieldChange>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_cursors_round_trip_and_refuse_what_is_not_one() {
        let c = queue_cursor(1_750_000_000_000, "v-01.a");
        assert_eq!(c, "1750000000000.v-01.a");
        assert_eq!(
            parse_queue_cursor(&c),
            Some((1_750_000_000_000, "v-01.a".to_string()))
        );
        for bad in ["", "abc", "12", "12.", ".v-1", "-5.v-1", "1e3.v-1"] {
            assert_eq!(parse_queue_cursor(bad), None, "{bad}");
        }
        // The visit-date order's cursors are not the received order's, and back.
        let d = visit_date_cursor("2021-05-08", "v-01.a");
        assert_eq!(d, "d2021-05-08.v-01.a");
        assert_eq!(
            parse_visit_date_cursor(&d),
            Some(("2021-05-08".to_string(), "v-01.a".to_string()))
        );
        assert_eq!(parse_queue_cursor(&d), None);
        assert_eq!(parse_visit_date_cursor(&c), None);
        for bad in [
            "",
            "d",
            "d2021-05-08",
            "d2021-05-08.",
            "d2021-13-01.v",
            "2021-05-08.v",
            "dx.v",
        ] {
            assert_eq!(parse_visit_date_cursor(bad), None, "{bad}");
        }
    }
}
