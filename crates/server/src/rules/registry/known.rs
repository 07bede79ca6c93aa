//! The registry's identifying keys (tax codes, registration numbers), read once under the
//! import's lock and kept up to date as it writes, so each row's questions are answered
//! from memory.

use crate::error::ApiResult;
use crate::storage;
use hoptac_core::model::Cooperative;
use std::collections::HashMap;

/// The registry's identifying keys, read once under the import's lock and kept up to
/// date as the import writes: the questions `storage::cooperatives::same_record` and
/// `same_identifiers` ask row by row, for a whole file at once (10,000 rows: some 50,000
/// queries fewer).
pub(super) struct Known {
    by_tax: HashMap<String, Vec<String>>,
    by_registration: HashMap<String, Vec<String>>,
    /// (area id, name as written) → the first record there of that name.
    by_place: HashMap<(String, String), String>,
}

impl Known {
    pub(super) async fn read(tx: &mut storage::WriteTx<'_>) -> ApiResult<Known> {
        let mut k = Known {
            by_tax: HashMap::new(),
            by_registration: HashMap::new(),
            by_place: HashMap::new(),
        };
        for i in storage::cooperatives::identifiers(tx).await? {
            k.insert(i.id, i.tax_code_key, i.registration_key, i.area_id, i.name);
        }
        Ok(k)
    }

    pub(super) fn insert(
        &mut self,
        id: String,
        tax: Option<String>,
        reg: Option<String>,
        area: String,
        name: String,
    ) {
        if let Some(t) = tax {
            self.by_tax.entry(t).or_default().push(id.clone());
        }
        if let Some(r) = reg {
            self.by_registration.entry(r).or_default().push(id.clone());
        }
        self.by_place.entry((area, name)).or_insert(id);
    }

    pub(super) fn add(&mut self, c: &Cooperative) {
        self.insert(
            c.id.clone(),
            storage::cooperatives::tax_key(c),
            storage::cooperatives::registration_key(c),
            c.area_id.clone(),
            c.name.clone(),
        );
    }

    pub(super) fn remove(&mut self, c: &Cooperative) {
        let drop = |m: &mut HashMap<String, Vec<String>>, key: Option<String>| {
            if let Some(ids) = key.and_then(|k| m.get_mut(&k)) {
                ids.retain(|x| x != &c.id);
            }
        };
        drop(&mut self.by_tax, storage::cooperatives::tax_key(c));
        drop(
            &mut self.by_registration,
            storage::cooperatives::registration_key(c),
        );
        let place = (c.area_id.clone(), c.name.clone());
        if self.by_place.get(&place) == Some(&c.id) {
            self.by_place.remove(&place);
        }
    }

    /// A record that is `c` already: the same tax code, else registration number, else
    /// name in the same area.
    pub(super) fn same_record(&self, c: &Cooperative) -> Option<&str> {
        fn first(m: &HashMap<String, Vec<String>>, key: Option<String>) -> Option<&str> {
            key.and_then(|k| m.get(&k))
                .and_then(|ids| ids.first())
                .map(String::as_str)
        }
        first(&self.by_tax, storage::cooperatives::tax_key(c))
            .or_else(|| {
                first(
                    &self.by_registration,
                    storage::cooperatives::registration_key(c),
                )
            })
            .or_else(|| {
                self.by_place
                    .get(&(c.area_id.clone(), c.name.clone()))
                    .map(String::as_str)
            })
    }

    /// The other records sharing an identifier with `c`: (their id, the field, `c`'s value).
    pub(super) fn same_identifiers(&self, c: &Cooperative) -> Vec<(String, &'static str, String)> {
        let mut out = Vec::new();
        let checks = [
            (
                "tax_code",
                &self.by_tax,
                storage::cooperatives::tax_key(c),
                &c.tax_code,
            ),
            (
                "registration_no",
                &self.by_registration,
                storage::cooperatives::registration_key(c),
                &c.registration_no,
            ),
        ];
        for (field, m, key, value) in checks {
            let Some(ids) = key.and_then(|k| m.get(&k)) else {
                continue;
            };
            let mut others: Vec<&String> = ids.iter().filter(|x| **x != c.id).collect();
            others.sort();
            for id in others {
                out.push((id.clone(), field, value.clone().unwrap_or_default()));
            }
        }
        out
    }
}
