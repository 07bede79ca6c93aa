//! Field-by-field merge of a cooperative's profile (issue 4).
//!
//! An officer edits a profile offline, starting from the version on the tablet (`base`).
//! The tablet sends `base` and the edited record (`mine`). The server holds `current`,
//! which other officers may have changed meanwhile. For each profile field:
//!
//! | base vs mine | current vs base | result                                     |
//! |--------------|-----------------|--------------------------------------------|
//! | same         | any             | current's value (the officer did not touch it) |
//! | changed      | same            | mine (nobody else touched it)              |
//! | changed      | changed, = mine | mine (both made the same change)           |
//! | changed      | changed, ≠ mine | current's value kept, **a conflict** with both values |
//!
//! Nothing is overwritten silently: a conflict keeps the server's value and records the
//! officer's, until the officer or a supervisor chooses one ([`resolve`]).

use crate::i18n::Msg;
use crate::model::{Cooperative, Millis};
use serde::{Deserialize, Serialize};

crate::keyed_enum!(
    /// A field of a cooperative's profile that officers may edit.
    pub enum CoopField {
        Name = "name",
        Sector = "sector",
        Scale = "scale",
        EstablishedOn = "established_on",
        RegistrationNo = "registration_no",
        TaxCode = "tax_code",
        TaxRegistered = "tax_registered",
        ChairName = "chair_name",
        ChairPhone = "chair_phone",
        Members = "members",
        Workers = "workers",
        CharterCapitalVnd = "charter_capital_vnd",
        CultivatedAreaHa = "cultivated_area_ha",
        MainProducts = "main_products",
        Status = "status",
        NewlyEstablished = "newly_established",
        MainPhoto = "main_photo",
    }
);

/// `same` and `copy` for every profile field, from one list of variant => field.
macro_rules! coop_fields {
    ($($variant:ident => $field:ident),+ $(,)?) => {
        impl CoopField {
            /// Whether `a` and `b` hold the same value in this field.
            pub fn same(self, a: &Cooperative, b: &Cooperative) -> bool {
                match self { $(CoopField::$variant => a.$field == b.$field),+ }
            }

            /// Copies this field from `from` into `to`.
            pub fn copy(self, from: &Cooperative, to: &mut Cooperative) {
                match self { $(CoopField::$variant => to.$field = from.$field.clone()),+ }
            }
        }
    };
}

coop_fields!(
    Name => name,
    Sector => sector,
    Scale => scale,
    EstablishedOn => established_on,
    RegistrationNo => registration_no,
    TaxCode => tax_code,
    TaxRegistered => tax_registered,
    ChairName => chair_name,
    ChairPhone => chair_phone,
    Members => members,
    Workers => workers,
    CharterCapitalVnd => charter_capital_vnd,
    CultivatedAreaHa => cultivated_area_ha,
    MainProducts => main_products,
    Status => status,
    NewlyEstablished => newly_established,
    MainPhoto => main_photo,
);

impl CoopField {
    pub const ALL: &'static [CoopField] = <CoopField as crate::keyed::Keyed>::VALUES;

    /// The field's name in both languages, as the forms label it.
    pub fn label(self) -> Msg {
        let (vi, en) = match self {
            CoopField::Name => ("Tên", "Name"),
            CoopField::Sector => ("Lĩnh vực", "Sector"),
            CoopField::Scale => ("Quy mô hoạt động", "Operating scale"),
            CoopField::EstablishedOn => ("Ngày thành lập", "Founded on"),
            CoopField::RegistrationNo => ("Số đăng ký", "Registration number"),
            CoopField::TaxCode => ("Mã số thuế", "Tax code"),
            CoopField::TaxRegistered => ("Đã đăng ký thuế", "Tax registered"),
            CoopField::ChairName => ("Chủ tịch HĐQT / Giám đốc", "Chair / director"),
            CoopField::ChairPhone => ("Điện thoại", "Phone"),
            CoopField::Members => ("Số thành viên", "Members"),
            CoopField::Workers => ("Số lao động", "Workers"),
            CoopField::CharterCapitalVnd => ("Vốn điều lệ (đồng)", "Charter capital (VND)"),
            CoopField::CultivatedAreaHa => ("Diện tích canh tác (ha)", "Cultivated area (ha)"),
            CoopField::MainProducts => ("Sản phẩm chính", "Main products"),
            CoopField::Status => ("Tình trạng hoạt động", "Operating status"),
            CoopField::NewlyEstablished => {
                ("Thành lập mới trong kỳ", "Newly established this period")
            }
            CoopField::MainPhoto => ("Ảnh chính", "Main photo"),
        };
        Msg::new(vi, en)
    }
}

/// The fields where `mine` differs from `base`: what the officer changed.
pub fn changed_fields(base: &Cooperative, mine: &Cooperative) -> Vec<CoopField> {
    CoopField::ALL
        .iter()
        .copied()
        .filter(|f| !f.same(base, mine))
        .collect()
}

/// The outcome of merging an officer's edit into the server's record.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The record to store: every non-conflicting change applied, the server's value kept
    /// in each conflicting field. Its version is not bumped here.
    pub record: Cooperative,
    /// Fields the officer changed that were applied.
    pub applied: Vec<CoopField>,
    /// Fields changed to two different values.
    pub conflicts: Vec<CoopField>,
}

/// Three-way merge of one profile (see the module's table).
pub fn merge(base: &Cooperative, current: &Cooperative, mine: &Cooperative) -> Merged {
    let mut record = current.clone();
    let (mut applied, mut conflicts) = (Vec::new(), Vec::new());
    for f in changed_fields(base, mine) {
        if f.same(current, base) || f.same(current, mine) {
            f.copy(mine, &mut record);
            applied.push(f);
        } else {
            conflicts.push(f);
        }
    }
    Merged {
        record,
        applied,
        conflicts,
    }
}

crate::keyed_enum!(
    /// Which value a conflict's resolution keeps.
    pub enum Choice {
        /// The value the officer wrote offline (`mine`).
        Mine = "mine",
        /// The value that was on the server (`theirs`).
        Theirs = "theirs",
    }
);

/// A field changed to two values, kept until someone chooses.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub id: String,
    pub cooperative_id: String,
    /// The cooperative's area path, for scope.
    pub area_path: String,
    pub field: CoopField,
    /// The record as the officer wrote it (its `field` holds their value).
    pub mine: Cooperative,
    /// The record on the server when the edit arrived (its `field` holds the other value).
    pub theirs: Cooperative,
    /// Who wrote `mine`.
    pub author_id: String,
    #[serde(default)]
    pub author_name: String,
    pub created_at: Millis,
    /// Set once someone chose.
    #[serde(default)]
    pub resolution: Option<Resolution>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub choice: Choice,
    pub by_id: String,
    #[serde(default)]
    pub by_name: String,
    pub at: Millis,
}

impl Conflict {
    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }
}

/// Applies a conflict's resolution to the current record: the chosen value goes into the
/// conflicting field; every other field stays as it is now.
pub fn resolve(conflict: &Conflict, current: &Cooperative, choice: Choice) -> Cooperative {
    let mut record = current.clone();
    let from = match choice {
        Choice::Mine => &conflict.mine,
        Choice::Theirs => &conflict.theirs,
    };
    conflict.field.copy(from, &mut record);
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CoopKind, OperatingStatus, Sector};
    use proptest::prelude::*;

    fn coop() -> Cooperative {
        Cooperative {
            chair_name: Some("Bà Lan".into()),
            members: Some(120),
            workers: Some(10),
            version: 3,
            ..Cooperative::new(
                "c1".into(),
                CoopKind::Htx,
                "HTX Ninh Hải".into(),
                Sector::Agriculture,
                "NHAI".into(),
                "NB/HLU/NHAI/".into(),
            )
        }
    }

    #[test]
    fn different_fields_changed_by_two_officers_both_stay() {
        let base = coop();
        let mut current = base.clone(); // officer A's edit already applied on the server
        current.members = Some(130);
        let mut mine = base.clone(); // officer B changes another field
        mine.chair_phone = Some("0912345678".into());
        let m = merge(&base, &current, &mine);
        assert_eq!(m.record.members, Some(130));
        assert_eq!(m.record.chair_phone.as_deref(), Some("0912345678"));
        assert_eq!(m.applied, vec![CoopField::ChairPhone]);
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn the_same_field_changed_to_two_values_is_a_conflict_and_keeps_the_server_value() {
        let base = coop();
        let mut current = base.clone();
        current.members = Some(130);
        let mut mine = base.clone();
        mine.members = Some(125);
        mine.workers = Some(12);
        let m = merge(&base, &current, &mine);
        assert_eq!(
            m.record.members,
            Some(130),
            "nothing is overwritten silently"
        );
        assert_eq!(m.record.workers, Some(12), "the other change still applies");
        assert_eq!(m.conflicts, vec![CoopField::Members]);
        let c = Conflict {
            id: "k".into(),
            cooperative_id: "c1".into(),
            area_path: base.area_path.clone(),
            field: CoopField::Members,
            mine: mine.clone(),
            theirs: current.clone(),
            author_id: "u".into(),
            author_name: String::new(),
            created_at: 0,
            resolution: None,
        };
        assert_eq!(resolve(&c, &m.record, Choice::Mine).members, Some(125));
        assert_eq!(resolve(&c, &m.record, Choice::Mine).workers, Some(12));
        assert_eq!(resolve(&c, &m.record, Choice::Theirs).members, Some(130));
    }

    #[test]
    fn the_same_change_made_twice_is_not_a_conflict() {
        let base = coop();
        let mut current = base.clone();
        current.status = OperatingStatus::Standstill;
        let mine = current.clone();
        let m = merge(&base, &current, &mine);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.record.status, OperatingStatus::Standstill);
    }

    #[test]
    fn untouched_fields_never_revert_the_server() {
        let base = coop();
        let mut current = base.clone();
        current.name = "HTX Ninh Hải mới".into();
        let m = merge(&base, &current, &base);
        assert_eq!(m.record, current);
        assert!(m.applied.is_empty() && m.conflicts.is_empty());
    }

    #[test]
    fn every_field_can_be_copied_and_compared() {
        let a = coop();
        let mut b = coop();
        b.name = "x".into();
        b.sector = Sector::Transport;
        b.scale = Some(crate::model::OperatingScale::Commune);
        b.established_on = Some("2020-01-01".into());
        b.registration_no = Some("1".into());
        b.tax_code = Some("0101234567".into());
        b.tax_registered = true;
        b.chair_name = None;
        b.chair_phone = Some("0912345678".into());
        b.members = Some(1);
        b.workers = None;
        b.charter_capital_vnd = Some(5);
        b.cultivated_area_ha = Some(1.5);
        b.main_products = Some("gạo".into());
        b.status = OperatingStatus::Dissolved;
        b.newly_established = true;
        b.main_photo = Some(crate::photo::PhotoRef {
            hash: "a".repeat(64),
            section: crate::photo::PhotoSection::Headquarters,
            caption: "Trụ sở".into(),
            taken_at: None,
            position: None,
            bytes: 1000,
            width: 10,
            height: 10,
        });
        assert_eq!(
            changed_fields(&a, &b).len(),
            CoopField::ALL.len(),
            "every field differs"
        );
        let mut c = a.clone();
        for f in CoopField::ALL {
            f.copy(&b, &mut c);
        }
        assert!(changed_fields(&c, &b).is_empty());
        assert_eq!(c.id, a.id, "ids and scope are not profile fields");
    }

    fn arb_members() -> impl Strategy<Value = Option<u32>> {
        prop_oneof![Just(None), (0u32..5).prop_map(Some)]
    }

    proptest! {
        /// Whatever two officers do to two fields, a value someone wrote is either in the
        /// merged record or recorded in a conflict: never lost.
        #[test]
        fn no_write_is_lost(b1 in arb_members(), b2 in arb_members(), c1 in arb_members(), c2 in arb_members(), m1 in arb_members(), m2 in arb_members()) {
            let mut base = coop(); base.members = b1; base.workers = b2;
            let mut current = coop(); current.members = c1; current.workers = c2;
            let mut mine = coop(); mine.members = m1; mine.workers = m2;
            let m = merge(&base, &current, &mine);
            for (f, cv, mv, bv, rv) in [(CoopField::Members, c1, m1, b1, m.record.members), (CoopField::Workers, c2, m2, b2, m.record.workers)] {
                if mv != bv {
                    prop_assert!(rv == mv || m.conflicts.contains(&f));
                }
                if m.conflicts.contains(&f) { prop_assert_eq!(rv, cv); }
                if mv == bv { prop_assert_eq!(rv, cv); }
            }
        }
    }
}
