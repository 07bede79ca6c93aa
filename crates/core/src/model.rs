//! The records as they travel between tablet and server.
//!
//! Ids are strings chosen by whoever creates the record (the server for reference data,
//! the tablet for what an officer writes: a random UUID), so a record made offline keeps
//! its id for life. New optional fields get `#[serde(default)]` so old tablets and old
//! stored records stay readable.

use serde::{Deserialize, Serialize};

pub use crate::primitives::{Millis, OperatingStatus, ReportStatus, Role};

crate::keyed_enum!(
    pub enum AreaLevel {
        Province = "province",
        District = "district",
        Commune = "commune",
        Village = "village",
    }
);

/// A node of the area tree (province → district → commune → village). The tree is
/// reference data owned by the server: it changes with administrative reforms.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub id: String,
    pub parent_id: Option<String>,
    pub level: AreaLevel,
    pub name: String,
    /// Ids from the root down to this node, each followed by '/': "NB/HLU/NHAI/".
    /// A user's scope is a set of paths; a record is in scope when its area's path
    /// starts with one of them.
    pub path: String,
    /// Its code in the national list of administrative units (mã đơn vị hành chính).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// ISO date from which it exists (an area a reorganisation created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_on: Option<String>,
    /// ISO date from which it no longer exists (a reorganisation closed it); kept for the
    /// history: reports written in it, reviews of periods before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<String>,
    /// The area that replaced it, when it was merged into one ([`crate::reorg`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor_id: Option<String>,
}

impl Area {
    /// Whether it still exists (no reorganisation closed it).
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }
}

/// Whether `path` lies inside any of `scopes` (each a path ending in '/').
pub fn in_scope(path: &str, scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|s| !s.is_empty() && path.starts_with(s.as_str()))
}

crate::keyed_enum!(
    pub enum CoopKind {
        /// Hợp tác xã
        Htx = "htx",
        /// Tổ hợp tác
        Tht = "tht",
        /// Liên hiệp hợp tác xã
        Lhhtx = "lhhtx",
    }
);

crate::keyed_enum!(
    pub enum Sector {
        Agriculture = "agriculture",
        IndustryHandicraft = "industry_handicraft",
        TradeServices = "trade_services",
        Transport = "transport",
        Construction = "construction",
        CreditFund = "credit_fund",
        EnvironmentWater = "environment_water",
        Other = "other",
    }
);

crate::keyed_enum!(
    pub enum OperatingScale {
        Village = "village",
        InterVillage = "inter_village",
        Commune = "commune",
        InterCommune = "inter_commune",
    }
);

/// A cooperative (HTX), cooperative group (THT) or cooperative union.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cooperative {
    pub id: String,
    pub kind: CoopKind,
    pub name: String,
    pub sector: Sector,
    /// The commune (or village) it is located in.
    pub area_id: String,
    /// Copy of the area's path, so scope checks and local filters need no join.
    pub area_path: String,
    #[serde(default)]
    pub scale: Option<OperatingScale>,
    /// ISO date "YYYY-MM-DD".
    #[serde(default)]
    pub established_on: Option<String>,
    #[serde(default)]
    pub registration_no: Option<String>,
    #[serde(default)]
    pub tax_code: Option<String>,
    #[serde(default)]
    pub tax_registered: bool,
    #[serde(default)]
    pub chair_name: Option<String>,
    #[serde(default)]
    pub chair_phone: Option<String>,
    #[serde(default)]
    pub members: Option<u32>,
    #[serde(default)]
    pub workers: Option<u32>,
    /// Charter capital in VND.
    #[serde(default)]
    pub charter_capital_vnd: Option<i64>,
    #[serde(default)]
    pub cultivated_area_ha: Option<f64>,
    #[serde(default)]
    pub main_products: Option<String>,
    pub status: OperatingStatus,
    /// Newly established in the current period (counts toward the period's target).
    #[serde(default)]
    pub newly_established: bool,
    /// Its main photo (the headquarters, a product), by hash; uploaded apart (issue 17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_photo: Option<crate::photo::PhotoRef>,
    /// Where it was before its last move (a reorganisation of areas, a correction, a
    /// relocation); the server's to set, never the tablet's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<FormerPlace>,
    /// Server-assigned version of the whole record (bumped on every change).
    #[serde(default)]
    pub version: i64,
}

impl Cooperative {
    /// A record of only what names and places it: every optional profile field empty, no
    /// tax registration, operating status active, not newly established, never moved, and
    /// version 0 (the server numbers stored versions). The one starting point of a record
    /// built in code (a registry row read, demo data, tests); the rest is filled with
    /// `Cooperative { field, ..Cooperative::new(…) }`.
    pub fn new(
        id: String,
        kind: CoopKind,
        name: String,
        sector: Sector,
        area_id: String,
        area_path: String,
    ) -> Cooperative {
        Cooperative {
            id,
            kind,
            name,
            sector,
            area_id,
            area_path,
            scale: None,
            established_on: None,
            registration_no: None,
            tax_code: None,
            tax_registered: false,
            chair_name: None,
            chair_phone: None,
            members: None,
            workers: None,
            charter_capital_vnd: None,
            cultivated_area_ha: None,
            main_products: None,
            status: OperatingStatus::Active,
            newly_established: false,
            main_photo: None,
            moved_from: None,
            version: 0,
        }
    }
}

/// The area a cooperative left in a move, and the day the move took effect.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormerPlace {
    /// The area it was in (closed, when a reorganisation moved it).
    pub area_id: String,
    /// "YYYY-MM-DD": the first day in its new area (a reorganisation's effective date).
    pub until: String,
}

/// A visit report written by an officer at a cooperative. The foundation carries the
/// date and a note; the full form of DOMAIN.md grows here with optional fields.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitReport {
    pub id: String,
    pub cooperative_id: String,
    /// Set by the server from the authenticated user; the tablet fills its own id.
    pub author_id: String,
    /// ISO date "YYYY-MM-DD".
    pub visit_date: String,
    pub note: String,
    /// Finances, value chain, difficulties, support, digital, compliance, follow-ups, GPS.
    #[serde(default)]
    pub findings: crate::report::Findings,
    pub status: ReportStatus,
    #[serde(default = "one")]
    pub revision: u32,
    /// When the officer wrote it on the tablet.
    pub created_at: Millis,
    /// Filled by the server: the cooperative's area path, for scope.
    #[serde(default)]
    pub area_path: String,
    /// Filled by the server: the author's display name, for lists.
    #[serde(default)]
    pub author_name: String,
    /// Filled by the server: when it reached the server.
    #[serde(default)]
    pub received_at: Option<Millis>,
    /// Filled by the server: decisions, resubmissions and comments, oldest first.
    #[serde(default)]
    pub events: Vec<crate::decisions::ReviewEvent>,
    /// Filled by the server: when the author stopped covering the report's area, for a
    /// report written while they covered it and received after (issue 13: unsent work
    /// survives a reassignment); the supervisor sees it marked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_left_area_at: Option<Millis>,
    /// Filled by the server when a reorganisation moved the report with its cooperative:
    /// the path of the area it was written in (issue 16: it counts under the area that
    /// replaced it, and a review of a period before the reform can show the areas of the
    /// time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_area_path: Option<String>,
}

fn one() -> u32 {
    1
}

/// The signed-in user as the app sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Area paths this user may see.
    pub scopes: Vec<String>,
    /// True after a temporary password (a new account, a reset): the server answers only
    /// the password change (`POST /api/me/password`) until it is changed.
    #[serde(default)]
    pub must_change_password: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: Millis,
    pub user: UserInfo,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_is_a_path_prefix_on_whole_segments() {
        let scopes = vec!["NB/HLU/".to_string()];
        assert!(in_scope("NB/HLU/NHAI/", &scopes));
        assert!(in_scope("NB/HLU/", &scopes));
        assert!(
            !in_scope("NB/HLUX/", &scopes),
            "a longer sibling id is not inside"
        );
        assert!(!in_scope("NB/GVI/GSIN/", &scopes));
        assert!(
            !in_scope("NB/HLU/", &[String::new()]),
            "an empty scope grants nothing"
        );
    }

    #[test]
    fn old_records_without_new_fields_still_parse() {
        let json = r#"{"id":"c1","kind":"htx","name":"HTX A","sector":"agriculture",
            "area_id":"X","area_path":"NB/X/","status":"active"}"#;
        let c: Cooperative = serde_json::from_str(json).unwrap();
        assert_eq!(c.members, None);
        assert!(!c.newly_established);
        let v = r#"{"id":"v1","cooperative_id":"c1","author_id":"u","visit_date":"2021-06-11",
            "note":"n","status":"submitted","created_at":1}"#;
        let v: VisitReport = serde_json::from_str(v).unwrap();
        assert_eq!(v.revision, 1);
    }
}
