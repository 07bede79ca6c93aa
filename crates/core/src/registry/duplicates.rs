//! Cooperatives recorded twice: two records with the same identifiers, and the merge that
//! keeps one.

use super::*;

/// Two records flagged as one cooperative: they share a tax code or a business
/// registration number (`field`: "tax_code" or "registration_no").
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub a: Cooperative,
    pub b: Cooperative,
    pub field: String,
    pub value: String,
    /// ms since epoch.
    pub found_at: crate::model::Millis,
    /// Visit reports of each record.
    pub a_visits: u32,
    pub b_visits: u32,
}

/// `POST /api/cooperatives/merge`: keep one record, remove the other (its visit reports
/// move to the one kept; its fields fill the kept record's empty ones).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRequest {
    pub keep: String,
    pub remove: String,
}

/// Errors for `c`'s tax code and registration number when another record of `others`
/// has the same one (compared by [`identifier_key`]): one legal entity, one record. The
/// tablet checks this against its registry before saving; the server flags what two
/// offline tablets both registered.
pub fn same_identifiers<'a>(
    c: &Cooperative,
    others: impl IntoIterator<Item = &'a Cooperative>,
) -> Vec<crate::validate::FieldError> {
    let tax = c.tax_code.as_deref().and_then(identifier_key);
    let reg = c.registration_no.as_deref().and_then(identifier_key);
    let mut out = Vec::new();
    for o in others {
        if o.id == c.id {
            continue;
        }
        let same = |mine: &Option<String>, theirs: &Option<String>| {
            mine.is_some() && *mine == theirs.as_deref().and_then(identifier_key)
        };
        if same(&tax, &o.tax_code)
            && !out
                .iter()
                .any(|e: &crate::validate::FieldError| e.field == "tax_code")
        {
            out.push(crate::validate::FieldError::new(
                "tax_code",
                format!("Mã số thuế này đã có trong danh sách: \"{}\". Một mã số thuế là một hợp tác xã: hãy mở hồ sơ đó thay vì đăng ký mới.", o.name),
                format!("This tax code is already in the registry: \"{}\". One tax code is one cooperative: open that record instead.", o.name),
            ));
        }
        if same(&reg, &o.registration_no)
            && !out
                .iter()
                .any(|e: &crate::validate::FieldError| e.field == "registration_no")
        {
            out.push(crate::validate::FieldError::new(
                "registration_no",
                format!("Số ĐKKD này đã có trong danh sách: \"{}\".", o.name),
                format!(
                    "This registration number is already in the registry: \"{}\".",
                    o.name
                ),
            ));
        }
    }
    out
}

/// Fills `kept`'s empty fields from `removed` (the record kept wins where both have one).
pub fn fill_from(kept: &Cooperative, removed: &Cooperative) -> Cooperative {
    let mut k = kept.clone();
    macro_rules! fill {
        ($($f:ident),*) => {$(
            if k.$f.is_none() {
                k.$f = removed.$f.clone();
            }
        )*};
    }
    fill!(
        scale,
        established_on,
        registration_no,
        tax_code,
        chair_name,
        chair_phone,
        members,
        workers,
        charter_capital_vnd,
        cultivated_area_ha,
        main_products
    );
    k.tax_registered |= removed.tax_registered;
    if k.sector != Sector::Agriculture {
        k.cultivated_area_ha = kept.cultivated_area_ha;
    }
    k
}
