//! Targets set for a period and area: their limits, and an area's targets rolled up from
//! those set beneath it.

use serde::{Deserialize, Serialize};

/// The targets an administrator or supervisor set for a period and area.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    pub new_htx: Option<u32>,
    pub new_tht: Option<u32>,
    pub works_handed_over: Option<u32>,
}

/// The largest target accepted (a province founds tens of cooperatives a half-year).
pub const MAX_TARGET: u32 = 100_000;

impl Targets {
    /// Refuses a target above [`MAX_TARGET`], with the field's name.
    pub fn validate(&self) -> Result<(), crate::validate::FieldError> {
        for (field, v) in [
            ("new_htx", self.new_htx),
            ("new_tht", self.new_tht),
            ("works_handed_over", self.works_handed_over),
        ] {
            if v.is_some_and(|v| v > MAX_TARGET) {
                return Err(crate::validate::FieldError {
                    field: field.to_string(),
                    message: crate::i18n::Msg::new(
                        format!("Chỉ tiêu quá lớn: tối đa {MAX_TARGET}."),
                        format!("Target too large: at most {MAX_TARGET}."),
                    ),
                });
            }
        }
        Ok(())
    }

    /// Adds targets of several areas: a field is known when any of them gives it.
    pub fn add(&mut self, other: &Targets) {
        fn sum(a: Option<u32>, b: Option<u32>) -> Option<u32> {
            match (a, b) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
            }
        }
        self.new_htx = sum(self.new_htx, other.new_htx);
        self.new_tht = sum(self.new_tht, other.new_tht);
        self.works_handed_over = sum(self.works_handed_over, other.works_handed_over);
    }
}

/// The targets of the area at `path` from the targets set for a period, `set` as (area
/// path, targets): for each figure, the area's own target if it has one, else the sum of
/// the nearest targets set beneath it (a district's, or where a district has none, its
/// communes'); None when none is set. A province's target and its districts' are never
/// added together.
pub fn roll_up(path: &str, set: &[(String, Targets)]) -> Targets {
    fn field(
        path: &str,
        set: &[(String, Targets)],
        get: fn(&Targets) -> Option<u32>,
    ) -> Option<u32> {
        if let Some(own) = set
            .iter()
            .find(|(p, _)| p == path)
            .and_then(|(_, t)| get(t))
        {
            return Some(own);
        }
        // The nearest beneath: set for an area under `path` with no area between them
        // that has this figure set.
        let under: Vec<&(String, Targets)> = set
            .iter()
            .filter(|(p, t)| p.len() > path.len() && p.starts_with(path) && get(t).is_some())
            .collect();
        let nearest = under.iter().filter(|(p, _)| {
            !under
                .iter()
                .any(|(q, _)| q.len() < p.len() && p.starts_with(q.as_str()))
        });
        nearest
            .map(|(_, t)| get(t).unwrap_or(0))
            .fold(None, |sum: Option<u32>, v| {
                Some(sum.unwrap_or(0).saturating_add(v))
            })
    }
    Targets {
        new_htx: field(path, set, |t| t.new_htx),
        new_tht: field(path, set, |t| t.new_tht),
        works_handed_over: field(path, set, |t| t.works_handed_over),
    }
}
